/**
 * Stateful security groups with conntrack (tables EGRESS_CT/EGRESS_ACL, INGRESS_CT/INGRESS_ACL).
 *
 * Zones: egress is tracked in the sending port's zone (reg5), ingress in the receiving port's
 * zone (reg7), both = the port's ofport (unique per bridge, < 65280 fits a 16-bit zone). One
 * zone per network would let a connection committed by the sender's egress ACL count as
 * "established" in the receiver's ingress ACL on the same node, so a packet the receiver's
 * rules refused would pass on retransmission; per-port zones keep the two verdicts apart (the
 * same reason OVN gives every logical port its own zone).
 *
 * DHCP and ND/RA/MLD pass statelessly in the *_CT tables, ahead of conntrack (a port with port
 * security must get an address and resolve neighbours even with an empty group, as in Neutron;
 * OVS's userspace conntrack marks ND invalid). Per ACL table: +inv dropped; +est / +rel pass;
 * a new connection matching one of the port's rules is committed and passes; the rest hits the
 * table's drop miss. Ports without port security skip conntrack in the *_CT tables.
 */
import { cookie, CookieCategory } from '../cookie.js'
import { flow, type Flow, type Match } from '../flow.js'
import { commitTo, ctTo, goto, T, type TableName } from '../pipeline.js'
import { ruleMatches } from '../sg-rule-match.js'
import type { StateIndex } from '../state-index.js'

const IP = '0x0800', IPV6 = '0x86dd'

interface Side {
  ct: TableName
  acl: TableName
  after: TableName
  reg: 'reg5' | 'reg7'
  direction: 'egress' | 'ingress'
  /** Always allowed, stateless: DHCP/DHCPv6 and ND in the direction the port needs them. */
  always: Match[]
}

const EGRESS: Side = {
  ct: 'EGRESS_CT', acl: 'EGRESS_ACL', after: 'ARP_RESPONDER', reg: 'reg5', direction: 'egress',
  always: [
    { dl_type: IP, nw_proto: 17, tp_src: 68, tp_dst: 67 },
    { dl_type: IPV6, nw_proto: 17, tp_src: 546, tp_dst: 547 },
    ...[133, 135, 136, 143].map((t) => ({ dl_type: IPV6, nw_proto: 58, icmpv6_type: t })),
  ],
}
const INGRESS: Side = {
  ct: 'INGRESS_CT', acl: 'INGRESS_ACL', after: 'OUTPUT', reg: 'reg7', direction: 'ingress',
  always: [
    { dl_type: IP, nw_proto: 17, tp_src: 67, tp_dst: 68 },
    { dl_type: IPV6, nw_proto: 17, tp_src: 547, tp_dst: 546 },
    ...[130, 134, 135, 136].map((t) => ({ dl_type: IPV6, nw_proto: 58, icmpv6_type: t })),
  ],
}

/** Pipeline-wide conntrack flows (the same on every node). */
export function conntrackBaseFlows(): Flow[] {
  const c = cookie(CookieCategory.Pipeline)
  const out: Flow[] = []
  for (const s of [EGRESS, INGRESS]) {
    for (const dl of [IP, IPV6]) out.push(flow(T(s.ct), 50, c, { dl_type: dl }, [ctTo(s.ct, s.acl, s.reg)]))
    const A = T(s.acl)
    out.push(flow(A, 200, c, { ct_state: '+inv+trk' }, ['drop']))
    out.push(flow(A, 190, c, { ct_state: '+est-inv+trk' }, [goto(s.acl, s.after)]))
    out.push(flow(A, 190, c, { ct_state: '+rel-inv+trk' }, [goto(s.acl, s.after)]))
    // before conntrack: the userspace conntrack marks ND/MLD invalid (Neutron's OVS firewall
    // also accepts them ahead of ct), and DHCP must work before the port has an address
    for (const m of s.always) out.push(flow(T(s.ct), 90, c, m, [goto(s.ct, s.after)]))
  }
  return out
}

/** Per-port flows: bypass for ports without port security, committed rules for the others. */
export function securityGroupFlows(index: StateIndex, nodeId: string): Flow[] {
  const out: Flow[] = []
  for (const p of index.portsOn(nodeId)) {
    if (!p.secured) {
      const c = cookie(CookieCategory.Port, p.port.id)
      for (const s of [EGRESS, INGRESS]) out.push(flow(T(s.ct), 100, c, { [s.reg]: p.ofport }, [goto(s.ct, s.after)]))
      continue
    }
    for (const gid of [...new Set(p.port.securityGroupIds)].sort()) {
      const g = index.groups.get(gid)!
      for (const r of [...g.rules].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        const s = r.direction === 'egress' ? EGRESS : INGRESS
        const c = cookie(CookieCategory.SecurityGroupRule, r.id)
        for (const m of ruleMatches(r, (id, fam) => index.memberPrefixes(id, fam))) {
          out.push(flow(T(s.acl), 100, c, { [s.reg]: p.ofport, ct_state: '+new-est+trk', ...m }, commitTo(s.acl, s.after, s.reg)))
        }
      }
    }
  }
  return out
}
