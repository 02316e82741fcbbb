/** SQL for ports and everything that hangs off one (fixed IPs, binding, address pairs, DHCP options). */
import type { Dialect, Queryable, Row, Tx } from '../engine.js'
import { selectPlanned, type FilterColumns, type RowPlan } from './row-query.js'
import { groupBy } from './networks.js'

export interface PortRow {
  id: string
  project_id: string
  network_id: string
  name: string
  mac_address: string
  admin_state_up: boolean
  status: string
  device_id: string
  device_owner: string
  port_security_enabled: boolean
  description: string
  revision_number: number
  created_at: string
  updated_at: string
}

export interface BindingRow {
  host: string
  vnic_type: string
  profile: string
  vif_type: string
  vif_details: string
}

export interface PortChildren {
  fixedIps: Array<{ subnet_id: string; ip_address: string }>
  binding: BindingRow
  levels: Array<{ level: number; driver: string; segment_id: string | null }>
  pairs: Array<{ ip_address: string; mac_address: string }>
  dhcpOpts: Array<{ opt_name: string; opt_value: string; ip_version: number }>
  tags: string[]
  /** Security group ids, sorted (securitygroupportbindings). */
  securityGroups?: string[]
}

export const UNBOUND: BindingRow = { host: '', vnic_type: 'normal', profile: '', vif_type: 'unbound', vif_details: '' }

const COLS =
  'id, project_id, network_id, name, mac_address, admin_state_up, status, device_id, device_owner, port_security_enabled, description, revision_number, created_at, updated_at'

export function insertPort(tx: Tx, p: PortRow): void {
  tx.defer(`INSERT INTO ports (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    p.id, p.project_id, p.network_id, p.name, p.mac_address, p.admin_state_up, p.status, p.device_id,
    p.device_owner, p.port_security_enabled, p.description, p.revision_number, p.created_at, p.updated_at,
  ])
}

/** One port; `forUpdate` locks the row on PostgreSQL (serialises concurrent updates of one port). */
export async function getPortRow(q: Queryable, id: string, forUpdate = false): Promise<PortRow | undefined> {
  const lock = forUpdate && (q as { dialect?: string }).dialect === 'postgres' ? ' FOR UPDATE' : ''
  const r = await q.get<Row>(`SELECT ${COLS} FROM ports WHERE id = ?${lock}`, [id])
  return r ? normalize(r) : undefined
}

/** Full rows of the given ports; for long id lists the table is scanned once instead of a huge IN. */
export async function getPortRowsByIds(q: Queryable, ids: string[]): Promise<PortRow[]> {
  if (ids.length === 0) return []
  if (ids.length > 500) {
    const want = new Set(ids)
    return (await q.all<Row>(`SELECT ${COLS} FROM ports`)).filter((r) => want.has(r.id)).map(normalize)
  }
  return (await q.all<Row>(`SELECT ${COLS} FROM ports WHERE id IN (${ids.map(() => '?').join(',')})`, ids)).map(normalize)
}

export interface PortScope {
  networkIds?: string[]
  projectOrNetworks?: { projectId: string; networkIds: string[] }
  deviceIds?: string[]
}

/** Ids and revisions of the ports in scope, ordered by id (the list cache checks revisions). */
export async function listPortKeys(q: Queryable, scope: PortScope): Promise<Array<{ id: string; revision_number: number }>> {
  const { where, params } = scopeSql(scope)
  if (where === null) return []
  return q.all(`SELECT id, revision_number FROM ports${where} ORDER BY id`, params)
}

function scopeSql(scope: PortScope): { where: string | null; params: any[] } {
  const where: string[] = []
  const params: any[] = []
  if (scope.networkIds) {
    if (!scope.networkIds.length) return { where: null, params }
    where.push(`network_id IN (${scope.networkIds.map(() => '?').join(',')})`)
    params.push(...scope.networkIds)
  }
  if (scope.deviceIds) {
    if (!scope.deviceIds.length) return { where: null, params }
    where.push(`device_id IN (${scope.deviceIds.map(() => '?').join(',')})`)
    params.push(...scope.deviceIds)
  }
  if (scope.projectOrNetworks) {
    const { projectId, networkIds } = scope.projectOrNetworks
    where.push(networkIds.length ? `(project_id = ? OR network_id IN (${networkIds.map(() => '?').join(',')}))` : 'project_id = ?')
    params.push(projectId, ...networkIds)
  }
  return { where: where.length ? ' WHERE ' + where.join(' AND ') : '', params }
}

/** The API attributes that filter ports as plain columns (row-query.ts). */
export const PORT_FILTER_COLUMNS: FilterColumns = {
  id: { column: 'id', kind: 'string' },
  name: { column: 'name', kind: 'string' },
  network_id: { column: 'network_id', kind: 'string' },
  status: { column: 'status', kind: 'string' },
  device_id: { column: 'device_id', kind: 'string' },
  device_owner: { column: 'device_owner', kind: 'string' },
  description: { column: 'description', kind: 'string' },
  project_id: { column: 'project_id', kind: 'string' },
  tenant_id: { column: 'project_id', kind: 'string' },
  admin_state_up: { column: 'admin_state_up', kind: 'boolean' },
  port_security_enabled: { column: 'port_security_enabled', kind: 'boolean' },
}

/**
 * Ids and revisions of the ports a list request selects (row-query.ts), within what a project
 * may list (its own ports and those on its networks; undefined: all).
 */
export async function listPortKeysPlanned(
  q: Queryable,
  dialect: Dialect,
  projectId: string | undefined,
  plan: RowPlan,
): Promise<{ keys: Array<{ id: string; revision_number: number }>; markerFound: boolean }> {
  const scope = projectId === undefined
    ? null
    : { sql: 't.project_id = ? OR t.network_id IN (SELECT n.id FROM networks n WHERE n.project_id = ?)', params: [projectId, projectId] }
  const { rows, markerFound } = await selectPlanned(q, dialect, 'ports', 'id, revision_number', scope, plan)
  return { keys: rows.map((r) => ({ id: r.id as string, revision_number: Number(r.revision_number) })), markerFound }
}

export async function listPortRows(q: Queryable, scope: PortScope): Promise<PortRow[]> {
  const where: string[] = []
  const params: any[] = []
  if (scope.networkIds) {
    if (!scope.networkIds.length) return []
    where.push(`network_id IN (${scope.networkIds.map(() => '?').join(',')})`)
    params.push(...scope.networkIds)
  }
  if (scope.deviceIds) {
    if (!scope.deviceIds.length) return []
    where.push(`device_id IN (${scope.deviceIds.map(() => '?').join(',')})`)
    params.push(...scope.deviceIds)
  }
  if (scope.projectOrNetworks) {
    const { projectId, networkIds } = scope.projectOrNetworks
    where.push(
      networkIds.length
        ? `(project_id = ? OR network_id IN (${networkIds.map(() => '?').join(',')}))`
        : 'project_id = ?',
    )
    params.push(projectId, ...networkIds)
  }
  const sql = `SELECT ${COLS} FROM ports${where.length ? ' WHERE ' + where.join(' AND ') : ''}`
  return (await q.all<Row>(sql, params)).map(normalize)
}

export function updatePortRow(tx: Tx, id: string, changes: Partial<PortRow>): void {
  const keys = Object.keys(changes) as (keyof PortRow)[]
  if (!keys.length) return
  tx.defer(`UPDATE ports SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => changes[k] as any), id])
}

