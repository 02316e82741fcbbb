/**
 * Shared pieces of the migrate-to-ml2 functional tests: database engines started by the tests
 * (SQLite files in a temp dir, a private PostgreSQL, a private MariaDB), running the CLI entry
 * point with captured output, and the expected API view of a fixture (core resources, then
 * routers, floating IPs, security groups and their rules, agents and quotas).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMigrateToMl2 } from '../../../src/cli/migrate.js'
import type { Fixture, Row } from '../../fixtures/migration/fixtures.js'
import { mariaSkipReason, startMariaDb } from '../../fixtures/migration/mariadb.js'
import { pgSkipReason, startPostgres } from '../../helpers/postgres.js'

export type EngineName = 'sqlite' | 'postgres' | 'mariadb'

export interface Engine {
  name: EngineName
  /** A fresh, empty database URL. */
  newDb(label: string): Promise<string>
  stop(): Promise<void>
}

let counter = 0

export function engineSkip(name: EngineName): string | undefined {
  if (name === 'postgres') return pgSkipReason()
  if (name === 'mariadb') return mariaSkipReason()
  return undefined
}

export async function startEngine(name: EngineName): Promise<Engine> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'neutrino-mig-'))
    return { name, newDb: async (l) => `sqlite:///${join(dir, `${l}-${++counter}.db`)}`, stop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  if (name === 'postgres') {
    const pg = startPostgres()
    return { name, newDb: async (l) => pg.createDatabase(`${l}_${++counter}`), stop: async () => pg.stop() }
  }
  const m = await startMariaDb()
  return { name, newDb: (l) => m.createDatabase(`${l}_${++counter}`), stop: () => m.stop() }
}

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export async function cli(args: string[], isTTY = false): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await runMigrateToMl2(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY })
  return { code, stdout, stderr }
}

export function migrateArgs(f: Fixture, source: string, target?: string, extra: string[] = []): string[] {
  return [f.plugin, source, ...(target ? ['--target', target] : []), ...(f.tunnelType ? ['--tunnel-type', f.tunnelType] : []), ...extra]
}

/** provider:* of a network as the source's binding table says. */
export function providerOf(f: Fixture, networkId: string): { type: string | null; physnet: string | null; segid: number | null } {
  if (f.plugin === 'openvswitch') {
    const b = (f.rows.ovs_network_bindings ?? []).find((r) => r.network_id === networkId)
    return b ? { type: b.network_type as string, physnet: (b.physical_network as string) ?? null, segid: b.network_type === 'flat' ? null : (b.segmentation_id as number) ?? null } : { type: null, physnet: null, segid: null }
  }
  const b = (f.rows.network_bindings ?? []).find((r) => r.network_id === networkId)
  if (!b) return { type: null, physnet: null, segid: null }
  const v = b.vlan_id as number
  return v === -2 ? { type: 'local', physnet: (b.physical_network as string) ?? null, segid: null } : v === -1 ? { type: 'flat', physnet: b.physical_network as string, segid: null } : { type: 'vlan', physnet: b.physical_network as string, segid: v }
}

const MTU: Record<string, number> = { gre: 1458, vxlan: 1450 }
const sortBy = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
const rows = (f: Fixture, t: string): Row[] => f.rows[t] ?? []

