/**
 * The resource dicts ML2 hands to drivers, service plugins, event subscribers and (later) the agent
 * RPC code: what `NetworkOps.toDict`, `SubnetOps.toDict` and `PortOps.toDict` build, field for
 * field, in Neutron's wire names (neutron_lib/api/definitions/{network,subnet,port,portbindings}.py).
 * `JsonDict` is for the JSON boundary only: request bodies before the attribute map has checked
 * them, and resources ML2 does not own (routers, floating IPs, security groups).
 */

/** A decoded JSON object whose shape nobody has checked yet. */
export type JsonDict = Record<string, any>

/** A network segment as ML2 passes it around (facts §1.1; ml2_network_segments). */
export interface Segment {
  id?: string
  network_type: string
  physical_network: string | null
  segmentation_id: number | null
  mtu?: number
  network_id?: string
  is_dynamic?: boolean
  segment_index?: number
}

/** The provider view of a network's segments (provider-attrs.ts `segmentsToApi`). */
export interface ProviderAttributes {
  'provider:network_type'?: string | null
  'provider:physical_network'?: string | null
  'provider:segmentation_id'?: number | null
  segments?: Array<{ 'provider:network_type': string; 'provider:physical_network': string | null; 'provider:segmentation_id': number | null }>
}

/** Neutron's standard attributes (standard_attr.py) plus the owning project, shown by every resource here. */
export interface StandardAttributes {
  id: string
  name: string
  tenant_id: string
  project_id: string
  description: string
  tags: string[]
  created_at: string
  updated_at: string
  revision_number: number
}

export interface Network extends ProviderAttributes, StandardAttributes {
  admin_state_up: boolean
  mtu: number
  status: string
  subnets: string[]
  shared: boolean
  availability_zone_hints: string[]
  availability_zones: string[]
  ipv4_address_scope: string | null
  ipv6_address_scope: string | null
  'router:external': boolean
  port_security_enabled: boolean
}

export interface AllocationPool {
  start: string
  end: string
}

export interface HostRoute {
  destination: string
  nexthop: string
}

export interface Subnet extends StandardAttributes {
  network_id: string
  ip_version: number
  subnetpool_id: string | null
  enable_dhcp: boolean
  ipv6_ra_mode: string | null
  ipv6_address_mode: string | null
  gateway_ip: string | null
  cidr: string
  allocation_pools: AllocationPool[]
  host_routes: HostRoute[]
  dns_nameservers: string[]
  service_types: string[]
}

export interface FixedIp {
  subnet_id: string
  ip_address: string
}

export interface AddressPair {
  ip_address: string
  mac_address: string
}

export interface ExtraDhcpOpt {
  opt_name: string
  opt_value: string
  ip_version: number
}

/** portbindings: what the port dict shows of its binding (ml2_port_bindings). */
export interface PortBinding {
  'binding:host_id': string
  'binding:vnic_type': string
  'binding:profile': Record<string, unknown>
  'binding:vif_type': string
  'binding:vif_details': Record<string, unknown>
}

export interface Port extends PortBinding, StandardAttributes {
  network_id: string
  mac_address: string
  admin_state_up: boolean
  status: string
  device_id: string
  device_owner: string
  fixed_ips: FixedIp[]
  allowed_address_pairs: AddressPair[]
  extra_dhcp_opts: ExtraDhcpOpt[]
  security_groups: string[]
  port_security_enabled: boolean
}

/** One level of a (hierarchical) port binding (ml2_port_binding_levels). */
export interface BindingLevel {
  level: number
  driver: string
  segment_id: string | null
}

/** An agent as port binding sees it: liveness from `agent_down_time` (agent-liveness.ts). */
export interface Agent {
  id: string
  agent_type: string
  host: string
  alive: boolean
  admin_state_up: boolean
  configurations: Record<string, any>
}
