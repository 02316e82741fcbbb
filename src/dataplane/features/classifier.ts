/**
 * Table CLASSIFIER: which network a packet belongs to and where it came from (facts.md §6
 * "Classifier"). reg6 = network tag, reg0 = 1 from a local VM port (reg5 = its ofport, the
 * conntrack zone of its egress ACL) or 2 from a tunnel / the physical network. Admin-down
 * ports and ports we do not know have no entry and hit the table's drop miss.
 */
import { cookie, CookieCategory } from '../cookie.js'
import { flow, type Flow } from '../flow.js'
import { goto, T } from '../pipeline.js'
import type { StateIndex } from '../state-index.js'
import { providerPatchOfport } from './provider.js'
import { isTunnelNetwork, tunnelOfport } from './tunnels.js'

export const ORIGIN_LOCAL = 1
export const ORIGIN_REMOTE = 2

const hex = (n: number) => `0x${n.toString(16)}`

export function classifierFlows(index: StateIndex, nodeId: string): Flow[] {
  const node = index.nodes.get(nodeId)!
  const out: Flow[] = []
  const C = T('CLASSIFIER')
  for (const p of index.portsOn(nodeId)) {
    out.push(flow(C, 100, cookie(CookieCategory.Port, p.port.id), { in_port: p.ofport }, [
      `set_field:${hex(p.network.tag)}->reg6`, `set_field:${hex(p.ofport)}->reg5`, `set_field:${hex(ORIGIN_LOCAL)}->reg0`,
      goto('CLASSIFIER', 'PORT_SECURITY'),
    ]))
  }
  const fromRemote = (tag: number) => [`set_field:${hex(tag)}->reg6`, `set_field:${hex(ORIGIN_REMOTE)}->reg0`, goto('CLASSIFIER', 'L2_FORWARDING')]
  for (const net of index.networksOn(nodeId)) {
    const c = cookie(CookieCategory.Network, net.id)
    if (isTunnelNetwork(net)) {
      for (const peer of index.tunnelPeers(nodeId, net.id)) {
        const of = tunnelOfport(node, net, peer)
        if (of !== undefined) out.push(flow(C, 100, c, { in_port: of, tun_id: hex(net.segmentationId!) }, fromRemote(net.tag)))
      }
    } else if (net.type === 'vlan') {
      const of = providerPatchOfport(node, net)
      if (of !== undefined) out.push(flow(C, 100, c, { in_port: of, dl_vlan: net.segmentationId! }, ['pop_vlan', ...fromRemote(net.tag)]))
    } else if (net.type === 'flat') {
      const of = providerPatchOfport(node, net)
      if (of !== undefined) out.push(flow(C, 100, c, { in_port: of, vlan_tci: '0x0000/0x1fff' }, fromRemote(net.tag)))
    }
  }
  return out
}
