/**
 * Subnet 1.1 (neutron/objects/subnet.py) with IPAllocationPool 1.0, DNSNameServer 1.0 and
 * Route 1.0 (sample seq 37). Unset IPv6 modes, subnetpool and segment are absent.
 */
import { oboTime, primitive, unsetIfNull, type Primitive } from './primitive.js'

export const SUBNET_VERSION = '1.1'
type Dict = Record<string, any>

export function subnetPrimitive(s: Dict, pools: ReadonlyArray<{ id: string; start: string; end: string }>): Primitive {
  return primitive('Subnet', SUBNET_VERSION, {
    id: s.id,
    project_id: s.project_id ?? s.tenant_id,
    name: s.name ?? '',
    network_id: s.network_id,
    segment_id: unsetIfNull(s.segment_id),
    subnetpool_id: unsetIfNull(s.subnetpool_id),
    ip_version: s.ip_version,
    cidr: s.cidr,
    gateway_ip: s.gateway_ip ?? null,
    allocation_pools: pools.map((p) => primitive('IPAllocationPool', '1.0', { id: p.id, subnet_id: s.id, start: p.start, end: p.end })),
    enable_dhcp: s.enable_dhcp,
    shared: !!s.shared,
    dns_nameservers: (s.dns_nameservers ?? []).map((a: string, order: number) =>
      primitive('DNSNameServer', '1.0', { address: a, subnet_id: s.id, order }),
    ),
    dns_publish_fixed_ip: !!s.dns_publish_fixed_ip,
    host_routes: (s.host_routes ?? []).map((r: Dict) => primitive('Route', '1.0', { subnet_id: s.id, destination: r.destination, nexthop: r.nexthop })),
    ipv6_ra_mode: unsetIfNull(s.ipv6_ra_mode),
    ipv6_address_mode: unsetIfNull(s.ipv6_address_mode),
    service_types: [],
    revision_number: s.revision_number,
    description: s.description ?? '',
    created_at: oboTime(s.created_at),
    updated_at: oboTime(s.updated_at),
  })
}

export function deletedSubnetPrimitive(id: string): Primitive {
  return { ...primitive('Subnet', SUBNET_VERSION, { id }), 'versioned_object.changes': ['id'] }
}
