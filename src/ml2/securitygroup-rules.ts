/**
 * Security group rules without I/O: the request converters of the rule attribute map
 * (neutron/extensions/securitygroup.py convert_protocol & co), the checks create_security_group_rule
 * runs before touching the database (securitygroups_db _validate_security_group_rule), and the
 * key two rules are duplicates under (_rule_to_key). Protocol tables are neutron-lib's
 * (constants.IP_PROTOCOL_MAP, IP_PROTOCOL_NUM_TO_NAME_MAP; neutron/common/_constants.py).
 */
import {
  InvalidCIDR,
  SecurityGroupEthertypeConflictWithProtocol,
  SecurityGroupInvalidIcmpValue,
  SecurityGroupInvalidPortRange,
  SecurityGroupInvalidPortValue,
  SecurityGroupInvalidProtocolForPort,
  SecurityGroupMissingIcmpType,
  SecurityGroupMultipleRemoteEntites,
  SecurityGroupProtocolRequiredWithPorts,
  SecurityGroupRuleInvalidEtherType,
  SecurityGroupRuleInvalidProtocol,
  SecurityGroupRuleParameterConflict,
} from '../common/exceptions.js'
import { formatCidr, formatCidrAsWritten, parseNetaddrNetwork, pyInt, pyRepr, pyStr } from '../ipam/index.js'
import type { SecurityGroupRuleRow } from '../db/resources/securitygroups.js'

/** neutron-lib IP_PROTOCOL_MAP, in its order (the order of the error text's list). */
export const IP_PROTOCOL_MAP: ReadonlyMap<string, number> = new Map([
  ['ah', 51], ['dccp', 33], ['egp', 8], ['esp', 50], ['gre', 47], ['hopopt', 0], ['icmp', 1], ['igmp', 2],
  ['ip', 0], ['ipip', 4], ['ipv6-encap', 41], ['ipv6-frag', 44], ['ipv6-icmp', 58], ['icmpv6', 58],
  ['ipv6-nonxt', 59], ['ipv6-opts', 60], ['ipv6-route', 43], ['ospf', 89], ['pgm', 113], ['rsvp', 46],
  ['sctp', 132], ['tcp', 6], ['udp', 17], ['udplite', 136], ['vrrp', 112],
])

/** IP_PROTOCOL_NUM_TO_NAME_MAP: number → name, the legacy 'icmpv6' left out, the last name of a number wins. */
const NUM_TO_NAME = new Map<string, string>()
for (const [name, num] of IP_PROTOCOL_MAP) if (name !== 'icmpv6') NUM_TO_NAME.set(String(num), name)

export const ETHERTYPES = ['IPv4', 'IPv6'] as const
const ETHERTYPES_TEXT = "['IPv4', 'IPv6']"
const PROTOCOLS_TEXT = `[None, ${[...IP_PROTOCOL_MAP.keys()].map((p) => `'${p}'`).join(', ')}]`

/** Protocols whose rules may carry a port range (SG_PORT_PROTO_NAMES / _NUMS). */
const PORT_PROTOCOLS = ['dccp', 'sctp', 'tcp', 'udp', 'udplite']
const PORT_PROTOCOL_NUMS = PORT_PROTOCOLS.map((p) => IP_PROTOCOL_MAP.get(p)!)
const IPV6_ONLY_PROTOCOLS = [
  'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', '41', '44', '58', '59', '60', '43',
]

/** Python's int() of a JSON value, or undefined where it raises (bools count as not numbers here). */
function pyIntOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined
  if (typeof v === 'string') return pyInt(v)
  return undefined
}

// ---- converters (run by the attribute map on POST bodies and filters) -------------------------

/** convert_protocol: a number 0–255 (kept as the text given) or a known name (lower-cased). */
export function convertProtocol(v: unknown): string | null {
  if (v === null || v === undefined) return null
  const n = pyIntOf(v)
  if (n !== undefined) {
    if (n >= 0 && n <= 255) return typeof v === 'string' ? v : String(v)
    throw new SecurityGroupRuleInvalidProtocol(pyStr(v), PROTOCOLS_TEXT)
  }
  if (typeof v === 'string' && IP_PROTOCOL_MAP.has(v.toLowerCase())) return v.toLowerCase()
  throw new SecurityGroupRuleInvalidProtocol(pyStr(v), PROTOCOLS_TEXT)
}

/** convert_ethertype_to_case_insensitive. */
export function convertEthertype(v: unknown): string {
  if (typeof v === 'string') for (const e of ETHERTYPES) if (e.toLowerCase() === v.toLowerCase()) return e
  throw new SecurityGroupRuleInvalidEtherType(pyStr(v), ETHERTYPES_TEXT)
}

/** convert_validate_port_value: null, or an integer 0–65535 (oslo netutils.is_valid_port). */
export function convertPortValue(v: unknown): number | null {
  if (v === null || v === undefined) return null
  const n = pyIntOf(v)
  if (n === undefined || n < 0 || n > 65535) throw new SecurityGroupInvalidPortValue(pyStr(v))
  return n
}

/** convert_ip_prefix_to_cidr: str(netaddr.IPNetwork(prefix)) — the length added, host bits kept. */
export function convertIpPrefix(v: unknown): string | null {
  if (v === null || v === undefined || v === '' || v === false || v === 0) return null
  const c = typeof v === 'string' ? parseNetaddrNetwork(v) : undefined
  if (!c) throw new InvalidCIDR(pyStr(v))
  return formatCidrAsWritten(c)
}

