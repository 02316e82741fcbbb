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
  {
    version: 3,
    name: 'L3: routers, router ports and routes, floating IPs',
    // neutron/db/models/l3.py (+ l3_gwmode_db enable_snat). gw_port_id is cleared rather than
    // dangling if its port goes; router ports and routes go with their router; a floating IP goes
    // with its external port (Neutron deletes the port and lets the cascade remove the row).
    sql: `
CREATE TABLE routers (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  status VARCHAR(16) NOT NULL,
  admin_state_up BOOLEAN NOT NULL,
  gw_port_id VARCHAR(36) REFERENCES ports (id) ON DELETE SET NULL,
  enable_snat BOOLEAN NOT NULL DEFAULT TRUE,
  flavor_id VARCHAR(36),
  description VARCHAR(255) NOT NULL DEFAULT '',
  revision_number BIGINT NOT NULL DEFAULT 0,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL
);
CREATE INDEX ix_routers_project_id ON routers (project_id);

CREATE TABLE routerports (
  router_id VARCHAR(36) NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
  port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
  port_type VARCHAR(255),
  PRIMARY KEY (router_id, port_id),
  CONSTRAINT uniq_routerports0port_id UNIQUE (port_id)
);

CREATE TABLE routerroutes (
  destination VARCHAR(64) NOT NULL,
  nexthop VARCHAR(64) NOT NULL,
  router_id VARCHAR(36) NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
  PRIMARY KEY (destination, nexthop, router_id)
);

CREATE TABLE floatingips (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  floating_ip_address VARCHAR(64) NOT NULL,
  floating_network_id VARCHAR(36) NOT NULL,
  floating_port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
  fixed_port_id VARCHAR(36) REFERENCES ports (id),
  fixed_ip_address VARCHAR(64),
  router_id VARCHAR(36) REFERENCES routers (id),
  last_known_router_id VARCHAR(36),
  status VARCHAR(16),
  description VARCHAR(255) NOT NULL DEFAULT '',
  revision_number BIGINT NOT NULL DEFAULT 0,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL,
  CONSTRAINT uniq_floatingips0floatingnetworkid0fixedportid0fixedipaddress UNIQUE (floating_network_id, fixed_port_id, fixed_ip_address)
);
CREATE INDEX ix_floatingips_project_id ON floatingips (project_id);
CREATE INDEX ix_floatingips_fixed_port_id ON floatingips (fixed_port_id);
CREATE INDEX ix_floatingips_router_id ON floatingips (router_id);
`,
  },
  {
    version: 4,
    name: 'subnet pools',
    // neutron/db/models_v2.py SubnetPool / SubnetPoolPrefix (standard attributes inline, as for the
    // other tables). `hash` is the compare-and-swap token subnet allocation takes (subnet_alloc
    // _lock_subnetpool). At most one default pool per IP version: Neutron checks that in Python
    // only; the partial unique index also settles two concurrent creates.
    sql: `
CREATE TABLE subnetpools (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  name VARCHAR(255),
  ip_version INTEGER NOT NULL,
  default_prefixlen INTEGER NOT NULL,
  min_prefixlen INTEGER NOT NULL,
  max_prefixlen INTEGER NOT NULL,
  shared BOOLEAN NOT NULL DEFAULT FALSE,
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  default_quota INTEGER,
  hash VARCHAR(36) NOT NULL DEFAULT '',
  address_scope_id VARCHAR(36),
  description VARCHAR(255) NOT NULL DEFAULT '',
  revision_number BIGINT NOT NULL DEFAULT 0,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL
);
CREATE INDEX ix_subnetpools_project_id ON subnetpools (project_id);
CREATE INDEX ix_subnetpools_address_scope_id ON subnetpools (address_scope_id);
CREATE UNIQUE INDEX uniq_subnetpools0ip_version0is_default ON subnetpools (ip_version) WHERE is_default;

CREATE TABLE subnetpoolprefixes (
  cidr VARCHAR(64) NOT NULL,
  subnetpool_id VARCHAR(36) NOT NULL REFERENCES subnetpools (id) ON DELETE CASCADE,
  PRIMARY KEY (cidr, subnetpool_id)
);

CREATE INDEX ix_subnets_subnetpool_id ON subnets (subnetpool_id);
`,
  },
  {
    version: 5,
    name: 'security groups',
    // neutron/db/models/securitygroup.py (standard attributes inline). A rule goes with its group
    // and with the group it names as remote_group_id; a port binding goes with its port or group.
    // default_security_group's primary key (project_id) lets exactly one of two concurrent first
    // requests of a project create its default group (_ensure_default_security_group). Rule
    // descriptions stay NULL for the rules Neutron creates itself (default and egress rules).
    sql: `
CREATE TABLE securitygroups (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  stateful BOOLEAN NOT NULL DEFAULT TRUE,
  description VARCHAR(255) NOT NULL DEFAULT '',
  revision_number BIGINT NOT NULL DEFAULT 0,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL
);
CREATE INDEX ix_securitygroups_project_id ON securitygroups (project_id);

CREATE TABLE securitygrouprules (
  id VARCHAR(36) PRIMARY KEY,
  project_id VARCHAR(255) NOT NULL,
  security_group_id VARCHAR(36) NOT NULL REFERENCES securitygroups (id) ON DELETE CASCADE,
  remote_group_id VARCHAR(36) REFERENCES securitygroups (id) ON DELETE CASCADE,
  direction VARCHAR(16) NOT NULL,
  ethertype VARCHAR(40) NOT NULL,
  protocol VARCHAR(40),
  port_range_min INTEGER,
  port_range_max INTEGER,
  remote_ip_prefix VARCHAR(255),
  description VARCHAR(255),
  revision_number BIGINT NOT NULL DEFAULT 0,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL
);
CREATE INDEX ix_securitygrouprules_project_id ON securitygrouprules (project_id);
CREATE INDEX ix_securitygrouprules_security_group_id ON securitygrouprules (security_group_id);
CREATE INDEX ix_securitygrouprules_remote_group_id ON securitygrouprules (remote_group_id);

CREATE TABLE securitygroupportbindings (
  port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
  security_group_id VARCHAR(36) NOT NULL REFERENCES securitygroups (id) ON DELETE CASCADE,
  PRIMARY KEY (port_id, security_group_id)
);
CREATE INDEX ix_securitygroupportbindings_security_group_id ON securitygroupportbindings (security_group_id);

CREATE TABLE default_security_group (
  project_id VARCHAR(255) PRIMARY KEY,
  security_group_id VARCHAR(36) NOT NULL REFERENCES securitygroups (id) ON DELETE CASCADE
);
`,
  },
  {
    version: 6,
    name: 'covering indexes for port list keys and free segment ids',
    // Port lists read (id, revision_number) of every visible port first and take the rest from the
    // per-revision dict cache (ml2/port-ops.ts): this index answers that read without touching the
    // table (6.2 → 3.1 ms for 5,000 ports on SQLite). Tenant segment allocation reads up to 100
    // free ids (segment-allocator.ts allocatePartial): with the id in the index that read is
    // index-only too (66 → 40 µs on a 100,000-id VXLAN pool).
    sql: `
CREATE INDEX ix_ports_id_revision_number ON ports (id, revision_number);
CREATE INDEX ix_ml2_vxlan_allocations_free_ids ON ml2_vxlan_allocations (allocated, vxlan_vni);
CREATE INDEX ix_ml2_gre_allocations_free_ids ON ml2_gre_allocations (allocated, gre_id);
CREATE INDEX ix_ml2_vlan_allocations_free_ids ON ml2_vlan_allocations (physical_network, allocated, vlan_id);
DROP INDEX ix_ml2_vxlan_allocations_allocated;
DROP INDEX ix_ml2_gre_allocations_allocated;
DROP INDEX ix_ml2_vlan_allocations_free;
`,
  },
  {
    version: 7,
    name: 'one index per lookup shape on ipallocations and ports',
    // A port create asks "which of these addresses are taken on this subnet" and "is this MAC used
    // on this network". With a single-column index next to the composite one, PostgreSQL's plan
    // for a prepared statement picked the single column while the planner's row estimates were
    // small (a table that grew since its last ANALYZE), then filtered every allocation of the
    // subnet: 424 and 225 µs per port at 3,000 ports on one /16, growing with the table. Now
    // each lookup has one index that serves it: (subnet_id, ip_address) also answers subnet_id
    // alone, and ports' UNIQUE (network_id, mac_address) answers network_id alone.
    sql: `
CREATE INDEX ix_ipallocations_subnet_id_ip_address ON ipallocations (subnet_id, ip_address);
DROP INDEX ix_ipallocations_subnet_id;
DROP INDEX ix_ports_network_id;
`,
  },
  {
    version: 8,
    name: 'member lists by index: ports by project, shared and external networks',
    // A member's port list is scoped `project_id = ? OR network_id IN (its networks)`; without an
    // index on project_id that was a scan of every project's ports (issue 15: 8-12x slower with
    // 10,000 ports of other projects). Its network list is `project_id = ? OR shared OR
    // router_external`: each side of either OR now has an index, so neither scans the others' rows.
    sql: `
CREATE INDEX ix_ports_project_id ON ports (project_id);
CREATE INDEX ix_networks_shared ON networks (shared);
CREATE INDEX ix_networks_router_external ON networks (router_external);
`,
  },
  {
    version: 9,
    name: 'agent RPC: provisioning blocks, tunnel endpoints, agents resource_versions',
    // provisioningblocks (neutron/db/models/provisioning_block.py) keyed by port id instead of
    // standard_attr_id: only ports carry blocks here. Tunnel endpoints per type as Neutron's
    // ml2_{vxlan,gre,geneve}_endpoints (type_tunnel.py): one row per IP, the host that owns it.
    // agents.resource_versions holds the OVO versions an agent reported (agents_db), so every
    // server learns which versions to push, even for agents that reported to another server.
    sql: `
CREATE TABLE provisioningblocks (
  port_id VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
  entity VARCHAR(255) NOT NULL,
  PRIMARY KEY (port_id, entity)
);
CREATE TABLE ml2_tunnel_endpoints (
  tunnel_type VARCHAR(32) NOT NULL,
  ip_address VARCHAR(64) NOT NULL,
  udp_port INTEGER,
  host VARCHAR(255),
  PRIMARY KEY (tunnel_type, ip_address)
);
CREATE INDEX ix_ml2_tunnel_endpoints_host ON ml2_tunnel_endpoints (tunnel_type, host);
ALTER TABLE agents ADD COLUMN resource_versions TEXT;
`,
  },
  {
    version: 10,
    name: 'opendaylight journal (networking-odl V2 tables)',
    // networking-odl's opendaylightjournal / opendaylight_journal_deps / opendaylight_periodic_task
    // (db/models.py), plus: next_attempt (ms epoch: per-row backoff instead of a sleeping thread),
    // lock_owner (the server that claimed the row), created_at (journal age for operators) and
    // opendaylight_journal_parents (the ids a row refers to, so a parent's delete waits for its
    // children's rows). seqnum comes from a one-row counter updated in the recording transaction,
    // so seqnum order is commit order for rows of conflicting transactions. deps.depends_on has no
    // foreign key on purpose: a row may complete (and be deleted) while a transaction records a
    // row depending on it; a dangling edge joins nothing, so it blocks nothing (maintenance
    // removes it), where a foreign key would fail that API request.
    sql: `
CREATE TABLE opendaylightjournal (
  seqnum BIGINT PRIMARY KEY,
  object_type VARCHAR(36) NOT NULL,
  object_uuid VARCHAR(36) NOT NULL,
  operation VARCHAR(36) NOT NULL,
  data TEXT NOT NULL,
  state VARCHAR(16) NOT NULL DEFAULT 'pending',
  retry_count INTEGER NOT NULL DEFAULT 0,
  last_retried BIGINT NOT NULL,
  next_attempt BIGINT NOT NULL DEFAULT 0,
  version_id INTEGER NOT NULL DEFAULT 1,
  lock_owner VARCHAR(64),
  last_error VARCHAR(255),
  created_at BIGINT NOT NULL
);
CREATE INDEX ix_opendaylightjournal_state_seqnum ON opendaylightjournal (state, seqnum);
CREATE INDEX ix_opendaylightjournal_object_uuid ON opendaylightjournal (object_uuid);
CREATE TABLE opendaylight_journal_deps (
  depends_on BIGINT NOT NULL,
  dependent BIGINT NOT NULL REFERENCES opendaylightjournal (seqnum) ON DELETE CASCADE,
  PRIMARY KEY (depends_on, dependent)
);
CREATE INDEX ix_opendaylight_journal_deps_dependent ON opendaylight_journal_deps (dependent);
CREATE TABLE opendaylight_journal_parents (
  seqnum BIGINT NOT NULL REFERENCES opendaylightjournal (seqnum) ON DELETE CASCADE,
  parent_uuid VARCHAR(36) NOT NULL,
  PRIMARY KEY (seqnum, parent_uuid)
);
CREATE INDEX ix_opendaylight_journal_parents_parent ON opendaylight_journal_parents (parent_uuid);
CREATE TABLE opendaylight_journal_seq (
  id INTEGER PRIMARY KEY,
  last_seqnum BIGINT NOT NULL
);
INSERT INTO opendaylight_journal_seq (id, last_seqnum) VALUES (1, 0);
CREATE TABLE opendaylight_periodic_task (
  task VARCHAR(64) PRIMARY KEY,
  state VARCHAR(16) NOT NULL,
  lock_owner VARCHAR(64),
  lock_updated BIGINT NOT NULL
);
INSERT INTO opendaylight_periodic_task (task, state, lock_updated) VALUES ('maintenance', 'pending', 0);
INSERT INTO opendaylight_periodic_task (task, state, lock_updated) VALUES ('hostconfig', 'pending', 0)
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
