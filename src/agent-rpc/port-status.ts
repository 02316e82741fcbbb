/**
 * What follows a port status change made by the agents' RPC (ml2 update_port_status →
 * PORT AFTER_UPDATE): the Port object is pushed (OVS agents' cache) and l2population announces
 * the port's MAC/IPs when it goes ACTIVE and withdraws them when it goes from ACTIVE to DOWN
 * (l2pop mech_driver update_port_postcommit / update_port_down).
 */
import type { Logger } from '../common/log.js'
import type { FdbChange, L2popPort, L2popSegment } from '../ml2/mech/mech-l2population.js'
import type { AgentCasts } from './agent-casts.js'
import type { BoundPort, Ml2Backend } from './ml2-backend.js'
import { OBJECT_TYPES } from './object-loader.js'

type Dict = Record<string, any>

/** What the flow asks of the l2population mechanism driver (its FDB entries per port event). */
export interface L2popFdb {
  handles(seg: L2popSegment | null): seg is L2popSegment
  portUp(seg: L2popSegment, host: string, port: L2popPort, others: readonly L2popPort[], refresh?: boolean): FdbChange
  portDown(seg: L2popSegment, port: L2popPort, others: readonly L2popPort[]): FdbChange
  ipsChanged(networkId: string, agentIp: string, mac: string, before: readonly string[], after: readonly string[]): Record<string, unknown> | null
}

export class PortStatusFlow {
  constructor(
    private readonly backend: Ml2Backend,
    private readonly casts: AgentCasts,
    /** null when `l2population` is not among the mechanism drivers. */
    private readonly l2pop: L2popFdb | null,
    private readonly log: Logger,
  ) {}

  /**
   * A deleted port: l2pop withdraws its entries (delete_port_postcommit), ACTIVE or not. The
   * rows are gone: the network's l2pop segment and the host's agent stand in for the binding.
   */
  async portGone(port: Dict): Promise<void> {
    if (!this.l2pop) return
    const host = port['binding:host_id'] as string
    const agentIp = host ? await this.backend.tunnelingIp(host) : null
    if (!agentIp) return
    const segs = (await this.backend.segments([port.network_id])).get(port.network_id) ?? []
    const s = segs.find((x) => this.l2pop!.handles({ networkId: x.network_id, networkType: x.network_type, segmentationId: x.segmentation_id }))
    if (!s) return
    const seg = { networkId: s.network_id, networkType: s.network_type, segmentationId: s.segmentation_id }
    const others = (await this.backend.activePortLocations(port.network_id))
      .filter((p) => p.id !== port.id && p.agentIp)
      .map((p) => ({ id: p.id, agentIp: p.agentIp!, mac: p.mac, ips: p.ips }))
    const me = { id: port.id, agentIp, mac: port.mac_address, ips: (port.fixed_ips ?? []).map((f: Dict) => f.ip_address) }
    await this.casts.fdb(this.l2pop.portDown(seg, me, others))
  }

  /** l2pop's update_fdb_entries when a bound port's addresses changed (on its original host). */
  async portIpsChanged(port: Dict, original: Dict): Promise<void> {
    if (!this.l2pop) return
    const host = original['binding:host_id'] as string
    const agentIp = host ? await this.backend.tunnelingIp(host) : null
    if (!agentIp) return
    const ips = (p: Dict) => (p.fixed_ips ?? []).map((f: Dict) => f.ip_address as string)
    const entries = this.l2pop.ipsChanged(port.network_id, agentIp, port.mac_address, ips(original), ips(port))
    if (entries) await this.casts.updateFdbEntries(entries)
  }

  /** Push the port as it is now (create/update). */
  async pushPort(portId: string): Promise<void> {
    const objs = await OBJECT_TYPES.Port!.load(this.backend, { id: [portId] })
    await this.casts.push('Port', 'updated', () => objs)
  }

  /**
   * After `port` moved from `from` to its current status. `refresh`: the agent asked for the
   * full view again (update_device_list refresh_tunnels, agent restart).
   */
  async statusChanged(bound: BoundPort, from: string, refresh = false): Promise<void> {
    const port = bound.port
    if (port.status !== from) await this.pushPort(port.id)
    if (!this.l2pop) return
    const seg = l2popSegment(bound)
    if (!this.l2pop.handles(seg)) return
    const host = port['binding:host_id'] as string
    const agentIp = host ? await this.backend.tunnelingIp(host) : null
    if (!agentIp) return
    const all = await this.backend.activePortLocations(port.network_id)
    const others = all.filter((p) => p.id !== port.id && p.agentIp).map((p) => ({ id: p.id, agentIp: p.agentIp!, mac: p.mac, ips: p.ips }))
    const me = { id: port.id, agentIp, mac: port.mac_address, ips: (port.fixed_ips ?? []).map((f: Dict) => f.ip_address) }
    if (port.status === 'ACTIVE' && (from !== 'ACTIVE' || refresh)) {
      await this.casts.fdb(this.l2pop.portUp(seg, host, me, others, refresh))
    } else if (from === 'ACTIVE' && port.status === 'DOWN') {
      // Only DOWN withdraws (l2pop update_port_postcommit): an ACTIVE port an agent re-fetches
      // goes BUILD and keeps its entries, so a restarting agent does not cut its traffic.
      await this.casts.fdb(this.l2pop.portDown(seg, me, others))
    } else {
      this.log.debug(`l2population: port ${port.id} ${from} → ${port.status}: no forwarding change`)
    }
  }
}

export function l2popSegment(bound: BoundPort): L2popSegment | null {
  const s = bound.bottomSegment
  return s ? { networkId: s.network_id, networkType: s.network_type, segmentationId: s.segmentation_id } : null
}
