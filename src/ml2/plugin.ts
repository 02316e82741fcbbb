/**
 * The ML2 core plugin: orchestration of every network/subnet/port call (neutron/plugins/ml2/plugin.py).
 *
 *   create:  [txn: write rows → type manager / IPAM → build context → *_precommit] → commit
 *            → *_postcommit (failure: delete the resource again, return the error)
 *   update:  [txn: write → *_precommit] → commit → *_postcommit (failure: error, change kept)
 *   delete:  [txn: *_precommit (reverse order) → delete rows → release segments] → commit
 *            → *_postcommit (reverse order; failures logged only)
 *
 * Whole operations are retried on lost races (RetryRequest) by withRetries, like Neutron's
 * retry_db_errors. Resources are returned as full dicts; the API layer applies policy and fields.
 */
import { randomUUID } from 'node:crypto'
import type { RequestContext } from '../common/context.js'
import type { Logger } from '../common/log.js'
import type { Db, Queryable, Tx } from '../db/engine.js'
import { withRetries } from '../db/retry.js'
import { isoSeconds } from '../db/resources/timestamps.js'
import type { MechanismManager } from './mechanism-manager.js'
import type { TypeManager } from './type-manager.js'
import type { QuotaEngine } from '../quota/quota-engine.js'
import { NetworkOps } from './network-ops.js'
import { SubnetOps } from './subnet-ops.js'
import { SubnetpoolOps } from './subnetpool-ops.js'
import { PortOps } from './port-ops.js'
import { newCallbacks, type Ml2Callbacks } from './callbacks.js'
import { AgentOps } from './agent-ops.js'
import { SecurityGroupOps } from './securitygroup-ops.js'
import { SecurityGroupRuleOps } from './securitygroup-rule-ops.js'

export type Dict = Record<string, any>

export interface PluginOptions {
  baseMac: string
  macGenerationRetries: number
  maxFixedIpsPerPort: number
  maxDnsNameservers: number
  maxSubnetHostRoutes: number
  /** [DEFAULT] max_allowed_address_pair (10 when absent). */
  maxAllowedAddressPair?: number
  /** [DEFAULT] max_tags_per_resource (50 when absent). */
  maxTagsPerResource?: number
  globalPhysnetMtu: number
  allowOverlappingIps: boolean
  /** Seconds without heartbeat after which an agent counts as dead. */
  agentDownTime: number
  /** [DEFAULT] enable_new_agents: whether a newly reporting agent starts admin-up (default true). */
  enableNewAgents?: boolean
}

export interface PluginDeps {
  db: Db
  typeManager: TypeManager
  mech: MechanismManager
  log: Logger
  options: PluginOptions
  /** Per-project limits checked inside each create transaction (absent: unlimited). */
  quotas?: QuotaEngine
  /** Injected clock and id/random sources (tests control them). */
  now?: () => Date
  newId?: () => string
  random?: () => number
}

/** What every *-ops module shares. */
export class PluginCore {
  readonly db: Db
  readonly typeManager: TypeManager
  readonly mech: MechanismManager
  readonly log: Logger
  readonly options: PluginOptions
  readonly quotas?: QuotaEngine
  readonly now: () => Date
  readonly newId: () => string
  readonly random: () => number
  /** Handlers service plugins (L3) register for port and network events. */
  readonly callbacks: Ml2Callbacks = newCallbacks()
  /** The security-group mixin: networks and ports ensure their project's default group through it. */
  securityGroups?: SecurityGroupOps

  constructor(d: PluginDeps) {
    this.db = d.db
    this.typeManager = d.typeManager
    this.mech = d.mech
    this.log = d.log
    this.options = d.options
    this.quotas = d.quotas
    this.now = d.now ?? (() => new Date())
    this.newId = d.newId ?? randomUUID
    this.random = d.random ?? Math.random
  }

  timestamp(): string {
    return isoSeconds(this.now())
  }

  /** One transaction, re-run from the start when a concurrent writer won a race. */
  txn<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return withRetries(() => this.db.transaction(fn))
  }

  get reader(): Queryable {
    return this.db
  }
}

export class Ml2Plugin {
  readonly core: PluginCore
  readonly networks: NetworkOps
  readonly subnets: SubnetOps
  readonly subnetpools: SubnetpoolOps
  readonly ports: PortOps
  readonly agents: AgentOps
  readonly securityGroups: SecurityGroupOps
  readonly securityGroupRules: SecurityGroupRuleOps

  constructor(deps: PluginDeps) {
    this.core = new PluginCore(deps)
    this.networks = new NetworkOps(this.core)
    this.subnetpools = new SubnetpoolOps(this.core)
    this.subnets = new SubnetOps(this.core, this.networks, this.subnetpools)
    this.ports = new PortOps(this.core, this.networks)
    this.agents = new AgentOps(this.core, deps.options.enableNewAgents ?? true)
    this.networks.attach(this.subnets, this.ports)
    this.securityGroups = this.core.securityGroups = new SecurityGroupOps(this.core)
    this.securityGroupRules = new SecurityGroupRuleOps(this.core, this.securityGroups)
  }

  async initialize(): Promise<void> {
    await this.core.typeManager.initialize(this.core.db)
    await this.core.mech.initialize()
  }
}

export type { RequestContext }