/** What GET /v2.0/networks, subnets and ports must show for the fixture, field by field. */
export function expectedApi(f: Fixture) {
  const networks = rows(f, 'networks').map((n) => {
    const p = providerOf(f, n.id as string)
    return {
      id: n.id,
      name: n.name ?? '',
      tenant_id: n.tenant_id ?? '',
      status: n.status,
      admin_state_up: !!n.admin_state_up,
      shared: !!n.shared,
      'router:external': rows(f, 'externalnetworks').some((e) => e.network_id === n.id),
      mtu: (p.type && MTU[p.type]) || 1500,
      'provider:network_type': p.type,
      'provider:physical_network': p.physnet,
      'provider:segmentation_id': p.segid,
      subnets: rows(f, 'subnets').filter((s) => s.network_id === n.id).map((s) => s.id).sort(),
      port_security_enabled: true,
    }
  })
  const subnets = rows(f, 'subnets').map((s) => ({
    id: s.id,
    name: s.name ?? '',
    network_id: s.network_id,
    tenant_id: s.tenant_id ?? '',
    ip_version: s.ip_version,
    cidr: s.cidr,
    gateway_ip: s.gateway_ip,
    enable_dhcp: !!s.enable_dhcp,
    ipv6_ra_mode: s.ipv6_ra_mode ?? null,
    ipv6_address_mode: s.ipv6_address_mode ?? null,
    allocation_pools: sortBy(rows(f, 'ipallocationpools').filter((p) => p.subnet_id === s.id).map((p) => ({ start: p.first_ip, end: p.last_ip })), (p) => String(p.start)),
    dns_nameservers: rows(f, 'dnsnameservers').filter((d) => d.subnet_id === s.id).map((d) => d.address).sort(),
    host_routes: sortBy(rows(f, 'subnetroutes').filter((r) => r.subnet_id === s.id).map((r) => ({ destination: r.destination, nexthop: r.nexthop })), (r) => `${r.destination} ${r.nexthop}`),
  }))
  const vif = f.plugin === 'openvswitch' ? 'ovs' : 'bridge'
  const ports = rows(f, 'ports').map((p) => {
    const host = (rows(f, 'portbindingports').find((b) => b.port_id === p.id)?.host as string | undefined) ?? ''
    return {
      id: p.id,
      name: p.name ?? '',
      network_id: p.network_id,
      tenant_id: p.tenant_id ?? '',
      mac_address: p.mac_address,
      admin_state_up: !!p.admin_state_up,
      status: p.status,
      device_id: p.device_id,
      device_owner: p.device_owner,
      fixed_ips: sortBy(rows(f, 'ipallocations').filter((a) => a.port_id === p.id).map((a) => ({ subnet_id: a.subnet_id, ip_address: a.ip_address })), (a) => `${a.subnet_id} ${a.ip_address}`),
      allowed_address_pairs: sortBy(rows(f, 'allowedaddresspairs').filter((a) => a.port_id === p.id).map((a) => ({ ip_address: a.ip_address, mac_address: a.mac_address })), (a) => String(a.ip_address)),
      extra_dhcp_opts: sortBy(rows(f, 'extradhcpopts').filter((o) => o.port_id === p.id).map((o) => ({ opt_name: o.opt_name, opt_value: o.opt_value, ip_version: 4 })), (o) => String(o.opt_name)),
      'binding:host_id': host,
      'binding:vif_type': host ? vif : 'unbound',
      'binding:vnic_type': 'normal',
      'binding:profile': {},
      'binding:vif_details': {},
      port_security_enabled: true,
      security_groups: rows(f, 'securitygroupportbindings').filter((b) => b.port_id === p.id).map((b) => b.security_group_id).sort(),
    }
  })
  return { networks: sortBy(networks, (n) => String(n.id)), subnets: sortBy(subnets, (s) => String(s.id)), ports: sortBy(ports, (p) => String(p.id)) }
}

/** Neutrino's form of an agent DateTime: seconds, a space (db/resources/agents.ts agentTime). */
const agentTime = (v: unknown) => String(v).replace('T', ' ').slice(0, 19)

/**
 * What GET /v2.0/routers, floatingips, security-groups, security-group-rules and agents must show
 * for the fixture: the source's columns, standard attributes at their migration defaults.
 * Security groups list their rule ids (sorted) in `security_group_rules`.
 */
