/**
 * What a migrate-to-ml2 source must look like: the schema version (alembic_version) and the tables
 * and columns of the monolithic openvswitch / linuxbridge plugins at Havana or Icehouse
 * (neutron havana-eol / icehouse-eol: db/models_v2.py, plugins/openvswitch/ovs_models_v2.py,
 * plugins/linuxbridge/db/l2network_models_v2.py, db/portbindings_db.py, db/l3_db.py,
 * db/l3_gwmode_db.py, db/extraroute_db.py, db/securitygroups_db.py, db/agents_db.py,
 * db/quota_db.py and their alembic migrations; facts §4).
 */
import { MigrationError } from './errors.js'
import type { SourceConn } from './source.js'

export type Plugin = 'openvswitch' | 'linuxbridge'

/**
 * Accepted alembic heads. The original accepted only 'icehouse' (the release label revision of
 * icehouse_release.py). '5ac1c354a051' is its down_revision, the last real Icehouse migration (same
 * schema, a database upgraded without the label); 'havana' / '40b0aff0302e' are the same pair for
 * Havana, whose schema differs only in columns this tool reads as optional (subnets.ipv6_*_mode).
 */
export const SUPPORTED_SCHEMA_VERSIONS = ['icehouse', '5ac1c354a051', 'havana', '40b0aff0302e'] as const

/** Table → columns this tool reads. A missing required table or column refuses the source. */
export const CORE_TABLES: Record<string, readonly string[]> = {
  networks: ['tenant_id', 'id', 'name', 'status', 'admin_state_up', 'shared'],
  subnets: ['tenant_id', 'id', 'name', 'network_id', 'ip_version', 'cidr', 'gateway_ip', 'enable_dhcp'],
  ipallocationpools: ['id', 'subnet_id', 'first_ip', 'last_ip'],
  dnsnameservers: ['address', 'subnet_id'],
  subnetroutes: ['destination', 'nexthop', 'subnet_id'],
  ports: ['tenant_id', 'id', 'name', 'network_id', 'mac_address', 'admin_state_up', 'status', 'device_id', 'device_owner'],
  ipallocations: ['port_id', 'ip_address', 'subnet_id', 'network_id'],
  portbindingports: ['port_id', 'host'],
}

export const PLUGIN_TABLES: Record<Plugin, Record<string, readonly string[]>> = {
  openvswitch: {
    ovs_network_bindings: ['network_id', 'network_type', 'physical_network', 'segmentation_id'],
    ovs_vlan_allocations: ['physical_network', 'vlan_id', 'allocated'],
    ovs_tunnel_allocations: ['tunnel_id', 'allocated'],
    ovs_tunnel_endpoints: ['ip_address', 'id'],
  },
  linuxbridge: {
    network_bindings: ['network_id', 'physical_network', 'vlan_id'],
    network_states: ['physical_network', 'vlan_id', 'allocated'],
  },
}

/** Read when present (which plugin had them at Icehouse differs: facts §4, alembic plugin lists). */
export const OPTIONAL_TABLES: Record<string, readonly string[]> = {
  externalnetworks: ['network_id'],
  allowedaddresspairs: ['port_id', 'mac_address', 'ip_address'],
  extradhcpopts: ['id', 'port_id', 'opt_name', 'opt_value'],
  networksecuritybindings: ['network_id', 'port_security_enabled'],
  portsecuritybindings: ['port_id', 'port_security_enabled'],
}

/**
 * Tables of the L3, security-group, agent and quota extensions (openvswitch and linuxbridge both
 * had them: folsom_initial upgrade_l3/upgrade_quota, 128e042a2b68 ext_gw_mode, 1c33fa3cd1a1
 * extra_route_config, 3cb5d900c5de security_groups, 511471cc46b agent_ext_model_supp). Read when
 * present; a present table must have every column listed here, or the source is refused (a table
 * of the wrong shape is never skipped silently: its rows would be lost).
 */
export const FEATURE_TABLES: Record<string, readonly string[]> = {
  routers: ['tenant_id', 'id', 'name', 'status', 'admin_state_up', 'gw_port_id'],
  routerroutes: ['destination', 'nexthop', 'router_id'],
  floatingips: ['tenant_id', 'id', 'floating_ip_address', 'floating_network_id', 'floating_port_id', 'fixed_port_id', 'fixed_ip_address', 'router_id'],
  securitygroups: ['tenant_id', 'id', 'name', 'description'],
  securitygrouprules: ['tenant_id', 'id', 'security_group_id', 'remote_group_id', 'direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix'],
  securitygroupportbindings: ['port_id', 'security_group_id'],
  agents: ['id', 'agent_type', 'binary', 'topic', 'host', 'admin_state_up', 'created_at', 'started_at', 'heartbeat_timestamp', 'description', 'configurations'],
  quotas: ['id', 'tenant_id', 'resource', 'limit'],
}

