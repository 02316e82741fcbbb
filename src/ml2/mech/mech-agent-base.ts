/**
 * Agent-based port binding (neutron/plugins/ml2/drivers/mech_agent.py, Zed:
 * AgentMechanismDriverBase + SimpleAgentMechanismDriverBase). A driver binds a port on a host
 * only through one of its own L2 agents there: the agent must be alive (heartbeat within
 * agent_down_time, computed by the plugin: `PortContext.hostAgents`) and admin-up, the port's
 * vnic_type must be one the driver supports, and for each offered segment
 *   - `local` always binds,
 *   - tunnel types bind when the agent lists them in `configurations.tunnel_types`,
 *   - `flat`/`vlan` bind when the segment's physnet is in the agent's mappings.
 * First agent, first segment that passes wins (Neutron's order: agents, then segments).
 *
 * Every refusal is recorded in a `BindingRefusals` collector keyed by the PortContext, so a
 * failed binding logs ONE line (src/ml2/binding.ts asks each driver `describeRefusal`) naming,
 * per driver, which agent and which check refused.
 *
 * At create/update precommit the driver also inserts the L2 agent provisioning block when the
 * host has an agent of its type (`_insert_provisioning_block`): the port stays DOWN/BUILD until
 * that agent reports the device up (src/agent-rpc, `provisioning-blocks.ts`).
 */
import type { Agent, MechanismDriver, PortContext, Segment } from '../driver-api.js'
import { insertProvisioningBlock, L2_AGENT_ENTITY } from '../../db/resources/provisioning-blocks.js'

export const VNIC_NORMAL = 'normal'
/** Tunnel network types; every other non-local type needs a physnet mapping (flat, vlan). */
const PHYSNET_TYPES = new Set(['flat', 'vlan'])

/** One reason a driver did not bind: which agent (null: none to ask) and which check refused. */
export interface Refusal {
  agent: string | null
  check: string
}

/**
 * Refusals per binding attempt. Keyed by the PortContext object the binding loop reuses for all
 * levels and drivers, so nothing leaks between ports (WeakMap) and no state is global.
 */
export class BindingRefusals {
  private readonly byCtx = new WeakMap<object, Refusal[]>()

  reset(ctx: object): void {
    this.byCtx.set(ctx, [])
  }

  add(ctx: object, r: Refusal): void {
    const list = this.byCtx.get(ctx)
    if (list) list.push(r)
    else this.byCtx.set(ctx, [r])
  }

  list(ctx: object): readonly Refusal[] {
    return this.byCtx.get(ctx) ?? []
  }

  /** `agent <id> on <host>: <check>; …` or undefined when nothing was refused. */
  describe(ctx: object): string | undefined {
    const l = this.list(ctx)
    if (!l.length) return undefined
    return l.map((r) => (r.agent ? `agent ${r.agent}: ${r.check}` : r.check)).join('; ')
  }
}

export interface AgentDriverOptions {
  /** Driver name in `[ml2] mechanism_drivers`. */
  name: string
  /** agents.agent_type this driver binds through ('Open vSwitch agent', …). */
  agentType: string
  supportedVnicTypes: readonly string[]
  /** vnic_types an operator refused for this driver (`vnic_type_prohibit_list`). */
  prohibitedVnicTypes?: readonly string[]
}

export function agentLabel(a: Agent): string {
  return `${a.id} (${a.host})`
}

export abstract class AgentMechanismDriverBase implements MechanismDriver {
  readonly name: string
  readonly agentType: string
  readonly supportedVnicTypes: readonly string[]
  protected readonly refusals = new BindingRefusals()

  constructor(o: AgentDriverOptions) {
    this.name = o.name
    this.agentType = o.agentType
    const prohibited = new Set(o.prohibitedVnicTypes ?? [])
    this.supportedVnicTypes = o.supportedVnicTypes.filter((v) => !prohibited.has(v))
  }

  initialize(): void {}

  /** Try one segment for one agent: call ctx.setBinding and return true, or return a refusal text. */
  protected abstract tryToBindSegmentForAgent(ctx: PortContext, segment: Segment, agent: Agent): true | string