export function expectedExtensions(f: Fixture) {
  const ports = new Map(rows(f, 'ports').map((p) => [p.id, p]))
  const routers = rows(f, 'routers').map((r) => {
    const gw = r.gw_port_id ? ports.get(r.gw_port_id)! : undefined
    return {
      id: r.id,
      name: r.name ?? '',
      tenant_id: r.tenant_id ?? '',
      admin_state_up: r.admin_state_up ?? true,
      status: r.status ?? 'ACTIVE',
      external_gateway_info: gw
        ? {
            network_id: gw.network_id,
            enable_snat: !!r.enable_snat,
            external_fixed_ips: rows(f, 'ipallocations').filter((a) => a.port_id === gw.id).map((a) => ({ subnet_id: a.subnet_id, ip_address: a.ip_address })),
          }
        : null,
      routes: sortBy(rows(f, 'routerroutes').filter((x) => x.router_id === r.id).map((x) => ({ destination: x.destination, nexthop: x.nexthop })), (x) => `${x.destination} ${x.nexthop}`),
      description: '',
      revision_number: 0,
    }
  })
  const havana = f.release === 'havana'
  const floatingips = rows(f, 'floatingips').map((x) => {
    const fixed = x.fixed_port_id ? ports.get(x.fixed_port_id)! : undefined
    return {
      id: x.id,
      tenant_id: x.tenant_id ?? '',
      floating_ip_address: x.floating_ip_address,
      floating_network_id: x.floating_network_id,
      router_id: x.router_id,
      port_id: x.fixed_port_id,
      fixed_ip_address: x.fixed_ip_address,
      // Havana has no status column; NULL (never reported) is DOWN.
      status: havana ? 'DOWN' : (x.status ?? 'DOWN'),
      description: '',
      revision_number: 0,
      port_details: fixed
        ? { name: fixed.name ?? '', network_id: fixed.network_id, mac_address: fixed.mac_address, admin_state_up: !!fixed.admin_state_up, status: fixed.status, device_id: fixed.device_id, device_owner: fixed.device_owner }
        : null,
    }
  })
  const security_groups = rows(f, 'securitygroups').map((g) => ({
    id: g.id,
    name: g.name ?? '',
    tenant_id: g.tenant_id ?? '',
    description: g.description ?? '',
    stateful: true,
    security_group_rules: rows(f, 'securitygrouprules').filter((r) => r.security_group_id === g.id).map((r) => r.id).sort(),
    revision_number: 0,
  }))
  const security_group_rules = rows(f, 'securitygrouprules').map((r) => ({
    id: r.id,
    tenant_id: r.tenant_id ?? '',
    security_group_id: r.security_group_id,
    remote_group_id: r.remote_group_id,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix,
    description: '',
    revision_number: 0,
  }))
  const agents = rows(f, 'agents').map((a) => ({
    id: a.id,
    agent_type: a.agent_type,
    binary: a.binary,
    topic: a.topic,
    host: a.host,
    admin_state_up: !!a.admin_state_up,
    created_at: agentTime(a.created_at),
    started_at: agentTime(a.started_at),
    heartbeat_timestamp: agentTime(a.heartbeat_timestamp),
    description: a.description ?? '',
    configurations: JSON.parse(String(a.configurations)),
    alive: false,
  }))
  const byId = <T extends { id: unknown }>(xs: T[]) => sortBy(xs, (x) => String(x.id))
  return { routers: byId(routers), floatingips: byId(floatingips), security_groups: byId(security_groups), security_group_rules: byId(security_group_rules), agents: byId(agents) }
}

/** Each project's quota limits the source set, for the resources Neutrino counts. */
export function expectedQuotas(f: Fixture, known: readonly string[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>()
  for (const q of rows(f, 'quotas')) {
    if (!known.includes(String(q.resource))) continue
    const m = out.get(String(q.tenant_id)) ?? {}
    m[String(q.resource)] = Number(q.limit)
    out.set(String(q.tenant_id), m)
  }
  return out
}

/** The same fields, read through the API, lists sorted like expectedApi sorts them. */
export function pickLike<T extends Record<string, unknown>>(expected: T[], actual: any[], listKeys: Record<string, (x: any) => string>): any[] {
  const byId = new Map(actual.map((a) => [a.id, a]))
  return expected.map((e) => {
    const a = byId.get(e.id)
    if (!a) return { id: e.id, missing: true }
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(e)) {
      let v = a[k]
      if (Array.isArray(v) && listKeys[k]) v = sortBy(v, listKeys[k]!)
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) v = [...v].sort()
      out[k] = v
    }
    return out
  })
}

export const LIST_KEYS: Record<string, (x: any) => string> = {
  allocation_pools: (p) => String(p.start),
  host_routes: (r) => `${r.destination} ${r.nexthop}`,
  fixed_ips: (a) => `${a.subnet_id} ${a.ip_address}`,
  allowed_address_pairs: (a) => String(a.ip_address),
  extra_dhcp_opts: (o) => String(o.opt_name),
}
