/**
 * Shared pieces of the migrate-to-ml2 functional tests: database engines started by the tests
 * (SQLite files in a temp dir, a private PostgreSQL, a private MariaDB), running the CLI entry
 * point with captured output, and the expected API view of a fixture.
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
    return b ? { type: b.network_type as string, physnet: (b.physical_network as string) ?? null, segid: (b.segmentation_id as number) ?? null } : { type: null, physnet: null, segid: null }
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
    }
  })
  return { networks: sortBy(networks, (n) => String(n.id)), subnets: sortBy(subnets, (s) => String(s.id)), ports: sortBy(ports, (p) => String(p.id)) }
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
