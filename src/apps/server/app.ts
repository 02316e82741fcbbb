/**
 * Builds a Neutrino API server from a loaded config: database, type and mechanism drivers, the ML2
 * plugin, and the HTTP API. Everything is injected here, once; nothing below reads global state.
 */
import type { NeutrinoConfig } from '../../conf/index.js'
import { validateMl2Config } from '../../conf/index.js'
import { NoAuth } from '../../api/auth-noauth.js'
import { keystoneAuthFromConfig } from '../../auth/index.js'
import { NETWORK_ATTRS } from '../../api/definitions/network.js'
import { PORT_ATTRS } from '../../api/definitions/port.js'
import { AGENT_ATTRS } from '../../api/definitions/agent.js'
import { SUBNET_ATTRS } from '../../api/definitions/subnet.js'
import { SUBNETPOOL_ATTRS } from '../../api/definitions/subnetpool.js'
import { ResourceController } from '../../api/resources.js'
import { ApiServer, type Authenticator } from '../../api/server.js'
import type { Logger } from '../../common/log.js'
import { openDb, withStartupRetries } from '../../db/connect.js'
import type { StatementHook } from '../../db/engine.js'
import type { Db } from '../../db/engine.js'
import { upgrade } from '../../db/migrations.js'
import type { MechanismDriver } from '../../ml2/driver-api.js'
import { MechanismManager } from '../../ml2/mechanism-manager.js'
import { Ml2Plugin } from '../../ml2/plugin.js'
import { TypeManager } from '../../ml2/type-manager.js'
import { createTypeDrivers } from '../../ml2/types/registry.js'
import { createMechanismDrivers } from './mechanism-drivers.js'
import { startServerAgentRpc, type ServerAgentRpc } from './agent-rpc.js'
import type { Transport } from '../../messaging/types.js'
import { QuotaEngine } from '../../quota/quota-engine.js'
import { QuotasController } from '../../api/quotas.js'
import { ROUTER_ATTRS } from '../../api/definitions/router.js'
import { FLOATINGIP_ATTRS } from '../../api/definitions/floatingip.js'
import { routerActions } from '../../api/l3-actions.js'
import { L3Plugin } from '../../l3/plugin.js'
import { ApiPolicy } from '../../api/policy.js'
import { PolicyEnforcer } from '../../policy/index.js'
import { listNetworkRows, type NetworkRow } from '../../db/resources/networks.js'
import { SECURITY_GROUP_ATTRS, SECURITY_GROUP_RULE_ATTRS } from '../../api/definitions/securitygroup.js'
import { listSecurityGroupRows } from '../../db/resources/securitygroups.js'
import { Registry } from 'prom-client'
import { HealthCheck } from '../../api/healthcheck.js'
import { ApiMetrics } from '../../api/metrics.js'
import { requestObserver } from '../../api/request-observer.js'
import { instrumentDb } from './db-metrics.js'
import { databaseCheck } from './database-check.js'

export interface AppOptions {
  config: NeutrinoConfig
  log: Logger
  /** Replace the configured drivers (tests). */
  mechanismDrivers?: MechanismDriver[]
  auth?: Authenticator
  now?: () => Date
  /** Skip schema upgrade and allocation-table sync (api_workers children: the parent did it). */
  skipInit?: boolean
  /** --config-file / --config-dir paths: a relative [oslo_policy] policy_file is searched next to them. */
  configFiles?: readonly string[]
  configDirs?: readonly string[]
  /** Metrics registry (/metrics); a new one per app when absent — never prom-client's global one. */
  registry?: Registry
  /** The text /metrics serves, given this app's registry (api_workers: merged over the workers). */
  collectMetrics?: (registry: Registry) => () => Promise<string>
  /** With transport_url: consume the agents' RPC here (false: notify only; api_workers children). */
  consumeAgentRpc?: boolean
  /** Agent RPC on this transport as RPC server `host`, instead of `[DEFAULT] transport_url` (tests). */
  agentRpc?: { transport: Transport; host: string }
}

export interface App {
  db: Db
  plugin: Ml2Plugin
  api: ApiServer
  mechanismDrivers: MechanismDriver[]
  registry: Registry
  health: HealthCheck
  /** Agent RPC, when `[DEFAULT] transport_url` is set. */
  agentRpc?: ServerAgentRpc
  close(): Promise<void>
}

