/**
 * Builds the `opendaylight` driver with its journal sender from `[ml2_odl]` (composition root's
 * helper: one place turns options into parts).
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Logger } from '../../../common/log.js'
import type { Db } from '../../../db/engine.js'
import { OdlClient } from './odl-client.js'
import { JournalSender } from './journal-sender.js'
import { OpendaylightMechanismDriver } from './opendaylight-driver.js'
import { JournalMaintenance } from './journal-maintenance.js'
import { serviceReader, type ResourceReader } from './resource-reader.js'
import { HostconfigPoller } from './hostconfig-poller.js'
import { OdlFeatures, OPERATIONAL_PORT_STATUS } from './odl-features.js'
import { PortStatusListener } from './port-status-listener.js'
import type { Ml2Service } from '../../service.js'

export interface Ml2OdlOptions {
  readonly url: string
  readonly username: string
  readonly password: string
  readonly timeout: number
  readonly retry_count: number
  readonly completed_rows_retention: number
  readonly processing_timeout: number
  readonly maintenance_interval: number
  readonly restconf_poll_interval: number
  readonly odl_features: readonly string[]
}

export interface OpendaylightParts {
  driver: OpendaylightMechanismDriver
  sender: JournalSender
  maintenance: JournalMaintenance
  features: OdlFeatures
  hostconfigs: HostconfigPoller
  client: OdlClient
  close(): Promise<void>
}

export function createOpendaylight(o: { db: Db; log: Logger; options: Ml2OdlOptions; now?: () => number }): OpendaylightParts {
  const opts = o.options
  if (!opts.url) throw new Error('[ml2_odl] url is required with mechanism_drivers = opendaylight')
  const now = o.now ?? Date.now
  const client = new OdlClient({ url: opts.url, username: opts.username, password: opts.password, timeoutMs: opts.timeout * 1000 })
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const sender = new JournalSender({
    db: o.db,
    client,
    log: o.log.child('journal'),
    owner,
    now,
    retryCount: opts.retry_count,
    completedRowsRetention: opts.completed_rows_retention,
    backoffMaxMs: 2_000,
    idlePollMs: 1_000,
  })
  let reader: ResourceReader | undefined
  let service: Ml2Service | undefined
  const portStatus = new PortStatusListener({ client, log: o.log.child('port-status'), retrySec: opts.restconf_poll_interval, service: () => service })
  const features = new OdlFeatures({
    client,
    log: o.log.child('features'),
    configured: opts.odl_features,
    retrySec: 5,
    onChange: (f) => { if (f.has(OPERATIONAL_PORT_STATUS)) portStatus.start() },
  })
  const hostconfigs = new HostconfigPoller({ client, log: o.log.child('hostconfig'), intervalSec: opts.restconf_poll_interval, service: () => service })
  const maintenance = new JournalMaintenance({
    db: o.db,
    client,
    log: o.log.child('maintenance'),
    owner,
    now,
    reader: () => reader,
    processingTimeoutSec: opts.processing_timeout,
    completedRowsRetentionSec: opts.completed_rows_retention,
    intervalSec: opts.maintenance_interval,
    onRows: () => sender.wake(),
  })
  const driver = new OpendaylightMechanismDriver({
    log: o.log,
    now,
    sender,
    // Without the feature a bound port is ACTIVE at once; with it, DOWN until the controller says (§4, §5).
    boundStatus: () => (features.has(OPERATIONAL_PORT_STATUS) ? 'DOWN' : 'ACTIVE'),
    onAttach: (s, l3) => {
      service = s
      reader = serviceReader(s, l3)
    },
    onInitialize: () => {
      sender.start()
      maintenance.start()
      features.start()
      hostconfigs.start()
    },
    onClose: async () => {
      features.stop()
      portStatus.stop()
      await hostconfigs.stop()
      await maintenance.stop()
      await sender.stop()
    },
  })
  return { driver, sender, maintenance, features, hostconfigs, client, close: () => driver.close() }
}
