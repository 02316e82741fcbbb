/**
 * Table FLOOD: broadcast, multicast and unknown unicast stay inside their network (facts.md §6:
 * flood to the tunnels of nodes on the segment, then to local ports). Split horizon: traffic
 * that came from a tunnel or the physical network (reg0=2) goes to local ports only, so it is
 * never sent back out; OVS never outputs to the in_port itself. Flooded frames skip conntrack,
 * so IP floods reach ports with port security only for what they always accept (DHCP replies,
 * IPv6 ND/RA); other IP multicast goes to ports without port security only.
 */
import { cookie, CookieCategory } from '../cookie.js'
import { flow, type Flow, type Match } from '../flow.js'
import { T } from '../pipeline.js'
import type { StateIndex } from '../state-index.js'
import { ORIGIN_LOCAL, ORIGIN_REMOTE } from './classifier.js'
import { outputToPeers } from './reach.js'

const IP = '0x0800', IPV6 = '0x86dd'
/** IP traffic a port with port security accepts without a rule (see security-groups.ts). */
const ALWAYS_IN: Match[] = [
  { dl_type: IP, nw_proto: 17, tp_src: 68, tp_dst: 67 },
  { dl_type: IP, nw_proto: 17, tp_src: 67, tp_dst: 68 },
  { dl_type: IPV6, nw_proto: 17, tp_src: 547, tp_dst: 546 },
  ...[130, 134, 135, 136].map((t) => ({ dl_type: IPV6, nw_proto: 58, icmpv6_type: t })),
]

export function floodingFlows(index: StateIndex, nodeId: string): Flow[] {
  const node = index.nodes.get(nodeId)!
  const F = T('FLOOD')
  const out: Flow[] = []
  for (const net of index.networksOn(nodeId)) {
    const c = cookie(CookieCategory.Network, net.id)
    const reg6 = `0x${net.tag.toString(16)}`
    const locals = (index.portsByNetwork.get(net.id) ?? []).filter((p) => p.node.id === nodeId).sort((a, b) => a.ofport - b.ofport)
    const all = locals.map((p) => `output:${p.ofport}`)
    const open = locals.filter((p) => !p.secured).map((p) => `output:${p.ofport}`)
    const peers = outputToPeers(index, node, net)
    for (const [origin, remote] of [[ORIGIN_LOCAL, peers], [ORIGIN_REMOTE, []]] as const) {
      const add = (prio: number, m: Match, acts: readonly string[]) => {
        const a = [...acts, ...remote]
        out.push(flow(F, prio, c, { reg0: origin, reg6, ...m }, a.length ? a : ['drop']))
      }
      for (const m of ALWAYS_IN) add(110, m, all)
      add(100, { dl_type: IP }, open)
      add(100, { dl_type: IPV6 }, open)
      add(90, {}, all)
    }
  }
  return out
}
