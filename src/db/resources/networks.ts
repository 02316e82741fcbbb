/** SQL for the networks table and the rows that hang off a network (subnet ids, tags). */
import type { Dialect, Queryable, Row, Tx } from '../engine.js'
import { selectPlanned, type FilterColumns, type RowPlan } from './row-query.js'

/**
 * Query scoping as Neutron's default policy does it (model_query): admins see every network,
 * others their own, shared and external ones. Lookups made on behalf of a caller use it so that a
 * network it may not see answers exactly as a random id (no existence oracle).
 */
export function networkVisibleTo(ctx: { readonly isAdmin: boolean; readonly projectId: string }, row: Pick<NetworkRow, 'project_id' | 'shared' | 'router_external'>): boolean {
  return ctx.isAdmin || row.project_id === ctx.projectId || row.shared || row.router_external
}

export interface NetworkRow {
  id: string
  project_id: string
  name: string
  status: string
  admin_state_up: boolean
  shared: boolean
  router_external: boolean
  port_security_enabled: boolean
  mtu: number
  availability_zone_hints: string
  description: string
  revision_number: number
  created_at: string
  updated_at: string
}

const COLS =
  'id, project_id, name, status, admin_state_up, shared, router_external, port_security_enabled, mtu, availability_zone_hints, description, revision_number, created_at, updated_at'

export function insertNetwork(tx: Tx, n: NetworkRow): void {
  tx.defer(`INSERT INTO networks (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    n.id, n.project_id, n.name, n.status, n.admin_state_up, n.shared, n.router_external,
    n.port_security_enabled, n.mtu, n.availability_zone_hints, n.description, n.revision_number,
    n.created_at, n.updated_at,
  ])
}

export async function getNetworkRow(q: Queryable, id: string, forUpdate = false): Promise<NetworkRow | undefined> {
  const lock = forUpdate && (q as any).dialect === 'postgres' ? ' FOR UPDATE' : ''
  const r = await q.get<Row>(`SELECT ${COLS} FROM networks WHERE id = ?${lock}`, [id])
  return r ? normalize(r) : undefined
}

/** All networks, or those of the given projects plus shared ones (policy scoping in SQL). */
export async function listNetworkRows(q: Queryable, scope: { projectId?: string; ids?: string[] }): Promise<NetworkRow[]> {
  let rows: Row[]
  if (scope.ids) {
    if (scope.ids.length === 0) return []
    rows = await q.all(`SELECT ${COLS} FROM networks WHERE id IN (${scope.ids.map(() => '?').join(',')})`, scope.ids)
  } else if (scope.projectId !== undefined) {
    rows = await q.all(`SELECT ${COLS} FROM networks WHERE project_id = ? OR shared = ? OR router_external = ?`, [
      scope.projectId, true, true,
    ])
  } else {
    rows = await q.all(`SELECT ${COLS} FROM networks`)
  }
  return rows.map(normalize)
}

/** The API attributes that filter networks as plain columns (src/db/resources/row-query.ts). */
export const NETWORK_FILTER_COLUMNS: FilterColumns = {
  id: { column: 'id', kind: 'string' },
  name: { column: 'name', kind: 'string' },
  status: { column: 'status', kind: 'string' },
  description: { column: 'description', kind: 'string' },
  project_id: { column: 'project_id', kind: 'string' },
  tenant_id: { column: 'project_id', kind: 'string' },
  admin_state_up: { column: 'admin_state_up', kind: 'boolean' },
  shared: { column: 'shared', kind: 'boolean' },
  'router:external': { column: 'router_external', kind: 'boolean' },
  port_security_enabled: { column: 'port_security_enabled', kind: 'boolean' },
}

/**
 * The networks a list request selects, planned in SQL (row-query.ts), within the caller's scope
 * (a project: its own, shared and external ones; undefined: all). `markerFound` is false when the
 * plan pages and the marker is not among the selected networks.
 */
export async function listNetworkRowsPlanned(
  q: Queryable,
  dialect: Dialect,
  projectId: string | undefined,
  plan: RowPlan,
): Promise<{ rows: NetworkRow[]; markerFound: boolean }> {
  const scope = projectId === undefined ? null : { sql: 't.project_id = ? OR t.shared = ? OR t.router_external = ?', params: [projectId, true, true] }
  const { rows, markerFound } = await selectPlanned(q, dialect, 'networks', COLS, scope, plan)
  return { rows: rows.map(normalize), markerFound }
}

export function updateNetworkRow(tx: Tx, id: string, changes: Partial<NetworkRow>): void {
  const keys = Object.keys(changes) as (keyof NetworkRow)[]
  if (!keys.length) return
  tx.defer(`UPDATE networks SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [
    ...keys.map((k) => changes[k] as any),
    id,
  ])
}