export async function buildApp(o: AppOptions): Promise<App> {
  const cfg = o.config
  const ml2 = validateMl2Config(cfg)
  const log = o.log
  // Policy first: a bad policy file stops the server before anything else (PolicyFileError).
  const enforcer = PolicyEnforcer.fromConfig(cfg.oslo_policy, o.configFiles ?? [], { log: log.child('policy'), configDirs: o.configDirs })
  const registry = o.registry ?? new Registry()
  const rawDb = openDb(cfg.database.connection, {
    poolSize: cfg.database.max_pool_size,
    recycleSeconds: cfg.database.connection_recycle_time,
    onStatement: statementLogger(cfg.database.connection_debug, log.child('sql')),
  })
  const { db, startupRetry } = instrumentDb(rawDb, registry)
  try {
    if (!o.skipInit) {
      const applied = await withStartupRetries(() => upgrade(db), {
        maxRetries: cfg.database.max_retries,
        intervalSeconds: cfg.database.retry_interval,
        onRetry: (why, n) => {
          startupRetry()
          log.warn(`database ${db.description} not reachable (${why}); retrying in ${cfg.database.retry_interval} s (attempt ${n}${cfg.database.max_retries >= 0 ? ` of ${cfg.database.max_retries}` : ''})`)
        },
      })
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
      o.mechanismDrivers ?? createMechanismDrivers(cfg.ml2.mechanism_drivers, { log, failOn: ml2.failOn, agentMech: cfg, db, odl: cfg.ml2_odl })
    const mech = new MechanismManager(mechanismDrivers, log.child('ml2.mech'))
    const quotas = new QuotaEngine({ network: cfg.quotas.quota_network, subnet: cfg.quotas.quota_subnet, port: cfg.quotas.quota_port, router: cfg.quotas.quota_router, floatingip: cfg.quotas.quota_floatingip, subnetpool: cfg.quotas.default_quota, security_group: cfg.quotas.quota_security_group, security_group_rule: cfg.quotas.quota_security_group_rule })
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
        maxAllowedAddressPair: cfg.DEFAULT.max_allowed_address_pair,
        maxTagsPerResource: cfg.DEFAULT.max_tags_per_resource,
        globalPhysnetMtu: cfg.DEFAULT.global_physnet_mtu,
        allowOverlappingIps: cfg.DEFAULT.allow_overlapping_ips,
        agentDownTime: cfg.DEFAULT.agent_down_time,
        enableNewAgents: cfg.DEFAULT.enable_new_agents,
      },
    })
    if (!o.skipInit) await typeManager.initialize(db)
    await mech.initialize()
    const policy = new ApiPolicy(enforcer, {
      parents: {
        network: async (ids) => new Map((await networkRowsByIds(db, ids)).map((r) => [r.id, networkPolicyDict(r)])),
        // `sg_owner` (tenant_id:%(security_group:tenant_id)s) of a rule.
        security_group: async (ids) => new Map((await listSecurityGroupRows(db, { ids })).map((r) => [r.id, { id: r.id, tenant_id: r.project_id, project_id: r.project_id }])),
      },
      visibleNetwork: async (ctx, id) => networkPolicyDict(await plugin.networks.getRowFor(db, ctx, id)),
      log: log.child('policy'),
    })
    const agentRpc = await startServerAgentRpc(cfg, plugin, mechanismDrivers, log, { consume: o.consumeAgentRpc ?? true, ...o.agentRpc })
    const listLimits = {
      max_dns_nameservers: cfg.DEFAULT.max_dns_nameservers,
      max_subnet_host_routes: cfg.DEFAULT.max_subnet_host_routes,
      max_routes: cfg.DEFAULT.max_routes,
      max_allowed_address_pair: cfg.DEFAULT.max_allowed_address_pair,
      max_fixed_ips_per_port: cfg.DEFAULT.max_fixed_ips_per_port,
    }
    const copts = { paginationMaxLimit: cfg.DEFAULT.pagination_max_limit, allowBulk: cfg.DEFAULT.allow_bulk, policy, listLimits }
    // L3 service plugin (routers, floating IPs): DB/API only, no agent.
    const l3 = new L3Plugin(plugin, { enableSnatByDefault: cfg.DEFAULT.enable_snat_by_default, maxRoutes: cfg.DEFAULT.max_routes })
    // Drivers that follow resources ML2 does not call them for (opendaylight: SGs, routers, FIPs).
    for (const d of mechanismDrivers) (d as { attach?: (s: Ml2Plugin, l3: L3Plugin) => void }).attach?.(plugin, l3)
    const routers: ResourceController = new ResourceController('router', 'routers', ROUTER_ATTRS, l3.routers, {
      ...copts,
      actions: routerActions(l3, () => routers),
    })
    const controllers = [
        new ResourceController('network', 'networks', NETWORK_ATTRS, plugin.networks, { ...copts, createExtras: { is_default: false } }),
        new ResourceController('subnet', 'subnets', SUBNET_ATTRS, plugin.subnets, copts),
        new ResourceController('subnetpool', 'subnetpools', SUBNETPOOL_ATTRS, plugin.subnetpools, copts),
        new ResourceController('port', 'ports', PORT_ATTRS, plugin.ports, copts),
        new ResourceController('agent', 'agents', AGENT_ATTRS, plugin.agents, copts),
        new ResourceController('security_group', 'security_groups', SECURITY_GROUP_ATTRS, plugin.securityGroups, { ...copts, path: 'security-groups' }),
        new ResourceController('security_group_rule', 'security_group_rules', SECURITY_GROUP_RULE_ATTRS, plugin.securityGroupRules, { ...copts, path: 'security-group-rules' }),
        routers,
        new ResourceController('floatingip', 'floatingips', FLOATINGIP_ATTRS, l3.floatingips, copts),
    ]
    const metrics = cfg.metrics.enabled
      ? new ApiMetrics({ registry, path: cfg.metrics.path, resources: [...controllers.map((c) => c.path), 'quotas'], collect: o.collectMetrics?.(registry) })
      : undefined
    const health = new HealthCheck({
      path: cfg.healthcheck.path,
      detailed: cfg.healthcheck.detailed,
      checks: [databaseCheck(db, cfg.healthcheck.timeout * 1000)],
      now: o.now,
    })
    const api = new ApiServer({
      observe: requestObserver({ log: log.child('wsgi'), metrics }),
      intercept: (req, res) => health.intercept(req, res) || (metrics?.intercept(req, res) ?? false),
      maxRequestBodySize: cfg.oslo_middleware.max_request_body_size || Number.MAX_SAFE_INTEGER,
      log: log.child('api'),
      auth: policy.authenticator(
        o.auth ??
        (cfg.DEFAULT.auth_strategy === 'keystone'
          ? keystoneAuthFromConfig(cfg.keystone_authtoken, log.child('auth'))
          : new NoAuth(cfg.DEFAULT.default_project_id)),
      ),
      routes: [new QuotasController(db, quotas)],
      controllers,
    })
    return {
      db,
      plugin,
      api,
      mechanismDrivers,
      registry,
      health,
      agentRpc,
      async close() {
        await api.close()
        await agentRpc?.close()
        for (const d of mechanismDrivers) await (d as { close?: () => Promise<void> }).close?.()
        await db.close()
      },
    }
  } catch (e) {
    await db.close().catch(() => {})
    throw e
  }
}

const tuple = (r: readonly [number, number]): [number, number] => [r[0], r[1]]

/** What policy reads of a network (`network:tenant_id`, `networks:shared`): the admin view. */
const networkPolicyDict = (r: NetworkRow) => ({ id: r.id, tenant_id: r.project_id, project_id: r.project_id, shared: r.shared, 'router:external': r.router_external })

async function networkRowsByIds(db: Db, ids: readonly string[]): Promise<NetworkRow[]> {
  const out: NetworkRow[] = []
  for (let i = 0; i < ids.length; i += 500) out.push(...(await listNetworkRows(db, { ids: ids.slice(i, i + 500) })))
  return out
}

/**
 * `[database] connection_debug` as oslo.db reads it: 0 nothing, 50 and up every statement at
 * INFO, 100 with its parameters too.
 */
export function statementLogger(level: number, log: Logger): StatementHook | undefined {
  if (level < 50) return undefined
  if (level < 100) return (sql) => log.info(sql)
  return (sql, params) => log.info(params.length ? `${sql} ${JSON.stringify(params)}` : sql)
}
