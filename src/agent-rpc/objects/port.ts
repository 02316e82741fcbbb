/**
 * Port 1.7 (neutron/objects/ports.py) with PortBinding 1.0, PortBindingLevel 1.1 (+ its
 * NetworkSegment), IPAllocation 1.0, PortSecurity 1.0, AllowedAddressPair 1.1, ExtraDhcpOpt 1.0.
 * Field order and presence as recorded (samples seq 39, 109, 157): binding profile/vif_details
 * are JSON strings ('{}' for an empty profile, null for an unbound port's details); the port's
 * own binding status is ACTIVE (the binding row, not the port); the agents' cache needs id and
 * revision_number on every object.
 */
import { networkSegmentPrimitive, type SegmentRow } from './network-segment.js'
import { oboTime, primitive, pyJson, type Primitive } from './primitive.js'

export const PORT_VERSION = '1.7'
type Dict = Record<string, any>

export interface PortObjectInput {
  /** The API port dict (binding:* and port_security_enabled included). */
  port: Dict
  /** Its binding levels, lowest first, each with the segment it bound. */
  levels: Array<{ level: number; driver: string | null; segment: SegmentRow | null; host: string }>
  /** The network's created_at: timestamps of the nested segments (see network-segment.ts). */
  networkCreatedAt: string | null
}

export function portBindingPrimitive(p: Dict): Primitive {
  const details = p['binding:vif_details'] as Dict | undefined
  const profile = (p['binding:profile'] ?? {}) as Dict
  return primitive('PortBinding', '1.0', {
    port_id: p.id,
    host: p['binding:host_id'] ?? '',
    profile: pyJson(profile),
    vif_type: p['binding:vif_type'],
    vif_details: details && Object.keys(details).length ? pyJson(details) : null,
    vnic_type: p['binding:vnic_type'] ?? 'normal',
    status: 'ACTIVE',
  })
}

export function portPrimitive(i: PortObjectInput): Primitive {
  const p = i.port
  const segCreated = oboTime(i.networkCreatedAt)
  return primitive('Port', PORT_VERSION, {
    id: p.id,
    project_id: p.project_id ?? p.tenant_id,
    name: p.name ?? '',
    network_id: p.network_id,
    mac_address: p.mac_address,
    admin_state_up: p.admin_state_up,
    device_id: p.device_id ?? '',
    device_owner: p.device_owner ?? '',
    status: p.status,
    allowed_address_pairs: (p.allowed_address_pairs ?? []).map((a: Dict) =>
      primitive('AllowedAddressPair', '1.1', { port_id: p.id, mac_address: a.mac_address, ip_address: a.ip_address }),
    ),
    bindings: [portBindingPrimitive(p)],
    data_plane_status: null,
    dhcp_options: (p.extra_dhcp_opts ?? []).map((o: Dict) =>
      primitive('ExtraDhcpOpt', '1.0', { port_id: p.id, opt_name: o.opt_name, opt_value: o.opt_value, ip_version: o.ip_version ?? 4 }),
    ),
    distributed_bindings: [],
    dns: null,
    fixed_ips: (p.fixed_ips ?? []).map((f: Dict) =>
      primitive('IPAllocation', '1.0', { port_id: p.id, subnet_id: f.subnet_id, network_id: p.network_id, ip_address: f.ip_address }),
    ),
    security: primitive('PortSecurity', '1.0', { id: p.id, port_security_enabled: p.port_security_enabled ?? true }),
    security_group_ids: [...(p.security_groups ?? [])],
    qos_policy_id: null,
    qos_network_policy_id: null,
    binding_levels: i.levels.map((l) =>
      primitive('PortBindingLevel', '1.1', {
        port_id: p.id,
        host: l.host,
        level: l.level,
        driver: l.driver,
        segment: l.segment ? networkSegmentPrimitive(l.segment, segCreated) : null,
        segment_id: l.segment?.id ?? null,
      }),
    ),
    revision_number: p.revision_number,
    description: p.description ?? '',
    created_at: oboTime(p.created_at),
    updated_at: oboTime(p.updated_at),
  })
}

/**
 * The stub a pushed delete carries (seq 334): only the id, with the synthetic fields Port sets
 * to None in its constructor, and `versioned_object.changes` naming them.
 */
export function deletedPortPrimitive(id: string): Primitive {
  return {
    ...primitive('Port', PORT_VERSION, { id, security_group_ids: null, qos_policy_id: null, qos_network_policy_id: null }),
    'versioned_object.changes': ['id', 'security_group_ids', 'qos_network_policy_id', 'qos_policy_id'],
  }
}
