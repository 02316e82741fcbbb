/**
 * Port binding (facts §1.5, Kilo+ hierarchical form): drivers are asked in order, level by level.
 * A driver completes the binding with setBinding (ends) or binds one level with continueBinding
 * (the next level is then tried over the segments it names); a failed lower level pops back and the
 * next driver is tried. A driver that already bound one of the offered segments at a higher level
 * is skipped (no loops); MAX_BINDING_LEVELS bounds the depth. Nobody binds → `binding_failed`,
 * with one log line naming the port, host, vnic_type and the segments tried, and one per refusal.
 */
import type { RequestContext } from '../common/context.js'
import type { Logger } from '../common/log.js'
import type { Tx } from '../db/engine.js'
import type { Agent, BindingLevel, MechanismDriver, NetworkContext, PortContext, Segment } from './driver-api.js'
import type { Port } from './resource-types.js'

export const MAX_BINDING_LEVELS = 10

export interface BindingInput {
  host: string
  vnicType: string
  profile: Record<string, unknown>
}

export interface BindingResult {
  vifType: string
  vifDetails: Record<string, unknown>
  levels: BindingLevel[]
  /** A port status a driver asked for (e.g. ACTIVE from the OpenDaylight driver). */
  status?: string
}

export interface PortContextInit {
  current: Port
  original: Port | null
  network: NetworkContext
  tx?: Tx
  binding: BindingInput
  originalBinding: (BindingInput & { vifType: string }) | null
  result: BindingResult
  originalLevels: BindingLevel[]
  agents: (agentType: string, host: string) => Promise<Agent[]>
  /** Who asked (the events' payload context); ML2's own operations use an admin context. */
  requestContext: RequestContext
  /** This operation ran port binding (after_bind is published when it bound). */
  justBound: boolean
}

/** The PortContext handed to mechanism drivers (driver_context.py PortContext). */
export class PortContextImpl implements PortContext {
  readonly current: Port
  readonly original: Port | null
  readonly network: NetworkContext
  readonly tx?: Tx
  segmentsToBind: Segment[] = []
  level = 0
  /** Set by setBinding / continueBinding during bindPort. */
  pending: { kind: 'set'; segmentId: string; vifType: string; vifDetails: Record<string, unknown>; status?: string } | { kind: 'continue'; segmentId: string; next: Segment[] } | null = null

  constructor(private readonly init: PortContextInit) {
    this.current = init.current
    this.original = init.original
    this.network = init.network
    this.tx = init.tx
  }

  get requestContext() { return this.init.requestContext }
  get justBound() { return this.init.justBound }
  get host() { return this.init.binding.host }
  get originalHost() { return this.init.originalBinding?.host ?? null }
  get vnicType() { return this.init.binding.vnicType }
  get profile() { return this.init.binding.profile }
  get vifType() { return this.init.result.vifType }
  get originalVifType() { return this.init.originalBinding?.vifType ?? null }
  get vifDetails() { return this.init.result.vifDetails }
  get bindingLevels() { return this.init.result.levels }
  get originalBindingLevels() { return this.init.originalLevels }

  private segment(id: string | null | undefined): Segment | null {
    return this.network.networkSegments.find((s) => s.id === id) ?? null
  }
  get topBoundSegment() { return this.segment(this.bindingLevels[0]?.segment_id) }
  get bottomBoundSegment() { return this.segment(this.bindingLevels.at(-1)?.segment_id) }

  hostAgents(agentType: string): Promise<Agent[]> {
    return this.init.agents(agentType, this.host)
  }

  setBinding(segmentId: string, vifType: string, vifDetails: Record<string, unknown>, status?: string): void {
    this.assertOffered(segmentId)
    this.pending = { kind: 'set', segmentId, vifType, vifDetails, status }
  }

  continueBinding(segmentId: string, nextSegments: Segment[]): void {
    this.assertOffered(segmentId)
    this.pending = { kind: 'continue', segmentId, next: nextSegments }
  }

  private assertOffered(segmentId: string) {
    if (!this.segmentsToBind.some((s) => s.id === segmentId)) {
      throw new Error(`segment ${segmentId} is not one of the segments to bind`)
    }
  }
}

/**
 * Runs the binding for `ctx` (its binding inputs are already set). Returns the result; never throws
 * for a driver's failure (that driver is skipped, as Neutron does).
 */
export async function bindPort(drivers: readonly MechanismDriver[], ctx: PortContextImpl, log: Logger): Promise<BindingResult> {
  const levels: BindingLevel[] = []
  const portId = ctx.current.id as string
  const tryLevel = async (level: number, segments: Segment[]): Promise<BindingResult | null> => {
    if (level >= MAX_BINDING_LEVELS) {
      log.error(`Exceeded maximum binding levels attempting to bind port ${portId} on host ${ctx.host}`)
      return null
    }
    for (const d of drivers) {
      if (!d.bindPort) continue
      // Skip a driver that already bound one of these segments higher up (loop prevention).
      if (levels.some((l) => l.driver === d.name && segments.some((s) => s.id === l.segment_id))) continue
      ctx.segmentsToBind = segments
      ctx.level = level
      ctx.pending = null
      try {
        await d.bindPort(ctx)
      } catch (e) {
        log.error(`Mechanism driver ${d.name} failed in bind_port for port ${portId}: ${(e as Error)?.message ?? e}`)
        continue
      }
      const p = ctx.pending as PortContextImpl['pending']
      if (!p) {
        log.debug(`Mechanism driver ${d.name} did not bind port ${portId} on host ${ctx.host} at level ${level}`)
        continue
      }
      if (p.kind === 'set') {
        levels.push({ level, driver: d.name, segment_id: p.segmentId })
        return { vifType: p.vifType, vifDetails: p.vifDetails, levels: [...levels], status: p.status }
      }
      levels.push({ level, driver: d.name, segment_id: p.segmentId })
      const lower = await tryLevel(level + 1, p.next)
      if (lower) return lower
      levels.pop()
    }
    return null
  }
  const top = ctx.network.networkSegments.filter((s) => !s.is_dynamic)
  const result = await tryLevel(0, top)
  if (result) return result
  // One line: the port, the host, and each driver's refusal (agent-based drivers say which agent
  // and which check: dead, admin down, network type, physnet mapping, vnic_type).
  const refusals = drivers.flatMap((d) => {
    const why = d.describeRefusal?.(ctx)
    return why ? [`${d.name}: ${why}`] : []
  })
  log.error(
    `Failed to bind port ${portId} on host ${ctx.host} for vnic_type ${ctx.vnicType} using segments ${JSON.stringify(
      top.map((s) => ({ id: s.id, network_type: s.network_type, physical_network: s.physical_network, segmentation_id: s.segmentation_id })),
    )}${refusals.length ? `; refused by ${refusals.join(' | ')}` : ''}`,
  )
  return { vifType: 'binding_failed', vifDetails: {}, levels: [] }
}
