/**
 * Reads everything the migration needs from a source, in primary-key order (deterministic output),
 * into plain arrays. Values are normalised across engines: booleans (MySQL/SQLite 0/1, PostgreSQL
 * true/false) stay as read and are converted by the planner; numbers become JS numbers.
 */
import type { Row } from '../db/engine.js'
import type { Plugin, SourceLayout } from './source-schema.js'
import type { SourceConn } from './source.js'

export interface SourceData {
  plugin: Plugin
  schemaVersion: string
  networks: Row[]
  subnets: Row[]
  pools: Row[]
  dns: Row[]
  routes: Row[]
  ports: Row[]
  ips: Row[]
  pairs: Row[]
  dhcpOpts: Row[]
  external: Row[]
  netSecurity: Row[]
  portSecurity: Row[]
  /** Segment source rows: ovs_network_bindings or network_bindings. */
  segments: Row[]
  /** Allocated rows of ovs_vlan_allocations / network_states. */
  vlanAllocated: Row[]
  /** Allocated rows of ovs_tunnel_allocations (openvswitch only). */
  tunnelAllocated: Row[]
  tunnelEndpoints: Row[]
  portBindings: Row[]
}

/** Row counts of the source tables, for the progress bar's total. */
export function sourceRowCount(d: SourceData): number {
  return (
    d.networks.length + d.subnets.length + d.pools.length + d.dns.length + d.routes.length + d.ports.length + d.ips.length +
    d.pairs.length + d.dhcpOpts.length + d.segments.length + d.portBindings.length
  )
}

export async function readSource(
  conn: SourceConn,
  plugin: Plugin,
  layout: SourceLayout,
  schemaVersion: string,
  onTable: (table: string, rows: number) => void = () => {},
): Promise<SourceData> {
  const read = async (table: string, cols: string, order: string, where = ''): Promise<Row[]> => {
    const rows = await conn.all(`SELECT ${cols} FROM ${table}${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`)
    onTable(table, rows.length)
    return rows
  }
  const opt = (t: string) => layout.optional.has(t)
  const ipv6 = ['ipv6_ra_mode', 'ipv6_address_mode'].map((c) => (layout.optionalColumns.has(`subnets.${c}`) ? c : `NULL AS ${c}`)).join(', ')
  // `allocated = TRUE` as the original wrote it works on all three engines (MySQL/SQLite: TRUE = 1).
  const allocated = 'allocated = TRUE'
  const d: SourceData = {
    plugin,
    schemaVersion,
    networks: await read('networks', 'tenant_id, id, name, status, admin_state_up, shared', 'id'),
    subnets: await read('subnets', `tenant_id, id, name, network_id, ip_version, cidr, gateway_ip, enable_dhcp, ${ipv6}`, 'id'),
    pools: await read('ipallocationpools', 'id, subnet_id, first_ip, last_ip', 'id'),
    dns: await read('dnsnameservers', 'address, subnet_id', 'subnet_id, address'),
    routes: await read('subnetroutes', 'destination, nexthop, subnet_id', 'subnet_id, destination, nexthop'),
    ports: await read('ports', 'tenant_id, id, name, network_id, mac_address, admin_state_up, status, device_id, device_owner', 'id'),
    ips: await read('ipallocations', 'port_id, ip_address, subnet_id, network_id', 'subnet_id, ip_address'),
    pairs: opt('allowedaddresspairs') ? await read('allowedaddresspairs', 'port_id, mac_address, ip_address', 'port_id, mac_address, ip_address') : [],
    dhcpOpts: opt('extradhcpopts') ? await read('extradhcpopts', 'id, port_id, opt_name, opt_value', 'id') : [],
    external: opt('externalnetworks') ? await read('externalnetworks', 'network_id', 'network_id') : [],
    netSecurity: opt('networksecuritybindings') ? await read('networksecuritybindings', 'network_id, port_security_enabled', 'network_id') : [],
    portSecurity: opt('portsecuritybindings') ? await read('portsecuritybindings', 'port_id, port_security_enabled', 'port_id') : [],
    segments: [],
    vlanAllocated: [],
    tunnelAllocated: [],
    tunnelEndpoints: [],
    portBindings: await read('portbindingports', 'port_id, host', 'port_id'),
  }
  if (plugin === 'openvswitch') {
    d.segments = await read('ovs_network_bindings', 'network_id, network_type, physical_network, segmentation_id', 'network_id')
    d.vlanAllocated = await read('ovs_vlan_allocations', 'physical_network, vlan_id, allocated', 'physical_network, vlan_id', allocated)
    d.tunnelAllocated = await read('ovs_tunnel_allocations', 'tunnel_id, allocated', 'tunnel_id', allocated)
    d.tunnelEndpoints = await read('ovs_tunnel_endpoints', 'ip_address, id', 'ip_address')
  } else {
    d.segments = await read('network_bindings', 'network_id, physical_network, vlan_id', 'network_id')
    d.vlanAllocated = await read('network_states', 'physical_network, vlan_id, allocated', 'physical_network, vlan_id', allocated)
  }
  return d
}
