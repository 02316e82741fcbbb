import type { Db } from './engine.js'

/**
 * Schema migrations, numbered and applied in order; `neutrino db upgrade` (and every server start)
 * runs the missing ones. The DDL is the subset SQLite and PostgreSQL share (SQLite gives BOOLEAN and
 * BIGINT numeric affinity), so one text serves both engines. Table and column names follow Neutron's
 * ML2 schema (facts §2.3) so operators and the migration tool recognise them.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'core resources and ML2 tables',
    sql: `
CREATE TABLE networks (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  status VARCHAR(16) NOT NULL,
  admin_state_up BOOLEAN NOT NULL,
  shared BOOLEAN NOT NULL DEFAULT FALSE,
  router_external BOOLEAN NOT NULL DEFAULT FALSE,
  port_security_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  mtu INTEGER NOT NULL,
  availability_zone_hints TEXT NOT NULL DEFAULT '[]',
  dns_domain VARCHAR(255),
  description VARCHAR(255) NOT NULL DEFAULT '',
  revision_number BIGINT NOT NULL DEFAULT 0,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL
);
CREATE INDEX ix_networks_project_id ON networks (project_id);

CREATE TABLE ml2_network_segments (
  id VARCHAR(36) PRIMARY KEY,
  network_id VARCHAR(36) NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
  network_type VARCHAR(32) NOT NULL,
  physical_network VARCHAR(64),
  segmentation_id BIGINT,
  is_dynamic BOOLEAN NOT NULL DEFAULT FALSE,
  segment_index INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_ml2_network_segments_network_id ON ml2_network_segments (network_id);

CREATE TABLE subnets (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  network_id VARCHAR(36) NOT NULL REFERENCES networks (id),
  name VARCHAR(255) NOT NULL DEFAULT '',
  ip_version INTEGER NOT NULL,
  cidr VARCHAR(64) NOT NULL,
  gateway_ip VARCHAR(64),
  enable_dhcp BOOLEAN NOT NULL,
  ipv6_ra_mode VARCHAR(32),
  ipv6_address_mode VARCHAR(32),
  subnetpool_id VARCHAR(36),
  description VARCHAR(255) NOT NULL DEFAULT '',
  revision_number BIGINT NOT NULL DEFAULT 0,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL
);
CREATE INDEX ix_subnets_network_id ON subnets (network_id);

CREATE TABLE ipallocationpools (
  id VARCHAR(36) PRIMARY KEY,
  subnet_id VARCHAR(36) NOT NULL REFERENCES subnets (id) ON DELETE CASCADE,
  first_ip VARCHAR(64) NOT NULL,
  last_ip VARCHAR(64) NOT NULL
);
CREATE INDEX ix_ipallocationpools_subnet_id ON ipallocationpools (subnet_id);

CREATE TABLE dnsnameservers (
  address VARCHAR(128) NOT NULL,
  subnet_id VARCHAR(36) NOT NULL REFERENCES subnets (id) ON DELETE CASCADE,
  "order" INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (address, subnet_id)
);

CREATE TABLE subnetroutes (
  destination VARCHAR(64) NOT NULL,
  nexthop VARCHAR(64) NOT NULL,
  subnet_id VARCHAR(36) NOT NULL REFERENCES subnets (id) ON DELETE CASCADE,
  PRIMARY KEY (destination, nexthop, subnet_id)
);

CREATE TABLE ports (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  network_id VARCHAR(36) NOT NULL REFERENCES networks (id),
  name VARCHAR(255) NOT NULL DEFAULT '',
  mac_address VARCHAR(32) NOT NULL,
  admin_state_up BOOLEAN NOT NULL,
  status VARCHAR(16) NOT NULL,
  device_id VARCHAR(255) NOT NULL DEFAULT '',
  device_owner VARCHAR(255) NOT NULL DEFAULT '',
  port_security_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  description VARCHAR(255) NOT NULL DEFAULT '',
  revision_number BIGINT NOT NULL DEFAULT 0,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL,
  CONSTRAINT uniq_ports0network_id0mac_address UNIQUE (network_id, mac_address)
);
CREATE INDEX ix_ports_network_id ON ports (network_id);
CREATE INDEX ix_ports_device_id ON ports (device_id);

CREATE TABLE ipallocations (
  port_id VARCHAR(36) REFERENCES ports (id) ON DELETE CASCADE,
  ip_address VARCHAR(64) NOT NULL,
  subnet_id VARCHAR(36) NOT NULL REFERENCES subnets (id),
  network_id VARCHAR(36) NOT NULL REFERENCES networks (id),
  PRIMARY KEY (ip_address, subnet_id)
);
CREATE INDEX ix_ipallocations_port_id ON ipallocations (port_id);
CREATE INDEX ix_ipallocations_subnet_id ON ipallocations (subnet_id);

CREATE TABLE allowedaddresspairs (
  port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
  mac_address VARCHAR(32) NOT NULL,
  ip_address VARCHAR(64) NOT NULL,
  PRIMARY KEY (port_id, mac_address, ip_address)
);

CREATE TABLE extradhcpopts (
  id VARCHAR(36) PRIMARY KEY,
  port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
  opt_name VARCHAR(64) NOT NULL,
  opt_value VARCHAR(255) NOT NULL,
  ip_version INTEGER NOT NULL DEFAULT 4,
  CONSTRAINT uniq_extradhcpopts0portid0optname0ipversion UNIQUE (port_id, opt_name, ip_version)
);

CREATE TABLE tags (
  resource_type VARCHAR(32) NOT NULL,
  resource_id VARCHAR(36) NOT NULL,
  tag VARCHAR(255) NOT NULL,
  PRIMARY KEY (resource_type, resource_id, tag)
);
CREATE INDEX ix_tags_tag ON tags (tag);

CREATE TABLE ml2_port_bindings (
  port_id VARCHAR(36) PRIMARY KEY REFERENCES ports (id) ON DELETE CASCADE,
  host VARCHAR(255) NOT NULL DEFAULT '',
  vnic_type VARCHAR(64) NOT NULL DEFAULT 'normal',
  profile VARCHAR(4095) NOT NULL DEFAULT '',
  vif_type VARCHAR(64) NOT NULL,
  vif_details VARCHAR(4095) NOT NULL DEFAULT ''
);

CREATE TABLE ml2_port_binding_levels (
  port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
  host VARCHAR(255) NOT NULL,
  level INTEGER NOT NULL,
  driver VARCHAR(64),
  segment_id VARCHAR(36) REFERENCES ml2_network_segments (id) ON DELETE SET NULL,
  PRIMARY KEY (port_id, host, level)
);

CREATE TABLE ml2_flat_allocations (
  physical_network VARCHAR(64) PRIMARY KEY
);
CREATE TABLE ml2_vlan_allocations (
  physical_network VARCHAR(64) NOT NULL,
  vlan_id INTEGER NOT NULL,
  allocated BOOLEAN NOT NULL,
  PRIMARY KEY (physical_network, vlan_id)
);
CREATE INDEX ix_ml2_vlan_allocations_free ON ml2_vlan_allocations (physical_network, allocated);
CREATE TABLE ml2_gre_allocations (
  gre_id BIGINT PRIMARY KEY,
  allocated BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX ix_ml2_gre_allocations_allocated ON ml2_gre_allocations (allocated);
CREATE TABLE ml2_vxlan_allocations (
  vxlan_vni BIGINT PRIMARY KEY,
  allocated BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX ix_ml2_vxlan_allocations_allocated ON ml2_vxlan_allocations (allocated);
CREATE TABLE ml2_gre_endpoints (
  ip_address VARCHAR(64) PRIMARY KEY,
  host VARCHAR(255) UNIQUE
);
CREATE TABLE ml2_vxlan_endpoints (
  ip_address VARCHAR(64) PRIMARY KEY,
  udp_port INTEGER NOT NULL DEFAULT 4789,
  host VARCHAR(255) UNIQUE
);

CREATE TABLE agents (
  id VARCHAR(36) PRIMARY KEY,
  agent_type VARCHAR(255) NOT NULL,
  "binary" VARCHAR(255) NOT NULL,
  topic VARCHAR(255) NOT NULL DEFAULT '',
  host VARCHAR(255) NOT NULL,
  admin_state_up BOOLEAN NOT NULL DEFAULT TRUE,
  created_at VARCHAR(32) NOT NULL,
  started_at VARCHAR(32) NOT NULL,
  heartbeat_timestamp VARCHAR(32) NOT NULL,
  description VARCHAR(255) NOT NULL DEFAULT '',
  configurations TEXT NOT NULL DEFAULT '{}',
  CONSTRAINT uniq_agents0agent_type0host UNIQUE (agent_type, host)
);
`,
  },
  {
    version: 2,
    name: 'per-project quotas',
    sql: `
CREATE TABLE quotas (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  resource VARCHAR(255) NOT NULL,
  "limit" INTEGER NOT NULL,
  CONSTRAINT uniq_quotas0project_id0resource UNIQUE (project_id, resource)
);
`,
  },
]

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS neutrino_schema_version (
  version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at VARCHAR(32) NOT NULL)`

export async function currentVersion(db: Db): Promise<number> {
  await db.exec(VERSION_TABLE)
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM neutrino_schema_version')
  return Number(row?.v ?? 0)
}

/**
 * Applies every missing migration, each in its own transaction. Safe to run from several server
 * processes at once: PostgreSQL takes an advisory lock; SQLite's BEGIN IMMEDIATE serialises writers.
 * Returns the versions applied.
 */
export async function upgrade(db: Db, now: () => Date = () => new Date()): Promise<number[]> {
  const applied: number[] = []
  await db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(7047)')
    // Under the lock: concurrent CREATE TABLE IF NOT EXISTS on PostgreSQL can fail on
    // pg_type_typname_nsp_index when two processes upgrade a fresh database at once.
    await tx.run(VERSION_TABLE)
    const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM neutrino_schema_version')
    const have = Number(row?.v ?? 0)
    for (const m of MIGRATIONS) {
      if (m.version <= have) continue
      for (const stmt of splitStatements(m.sql)) await tx.run(stmt)
      await tx.run('INSERT INTO neutrino_schema_version (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        now().toISOString(),
      ])
      applied.push(m.version)
    }
  })
  return applied
}

function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}
