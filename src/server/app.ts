/**
 * Builds a Neutrino API server from a loaded config: database, type and mechanism drivers, the ML2
 * plugin, and the HTTP API. Everything is injected here, once; nothing below reads global state.
 */
import type { NeutrinoConfig } from '../conf/index.js'
import { validateMl2Config } from '../conf/index.js'
import { NoAuth } from '../api/auth-noauth.js'
import { keystoneAuthFromConfig } from '../auth/index.js'
import { NETWORK_ATTRS } from '../api/definitions/network.js'
import { PORT_ATTRS } from '../api/definitions/port.js'
import { AGENT_ATTRS } from '../api/definitions/agent.js'
import { SUBNET_ATTRS } from '../api/definitions/subnet.js'
import { ResourceController } from '../api/resources.js'
import { ApiServer, type Authenticator } from '../api/server.js'
import type { Logger } from '../common/log.js'
import { openDb } from '../db/connect.js'
import type { Db } from '../db/engine.js'
import { upgrade } from '../db/migrations.js'
import type { MechanismDriver } from '../ml2/driver-api.js'
import { MechanismManager } from '../ml2/mechanism-manager.js'
import { Ml2Plugin } from '../ml2/plugin.js'
import { TypeManager } from '../ml2/type-manager.js'
import { createTypeDrivers } from '../ml2/types/registry.js'
import { createMechanismDrivers } from './mechanism-drivers.js'
import { QuotaEngine } from '../quota/quota-engine.js'
import { QuotasController } from '../api/quotas.js'

export interface AppOptions {
  config: NeutrinoConfig
  log: Logger
  /** Replace the configured drivers (tests). */
  mechanismDrivers?: MechanismDriver[]
  auth?: Authenticator
  now?: () => Date
  /** Skip schema upgrade and allocation-table sync (api_workers children: the parent did it). */
  skipInit?: boolean
}

export interface App {
  db: Db
  plugin: Ml2Plugin
  api: ApiServer
  mechanismDrivers: MechanismDriver[]
  close(): Promise<void>
}

export async function buildApp(o: AppOptions): Promise<App> {
  const cfg = o.config
  const ml2 = validateMl2Config(cfg)
  const log = o.log
  const db = openDb(cfg.database.connection, { poolSize: cfg.database.max_pool_size })
  try {
    if (!o.skipInit) {
      const applied = await upgrade(db)
      if (applied.length) log.info(`database ${db.description}: applied schema migrations ${applied.join(', ')}`)
    }
    const drivers = createTypeDrivers(cfg.ml2.type_drivers, {
      flatNetworks: ml2.flatNetworks === null ? ['*'] : [...ml2.flatNetworks],
      networkVlanRanges: new Map([...ml2.vlanRanges].map(([p, rs]) => [p, rs.map(tuple)])),
      tunnelIdRanges: ml2.greRanges.map(tuple),
      vniRanges: ml2.vxlanRanges.map(tuple),
      mtu: { globalPhysnetMtu: cfg.DEFAULT.global_physnet_mtu, pathMtu: cfg.ml2.path_mtu, physicalNetworkMtus: ml2.physnetMtus },
      overlayIpVersion: cfg.ml2.overlay_ip_version as 4 | 6,
      log: log.child('ml2.types'),
    })
    const typeManager = new TypeManager({
      typeDrivers: cfg.ml2.type_drivers,
      registry: drivers,
      tenantNetworkTypes: cfg.ml2.project_network_types,
      globalPhysnetMtu: cfg.DEFAULT.global_physnet_mtu,
      logger: log.child('ml2.types'),
    })
    const mechanismDrivers =
      o.mechanismDrivers ?? createMechanismDrivers(cfg.ml2.mechanism_drivers, { log, failOn: ml2.failOn })
    const mech = new MechanismManager(mechanismDrivers, log.child('ml2.mech'))
    const quotas = new QuotaEngine({ network: cfg.quotas.quota_network, subnet: cfg.quotas.quota_subnet, port: cfg.quotas.quota_port })
    const plugin = new Ml2Plugin({
      db,
      quotas,
      typeManager,
      mech,
      log: log.child('ml2'),
      now: o.now,
      options: {
        baseMac: cfg.DEFAULT.base_mac,
        macGenerationRetries: cfg.DEFAULT.mac_generation_retries,
        maxFixedIpsPerPort: cfg.DEFAULT.max_fixed_ips_per_port,
        maxDnsNameservers: cfg.DEFAULT.max_dns_nameservers,
        maxSubnetHostRoutes: cfg.DEFAULT.max_subnet_host_routes,
        globalPhysnetMtu: cfg.DEFAULT.global_physnet_mtu,
        allowOverlappingIps: cfg.DEFAULT.allow_overlapping_ips,
        agentDownTime: cfg.DEFAULT.agent_down_time,
        enableNewAgents: cfg.DEFAULT.enable_new_agents,
      },
    })
    if (!o.skipInit) await typeManager.initialize(db)
    await mech.initialize()
    const copts = { paginationMaxLimit: cfg.DEFAULT.pagination_max_limit, allowBulk: cfg.DEFAULT.allow_bulk }
    const api = new ApiServer({
      maxRequestBodySize: cfg.oslo_middleware.max_request_body_size || Number.MAX_SAFE_INTEGER,
      log: log.child('api'),
      auth:
        o.auth ??
        (cfg.DEFAULT.auth_strategy === 'keystone'
          ? keystoneAuthFromConfig(cfg.keystone_authtoken, log.child('auth'))
          : new NoAuth(cfg.DEFAULT.default_project_id)),
      routes: [new QuotasController(db, quotas)],
      controllers: [
        new ResourceController('network', 'networks', NETWORK_ATTRS, plugin.networks, { ...copts, createExtras: { is_default: false } }),
        new ResourceController('subnet', 'subnets', SUBNET_ATTRS, plugin.subnets, copts),
        new ResourceController('port', 'ports', PORT_ATTRS, plugin.ports, copts),
        new ResourceController('agent', 'agents', AGENT_ATTRS, plugin.agents, copts),
      ],
    })
    return {
      db,
      plugin,
      api,
      mechanismDrivers,
      async close() {
        await api.close()
        await db.close()
      },
    }
  } catch (e) {
    await db.close().catch(() => {})
    throw e
  }
}

const tuple = (r: readonly [number, number]): [number, number] => [r[0], r[1]]
