/**
 * Table ARP_RESPONDER: distributed ARP (facts.md §6 table 20 ARP_RESPONDER). A request for a
 * fixed IPv4 address of a live port of the same network is answered from the switch, out of
 * the port it came from; nothing is flooded for known addresses. The reply is built in place
 * (ovs-actions(7) "ARP responder" idiom: swap MACs, op=2, tha/tpa from sha/spa).
 */
import { cookie, CookieCategory } from '../cookie.js'
import { flow, type Flow } from '../flow.js'
import { T } from '../pipeline.js'
import type { StateIndex } from '../state-index.js'

export function arpResponderFlows(index: StateIndex, nodeId: string): Flow[] {
  const out: Flow[] = []
  for (const net of index.networksOn(nodeId)) {
    for (const p of index.portsByNetwork.get(net.id) ?? []) {
      for (const ip of p.fixedIps) {
        if (ip.family !== 4) continue
        out.push(flow(T('ARP_RESPONDER'), 100, cookie(CookieCategory.Port, p.port.id),
          { reg6: `0x${net.tag.toString(16)}`, dl_type: '0x0806', arp_op: 1, arp_tpa: ip.address }, [
            'move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]',
            `set_field:${p.mac}->eth_src`,
            'set_field:2->arp_op',
            'move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[]',
            'move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[]',
            `set_field:${p.mac}->arp_sha`,
            `set_field:${ip.address}->arp_spa`,
            'IN_PORT',
          ]))
      }
    }
  }
  return out
}
