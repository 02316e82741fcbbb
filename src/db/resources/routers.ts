/** SQL for routers and what hangs off one: router ports (routerports), extra routes, the gateway port's addresses. */
import type { Queryable, Row } from '../engine.js'
import { groupBy } from './networks.js'

export interface RouterRow {
  id: string
  project_id: string
  name: string
  status: string
  admin_state_up: boolean
  gw_port_id: string | null
  enable_snat: boolean
  description: string
  revision_number: number
  created_at: string
  updated_at: string
}

export interface RouterRoute {
  destination: string
  nexthop: string
}

/** A port attached to a router, with its network and addresses (routerports ⋈ ports ⋈ ipallocations). */
export interface RouterPortInfo {
  port_id: string
  port_type: string
  network_id: string
  project_id: string
  device_owner: string
  fixed_ips: Array<{ subnet_id: string; ip_address: string }>
}

export interface GatewayInfo {
  network_id: string
  fixed_ips: Array<{ subnet_id: string; ip_address: string }>
}

const COLS = 'id, project_id, name, status, admin_state_up, gw_port_id, enable_snat, description, revision_number, created_at, updated_at'

export async function insertRouter(q: Queryable, r: RouterRow): Promise<void> {
  await q.run(`INSERT INTO routers (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    r.id, r.project_id, r.name, r.status, r.admin_state_up, r.gw_port_id, r.enable_snat, r.description,
    r.revision_number, r.created_at, r.updated_at,
  ])
}

/** One router; `forUpdate` locks the row on PostgreSQL, which serialises every change to one router. */
export async function getRouterRow(q: Queryable, id: string, forUpdate = false): Promise<RouterRow | undefined> {
  const lock = forUpdate && (q as { dialect?: string }).dialect === 'postgres' ? ' FOR UPDATE' : ''
  const r = await q.get<Row>(`SELECT ${COLS} FROM routers WHERE id = ?${lock}`, [id])
  return r ? normalize(r) : undefined
}

/** All routers, or one project's, in id order. */
export async function listRouterRows(q: Queryable, projectId?: string): Promise<RouterRow[]> {
  const rows =
    projectId === undefined
      ? await q.all<Row>(`SELECT ${COLS} FROM routers ORDER BY id`)
      : await q.all<Row>(`SELECT ${COLS} FROM routers WHERE project_id = ? ORDER BY id`, [projectId])
  return rows.map(normalize)
}

export async function updateRouterRow(q: Queryable, id: string, changes: Partial<RouterRow>): Promise<void> {
  const keys = Object.keys(changes) as (keyof RouterRow)[]
  if (!keys.length) return
  await q.run(`UPDATE routers SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => changes[k] as any), id])
}

/** Anything hanging off a router changed (a port, a route, the gateway, tags): a new revision. */
export async function bumpRouterRevision(q: Queryable, id: string, now: string): Promise<void> {
  await q.run('UPDATE routers SET revision_number = revision_number + 1, updated_at = ? WHERE id = ?', [now, id])
}

/** The row, its tags; router ports and routes go by cascade. */
export async function deleteRouterRow(q: Queryable, id: string): Promise<void> {
  await q.run("DELETE FROM tags WHERE resource_type = 'routers' AND resource_id = ?", [id])
  await q.run('DELETE FROM routers WHERE id = ?', [id])
}

export async function insertRouterPort(q: Queryable, routerId: string, portId: string, portType: string): Promise<void> {
  await q.run('INSERT INTO routerports (router_id, port_id, port_type) VALUES (?, ?, ?)', [routerId, portId, portType])
}

/** The ports attached to a router (gateway and interfaces), each with its fixed IPs. */
export async function routerPorts(q: Queryable, routerId: string): Promise<RouterPortInfo[]> {
  const rows = await q.all<Row>(
    `SELECT rp.port_id, rp.port_type, p.network_id, p.project_id, p.device_owner, a.subnet_id, a.ip_address
       FROM routerports rp JOIN ports p ON p.id = rp.port_id LEFT JOIN ipallocations a ON a.port_id = rp.port_id
      WHERE rp.router_id = ? ORDER BY p.created_at, rp.port_id`,
    [routerId],
  )
  const out = new Map<string, RouterPortInfo>()
  for (const r of rows) {
    let p = out.get(r.port_id)
    if (!p) {
      p = { port_id: r.port_id, port_type: r.port_type ?? '', network_id: r.network_id, project_id: r.project_id, device_owner: r.device_owner, fixed_ips: [] }
      out.set(r.port_id, p)
    }
    if (r.subnet_id) p.fixed_ips.push({ subnet_id: r.subnet_id, ip_address: r.ip_address })
  }
  return [...out.values()]
}

/** Gateway network and addresses of the given routers (null = all routers). */
export async function gatewaysByRouter(q: Queryable, routerIds: string[] | null): Promise<Map<string, GatewayInfo>> {
  if (routerIds !== null && routerIds.length === 0) return new Map()
  const where = routerIds === null ? '' : ` WHERE r.id IN (${routerIds.map(() => '?').join(',')})`
  const rows = await q.all<Row>(
    `SELECT r.id AS router_id, p.network_id, a.subnet_id, a.ip_address
       FROM routers r JOIN ports p ON p.id = r.gw_port_id LEFT JOIN ipallocations a ON a.port_id = p.id${where}`,
    routerIds ?? [],
  )
  const out = new Map<string, GatewayInfo>()
  for (const r of rows) {
    let g = out.get(r.router_id)
    if (!g) out.set(r.router_id, (g = { network_id: r.network_id, fixed_ips: [] }))
    if (r.subnet_id) g.fixed_ips.push({ subnet_id: r.subnet_id, ip_address: r.ip_address })
  }
  return out
}

export async function routesByRouter(q: Queryable, routerIds: string[] | null): Promise<Map<string, RouterRoute[]>> {
  if (routerIds !== null && routerIds.length === 0) return new Map()
  const where = routerIds === null ? '' : ` WHERE router_id IN (${routerIds.map(() => '?').join(',')})`
  const rows = await q.all<Row>(`SELECT router_id, destination, nexthop FROM routerroutes${where} ORDER BY destination, nexthop`, routerIds ?? [])
  return groupBy(rows, 'router_id', (r) => ({ destination: r.destination as string, nexthop: r.nexthop as string }))
}

export async function insertRoute(q: Queryable, routerId: string, r: RouterRoute): Promise<void> {
  await q.run('INSERT INTO routerroutes (destination, nexthop, router_id) VALUES (?, ?, ?)', [r.destination, r.nexthop, routerId])
}

export async function deleteRoute(q: Queryable, routerId: string, r: RouterRoute): Promise<void> {
  await q.run('DELETE FROM routerroutes WHERE destination = ? AND nexthop = ? AND router_id = ?', [r.destination, r.nexthop, routerId])
}

function normalize(r: Row): RouterRow {
  return {
    ...(r as RouterRow),
    admin_state_up: !!r.admin_state_up,
    enable_snat: !!r.enable_snat,
    gw_port_id: r.gw_port_id ?? null,
    revision_number: Number(r.revision_number),
  }
}
