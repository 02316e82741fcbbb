/**
 * Security group rule → OpenFlow matches (the stateless part; the ACL tables add the port's
 * register and ct_state). Neutron semantics (neutron-lib security group API and the OVS
 * firewall driver): direction is from the VM's point of view, so an ingress rule's remote is
 * the packet source and an egress rule's remote the destination; for ICMP port_range_min is the
 * type and port_range_max the code; a TCP/UDP range becomes value/mask pairs; a remote group
 * expands to the addresses (fixed IPs and allowed address pairs) of its member ports.
 */
import { parsePrefix, prefixText, type Prefix } from './addr.js'
import { DataplaneStateError } from './dataplane-state-error.js'
import type { SecurityGroupRule } from './desired-state.js'
import type { Match } from './flow.js'

const ETH = { IPv4: '0x0800', IPv6: '0x86dd' } as const
const NAMED: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58, 'ipv6-icmp': 58, icmp6: 58 }
const PORTED = new Set([6, 17, 132])

/** IP protocol number of a rule (undefined = any); ICMP in an IPv6 rule means ICMPv6 (Neutron). */
export function ruleProtocol(r: SecurityGroupRule): number | undefined {
  const p = r.protocol?.trim().toLowerCase()
  if (p === undefined || p === '' || p === 'any') return undefined
  let n = NAMED[p] ?? (/^\d{1,3}$/.test(p) ? Number(p) : NaN)
  if (r.ethertype === 'IPv6' && n === 1) n = 58
  return n
}

export function validateRule(r: SecurityGroupRule, groupExists: (id: string) => boolean, groupId: string): void {
  const bad = (msg: string) => new DataplaneStateError('security group rule', r.id, `${msg} (group ${groupId})`)
  if (r.direction !== 'ingress' && r.direction !== 'egress') throw bad(`direction ${r.direction} is not ingress or egress`)
  if (r.ethertype !== 'IPv4' && r.ethertype !== 'IPv6') throw bad(`ethertype ${r.ethertype} is not IPv4 or IPv6`)
  const proto = ruleProtocol(r)
  if (proto !== undefined && !(Number.isInteger(proto) && proto >= 0 && proto <= 255)) throw bad(`protocol ${r.protocol} is not known`)
  if (proto === 58 && r.ethertype === 'IPv4') throw bad('ICMPv6 in an IPv4 rule')
  const { portRangeMin: lo, portRangeMax: hi } = r
  if (proto !== undefined && PORTED.has(proto)) {
    if ((lo === undefined) !== (hi === undefined)) throw bad('port range needs both ends')
    if (lo !== undefined && hi !== undefined && !(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi <= 65535 && lo <= hi)) throw bad(`port range ${lo}-${hi} is not within 1..65535 with min <= max`)
  } else if (proto === 1 || proto === 58) {
    if (lo !== undefined && !(Number.isInteger(lo) && lo >= 0 && lo <= 255)) throw bad(`ICMP type ${lo} is not 0..255`)
    if (hi !== undefined && (lo === undefined || !(Number.isInteger(hi) && hi >= 0 && hi <= 255))) throw bad(`ICMP code ${hi} needs a type and must be 0..255`)
  } else if (lo !== undefined || hi !== undefined) {
    throw bad(`a port range needs protocol tcp, udp, sctp or icmp, not ${r.protocol ?? 'any'}`)
  }
  if (r.remoteIpPrefix !== undefined && r.remoteGroupId !== undefined) throw bad('remote_ip_prefix and remote_group_id are exclusive')
  if (r.remoteIpPrefix !== undefined) {
    const pr = parsePrefix(r.remoteIpPrefix)
    if (!pr) throw bad(`remote_ip_prefix ${r.remoteIpPrefix} does not parse`)
    if (pr.family !== (r.ethertype === 'IPv4' ? 4 : 6)) throw bad(`remote_ip_prefix ${r.remoteIpPrefix} does not match ethertype ${r.ethertype}`)
  }
  if (r.remoteGroupId !== undefined && !groupExists(r.remoteGroupId)) throw bad(`unknown remote group ${r.remoteGroupId}`)
}

/** Covers lo..hi with the fewest value/mask pairs (16-bit ports), ovs-ofctl text. */
export function portMasks(lo: number, hi: number): string[] {
  if (lo === hi) return [String(lo)]
  const out: string[] = []
  let v = lo
  while (v <= hi) {
    let size = 1
    while (size < 0x10000 && v % (size * 2) === 0 && v + size * 2 - 1 <= hi) size *= 2
    out.push(size === 1 ? String(v) : `0x${v.toString(16)}/0x${(0xffff ^ (size - 1)).toString(16)}`)
    v += size
  }
  return out
}

/** The rule's protocol and L4 matches without the remote address (one per port-range piece). */
export function ruleL4Matches(r: SecurityGroupRule): Match[] {
  const base: Match = { dl_type: ETH[r.ethertype] }
  const proto = ruleProtocol(r)
  if (proto !== undefined) base.nw_proto = proto
  if (proto !== undefined && PORTED.has(proto) && r.portRangeMin !== undefined && r.portRangeMax !== undefined) {
    if (r.portRangeMin === 1 && r.portRangeMax === 65535) return [base]
    return portMasks(r.portRangeMin, r.portRangeMax).map((m) => ({ ...base, tp_dst: m }))
  }
  if ((proto === 1 || proto === 58) && r.portRangeMin !== undefined) {
    const [t, c] = proto === 58 ? (['icmpv6_type', 'icmpv6_code'] as const) : (['icmp_type', 'icmp_code'] as const)
    return [{ ...base, [t]: r.portRangeMin, ...(r.portRangeMax !== undefined ? { [c]: r.portRangeMax } : {}) }]
  }
  return [base]
}

/** The match field of the remote address: the source for ingress, the destination for egress. */
export function remoteField(r: SecurityGroupRule): 'nw_src' | 'nw_dst' | 'ipv6_src' | 'ipv6_dst' {
  const v6 = r.ethertype === 'IPv6'
  return r.direction === 'ingress' ? (v6 ? 'ipv6_src' : 'nw_src') : v6 ? 'ipv6_dst' : 'nw_dst'
}

/** The remote-address matches of a remote group's members (one per address, rule family). */
export function memberMatches(r: SecurityGroupRule, members: readonly Prefix[]): Match[] {
  return members.map((pr) => ({ dl_type: ETH[r.ethertype], [remoteField(r)]: prefixText(pr) }))
}

/**
 * The matches of one rule (cross product of remote addresses and L4 ranges); [] when the rule
 * can match nothing (a remote group with no member of that family). The ACL uses this for
 * prefix rules and conjunctions (ruleL4Matches × memberMatches) for remote groups.
 */
export function ruleMatches(r: SecurityGroupRule, groupPrefixes: (groupId: string, family: 4 | 6) => Prefix[]): Match[] {
  let remotes: Array<string | undefined> = [undefined]
  if (r.remoteIpPrefix !== undefined) {
    const pr = parsePrefix(r.remoteIpPrefix)!
    remotes = pr.length === 0 ? [undefined] : [prefixText(pr)]
  } else if (r.remoteGroupId !== undefined) {
    remotes = groupPrefixes(r.remoteGroupId, r.ethertype === 'IPv6' ? 6 : 4).map(prefixText)
  }
  const out: Match[] = []
  for (const remote of remotes) {
    for (const m of ruleL4Matches(r)) out.push({ ...m, ...(remote !== undefined ? { [remoteField(r)]: remote } : {}) })
  }
  return out
}
