/**
 * The `l2population` mechanism driver (neutron/plugins/ml2/drivers/l2pop/mech_driver.py): binds
 * nothing; it computes the forwarding entries that let tunnel agents skip flooding. When a port
 * goes ACTIVE on a host, every agent learns "MAC/IP behind tunnel endpoint T" (fanout), and the
 * host's agent, on its first port of the network, learns every other endpoint of the network
 * (cast to that host only). When the port goes down or away the same entries are removed; the
 * flooding entry goes only with the host's last port of the network.
 *
 * Entries are pure data here (wire shape of l2pop/rpc.py): `{net_id: {segment_id, network_type,
 * ports: {tunnel_ip: [[mac, ip], …]}}}` with `["00:00:00:00:00:00", "0.0.0.0"]` as the flooding
 * entry. Who is on the network is read by the agent RPC backend; the casts are the notifier's.
 */
import type { MechanismDriver } from '../driver-api.js'

export const FLOODING_ENTRY: readonly [string, string] = ['00:00:00:00:00:00', '0.0.0.0']
/** Network types l2pop handles: tunnels (flat/vlan learn MACs on the wire). */
export const L2POP_NETWORK_TYPES: ReadonlySet<string> = new Set(['vxlan', 'gre', 'geneve'])

export type FdbPortEntry = [string, string]
export interface FdbNetworkEntries {
  segment_id: number | null
  network_type: string
  ports: Record<string, FdbPortEntry[]>
}
export type FdbEntries = Record<string, FdbNetworkEntries>

/** An ACTIVE port of the network as l2pop sees it: where it lives and its addresses. */
export interface L2popPort {
  id: string
  /** tunneling_ip of the agent on the port's host. */
  agentIp: string
  mac: string
  ips: readonly string[]
}

export interface L2popSegment {
  networkId: string
  networkType: string
  segmentationId: number | null
}

/** What one port change sends: to every agent (fanout) and, maybe, to the port's own host. */
export interface FdbChange {
  method: 'add_fdb_entries' | 'remove_fdb_entries'
  /** Fanout to all agents. */
  others: FdbEntries
  /** Cast to the port's host only (the full view of the network for its first port). */
  agent?: { host: string; entries: FdbEntries }
}

function portEntries(p: L2popPort): FdbPortEntry[] {
  return p.ips.map((ip) => [p.mac, ip] as FdbPortEntry)
}

function networkEntries(seg: L2popSegment, ports: Record<string, FdbPortEntry[]>): FdbEntries {
  return { [seg.networkId]: { segment_id: seg.segmentationId, network_type: seg.networkType, ports } }
}

export class L2populationMechanismDriver implements MechanismDriver {
  readonly name = 'l2population'
  initialize(): void {}

  /** Whether l2pop acts on this segment at all. */
  handles(seg: L2popSegment | null): seg is L2popSegment {
    return !!seg && L2POP_NETWORK_TYPES.has(seg.networkType)
  }

  /**
   * `port` went ACTIVE on `host`. `others` are the network's other ACTIVE ports (any host).
   * l2pop update_port_up: the host's first port of the network (no other port behind the same
   * endpoint) adds the flooding entry and gets the whole network in one per-host cast.
   */
  portUp(seg: L2popSegment, host: string, port: L2popPort, others: readonly L2popPort[], refresh = false): FdbChange {
    const first = !others.some((o) => o.agentIp === port.agentIp)
    const mine = [...(first ? [[...FLOODING_ENTRY] as FdbPortEntry] : []), ...portEntries(port)]
    const change: FdbChange = { method: 'add_fdb_entries', others: networkEntries(seg, { [port.agentIp]: mine }) }
    if (first || refresh) {
      const view: Record<string, FdbPortEntry[]> = {}
      for (const o of others) {
        if (o.agentIp === port.agentIp) continue
        view[o.agentIp] ??= [[...FLOODING_ENTRY] as FdbPortEntry]
        view[o.agentIp].push(...portEntries(o))
      }
      if (Object.keys(view).length) change.agent = { host, entries: networkEntries(seg, view) }
    }
    return change
  }

  /**
   * A bound port's fixed IPs changed (l2pop _fixed_ips_changed): `update_fdb_entries` with
   * `{chg_ip: {net_id: {agent_ip: {before: [[mac, ip]…], after: […]}}}}`, each side only when
   * non-empty; null when the addresses did not change.
   */
  ipsChanged(networkId: string, agentIp: string, mac: string, before: readonly string[], after: readonly string[]): Record<string, unknown> | null {
    const gone = before.filter((ip) => !after.includes(ip))
    const added = after.filter((ip) => !before.includes(ip))
    if (!gone.length && !added.length) return null
    const side: Record<string, FdbPortEntry[]> = {}
    if (gone.length) side.before = gone.map((ip) => [mac, ip] as FdbPortEntry)
    if (added.length) side.after = added.map((ip) => [mac, ip] as FdbPortEntry)
    return { chg_ip: { [networkId]: { [agentIp]: side } } }
  }

  /** `port` went down or away: its entries, plus flooding when it was the endpoint's last port. */
  portDown(seg: L2popSegment, port: L2popPort, others: readonly L2popPort[]): FdbChange {
    const last = !others.some((o) => o.agentIp === port.agentIp && o.id !== port.id)
    const entries = [...(last ? [[...FLOODING_ENTRY] as FdbPortEntry] : []), ...portEntries(port)]
    return { method: 'remove_fdb_entries', others: networkEntries(seg, { [port.agentIp]: entries }) }
  }
}
