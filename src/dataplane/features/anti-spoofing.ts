/**
 * Table PORT_SECURITY: a VM may only send from its own MAC with its own addresses (fixed IPs,
 * allowed address pairs with their MACs, its EUI-64 link-local), ARP only with a matching
 * sha/spa, IPv6 neighbour advertisements only for its own targets and ND link-layer options
 * only with its MAC; a DHCP client without an address may ask (Neutron's OVS firewall rules,
 * neutron/agent/linux/openvswitch_firewall/firewall.py). Everything else from the port is
 * dropped. port_security_enabled=false: the port passes unchecked. Admin-down ports have no
 * classifier entry, so nothing is needed here for them.
 */
import { prefixText } from '../addr.js'
import { cookie, CookieCategory } from '../cookie.js'
import { flow, type Flow, type Match } from '../flow.js'
import { goto, T } from '../pipeline.js'
import type { LivePort, StateIndex } from '../state-index.js'

const ARP = '0x0806', IP = '0x0800', IPV6 = '0x86dd'
const ICMPV6 = 58

export function antiSpoofingFlows(index: StateIndex, nodeId: string): Flow[] {
  return index.portsOn(nodeId).flatMap(portFlows)
}

function portFlows(p: LivePort): Flow[] {
  const c = cookie(CookieCategory.Port, p.port.id)
  const S = T('PORT_SECURITY')
  const next = [goto('PORT_SECURITY', 'EGRESS_CT')]
  const f = (prio: number, m: Match, actions = next) => flow(S, prio, c, { in_port: p.ofport, ...m }, actions)
  if (!p.secured) return [f(100, {})]
  // (MAC, prefix) pairs the port may use
  const v4 = new Map<string, Set<string>>(), v6 = new Map<string, Set<string>>()
  const add = (mac: string, family: 4 | 6, text: string) => {
    const m = family === 4 ? v4 : v6
    if (!m.has(mac)) m.set(mac, new Set())
    m.get(mac)!.add(text)
  }
  for (const ip of p.fixedIps) add(p.mac, ip.family, prefixText(ip))
  for (const a of p.pairs) add(a.mac, a.prefix.family, prefixText(a.prefix))
  add(p.mac, 6, p.linkLocal)
  const out: Flow[] = []
  for (const [mac, set] of [...v4].sort()) {
    for (const ip of [...set].sort()) {
      out.push(f(100, { dl_src: mac, dl_type: IP, nw_src: ip }))
      out.push(f(100, { dl_src: mac, dl_type: ARP, arp_spa: ip, arp_sha: mac }))
    }
  }
  // DHCP discover/request before the port has its address (RFC 2131 §4.1: source 0.0.0.0)
  out.push(f(100, { dl_src: p.mac, dl_type: IP, nw_proto: 17, nw_src: '0.0.0.0', tp_src: 68, tp_dst: 67 }))
  for (const [mac, set] of [...v6].sort()) {
    const ips = [...set].sort()
    const hosts = ips.filter((ip) => !ip.includes('/'))
    for (const ip of ips) {
      out.push(f(100, { dl_src: mac, dl_type: IPV6, ipv6_src: ip }))
      // RFC 4861 §7.2.4: an NA's target must be one of ours (above the explicit NA/NS drop)
      for (const target of hosts) out.push(f(110, { dl_src: mac, dl_type: IPV6, ipv6_src: ip, nw_proto: ICMPV6, icmpv6_type: 136, nd_target: target }))
      // NS must carry our MAC as source link-layer option, or none (RFC 4861 §4.3)
      for (const sll of [mac, '00:00:00:00:00:00']) out.push(f(110, { dl_src: mac, dl_type: IPV6, ipv6_src: ip, nw_proto: ICMPV6, icmpv6_type: 135, nd_sll: sll }))
    }
  }
  // DAD and MLD from the unspecified address (RFC 4862 §5.4.2, RFC 3810 §5.2.13)
  out.push(f(110, { dl_src: p.mac, dl_type: IPV6, ipv6_src: '::', nw_proto: ICMPV6, icmpv6_type: 135, nd_sll: '00:00:00:00:00:00' }))
  out.push(f(110, { dl_src: p.mac, dl_type: IPV6, ipv6_src: '::', nw_proto: ICMPV6, icmpv6_type: 143 }))
  // other NA/NS (wrong target or sll) lose against the generic IPv6 allow: drop them explicitly
  out.push(f(105, { dl_type: IPV6, nw_proto: ICMPV6, icmpv6_type: 136 }, ['drop']))
  out.push(f(105, { dl_type: IPV6, nw_proto: ICMPV6, icmpv6_type: 135 }, ['drop']))
  out.push(f(10, {}, ['drop']))
  return out
}