  async bindPort(ctx: PortContext): Promise<void> {
    this.refusals.reset(ctx)
    const vnicType = ctx.vnicType || VNIC_NORMAL
    if (!this.supportedVnicTypes.includes(vnicType)) {
      this.refusals.add(ctx, { agent: null, check: `vnic_type ${vnicType} not supported (supported: ${this.supportedVnicTypes.join(', ')})` })
      return
    }
    const agents = await ctx.hostAgents(this.agentType)
    if (!agents.length) {
      this.refusals.add(ctx, { agent: null, check: `no ${this.agentType} on host ${ctx.host}` })
      return
    }
    for (const agent of agents) {
      if (!agent.alive) {
        this.refusals.add(ctx, { agent: agentLabel(agent), check: 'agent is dead (no heartbeat within agent_down_time)' })
        continue
      }
      if (!agent.admin_state_up) {
        this.refusals.add(ctx, { agent: agentLabel(agent), check: 'agent is admin_state_up=false' })
        continue
      }
      // Zed: a smart-NIC port binds only through an agent running on the NIC (baremetal_smartnic).
      if (vnicType === 'smart-nic' && agent.configurations?.baremetal_smartnic !== true) {
        this.refusals.add(ctx, { agent: agentLabel(agent), check: 'vnic_type smart-nic needs an agent with baremetal_smartnic' })
        continue
      }
      const checks: string[] = []
      for (const segment of ctx.segmentsToBind) {
        const r = this.tryToBindSegmentForAgent(ctx, segment, agent)
        if (r === true) {
          this.refusals.reset(ctx)
          return
        }
        checks.push(r)
      }
      this.refusals.add(ctx, { agent: agentLabel(agent), check: checks.length ? checks.join(', ') : 'no segment offered' })
    }
  }

  /** Read by the binding loop when nobody bound the port (src/ml2/binding.ts). */
  describeRefusal(ctx: PortContext): string | undefined {
    return this.refusals.describe(ctx)
  }

  createPortPrecommit(ctx: PortContext): Promise<void> {
    return this.insertProvisioningBlock(ctx)
  }

  updatePortPrecommit(ctx: PortContext): Promise<void> {
    if (ctx.host === ctx.originalHost) return Promise.resolve()
    return this.insertProvisioningBlock(ctx)
  }

  /**
   * mech_agent._insert_provisioning_block: a status barrier so the port goes ACTIVE only once
   * the agent reports the wiring done. Only for a bound host with an agent of our type (alive or
   * not: the agent may come back), for a vnic_type we handle, and not for an ACTIVE port.
   */
  protected async insertProvisioningBlock(ctx: PortContext): Promise<void> {
    const port = ctx.current
    if (!ctx.tx || !ctx.host || port.status === 'ACTIVE') return
    if (!this.supportedVnicTypes.includes(ctx.vnicType || VNIC_NORMAL)) return
    if (!(await ctx.hostAgents(this.agentType)).length) return
    await insertProvisioningBlock(ctx.tx, port.id as string, L2_AGENT_ENTITY)
  }
}

/**
 * SimpleAgentMechanismDriverBase: the segment check from the agent's reported network types and
 * mappings; vif_type/vif_details from the subclass (per agent, for OVS's vhost-user).
 */
export abstract class SimpleAgentMechanismDriverBase extends AgentMechanismDriverBase {
  /** Network types the agent can wire (tunnel types it reported + local/flat/vlan as the driver allows). */
  abstract allowedNetworkTypes(agent: Agent): readonly string[]
  /** physnet → bridge/interface mappings the agent reported. */
  abstract mappings(agent: Agent): Record<string, unknown>
  abstract vifType(ctx: PortContext, agent: Agent): string
  abstract vifDetails(ctx: PortContext, agent: Agent): Record<string, unknown>

  physnetInMappings(physnet: string, mappings: Record<string, unknown>): boolean {
    return Object.prototype.hasOwnProperty.call(mappings, physnet)
  }

  /** null when the segment can be bound for the agent, else the refusal text. */
  checkSegmentForAgent(segment: Segment, agent: Agent): string | null {
    const allowed = this.allowedNetworkTypes(agent)
    const seg = `segment ${segment.id ?? '?'}`
    if (!allowed.includes(segment.network_type)) {
      return `${seg} network_type ${segment.network_type} not in ${JSON.stringify(allowed)}`
    }
    if (PHYSNET_TYPES.has(segment.network_type)) {
      const physnet = segment.physical_network ?? ''
      const mappings = this.mappings(agent)
      if (!this.physnetInMappings(physnet, mappings)) {
        return `${seg} physical_network ${physnet} not in mappings ${JSON.stringify(Object.keys(mappings))}`
      }
    }
    return null
  }

  protected tryToBindSegmentForAgent(ctx: PortContext, segment: Segment, agent: Agent): true | string {
    const refused = this.checkSegmentForAgent(segment, agent)
    if (refused) return refused
    ctx.setBinding(segment.id as string, this.vifType(ctx, agent), this.vifDetails(ctx, agent))
    return true
  }
}

/** configurations.tunnel_types as a list of strings (a malformed report binds no tunnel). */
export function reportedTunnelTypes(agent: Agent): string[] {
  const t = agent.configurations?.tunnel_types
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : []
}

/** A dict-valued configuration entry (bridge_mappings, …); anything else counts as empty. */
export function reportedDict(agent: Agent, key: string): Record<string, unknown> {
  const v = agent.configurations?.[key]
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}