/** A change outside a port update (e.g. a SLAAC address added by a new subnet) still bumps its revision. */
export function bumpPortRevisions(tx: Tx, ids: string[], now: string): void {
  for (const id of ids) tx.defer('UPDATE ports SET revision_number = revision_number + 1, updated_at = ? WHERE id = ?', [now, id])
}

export function deletePortRow(tx: Tx, id: string): void {
  tx.defer("DELETE FROM tags WHERE resource_type = 'ports' AND resource_id = ?", [id])
  tx.defer('DELETE FROM ports WHERE id = ?', [id])
}

export function writeFixedIps(tx: Tx, portId: string, networkId: string, ips: PortChildren['fixedIps'], replace: boolean): void {
  if (replace) tx.defer('DELETE FROM ipallocations WHERE port_id = ?', [portId])
  for (const ip of ips) {
    tx.defer('INSERT INTO ipallocations (port_id, ip_address, subnet_id, network_id) VALUES (?, ?, ?, ?)', [
      portId, ip.ip_address, ip.subnet_id, networkId,
    ])
  }
}

export function writeBinding(tx: Tx, portId: string, b: BindingRow, levels: PortChildren['levels'], replace: boolean): void {
  if (replace) {
    tx.defer('DELETE FROM ml2_port_binding_levels WHERE port_id = ?', [portId])
    tx.defer('UPDATE ml2_port_bindings SET host = ?, vnic_type = ?, profile = ?, vif_type = ?, vif_details = ? WHERE port_id = ?', [
      b.host, b.vnic_type, b.profile, b.vif_type, b.vif_details, portId,
    ])
  } else {
    tx.defer('INSERT INTO ml2_port_bindings (port_id, host, vnic_type, profile, vif_type, vif_details) VALUES (?, ?, ?, ?, ?, ?)', [
      portId, b.host, b.vnic_type, b.profile, b.vif_type, b.vif_details,
    ])
  }
  for (const l of levels) {
    tx.defer('INSERT INTO ml2_port_binding_levels (port_id, host, level, driver, segment_id) VALUES (?, ?, ?, ?, ?)', [
      portId, b.host, l.level, l.driver, l.segment_id,
    ])
  }
}

