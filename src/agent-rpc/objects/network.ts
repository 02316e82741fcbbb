/**
 * Network 1.1 (neutron/objects/network.py) with NetworkPortSecurity 1.0 and NetworkSegment 1.0
 * (samples seq 33, 111). `external` (ExternalNetwork 1.0) only for router:external networks.
 */
import { networkSegmentPrimitive, type SegmentRow } from './network-segment.js'
import { oboTime, primitive, type Primitive } from './primitive.js'

export const NETWORK_VERSION = '1.1'
type Dict = Record<string, any>

export function networkPrimitive(n: Dict, segments: readonly SegmentRow[]): Primitive {
  const segCreated = oboTime(n.created_at)
  return primitive('Network', NETWORK_VERSION, {
    id: n.id,
    project_id: n.project_id ?? n.tenant_id,
    name: n.name ?? '',
    status: n.status,
    admin_state_up: n.admin_state_up,
    shared: !!n.shared,
    mtu: n.mtu,
    security: primitive('NetworkPortSecurity', '1.0', { id: n.id, port_security_enabled: n.port_security_enabled ?? true }),
    segments: segments.map((s) => networkSegmentPrimitive(s, segCreated)),
    external: n['router:external'] ? primitive('ExternalNetwork', '1.0', { network_id: n.id, is_default: !!n.is_default }) : undefined,
    dns_domain: n.dns_domain ?? null,
    qos_policy_id: null,
    revision_number: n.revision_number,
    description: n.description ?? '',
    created_at: oboTime(n.created_at),
    updated_at: oboTime(n.updated_at),
  })
}

export function deletedNetworkPrimitive(id: string): Primitive {
  return { ...primitive('Network', NETWORK_VERSION, { id }), 'versioned_object.changes': ['id'] }
}
