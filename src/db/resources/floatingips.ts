/** SQL for floating IPs (neutron/db/models/l3.py FloatingIP). */
import type { Queryable, Row } from '../engine.js'

export interface FloatingIpRow {
  id: string
  project_id: string
  floating_ip_address: string
  floating_network_id: string
  floating_port_id: string
  fixed_port_id: string | null
  fixed_ip_address: string | null
  router_id: string | null
  last_known_router_id: string | null
  status: string
  description: string
  revision_number: number
  created_at: string
  updated_at: string
}

const COLS =
  'id, project_id, floating_ip_address, floating_network_id, floating_port_id, fixed_port_id, fixed_ip_address, router_id, last_known_router_id, status, description, revision_number, created_at, updated_at'

export async function insertFloatingIp(q: Queryable, f: FloatingIpRow): Promise<void> {
  await q.run(`INSERT INTO floatingips (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    f.id, f.project_id, f.floating_ip_address, f.floating_network_id, f.floating_port_id, f.fixed_port_id,
    f.fixed_ip_address, f.router_id, f.last_known_router_id, f.status, f.description, f.revision_number,
    f.created_at, f.updated_at,
  ])
}

export async function getFloatingIpRow(q: Queryable, id: string, forUpdate = false): Promise<FloatingIpRow | undefined> {
  const lock = forUpdate && (q as { dialect?: string }).dialect === 'postgres' ? ' FOR UPDATE' : ''
  const r = await q.get<Row>(`SELECT ${COLS} FROM floatingips WHERE id = ?${lock}`, [id])
  return r ? normalize(r) : undefined
}

/** Floating IPs matching every given column (all when none), in id order. */
export async function listFloatingIpRows(q: Queryable, where: Partial<Record<'project_id' | 'router_id' | 'fixed_port_id' | 'floating_network_id', string>> = {}): Promise<FloatingIpRow[]> {
  const keys = Object.keys(where) as (keyof typeof where)[]
  const sql = `SELECT ${COLS} FROM floatingips${keys.length ? ' WHERE ' + keys.map((k) => `${k} = ?`).join(' AND ') : ''} ORDER BY id`
  return (await q.all<Row>(sql, keys.map((k) => where[k]!))).map(normalize)
}

export async function updateFloatingIpRow(q: Queryable, id: string, changes: Partial<FloatingIpRow>): Promise<void> {
  const keys = Object.keys(changes) as (keyof FloatingIpRow)[]
  if (!keys.length) return
  await q.run(`UPDATE floatingips SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => changes[k] as any), id])
}

export async function deleteFloatingIpRow(q: Queryable, id: string): Promise<void> {
  await q.run("DELETE FROM tags WHERE resource_type = 'floatingips' AND resource_id = ?", [id])
  await q.run('DELETE FROM floatingips WHERE id = ?', [id])
}

function normalize(r: Row): FloatingIpRow {
  return {
    ...(r as FloatingIpRow),
    fixed_port_id: r.fixed_port_id ?? null,
    fixed_ip_address: r.fixed_ip_address ?? null,
    router_id: r.router_id ?? null,
    last_known_router_id: r.last_known_router_id ?? null,
    revision_number: Number(r.revision_number),
  }
}