export function writePairs(tx: Tx, portId: string, pairs: PortChildren['pairs'], replace: boolean): void {
  if (replace) tx.defer('DELETE FROM allowedaddresspairs WHERE port_id = ?', [portId])
  for (const p of pairs) {
    tx.defer('INSERT INTO allowedaddresspairs (port_id, mac_address, ip_address) VALUES (?, ?, ?)', [portId, p.mac_address, p.ip_address])
  }
}

export function writeDhcpOpts(tx: Tx, portId: string, opts: PortChildren['dhcpOpts'], replace: boolean, newId: () => string): void {
  if (replace) tx.defer('DELETE FROM extradhcpopts WHERE port_id = ?', [portId])
  for (const o of opts) {
    tx.defer('INSERT INTO extradhcpopts (id, port_id, opt_name, opt_value, ip_version) VALUES (?, ?, ?, ?, ?)', [
      newId(), portId, o.opt_name, o.opt_value, o.ip_version,
    ])
  }
}

/**
 * Children of the given ports (null = every port), one query per table: the whole tables for
 * null (an admin's full list), else IN lists of at most CHILD_CHUNK ids — so a member's list
 * never reads other projects' rows, however many there are (issue 15).
 */
export async function portChildren(q: Queryable, ids: string[] | null): Promise<Map<string, PortChildren>> {
  if (ids !== null && ids.length === 0) return new Map()
  const chunks = ids === null ? [null] : chunked(ids, CHILD_CHUNK)
  const read = async (sql: (where: string, tagWhere: string) => string): Promise<Row[]> => {
    const out: Row[] = []
    for (const c of chunks) {
      const list = c === null ? '' : c.map(() => '?').join(',')
      const where = c === null ? '' : ` WHERE port_id IN (${list})`
      const tagWhere = c === null ? " WHERE resource_type = 'ports'" : ` WHERE resource_type = 'ports' AND resource_id IN (${list})`
      for (const r of await q.all<Row>(sql(where, tagWhere), c ?? [])) out.push(r)
    }
    return out
  }
  const [ips, bindings, levels, pairs, opts, tags, sgs] = await Promise.all([
    read((w) => `SELECT port_id, subnet_id, ip_address FROM ipallocations${w}`),
    read((w) => `SELECT port_id, host, vnic_type, profile, vif_type, vif_details FROM ml2_port_bindings${w}`),
    read((w) => `SELECT port_id, level, driver, segment_id FROM ml2_port_binding_levels${w} ORDER BY level`),
    read((w) => `SELECT port_id, ip_address, mac_address FROM allowedaddresspairs${w}`),
    read((w) => `SELECT port_id, opt_name, opt_value, ip_version FROM extradhcpopts${w}`),
    read((_, t) => `SELECT resource_id AS port_id, tag FROM tags${t} ORDER BY tag`),
    read((w) => `SELECT port_id, security_group_id FROM securitygroupportbindings${w} ORDER BY security_group_id`),
  ])
  const gi = groupBy(ips, 'port_id', (r) => ({ subnet_id: r.subnet_id as string, ip_address: r.ip_address as string }))
  const gb = new Map<string, BindingRow>()
  for (const b of bindings) gb.set(b.port_id, b as BindingRow)
  const gl = groupBy(levels, 'port_id', (r) => ({ level: Number(r.level), driver: r.driver as string, segment_id: r.segment_id as string | null }))
  const gp = groupBy(pairs, 'port_id', (r) => ({ ip_address: r.ip_address as string, mac_address: r.mac_address as string }))
  const go = groupBy(opts, 'port_id', (r) => ({ opt_name: r.opt_name as string, opt_value: r.opt_value as string, ip_version: Number(r.ip_version) }))
  const gt = groupBy(tags, 'port_id', (r) => r.tag as string)
  const gs = groupBy(sgs, 'port_id', (r) => r.security_group_id as string)
  const out = new Map<string, PortChildren>()
  const keys = ids ?? [...new Set([...gb.keys(), ...gi.keys()])]
  for (const id of keys) {
    out.set(id, {
      fixedIps: gi.get(id) ?? [],
      binding: gb.get(id) ?? UNBOUND,
      levels: gl.get(id) ?? [],
      pairs: gp.get(id) ?? [],
      dhcpOpts: go.get(id) ?? [],
      tags: gt.get(id) ?? [],
      securityGroups: gs.get(id) ?? [],
    })
  }
  return out
}

/** Ids per IN list when reading children: well under both engines' bound on parameters. */
const CHILD_CHUNK = 500

export function chunked<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}

function normalize(r: Row): PortRow {
  return {
    ...(r as PortRow),
    admin_state_up: !!r.admin_state_up,
    port_security_enabled: !!r.port_security_enabled,
    revision_number: Number(r.revision_number),
  }
}
