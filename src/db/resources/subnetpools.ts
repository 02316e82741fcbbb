/** SQL for subnet pools, their prefixes, and the pool lock subnet allocation takes. */
import type { Queryable, Row } from '../engine.js'
import { groupBy } from './networks.js'

export interface SubnetpoolRow {
  id: string
  project_id: string
  name: string
  ip_version: number
  default_prefixlen: number
  min_prefixlen: number
  max_prefixlen: number
  shared: boolean
  is_default: boolean
  default_quota: number | null
  address_scope_id: string | null
  description: string
  revision_number: number
  created_at: string
  updated_at: string
}

const COLS =
  'id, project_id, name, ip_version, default_prefixlen, min_prefixlen, max_prefixlen, shared, is_default, default_quota, address_scope_id, description, revision_number, created_at, updated_at'

export async function insertSubnetpool(q: Queryable, r: SubnetpoolRow, hash: string): Promise<void> {
  await q.run(`INSERT INTO subnetpools (${COLS}, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    r.id, r.project_id, r.name, r.ip_version, r.default_prefixlen, r.min_prefixlen, r.max_prefixlen, r.shared,
    r.is_default, r.default_quota, r.address_scope_id, r.description, r.revision_number, r.created_at, r.updated_at, hash,
  ])
}

export async function getSubnetpoolRow(q: Queryable, id: string): Promise<SubnetpoolRow | undefined> {
  const r = await q.get<Row>(`SELECT ${COLS} FROM subnetpools WHERE id = ?`, [id])
  return r ? normalize(r) : undefined
}

/** All pools, or those a project may see (its own and shared ones: Neutron's RBAC scoping). */
export async function listSubnetpoolRows(q: Queryable, scope: { projectId?: string }): Promise<SubnetpoolRow[]> {
  const rows =
    scope.projectId === undefined
      ? await q.all<Row>(`SELECT ${COLS} FROM subnetpools ORDER BY id`)
      : await q.all<Row>(`SELECT ${COLS} FROM subnetpools WHERE project_id = ? OR shared = ? ORDER BY id`, [scope.projectId, true])
  return rows.map(normalize)
}

/** The default pool of an IP version, if any (at most one: a unique index). */
export async function defaultSubnetpoolRow(q: Queryable, ipVersion: number): Promise<SubnetpoolRow | undefined> {
  const r = await q.get<Row>(`SELECT ${COLS} FROM subnetpools WHERE ip_version = ? AND is_default = ?`, [ipVersion, true])
  return r ? normalize(r) : undefined
}

export async function updateSubnetpoolRow(q: Queryable, id: string, changes: Partial<SubnetpoolRow>): Promise<void> {
  const keys = Object.keys(changes) as (keyof SubnetpoolRow)[]
  if (!keys.length) return
  await q.run(`UPDATE subnetpools SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => changes[k] as any), id])
}

export async function deleteSubnetpoolRow(q: Queryable, id: string): Promise<number> {
  await q.run("DELETE FROM tags WHERE resource_type = 'subnetpools' AND resource_id = ?", [id])
  await q.run('DELETE FROM subnetpoolprefixes WHERE subnetpool_id = ?', [id])
  return (await q.run('DELETE FROM subnetpools WHERE id = ?', [id])).changes
}

export async function writePrefixes(q: Queryable, id: string, prefixes: readonly string[]): Promise<void> {
  await q.run('DELETE FROM subnetpoolprefixes WHERE subnetpool_id = ?', [id])
  for (const p of prefixes) await q.run('INSERT INTO subnetpoolprefixes (cidr, subnetpool_id) VALUES (?, ?)', [p, id])
}

/** Prefixes per pool (null = every pool); the caller orders them (compaction order is by address). */
export async function prefixesByPool(q: Queryable, ids: string[] | null): Promise<Map<string, string[]>> {
  if (ids !== null && ids.length === 0) return new Map()
  const rows =
    ids === null || ids.length > 500
      ? await q.all<Row>('SELECT subnetpool_id, cidr FROM subnetpoolprefixes')
      : await q.all<Row>(`SELECT subnetpool_id, cidr FROM subnetpoolprefixes WHERE subnetpool_id IN (${ids.map(() => '?').join(',')})`, ids)
  return groupBy(rows, 'subnetpool_id', (r) => r.cidr as string)
}

/**
 * subnet_alloc _lock_subnetpool: swaps the pool's hash from what was read to a new value. Only one
 * transaction can win a given hash; on PostgreSQL a concurrent loser blocks on the row lock, then
 * finds the hash changed (0 rows) and retries with fresh reads. Returns false when nothing changed
 * (lost the race, or the pool is gone: `exists` tells which).
 */
export async function swapSubnetpoolHash(q: Queryable, id: string, newHash: string): Promise<{ swapped: boolean; exists: boolean }> {
  const cur = await q.get<{ hash: string }>('SELECT hash FROM subnetpools WHERE id = ?', [id])
  if (!cur) return { swapped: false, exists: false }
  const r = await q.run('UPDATE subnetpools SET hash = ? WHERE id = ? AND hash = ?', [newHash, id, cur.hash])
  return { swapped: r.changes > 0, exists: true }
}

/** Cidrs (and owners) of the subnets allocated from a pool. */
export async function subnetsOfPool(q: Queryable, poolId: string): Promise<Array<{ cidr: string; project_id: string }>> {
  return q.all<{ cidr: string; project_id: string }>('SELECT cidr, project_id FROM subnets WHERE subnetpool_id = ?', [poolId])
}

export async function poolHasSubnets(q: Queryable, poolId: string): Promise<boolean> {
  return !!(await q.get('SELECT 1 AS x FROM subnets WHERE subnetpool_id = ?', [poolId]))
}

function normalize(r: Row): SubnetpoolRow {
  return {
    ...(r as SubnetpoolRow),
    name: r.name ?? '',
    ip_version: Number(r.ip_version),
    default_prefixlen: Number(r.default_prefixlen),
    min_prefixlen: Number(r.min_prefixlen),
    max_prefixlen: Number(r.max_prefixlen),
    shared: !!r.shared,
    is_default: !!r.is_default,
    default_quota: r.default_quota === null || r.default_quota === undefined ? null : Number(r.default_quota),
    revision_number: Number(r.revision_number),
  }
}
