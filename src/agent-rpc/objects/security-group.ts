/**
 * SecurityGroup 1.5 and SecurityGroupRule 1.2 (neutron/objects/securitygroup.py; samples seq 35,
 * 153, 155, 258, 260). A rule's unset protocol, ports, remote group and prefix are ABSENT;
 * normalized_cidr is always there (null without a prefix); description only when the row has
 * one (the default group's rules were created without).
 */
import { oboTime, primitive, unsetIfNull, type Primitive } from './primitive.js'

export const SECURITY_GROUP_VERSION = '1.5'
export const SECURITY_GROUP_RULE_VERSION = '1.2'
type Dict = Record<string, any>

export function normalizedCidr(prefix: string | null | undefined): string | null {
  if (!prefix) return null
  const [addr, len] = prefix.split('/')
  if (!addr || !addr.includes('.') || len === undefined) return prefix
  const bits = Number(len)
  const n = addr.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0
  const masked = bits === 0 ? 0 : (n & (~0 << (32 - bits))) >>> 0
  return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${bits}`
}

export function securityGroupRulePrimitive(r: Dict): Primitive {
  return primitive('SecurityGroupRule', SECURITY_GROUP_RULE_VERSION, {
    id: r.id,
    project_id: r.project_id ?? r.tenant_id,
    security_group_id: r.security_group_id,
    remote_group_id: unsetIfNull(r.remote_group_id),
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: unsetIfNull(r.protocol),
    port_range_min: unsetIfNull(r.port_range_min),
    port_range_max: unsetIfNull(r.port_range_max),
    remote_ip_prefix: unsetIfNull(r.remote_ip_prefix),
    normalized_cidr: normalizedCidr(r.remote_ip_prefix),
    revision_number: r.revision_number,
    description: unsetIfNull(r.description),
    created_at: oboTime(r.created_at),
    updated_at: oboTime(r.updated_at),
  })
}

export function securityGroupPrimitive(g: Dict, isDefault: boolean): Primitive {
  return primitive('SecurityGroup', SECURITY_GROUP_VERSION, {
    id: g.id,
    name: g.name ?? '',
    project_id: g.project_id ?? g.tenant_id,
    shared: !!g.shared,
    stateful: g.stateful ?? true,
    is_default: isDefault,
    rules: (g.security_group_rules ?? []).map(securityGroupRulePrimitive),
    revision_number: g.revision_number,
    description: g.description ?? '',
    created_at: oboTime(g.created_at),
    updated_at: oboTime(g.updated_at),
  })
}

export function deletedSecurityGroupRulePrimitive(id: string): Primitive {
  return { ...primitive('SecurityGroupRule', SECURITY_GROUP_RULE_VERSION, { id }), 'versioned_object.changes': ['id'] }
}

export function deletedSecurityGroupPrimitive(id: string): Primitive {
  return { ...primitive('SecurityGroup', SECURITY_GROUP_VERSION, { id }), 'versioned_object.changes': ['id'] }
}
