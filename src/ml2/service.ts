/**
 * ML2's service boundary: what the API layer, the L3 service plugin and the coming agent RPC
 * handlers call. Everything here is an interface or a type; the implementation is `Ml2Plugin`
 * (plugin.ts), built by the composition root (src/apps/server) and handed over as `Ml2Service`.
 *
 *   API ─┐
 *   L3  ─┼─▶ Ml2Service ─▶ networks / subnets / ports / … (*-ops.ts) ─▶ db
 *   RPC ─┘        │
 *                 └─ registry: subscribe to any resource's lifecycle (callbacks/registry.ts)
 *
 * The in-transaction variants (`ports.createInTx / updateInTx / deleteInTx`) let a service plugin
 * make ports inside its own transaction (`runtime.txn`); it then runs the matching `*Postcommit`
 * after its commit, which runs the mechanism drivers' postcommits and publishes the after_* events.
 */
import type { RequestContext } from '../common/context.js'
import type { Logger } from '../common/log.js'
import type { Db, Queryable, Tx } from '../db/engine.js'
import type { QuotaEngine } from '../quota/quota-engine.js'
import type { CallbacksRegistry } from './callbacks/registry.js'
import type { PortContext } from './driver-api.js'
import type { Agent, JsonDict, Network, Port, Subnet } from './resource-types.js'

/** The shared runtime of ML2 and the service plugins in its process: one database, one clock. */
export interface Ml2Runtime {
  readonly db: Db
  /** Reads outside a transaction (SQLite: the reader connection). */
  readonly reader: Queryable
  readonly log: Logger
  /** Per-project limits checked inside create transactions (absent: unlimited). */
  readonly quotas?: QuotaEngine
  readonly now: () => Date
  readonly newId: () => string
  /** `now` as the API shows timestamps (seconds, `Z`). */
  timestamp(): string
  /** One transaction, re-run from the start when a concurrent writer won a race (RetryRequest). */
  txn<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
}

/** standard-attr-tag of one resource, scoped to what the caller may see (its NotFound otherwise). */
export interface TagService {
  get(ctx: RequestContext, id: string): Promise<string[]>
  set(ctx: RequestContext, id: string, tags: readonly string[]): Promise<void>
  add(ctx: RequestContext, id: string, tag: string): Promise<boolean>
  remove(ctx: RequestContext, id: string, tag: string): Promise<boolean>
}

/** How a service plugin's resource is found for its tags sub-resource (TagService). */
export interface TagSpec {
  /** tags.resource_type: the collection ('routers', 'floatingips'). */
  readonly resourceType: string
  /** The table whose revision_number a tag change bumps, when not named resourceType. */
  readonly table?: string
  /** The row if `ctx` may see it; the resource's NotFound otherwise. */
  readonly visibleRow: (q: Queryable, ctx: RequestContext, id: string) => Promise<{ readonly id: string }>
}

/** One API collection: what `api/resources.ts` ResourceController calls. */
export interface CollectionService<T = JsonDict> {
  createBulk(ctx: RequestContext, bodies: JsonDict[]): Promise<T[]>
  update(ctx: RequestContext, id: string, body: JsonDict): Promise<T>
  delete(ctx: RequestContext, id: string): Promise<void>
  get(ctx: RequestContext, id: string): Promise<T>
  /** All visible items; `filters` is a hint the service may use to narrow its SQL. */
  list(ctx: RequestContext, filters: Map<string, string[]>): Promise<T[]>
  readonly tags?: TagService
}

export interface NetworkService extends CollectionService<Network> {
  create(ctx: RequestContext, body: JsonDict): Promise<Network>
}

export interface SubnetService extends CollectionService<Subnet> {
  create(ctx: RequestContext, body: JsonDict): Promise<Subnet>
}

/**
 * A port change made inside a caller's transaction, waiting for its postcommit. It is the driver
 * context the precommits saw (`current` is the port as committed).
 */
export type PendingPort = PortContext

export interface PortService extends CollectionService<Port> {
  /** Creates a port inside `tx` (precommits run there); `quota: false` for ports a service plugin makes. */
  createInTx(tx: Tx, ctx: RequestContext, body: JsonDict, o?: { quota?: boolean }): Promise<PendingPort>
  /** Updates a port inside `tx`; `body` holds only what changes. */
  updateInTx(tx: Tx, ctx: RequestContext, id: string, body: JsonDict, o?: { ensureDefaultGroup?: boolean }): Promise<PendingPort>
  /** Deletes a port inside `tx` (precommit_delete subscribers run there). */
  deleteInTx(tx: Tx, id: string, ctx?: RequestContext): Promise<PendingPort>
  /** After the caller's commit: a failed driver postcommit deletes the port again and throws. */
  createPostcommit(p: PendingPort): Promise<void>
  updatePostcommit(p: PendingPort): Promise<void>
  deletePostcommit(p: PendingPort): Promise<void>
  /**
   * update_port_status (agents and the controller report a port up or down): one revision, the
   * update precommit/postcommit and `after_update` like any update. Unchanged status: no write.
   */
  updateStatus(ctx: RequestContext, id: string, status: string): Promise<Port>
}

/** What an agent reports each report_interval (neutron/agent/rpc.py PluginReportStateAPI). */
export interface AgentState {
  agent_type: string
  binary: string
  host: string
  topic?: string
  configurations?: JsonDict
  /** True on the agent's first report after it started: started_at moves. */
  start_flag?: boolean
}

/** agents_db AGENT_STATUS_NEW / ALIVE / REVIVED. */
export type ReportResult = 'new' | 'alive' | 'revived'

export interface AgentService extends CollectionService<JsonDict> {
  /** Agents of a type on a host, with liveness (agent-liveness.ts): what agent-based drivers bind on. */
  hostAgents(agentType: string, host: string): Promise<Agent[]>
  /** report_state: creates or refreshes the agent's row (heartbeat); 400 on a malformed report. */
  reportState(state: AgentState): Promise<ReportResult>
}

export interface Ml2Service {
  readonly runtime: Ml2Runtime
  /** Subscribe here to follow any resource's lifecycle (neutron_lib.callbacks.registry). */
  readonly registry: CallbacksRegistry
  readonly networks: NetworkService
  readonly subnets: SubnetService
  readonly subnetpools: CollectionService
  readonly ports: PortService
  readonly agents: AgentService
  readonly securityGroups: CollectionService
  readonly securityGroupRules: CollectionService
  /** standard-attr-tag for a service plugin's resource (routers, floating IPs). */
  tagsFor(spec: TagSpec): TagService
}