/** The normalized_cidr of a rule: its prefix with host bits cleared (security-groups-normalized-cidr). */
export function normalizedCidr(remoteIpPrefix: string | null): string | null {
  if (!remoteIpPrefix) return null
  const c = parseNetaddrNetwork(remoteIpPrefix)
  return c ? formatCidr(c) : null
}

// ---- rule checks ------------------------------------------------------------------------------

/** What a rule holds once converted (the attribute map did the conversions). */
export type RuleInput = Pick<
  SecurityGroupRuleRow,
  'direction' | 'ethertype' | 'protocol' | 'port_range_min' | 'port_range_max' | 'remote_ip_prefix' | 'remote_group_id' | 'security_group_id'
>

/** _get_ip_proto_number: 'icmpv6' and names → their number; numbers as given. */
function protoNumber(protocol: string): number {
  const name = protocol === 'icmpv6' ? 'ipv6-icmp' : protocol
  return IP_PROTOCOL_MAP.get(name) ?? pyInt(name) ?? NaN
}

/**
 * The in-memory part of _validate_security_group_rule, in Neutron's order, normalising `r` in
 * place: legacy IPv6 ICMP names, the full port range dropped, port range checks, prefix vs
 * ethertype, IPv6-only protocols, one remote at most. Existence of the groups is the caller's.
 */
export function checkRule(r: RuleInput): void {
  // _make_canonical_ipv6_icmp_protocol
  if (r.ethertype === 'IPv6') {
    if (r.protocol === 'icmp' || r.protocol === 'icmpv6') r.protocol = 'ipv6-icmp'
    else if (r.protocol === '1') r.protocol = '58'
  }
  // _make_canonical_port_range: 1–65535 is "any port".
  if (r.port_range_min === 1 && r.port_range_max === 65535) {
    r.port_range_min = null
    r.port_range_max = null
  }
  checkPortRange(r)
  // _validate_ip_prefix
  if (r.remote_ip_prefix) {
    const c = parseNetaddrNetwork(r.remote_ip_prefix)
    if (c && r.ethertype !== `IPv${c.version}`) throw new SecurityGroupRuleParameterConflict(r.ethertype, r.remote_ip_prefix)
  }
  // _validate_ethertype_and_protocol
  if (r.protocol !== null && IPV6_ONLY_PROTOCOLS.includes(r.protocol) && r.ethertype === 'IPv4') {
    throw new SecurityGroupEthertypeConflictWithProtocol(r.ethertype, r.protocol)
  }
  if (r.remote_ip_prefix && r.remote_group_id) throw new SecurityGroupMultipleRemoteEntites()
}

/** _validate_port_range. */
function checkPortRange(r: RuleInput): void {
  const min = r.port_range_min
  const max = r.port_range_max
  if (min === null && max === null) return
  if (!r.protocol) throw new SecurityGroupProtocolRequiredWithPorts()
  const proto = protoNumber(r.protocol)
  if (PORT_PROTOCOL_NUMS.includes(proto)) {
    if (min === 0 || max === 0) throw new SecurityGroupInvalidPortValue('0')
    if (min === null || max === null || min > max) throw new SecurityGroupInvalidPortRange()
  } else if (proto === 1 || proto === 58) {
    if (min !== null && (min < 0 || min > 255)) throw new SecurityGroupInvalidIcmpValue('type', 'port_range_min', String(min))
    if (max !== null && (max < 0 || max > 255)) throw new SecurityGroupInvalidIcmpValue('code', 'port_range_max', String(max))
    if (min === null && max !== null) throw new SecurityGroupMissingIcmpType(String(max))
  } else {
    throw new SecurityGroupInvalidProtocolForPort(Number.isNaN(proto) ? pyRepr(r.protocol) : String(proto), PORT_PROTOCOLS.map((p) => p.toUpperCase()).join(', '))
  }
}

/** _get_ip_proto_name_and_num: the [name, number] pair two spellings of one protocol share. */
function protoNameAndNum(protocol: string, ethertype: string): string {
  let p = protocol
  if (ethertype === 'IPv6') {
    if (p === 'icmp' || p === 'icmpv6') p = 'ipv6-icmp'
    else if (p === '1') p = '58'
  }
  const num = IP_PROTOCOL_MAP.get(p)
  if (num !== undefined) return `['${p}', '${num}']`
  const name = NUM_TO_NAME.get(p)
  if (name !== undefined) return `['${name}', '${p}']`
  return `['${p}', '${p}']`
}

/** What a stored or requested rule is compared by (securitygroups_db _rule_to_key). */
export interface RuleKeyFields extends RuleInput {
  remote_address_group_id?: string | null
}

/** _rule_to_key: equal keys are the same rule ('tcp' = '6'; any-address prefixes = no prefix). */
export function ruleKey(r: RuleKeyFields): string {
  const none = '+'
  const norm = (k: string, v: unknown): string => {
    if (k === 'remote_ip_prefix') return v === null || v === undefined || v === '0.0.0.0/0' || v === '::/0' ? none : String(v)
    if (v === null || v === undefined) return none
    if (k === 'protocol') return protoNameAndNum(String(v), r.ethertype)
    return String(v)
  }
  return [
    norm('direction', r.direction),
    norm('ethertype', r.ethertype),
    norm('port_range_max', r.port_range_max),
    norm('port_range_min', r.port_range_min),
    norm('protocol', r.protocol),
    norm('remote_group_id', r.remote_group_id),
    norm('remote_address_group_id', r.remote_address_group_id ?? null),
    norm('remote_ip_prefix', r.remote_ip_prefix),
    norm('security_group_id', r.security_group_id),
  ].join('_')
}