/** Bumps revision_number and updated_at (a child resource changed, e.g. a subnet was added). */
export function bumpNetworkRevision(tx: Tx, id: string, now: string): void {
  tx.defer('UPDATE networks SET revision_number = revision_number + 1, updated_at = ? WHERE id = ?', [now, id])
}

export async function deleteNetworkRow(q: Queryable, id: string): Promise<number> {
  await q.run("DELETE FROM tags WHERE resource_type = 'networks' AND resource_id = ?", [id])
  return (await q.run('DELETE FROM networks WHERE id = ?', [id])).changes
}

export async function subnetIdsByNetwork(q: Queryable, networkIds: string[] | null): Promise<Map<string, string[]>> {
  if (networkIds === null) return groupBy(await q.all<Row>('SELECT id, network_id FROM subnets ORDER BY created_at, id'), 'network_id', (r) => r.id as string)
  // IN lists of at most 500 ids; a network's subnets lie in one chunk, each chunk in order.
  const rows: Row[] = []
  for (let i = 0; i < networkIds.length; i += 500) {
    const c = networkIds.slice(i, i + 500)
    for (const r of await q.all<Row>(`SELECT id, network_id FROM subnets WHERE network_id IN (${c.map(() => '?').join(',')}) ORDER BY created_at, id`, c)) rows.push(r)
  }
  return groupBy(rows, 'network_id', (r) => r.id as string)
}

export async function tagsByResource(q: Queryable, resourceType: string, ids: string[] | null): Promise<Map<string, string[]>> {
  const rows =
    ids === null
      ? await q.all<Row>('SELECT resource_id, tag FROM tags WHERE resource_type = ? ORDER BY tag', [resourceType])
      : ids.length === 0
        ? []
        : await tagRowsOf(q, resourceType, ids)
  return groupBy(rows, 'resource_id', (r) => r.tag as string)
}

/**
 * Tag rows of the given resources in IN lists of at most 500 ids (one sorted list per resource:
 * each chunk is sorted by tag and a resource lies in one chunk). Never the whole table for a
 * subset: a member's list must not read other projects' tags (issue 15).
 */
async function tagRowsOf(q: Queryable, resourceType: string, ids: string[]): Promise<Row[]> {
  const out: Row[] = []
  for (let i = 0; i < ids.length; i += 500) {
    const c = ids.slice(i, i + 500)
    const rows = await q.all<Row>(
      `SELECT resource_id, tag FROM tags WHERE resource_type = ? AND resource_id IN (${c.map(() => '?').join(',')}) ORDER BY tag`,
      [resourceType, ...c],
    )
    for (const r of rows) out.push(r)
  }
  return out
}

export function groupBy<T>(rows: Row[], key: string, pick: (r: Row) => T): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const r of rows) {
    const k = r[key] as string
    let list = m.get(k)
    if (!list) m.set(k, (list = []))
    list.push(pick(r))
  }
  return m
}

function normalize(r: Row): NetworkRow {
  return {
    ...(r as NetworkRow),
    admin_state_up: !!r.admin_state_up,
    shared: !!r.shared,
    router_external: !!r.router_external,
    port_security_enabled: !!r.port_security_enabled,
    mtu: Number(r.mtu),
    revision_number: Number(r.revision_number),
  }
}
