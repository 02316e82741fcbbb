/**
 * Tables L2_FORWARDING and OUTPUT: known MACs come from Neutron's data, never learned
 * (facts.md §6 "L2 forwarding"). A local port: reg7 = its ofport, then the ingress ACL; a port on
 * another node: the tunnel to that node (tun_id = VNI/key) or the provider patch (VLAN push),
 * only for traffic that entered here from a VM (reg0=1), so nothing is sent back outside.
 * Unknown and multicast destinations miss into FLOOD.
 */
import { cookie, CookieCategory } from '../cookie.js'
import { flow, type Flow } from '../flow.js'
import { goto, T } from '../pipeline.js'
import type { StateIndex } from '../state-index.js'
import { ORIGIN_LOCAL } from './classifier.js'
import { outputToNode } from './reach.js'

export function l2ForwardingFlows(index: StateIndex, nodeId: string): Flow[] {
  const node = index.nodes.get(nodeId)!
  const out: Flow[] = []
  const L2 = T('L2_FORWARDING')
  for (const net of index.networksOn(nodeId)) {
    const reg6 = `0x${net.tag.toString(16)}`
    for (const p of index.portsByNetwork.get(net.id) ?? []) {
      const c = cookie(CookieCategory.Port, p.port.id)
      if (p.node.id === nodeId) {
        out.push(flow(L2, 100, c, { reg6, dl_dst: p.mac }, [`set_field:0x${p.ofport.toString(16)}->reg7`, goto('L2_FORWARDING', 'INGRESS_CT')]))
        continue
      }
      const acts = outputToNode(index, node, net, p.node)
      if (acts.length) out.push(flow(L2, 100, c, { reg0: ORIGIN_LOCAL, reg6, dl_dst: p.mac }, acts))
    }
  }
  for (const p of index.portsOn(nodeId)) {
    out.push(flow(T('OUTPUT'), 100, cookie(CookieCategory.Port, p.port.id), { reg7: `0x${p.ofport.toString(16)}` }, [`output:${p.ofport}`]))
  }
  return out
}
