/**
 * Request bodies exactly as networking-odl V2 sends them (common/filters.py, tag 21.0.0;
 * shared/spec/odl-northbound.md §3 "Bodies"). Pure functions: the journal stores their output, the
 * sender sends it unchanged.
 */
export type Obj = Record<string, unknown>
export type ObjectType = 'network' | 'subnet' | 'port' | 'security_group' | 'security_group_rule' | 'router' | 'floatingip'
export type Operation = 'create' | 'update' | 'delete'

export const OBJECT_TYPES: readonly ObjectType[] = ['network', 'subnet', 'port', 'security_group', 'security_group_rule', 'router', 'floatingip']

/** Keys removed per type and operation (filters.py _NETWORK_UNMAPPED_KEYS … _ROUTER_UNMAPPED_KEYS). */
const DROP: Partial<Record<ObjectType, Partial<Record<'create' | 'update', readonly string[]>>>> = {
  network: { create: ['status', 'subnets'], update: ['id', 'tenant_id', 'project_id', 'status', 'subnets'] },
  subnet: { update: ['id', 'network_id', 'ip_version', 'cidr', 'tenant_id', 'project_id'] },
  port: { create: ['status'], update: ['network_id', 'id', 'status', 'tenant_id', 'project_id'] },
  router: { update: ['id', 'tenant_id', 'project_id', 'status'] },
}

/** Keys removed when null (filters.py _filter_unmapped_null). */
const DROP_NULL: Partial<Record<ObjectType, readonly string[]>> = {
  network: ['qos_policy_id'],
  subnet: ['segment_id', 'subnetpool_id'],
  port: ['binding:profile', 'dns_name', 'port_security_enabled', 'qos_policy_id'],
}
const FIP_UPDATE_DROP_NULL = ['port_id', 'fixed_ip_address', 'router_id']

/** Protocol names OpenDaylight understands; others are sent as IANA numbers (filters.py). */
const ODL_PROTOCOL_NAMES = new Set(['icmp', 'tcp', 'udp', 'icmpv6'])
const IP_PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, igmp: 2, ipip: 4, 'ipv6-encap': 41, 'ipv6-frag': 44,
  'ipv6-icmp': 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89, pgm: 113, rsvp: 46, sctp: 132,
  udplite: 136, vrrp: 112, icmp: 1, tcp: 6, udp: 17, any: 0,
}

/**
 * The body networking-odl would send for `op` of `obj`. `networkTenant` is the port's network's
 * tenant: a port without one (router gateway, floating IP ports) takes it (journal.py _enrich_port).
 */
export function filterBody(type: ObjectType, op: 'create' | 'update', obj: Obj, networkTenant?: string): Obj {
  const out: Obj = { ...obj }
  // Every dict carries both names (filters.py _populate_project_id_and_tenant_id).
  if (out.tenant_id === undefined && out.project_id !== undefined) out.tenant_id = out.project_id
  if (out.project_id === undefined && out.tenant_id !== undefined) out.project_id = out.tenant_id
  for (const k of DROP_NULL[type] ?? []) if (out[k] === null) delete out[k]
  if (type === 'floatingip' && op === 'update') for (const k of FIP_UPDATE_DROP_NULL) if (out[k] === null) delete out[k]
  if (type === 'port') enrichPort(out, networkTenant)
  if (type === 'security_group_rule') scrubRule(out)
  if (type === 'security_group' && Array.isArray(out.security_group_rules)) {
    out.security_group_rules = out.security_group_rules.map((r) => (isObj(r) ? filterBody('security_group_rule', 'create', r) : r))
  }
  for (const k of DROP[type]?.[op] ?? []) delete out[k]
  return out
}

function enrichPort(p: Obj, networkTenant: string | undefined): void {
  if ((p.tenant_id === '' || p.tenant_id == null) && networkTenant) p.tenant_id = networkTenant
  // ODL models the profile as a string and security groups as references (filters.py
  // _convert_value_to_str, journal.py _enrich_port).
  if ('binding:profile' in p && typeof p['binding:profile'] !== 'string') p['binding:profile'] = JSON.stringify(p['binding:profile'] ?? {})
  if (Array.isArray(p.security_groups)) p.security_groups = p.security_groups.map((g) => (typeof g === 'string' ? { id: g } : g))
}

function scrubRule(r: Obj): void {
  const proto = r.protocol
  if (typeof proto !== 'string') return
  if (r.ethertype === 'IPv6' && (proto === 'icmp' || proto === 'ipv6-icmp' || proto === 'icmpv6')) {
    r.protocol = 'icmpv6'
    return
  }
  if (ODL_PROTOCOL_NAMES.has(proto) || /^\d+$/.test(proto)) return
  const n = IP_PROTOCOL_NUMBERS[proto]
  if (n !== undefined) r.protocol = String(n)
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
