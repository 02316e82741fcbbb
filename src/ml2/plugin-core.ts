/**
 * What every *-ops module of ML2 shares: the database, the managers, the clock and id sources,
 * the options and the callbacks registry. Built once by Ml2Plugin and passed to each part at
 * construction; nothing is set on it afterwards.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from '../common/log.js'
import type { Db, Queryable, Tx } from '../db/engine.js'
import { withRetries } from '../db/retry.js'
import { isoSeconds } from '../db/resources/timestamps.js'
import type { QuotaEngine } from '../quota/quota-engine.js'
import { Registry, type CallbacksRegistry } from './callbacks/registry.js'
import type { MechanismManager } from './mechanism-manager.js'
import type { JsonDict } from './resource-types.js'
import type { Ml2Runtime } from './service.js'
import type { TypeManager } from './type-manager.js'

/** A request body or a resource ML2 has no type for (the JSON boundary). */
export type Dict = JsonDict

export interface PluginOptions {
  baseMac: string
  macGenerationRetries: number
  maxFixedIpsPerPort: number
  maxDnsNameservers: number
  maxSubnetHostRoutes: number
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
  /** The callbacks registry (default: a new one); the composition root may share it with others. */
  registry?: CallbacksRegistry
  /** Injected clock and id/random sources (tests control them). */
  now?: () => Date
  newId?: () => string
  random?: () => number
}

/** What every *-ops module shares. */
export class PluginCore implements Ml2Runtime {
  readonly db: Db
  readonly typeManager: TypeManager
  readonly mech: MechanismManager
  readonly log: Logger
  readonly options: PluginOptions
  readonly quotas?: QuotaEngine
  readonly now: () => Date
  readonly newId: () => string
  readonly random: () => number
  /** Where service plugins, notifiers and drivers subscribe to resource events. */
  readonly registry: CallbacksRegistry

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
    this.registry = d.registry ?? new Registry(d.log.child('callbacks'))
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