/**
 * Columns some sources lack. subnets: added at Icehouse (2447ad0e9585_add_ipv6_mode_props), absent
 * from Havana. floatingips: added at Icehouse (2eeaf963a447_floatingip_status). routers.enable_snat
 * came with ext-gw-mode in Havana (128e042a2b68); optional all the same (default true).
 */
export const OPTIONAL_COLUMNS: Record<string, readonly string[]> = {
  subnets: ['ipv6_ra_mode', 'ipv6_address_mode'],
  routers: ['enable_snat'],
  floatingips: ['last_known_router_id', 'status'],
}

/** The tables the original dropped after migrating (unless --save-tables). */
export const OLD_PLUGIN_TABLES: Record<Plugin, readonly string[]> = {
  openvswitch: ['ovs_tunnel_allocations', 'ovs_tunnel_endpoints', 'portbindingports', 'ovs_vlan_allocations', 'ovs_network_bindings'],
  linuxbridge: ['portbindingports', 'network_states', 'network_bindings'],
}

/** Checks alembic_version the way the original's check_db_schema_version did, same messages. */
export async function checkSchemaVersion(conn: SourceConn, tables: Set<string>): Promise<string> {
  if (!tables.has('alembic_version')) {
    throw new MigrationError('Missing version in alembic_versions table (the source has no alembic_version table: not a Neutron database?)')
  }
  const versions = (await conn.all('SELECT version_num FROM alembic_version')).map((r) => String(r.version_num))
  if (versions.length === 0) throw new MigrationError('Missing version in alembic_versions table')
  if (versions.length > 1) {
    throw new MigrationError(`Multiple versions in alembic_versions table: [${versions.map((v) => `'${v}'`).join(', ')}]`)
  }
  const current = versions[0]!
  if (!(SUPPORTED_SCHEMA_VERSIONS as readonly string[]).includes(current)) {
    throw new MigrationError(
      `Unsupported database schema ${current}. Please migrate your database to one of following versions: ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}`,
    )
  }
  return current
}

export interface SourceLayout {
  tables: Set<string>
  /** Optional tables present in the source. */
  optional: Set<string>
  /** FEATURE_TABLES present in the source (with all their columns). */
  features: Set<string>
  /** Optional columns present, as `table.column`. */
  optionalColumns: Set<string>
}

/** Checks every required table and column; collects all problems into one error. */
export async function checkLayout(conn: SourceConn, plugin: Plugin, tables: Set<string>): Promise<SourceLayout> {
  const problems: string[] = []
  const required = { ...CORE_TABLES, ...PLUGIN_TABLES[plugin] }
  for (const [table, cols] of Object.entries(required)) {
    if (!tables.has(table)) {
      problems.push(`missing table ${table}`)
      continue
    }
    const have = await conn.columns(table)
    for (const c of cols) if (!have.has(c)) problems.push(`table ${table} has no column ${c}`)
  }
  const features = new Set<string>()
  for (const [table, cols] of Object.entries(FEATURE_TABLES)) {
    if (!tables.has(table)) continue
    const have = await conn.columns(table)
    const missing = cols.filter((c) => !have.has(c))
    for (const c of missing) problems.push(`table ${table} has no column ${c}`)
    if (!missing.length) features.add(table)
  }
  const other: Plugin = plugin === 'openvswitch' ? 'linuxbridge' : 'openvswitch'
  const otherSegments = other === 'openvswitch' ? 'ovs_network_bindings' : 'network_bindings'
  if (problems.length && tables.has(otherSegments)) {
    problems.push(`the source has ${otherSegments}: is it a ${other} database?`)
  }
  if (problems.length) {
    throw new MigrationError(`The source is not a Havana/Icehouse ${plugin} plugin database:`, problems)
  }
  const optional = new Set<string>()
  for (const [table, cols] of Object.entries(OPTIONAL_TABLES)) {
    if (!tables.has(table)) continue
    const have = await conn.columns(table)
    if (cols.every((c) => have.has(c))) optional.add(table)
  }
  const optionalColumns = new Set<string>()
  for (const [table, cols] of Object.entries(OPTIONAL_COLUMNS)) {
    if (!tables.has(table)) continue
    const have = await conn.columns(table)
    for (const c of cols) if (have.has(c)) optionalColumns.add(`${table}.${c}`)
  }
  return { tables, optional, features, optionalColumns }
}
