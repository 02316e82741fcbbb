/** SQL for subnets and their pools, DNS servers and host routes. */
import type { Dialect, Queryable, Row, Tx } from '../engine.js'
import { selectPlanned, type FilterColumns, type RowPlan } from './row-query.js'
import { groupBy } from './networks.js'

export interface SubnetRow {
  id: string
  project_id: string
  network_id: string
  name: string
  ip_version: number
  cidr: string
  gateway_ip: string | null
  enable_dhcp: boolean
  ipv6_ra_mode: string | null
  ipv6_address_mode: string | null
  subnetpool_id: string | null
  description: string
  revision_number: number
  created_at: string
  updated_at: string
}

export interface SubnetChildren {
  pools: Array<{ start: string; end: string }>
  dns: string[]
  routes: Array<{ destination: string; nexthop: string }>
}

const COLS =
  'id, project_id, network_id, name, ip_version, cidr, gateway_ip, enable_dhcp, ipv6_ra_mode, ipv6_address_mode, subnetpool_id, description, revision_number, created_at, updated_at'

/** A new subnet and its pools, DNS servers and routes (deferred writes). */
export function insertSubnet(tx: Tx, s: SubnetRow, c: SubnetChildren, newId: () => string): void {
  tx.defer(`INSERT INTO subnets (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    s.id, s.project_id, s.network_id, s.name, s.ip_version, s.cidr, s.gateway_ip, s.enable_dhcp,
    s.ipv6_ra_mode, s.ipv6_address_mode, s.subnetpool_id, s.description, s.revision_number, s.created_at, s.updated_at,
  ])
  writeChildren(tx, s.id, c, newId, false)
}

/** The children given (pools, DNS servers, routes), replacing the subnet's current ones when `replace`. */
export function writeChildren(tx: Tx, id: string, c: Partial<SubnetChildren>, newId: () => string, replace = true): void {
  if (c.pools) {
    if (replace) tx.defer('DELETE FROM ipallocationpools WHERE subnet_id = ?', [id])
    for (const p of c.pools) {
      tx.defer('INSERT INTO ipallocationpools (id, subnet_id, first_ip, last_ip) VALUES (?, ?, ?, ?)', [newId(), id, p.start, p.end])
    }
  }
  if (c.dns) {
    if (replace) tx.defer('DELETE FROM dnsnameservers WHERE subnet_id = ?', [id])
    for (let i = 0; i < c.dns.length; i++) {
      tx.defer('INSERT INTO dnsnameservers (address, subnet_id, "order") VALUES (?, ?, ?)', [c.dns[i]!, id, i])
    }
  }
  if (c.routes) {
    if (replace) tx.defer('DELETE FROM subnetroutes WHERE subnet_id = ?', [id])
    for (const r of c.routes) {
      tx.defer('INSERT INTO subnetroutes (destination, nexthop, subnet_id) VALUES (?, ?, ?)', [r.destination, r.nexthop, id])
    }
  }
}

export async function getSubnetRow(q: Queryable, id: string): Promise<SubnetRow | undefined> {
  const r = await q.get<Row>(`SELECT ${COLS} FROM subnets WHERE id = ?`, [id])
  return r ? normalize(r) : undefined
}

export async function subnetRowsByNetwork(q: Queryable, networkId: string): Promise<SubnetRow[]> {
  return (await q.all<Row>(`SELECT ${COLS} FROM subnets WHERE network_id = ? ORDER BY created_at, id`, [networkId])).map(normalize)
}

export async function listSubnetRows(q: Queryable, networkIds: string[] | null): Promise<SubnetRow[]> {
  if (networkIds !== null && networkIds.length === 0) return []
  const rows =
    networkIds === null
      ? await q.all<Row>(`SELECT ${COLS} FROM subnets`)
      : await q.all<Row>(`SELECT ${COLS} FROM subnets WHERE network_id IN (${networkIds.map(() => '?').join(',')})`, networkIds)
  return rows.map(normalize)
}

/** The API attributes that filter subnets as plain NOT NULL columns (row-query.ts). */
export const SUBNET_FILTER_COLUMNS: FilterColumns = {
  id: { column: 'id', kind: 'string' },
  name: { column: 'name', kind: 'string' },
  network_id: { column: 'network_id', kind: 'string' },
  description: { column: 'description', kind: 'string' },
  project_id: { column: 'project_id', kind: 'string' },
  tenant_id: { column: 'project_id', kind: 'string' },
  enable_dhcp: { column: 'enable_dhcp', kind: 'boolean' },
}

/**
 * The subnets a list request selects (row-query.ts), within what a project may list: the
 * subnets of the networks it may see (its own, shared, external); undefined: all.
 */
export async function listSubnetRowsPlanned(
  q: Queryable,
  dialect: Dialect,
  projectId: string | undefined,
  plan: RowPlan,
): Promise<{ rows: SubnetRow[]; markerFound: boolean }> {
  const scope = projectId === undefined
    ? null
    : { sql: 't.network_id IN (SELECT n.id FROM networks n WHERE n.project_id = ? OR n.shared = ? OR n.router_external = ?)', params: [projectId, true, true] }
  const { rows, markerFound } = await selectPlanned(q, dialect, 'subnets', COLS, scope, plan)
  return { rows: rows.map(normalize), markerFound }
}

export function updateSubnetRow(tx: Tx, id: string, changes: Partial<SubnetRow>): void {
  const keys = Object.keys(changes) as (keyof SubnetRow)[]
  if (!keys.length) return
  tx.defer(`UPDATE subnets SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => changes[k] as any), id])
}

export function deleteSubnetRow(tx: Tx, id: string): void {
  tx.defer("DELETE FROM tags WHERE resource_type = 'subnets' AND resource_id = ?", [id])
  tx.defer('DELETE FROM subnets WHERE id = ?', [id])
}

/** Pools, DNS servers and routes for the given subnets (null = all), one query per table. */
export async function subnetChildren(q: Queryable, ids: string[] | null): Promise<Map<string, SubnetChildren>> {
  const where = ids === null ? '' : ` WHERE subnet_id IN (${ids.map(() => '?').join(',')})`
  const params = ids ?? []
  if (ids !== null && ids.length === 0) return new Map()
  const [pools, dns, routes] = await Promise.all([
    q.all<Row>(`SELECT subnet_id, first_ip, last_ip FROM ipallocationpools${where} ORDER BY id`, params),
    q.all<Row>(`SELECT subnet_id, address FROM dnsnameservers${where} ORDER BY "order"`, params),
    q.all<Row>(`SELECT subnet_id, destination, nexthop FROM subnetroutes${where}`, params),
  ])
  const p = groupBy(pools, 'subnet_id', (r) => ({ start: r.first_ip as string, end: r.last_ip as string }))
  const d = groupBy(dns, 'subnet_id', (r) => r.address as string)
  const rt = groupBy(routes, 'subnet_id', (r) => ({ destination: r.destination as string, nexthop: r.nexthop as string }))
  const out = new Map<string, SubnetChildren>()
  const keys = ids ?? [...new Set([...p.keys(), ...d.keys(), ...rt.keys()])]
  for (const id of keys) out.set(id, { pools: p.get(id) ?? [], dns: d.get(id) ?? [], routes: rt.get(id) ?? [] })
  return out
}

function normalize(r: Row): SubnetRow {
  return {
    ...(r as SubnetRow),
    ip_version: Number(r.ip_version),
    enable_dhcp: !!r.enable_dhcp,
    revision_number: Number(r.revision_number),
  }
}
