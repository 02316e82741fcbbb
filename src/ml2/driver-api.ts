/**
 * The ML2 driver contract (neutron_lib/plugins/ml2/api.py, facts §1). Written on the interfaces
 * because every driver author needs it:
 *
 * - `*Precommit` runs INSIDE the database transaction of the API call. It must not do I/O or block;
 *   throwing rolls the whole transaction back (nothing is persisted) and the client gets the error.
 * - `*Postcommit` runs right AFTER the commit. It may do I/O. If a create postcommit throws, the
 *   plugin deletes the resource again (every driver's delete hooks run) and returns the error; if an
 *   update postcommit throws, the change stays committed and the error is returned; delete postcommit
 *   failures are logged and the delete succeeds.
 * - Drivers are called in `[ml2] mechanism_drivers` order; delete calls run in reverse order so
 *   teardown mirrors set-up.
 *
 * Code that only needs to follow the lifecycle (notifiers, service plugins) subscribes to the
 * callbacks registry instead (callbacks/registry.ts): its after_* failures never fail a request.
 */
import type { Tx } from '../db/engine.js'
import type { Agent, BindingLevel, Network, Port, Segment, Subnet } from './resource-types.js'

export type { Agent, BindingLevel, Segment }

export interface TypeDriver {
  /** The network_type string this driver owns. */
  readonly type: string
  /** Called once at start-up, after the schema exists: sync allocation tables with config ranges. */
  initialize(tx: Tx): Promise<void>
  /** Outside the transaction: throw InvalidInput for a bad provider segment. */
  validateProviderSegment(segment: Segment): void
  /** True when the segment still needs an id from the pool (e.g. vxlan without segmentation_id). */
  isPartialSegment(segment: Segment): boolean
  /** Inside the transaction: mark the given (possibly partial) segment as used; returns it filled in. */
  reserveProviderSegment(tx: Tx, segment: Segment): Promise<Segment>
  /** Inside the transaction: a segment from the pool, or null when this type has none left. */
  allocateTenantSegment(tx: Tx): Promise<Segment | null>
  /** Inside the transaction, on network delete. */
  releaseSegment(tx: Tx, segment: Segment): Promise<void>
  /** MTU of a segment of this type on the given physnet (overlay overhead subtracted). */
  getMtu(physnet: string | null): number
}

export interface NetworkContext {
  readonly current: Network
  readonly original: Network | null
  readonly networkSegments: Segment[]
  /** Only for precommit: the open transaction. */
  readonly tx?: Tx
}

export interface SubnetContext {
  readonly current: Subnet
  readonly original: Subnet | null
  readonly network: NetworkContext
  readonly tx?: Tx
}

export interface PortContext {
  readonly current: Port
  readonly original: Port | null
  readonly network: NetworkContext
  readonly tx?: Tx
  /** Binding inputs. */
  readonly host: string
  readonly originalHost: string | null
  readonly vnicType: string
  readonly profile: Record<string, unknown>
  /** Binding outputs (current and before this call). */
  readonly vifType: string
  readonly originalVifType: string | null
  readonly vifDetails: Record<string, unknown>
  readonly bindingLevels: BindingLevel[]
  readonly originalBindingLevels: BindingLevel[]
  readonly topBoundSegment: Segment | null
  readonly bottomBoundSegment: Segment | null
  /** Only during bindPort: segments the driver may bind at this level. */
  readonly segmentsToBind: Segment[]
  /** Only during bindPort: the level being bound (0 = top). */
  readonly level: number
  /** Agents of a type on the binding host (agent-based drivers). */
  hostAgents(agentType: string): Promise<Agent[]>
  /** Completes the binding at this level (ends hierarchical binding). */
  setBinding(segmentId: string, vifType: string, vifDetails: Record<string, unknown>, status?: string): void
  /** Binds this level and asks the next level to bind `nextSegments` (hierarchical binding). */
  continueBinding(segmentId: string, nextSegments: Segment[]): void
}

export interface MechanismDriver {
  readonly name: string
  initialize(): Promise<void> | void
  createNetworkPrecommit?(ctx: NetworkContext): Promise<void> | void
  createNetworkPostcommit?(ctx: NetworkContext): Promise<void> | void
  updateNetworkPrecommit?(ctx: NetworkContext): Promise<void> | void
  updateNetworkPostcommit?(ctx: NetworkContext): Promise<void> | void
  deleteNetworkPrecommit?(ctx: NetworkContext): Promise<void> | void
  deleteNetworkPostcommit?(ctx: NetworkContext): Promise<void> | void
  createSubnetPrecommit?(ctx: SubnetContext): Promise<void> | void
  createSubnetPostcommit?(ctx: SubnetContext): Promise<void> | void
  updateSubnetPrecommit?(ctx: SubnetContext): Promise<void> | void
  updateSubnetPostcommit?(ctx: SubnetContext): Promise<void> | void
  deleteSubnetPrecommit?(ctx: SubnetContext): Promise<void> | void
  deleteSubnetPostcommit?(ctx: SubnetContext): Promise<void> | void
  createPortPrecommit?(ctx: PortContext): Promise<void> | void
  createPortPostcommit?(ctx: PortContext): Promise<void> | void
  updatePortPrecommit?(ctx: PortContext): Promise<void> | void
  updatePortPostcommit?(ctx: PortContext): Promise<void> | void
  deletePortPrecommit?(ctx: PortContext): Promise<void> | void
  deletePortPostcommit?(ctx: PortContext): Promise<void> | void
  /**
   * Try to bind the port: call ctx.setBinding or ctx.continueBinding for one of ctx.segmentsToBind,
   * or return without doing so to let the next driver try. Must have no side effects: the result
   * may be discarded. A driver without bindPort never binds.
   */
  bindPort?(ctx: PortContext): Promise<void> | void
  /**
   * After nobody bound the port: why this driver refused (which agent, which check), for the one
   * failure log line; undefined when it has nothing to say.
   */
  describeRefusal?(ctx: PortContext): string | undefined
}
