/**
 * Stateful security groups with conntrack (tables EGRESS_CT/EGRESS_ACL, INGRESS_CT/INGRESS_ACL).
 *
 * Zones: egress is tracked in the sending port's zone (reg5), ingress in the receiving port's
 * zone (reg7), both = the port's ofport (unique per bridge, < 65280 fits a 16-bit zone). Each
 * port's connection state is its own (OVN gives every logical port a zone for the same reason):
 * the sender's commit never becomes state the receiver's ACL reads, and a port's zone can be
 * flushed (port deleted, ofport reused) without touching its neighbours. One zone per network
 * would also be correct here, because original-direction packets are re-checked (below), but
 * its state would be shared by every port of the network on the node.
 *
 * DHCP and ND/RA/MLD pass statelessly in the *_CT tables, ahead of conntrack (a port with port
 * security must get an address and resolve neighbours even with an empty group, as in Neutron;
 * OVS's userspace conntrack marks ND invalid). Per ACL table: +inv dropped; replies (+est+rpl)
 * and +rel pass; every packet in the original direction, new or established, must match one of
 * the port's rules (and is committed), so a rule change takes effect on existing connections at
 * once without flushing conntrack (Neutron deletes the entries instead). So: a new connection matching one of the port's rules is committed and passes; the rest hits the
 * table's drop miss. Ports without port security skip conntrack in the *_CT tables.
 */
import { cookie, CookieCategory } from '../cookie.js'
import { flow, type Flow, type Match } from '../flow.js'
import { commitTo, ctTo, goto, T, type TableName } from '../pipeline.js'
import { memberMatches, ruleL4Matches, ruleMatches } from '../sg-rule-match.js'
import type { SecurityGroupRule } from '../desired-state.js'
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
    out.push(flow(A, 190, c, { ct_state: '+est+rpl-inv+trk' }, [goto(s.acl, s.after)]))
    out.push(flow(A, 190, c, { ct_state: '+rel-inv+trk' }, [goto(s.acl, s.after)]))
    // before conntrack: the userspace conntrack marks ND/MLD invalid (Neutron's OVS firewall
    // also accepts them ahead of ct), and DHCP must work before the port has an address
    for (const m of s.always) out.push(flow(T(s.ct), 90, c, m, [goto(s.ct, s.after)]))
  }
  return out
}

/**
 * Per-port flows: bypass for ports without port security; for the others each rule is
 * committed when it matches. A prefix rule is one flow per L4 piece (priority 100). A remote
 * group rule is a conjunction (priority 90), as Neutron's OVS firewall does, so N ports × M
 * members cost N + M flows instead of N × M: clause 1 = the port's register, ct_state and the
 * rule's L4 (one per port), clause 2 = a member address (shared by every port of the node that
 * uses the rule), and one `conj_id` flow commits. Conjunction ids are per node, derived from the
 * rule id (FNV-1a, linear probing on a clash) so adding a rule renumbers nothing else.
 */
export function securityGroupFlows(index: StateIndex, nodeId: string): Flow[] {
  const out: Flow[] = []
  const conj = new ConjunctionIds()
  const conjRules = new Map<string, { rule: SecurityGroupRule; id: number }>()
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
        const port = { [s.reg]: p.ofport, ct_state: '-rpl+trk' }
        if (r.remoteGroupId === undefined) {
          for (const m of ruleMatches(r, () => [])) out.push(flow(T(s.acl), 100, c, { ...port, ...m }, commitTo(s.acl, s.after, s.reg)))
          continue
        }
        if (index.memberPrefixes(r.remoteGroupId, r.ethertype === 'IPv6' ? 6 : 4).length === 0) continue
        const id = conjRules.get(r.id)?.id ?? conj.idFor(r.id)
        conjRules.set(r.id, { rule: r, id })
        for (const m of ruleL4Matches(r)) out.push(flow(T(s.acl), 90, c, { ...port, ...m }, [`conjunction(${id},1/2)`]))
      }
    }
  }
  for (const { rule: r, id } of [...conjRules.values()].sort((a, b) => a.id - b.id)) {
    const s = r.direction === 'egress' ? EGRESS : INGRESS
    const c = cookie(CookieCategory.SecurityGroupRule, r.id)
    const members = index.memberPrefixes(r.remoteGroupId!, r.ethertype === 'IPv6' ? 6 : 4)
    for (const m of memberMatches(r, members)) out.push(flow(T(s.acl), 90, c, m, [`conjunction(${id},2/2)`]))
    // ct() needs the IP prerequisite in the match (else OFPBAC_MATCH_INCONSISTENT)
    out.push(flow(T(s.acl), 90, c, { conj_id: id, dl_type: r.ethertype === 'IPv6' ? IPV6 : IP }, commitTo(s.acl, s.after, s.reg)))
  }
  return out
}

/** Deterministic per-node conjunction ids: FNV-1a-32 of the rule id, probing past clashes. */
class ConjunctionIds {
  private readonly used = new Set<number>()
  idFor(ruleId: string): number {
    let h = 0x811c9dc5
    for (const b of Buffer.from(ruleId, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0
    let id = h || 1
    while (this.used.has(id)) id = (id + 1) >>> 0 || 1
    this.used.add(id)
    return id
  }
}
