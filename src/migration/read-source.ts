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
  /** L3 (FEATURE_TABLES; empty when the source lacks the table). */
  routers: Row[]
  routerRoutes: Row[]
  floatingIps: Row[]
  /** Security groups. */
  securityGroups: Row[]
  securityGroupRules: Row[]
  securityGroupPorts: Row[]
  agents: Row[]
  quotas: Row[]
  /** Source tables whose rows were read: in place, their contents move into Neutrino's tables. */
  carried: string[]
}

export async function readSource(
  conn: SourceConn,
  plugin: Plugin,
  layout: SourceLayout,
  schemaVersion: string,
  onTable: (table: string, rows: number) => void = () => {},
): Promise<SourceData> {
  const carried: string[] = []
  const read = async (table: string, cols: string, order: string, where = ''): Promise<Row[]> => {
    const rows = await conn.all(`SELECT ${cols} FROM ${table}${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`)
    onTable(table, rows.length)
    carried.push(table)
    return rows
  }
  const opt = (t: string) => layout.optional.has(t)
  const feature = (t: string, cols: string, order: string) => (layout.features.has(t) ? read(t, cols, order) : Promise.resolve([]))
  /** An optional column, or NULL under its name. */
  const optCol = (t: string, c: string) => (layout.optionalColumns.has(`${t}.${c}`) ? c : `NULL AS ${c}`)
  const ipv6 = ['ipv6_ra_mode', 'ipv6_address_mode'].map((c) => optCol('subnets', c)).join(', ')
  // Quoted: reserved words on some engines. MySQL quotes with backticks (ANSI_QUOTES is off).
  const qi = (c: string) => (conn.dialect === 'mysql' ? `\`${c}\`` : `"${c}"`)
  // DateTime columns as text, whatever the driver makes of them (pg: a local-time Date).
  const ts = (c: string) => `CAST(${c} AS ${conn.dialect === 'mysql' ? 'CHAR' : 'TEXT'}) AS ${c}`
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
    routers: await feature('routers', `tenant_id, id, name, status, admin_state_up, gw_port_id, ${optCol('routers', 'enable_snat')}`, 'id'),
    routerRoutes: await feature('routerroutes', 'destination, nexthop, router_id', 'router_id, destination, nexthop'),
    floatingIps: await feature(
      'floatingips',
      `tenant_id, id, floating_ip_address, floating_network_id, floating_port_id, fixed_port_id, fixed_ip_address, router_id, ${optCol('floatingips', 'last_known_router_id')}, ${optCol('floatingips', 'status')}`,
      'id',
    ),
    securityGroups: await feature('securitygroups', 'tenant_id, id, name, description', 'id'),
    securityGroupRules: await feature(
      'securitygrouprules',
      'tenant_id, id, security_group_id, remote_group_id, direction, ethertype, protocol, port_range_min, port_range_max, remote_ip_prefix',
      'id',
    ),
    securityGroupPorts: await feature('securitygroupportbindings', 'port_id, security_group_id', 'port_id, security_group_id'),
    agents: await feature(
      'agents',
      `id, agent_type, ${qi('binary')}, topic, host, admin_state_up, ${ts('created_at')}, ${ts('started_at')}, ${ts('heartbeat_timestamp')}, description, configurations`,
      'id',
    ),
    quotas: await feature('quotas', `id, tenant_id, resource, ${qi('limit')}`, 'id'),
    carried,
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
