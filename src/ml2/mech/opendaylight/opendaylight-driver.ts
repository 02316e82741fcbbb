/**
 * The `opendaylight` mechanism driver (networking-odl ml2/mech_driver_v2.py, facts §5.2): every
 * network, subnet and port change is recorded in the journal by its *Precommit, inside the API
 * transaction (a rollback removes the row too); *Postcommit only wakes the sender. Security groups,
 * rules, routers and floating IPs are recorded by registry precommit subscribers the same way.
 * Binding is networking-odl's pseudo-agent binding on the "ODL L2" agents rows the hostconfig
 * poller keeps (pseudo-agent-binding.ts).
 */
import type { Logger } from '../../../common/log.js'
import type { Tx } from '../../../db/engine.js'
import type { EventPayload } from '../../callbacks/payload.js'
import type { Event } from '../../callbacks/events.js'
import type { MechanismDriver, NetworkContext, PortContext, SubnetContext } from '../../driver-api.js'
import type { CollectionService, Ml2Service } from '../../service.js'
import { parentIds } from './dependencies.js'
import { filterBody, type Obj, type ObjectType, type Operation } from './filters.js'
import { recordEntry } from './journal-store.js'
import { bindPseudoAgent, ODL_AGENT_TYPE } from './pseudo-agent-binding.js'

export interface JournalWaker {
  wake(): void
}

export interface OpendaylightDriverDeps {
  log: Logger
  now: () => number
  sender: JournalWaker
  /** The status a port takes when this driver binds it. */
  boundStatus?: () => string
  /** Started with the driver (sender, maintenance, hostconfig poller); stopped by close(). */
  onInitialize?: () => Promise<void> | void
  onClose?: () => Promise<void> | void
  /** The server's services, once built (full sync and recovery read through them). */
  onAttach?: (service: Ml2Service, l3?: L3Services) => void
}

export interface L3Services {
  readonly routers?: CollectionService
  readonly floatingips?: CollectionService
}

/** The registry-driven resources (networking-odl's callback handlers and its L3 service plugin). */
const CALLBACK_TYPES = ['security_group', 'security_group_rule', 'router', 'floatingip'] as const

export class OpendaylightMechanismDriver implements MechanismDriver {
  readonly name = 'opendaylight'
  constructor(private readonly d: OpendaylightDriverDeps) {}

  async initialize(): Promise<void> {
    await this.d.onInitialize?.()
  }

  /** Stops the background work (sender, maintenance, poller); rows in flight stay in the journal. */
  async close(): Promise<void> {
    await this.d.onClose?.()
  }

  /** Subscribes the journal to the resources ML2's driver calls do not cover. */
  attach(service: Ml2Service, l3?: L3Services): void {
    this.d.onAttach?.(service, l3)
    for (const type of CALLBACK_TYPES) {
      const pre = async (_r: string, event: Event, _t: unknown, p: EventPayload) => {
        const op = event.slice('precommit_'.length) as Operation
        const obj = (p.current ?? p.original) as Obj | undefined
        if (!obj || !p.tx) return
        await this.#record(p.tx, type, op, { id: p.resourceId, ...obj })
      }
      const after = () => this.d.sender.wake()
      Object.defineProperty(pre, 'name', { value: `odl_journal_${type}` })
      Object.defineProperty(after, 'name', { value: `odl_wake_${type}` })
      for (const ev of ['precommit_create', 'precommit_update', 'precommit_delete'] as const) service.registry.subscribe(pre, type, ev)
      for (const ev of ['after_create', 'after_update', 'after_delete'] as const) service.registry.subscribe(after, type, ev)
    }
  }

  async #record(tx: Tx | undefined, type: ObjectType, op: Operation, obj: Obj, networkTenant?: string): Promise<void> {
    if (!tx) throw new Error(`opendaylight: ${op}_${type}_precommit called without a transaction`)
    const uuid = String(obj.id)
    const parents = parentIds(type, obj)
    // A delete row keeps the parent ids for dependency checks; it is never sent (facts §5.2).
    const data = op === 'delete' ? parents : filterBody(type, op, obj, networkTenant)
    await recordEntry(tx, { type, uuid, op, data, parents }, this.d.now())
  }

  #tenant(ctx: NetworkContext): string | undefined {
    const n = ctx.current as unknown as Obj
    return (n.project_id ?? n.tenant_id) as string | undefined
  }

  createNetworkPrecommit(c: NetworkContext) { return this.#record(c.tx, 'network', 'create', c.current as unknown as Obj) }
  updateNetworkPrecommit(c: NetworkContext) { return this.#record(c.tx, 'network', 'update', c.current as unknown as Obj) }
  deleteNetworkPrecommit(c: NetworkContext) { return this.#record(c.tx, 'network', 'delete', c.current as unknown as Obj) }
  createSubnetPrecommit(c: SubnetContext) { return this.#record(c.tx, 'subnet', 'create', c.current as unknown as Obj) }
  updateSubnetPrecommit(c: SubnetContext) { return this.#record(c.tx, 'subnet', 'update', c.current as unknown as Obj) }
  deleteSubnetPrecommit(c: SubnetContext) { return this.#record(c.tx, 'subnet', 'delete', c.current as unknown as Obj) }
  createPortPrecommit(c: PortContext) { return this.#record(c.tx, 'port', 'create', c.current as unknown as Obj, this.#tenant(c.network)) }
  updatePortPrecommit(c: PortContext) { return this.#record(c.tx, 'port', 'update', c.current as unknown as Obj, this.#tenant(c.network)) }
  deletePortPrecommit(c: PortContext) { return this.#record(c.tx, 'port', 'delete', c.current as unknown as Obj) }

  createNetworkPostcommit() { this.d.sender.wake() }
  updateNetworkPostcommit() { this.d.sender.wake() }
  deleteNetworkPostcommit() { this.d.sender.wake() }
  createSubnetPostcommit() { this.d.sender.wake() }
  updateSubnetPostcommit() { this.d.sender.wake() }
  deleteSubnetPostcommit() { this.d.sender.wake() }
  createPortPostcommit() { this.d.sender.wake() }
  updatePortPostcommit() { this.d.sender.wake() }
  deletePortPostcommit() { this.d.sender.wake() }

  async bindPort(ctx: PortContext): Promise<void> {
    bindPseudoAgent(ctx, await ctx.hostAgents(ODL_AGENT_TYPE), this.d.boundStatus?.())
  }
}
