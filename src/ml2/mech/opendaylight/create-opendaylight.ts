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

export interface Ml2OdlOptions {
  readonly url: string
  readonly username: string
  readonly password: string
  readonly timeout: number
  readonly retry_count: number
  readonly completed_rows_retention: number
  readonly processing_timeout: number
  readonly maintenance_interval: number
}

export interface OpendaylightParts {
  driver: OpendaylightMechanismDriver
  sender: JournalSender
  client: OdlClient
  close(): Promise<void>
}

export function createOpendaylight(o: { db: Db; log: Logger; options: Ml2OdlOptions; now?: () => number }): OpendaylightParts {
  const opts = o.options
  if (!opts.url) throw new Error('[ml2_odl] url is required with mechanism_drivers = opendaylight')
  const now = o.now ?? Date.now
  const client = new OdlClient({ url: opts.url, username: opts.username, password: opts.password, timeoutMs: opts.timeout * 1000 })
  const sender = new JournalSender({
    db: o.db,
    client,
    log: o.log.child('journal'),
    owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    now,
    retryCount: opts.retry_count,
    completedRowsRetention: opts.completed_rows_retention,
    backoffMaxMs: 2_000,
    idlePollMs: 1_000,
  })
  const driver = new OpendaylightMechanismDriver({
    log: o.log,
    now,
    sender,
    onInitialize: () => sender.start(),
    onClose: () => sender.stop(),
  })
  return { driver, sender, client, close: () => driver.close() }
}
