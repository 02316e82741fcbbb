/**
 * `neutrino controller`'s composition root: the store, the northbound, the node registry and port
 * status, built once from a loaded config (nothing below reads global state).
 */
import type { Logger } from '../../common/log.js'
import type { ControllerConfig } from '../../conf/controller-opts.js'
import { NorthboundServer } from '../../controller/northbound/northbound-server.js'
import { PortStatusBook } from '../../controller/port-status.js'
import { FlowSync } from '../../controller/southbound/flow-sync.js'
import { NodeRegistry } from '../../controller/southbound/node-registry.js'
import { OvsdbSouthbound } from '../../controller/southbound/ovsdb-southbound.js'
import { Reconciler } from '../../controller/southbound/reconciler.js'
import { KnownNodes } from '../../controller/state/known-nodes.js'
import { NetworkTags } from '../../controller/state/network-tags.js'
import { ObjectStore } from '../../controller/store/object-store.js'
import { openDb, withStartupRetries } from '../../db/connect.js'
import type { Db } from '../../db/engine.js'

export interface ControllerApp {
  readonly db: Db
  readonly store: ObjectStore
  readonly nodes: NodeRegistry
  readonly portStatus: PortStatusBook
  readonly northbound: NorthboundServer
  readonly ovsdb: OvsdbSouthbound
  readonly flows: FlowSync
  /** Where the northbound listens. */
  readonly northboundUrl: string
  close(): Promise<void>
}

export async function buildController(o: { config: ControllerConfig; log: Logger; now?: () => Date }): Promise<ControllerApp> {
  const cfg = o.config
  const db = openDb(cfg.database.connection, { poolSize: cfg.database.max_pool_size, recycleSeconds: cfg.database.connection_recycle_time })
  try {
    const store = await withStartupRetries(() => ObjectStore.open(db), {
      maxRetries: cfg.database.max_retries,
      intervalSeconds: cfg.database.retry_interval,
      onRetry: (why, n) => o.log.warn(`store ${db.description} not reachable (${why}); retrying in ${cfg.database.retry_interval} s (attempt ${n})`),
    })
    const c = cfg.controller
    const nodes = new NodeRegistry({ tunnelTypes: c.tunnel_types, datapathType: c.datapath_type })
    const portStatus = new PortStatusBook()
    const northbound = new NorthboundServer({
      store, portStatus, features: c.features, username: c.username, password: c.password,
      hostconfigs: () => nodes.hostconfigs(), log: o.log.child('northbound'), now: o.now,
    })
    const addr = await northbound.listen(c.northbound_port, c.northbound_host)
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
    o.log.info(`store ${db.description}: ${store.count()} objects`)
    // the southbound: OVSDB nodes, OpenFlow switches, and the loop that programs them
    const tags = await NetworkTags.open(db)
    const known = await KnownNodes.open(db)
    const flows = new FlowSync(o.log.child('openflow'))
    await flows.listen(c.openflow_listen)
    const ovsdb = new OvsdbSouthbound({
      listen: c.ovsdb_listen, targets: c.ovsdb_nodes, integrationBridge: c.integration_bridge,
      datapathType: c.datapath_type, bridgeMappings: c.bridge_mappings, registry: nodes, log: o.log.child('ovsdb'),
    })
    await ovsdb.start()
    const reconciler = new Reconciler({
      store, tags, known, ovsdb, flows, portStatus, integrationBridge: c.integration_bridge,
      openflowListen: c.openflow_listen, log: o.log.child('reconciler'),
    })
    return {
      db, store, nodes, portStatus, northbound, ovsdb, flows,
      northboundUrl: `http://${host}:${addr.port}/controller/nb/v2/neutron`,
      async close() {
        reconciler.close()
        await ovsdb.close()
        await flows.close()
        await northbound.close()
        await db.close()
      },
    }
  } catch (e) {
    await db.close().catch(() => undefined)
    throw e
  }
}
