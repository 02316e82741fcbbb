/**
 * SQL for security groups, their rules, port bindings and each project's default group
 * (tables of migration 5: securitygroups, securitygrouprules, securitygroupportbindings,
 * default_security_group).
 */
import type { Queryable, Row, Tx } from '../engine.js'
import { groupBy } from './networks.js'

export interface SecurityGroupRow {
  id: string
  project_id: string
  name: string
  stateful: boolean
  description: string
  revision_number: number
  created_at: string
  updated_at: string
}

export interface SecurityGroupRuleRow {
  id: string
  project_id: string
  security_group_id: string
  remote_group_id: string | null
  direction: string
  ethertype: string
  protocol: string | null
  port_range_min: number | null
  port_range_max: number | null
  remote_ip_prefix: string | null
  /** NULL for the rules Neutron creates itself. */
  description: string | null
  revision_number: number
  created_at: string
  updated_at: string
}

const SG_COLS = 'id, project_id, name, stateful, description, revision_number, created_at, updated_at'
const RULE_COLS =
  'id, project_id, security_group_id, remote_group_id, direction, ethertype, protocol, port_range_min, port_range_max, remote_ip_prefix, description, revision_number, created_at, updated_at'

const marks = (n: number) => new Array(n).fill('?').join(',')

// ---- groups -----------------------------------------------------------------------------------
export function insertSecurityGroup(tx: Tx, r: SecurityGroupRow): void {
  tx.defer(`INSERT INTO securitygroups (${SG_COLS}) VALUES (${marks(8)})`, [
    r.id, r.project_id, r.name, r.stateful, r.description, r.revision_number, r.created_at, r.updated_at,
  ])
}

/** One group; `forUpdate` locks the row on PostgreSQL (a rule change bumps its revision). */
export async function getSecurityGroupRow(q: Queryable, id: string, forUpdate = false): Promise<SecurityGroupRow | undefined> {
  const lock = forUpdate && (q as { dialect?: string }).dialect === 'postgres' ? ' FOR UPDATE' : ''
  const r = await q.get<Row>(`SELECT ${SG_COLS} FROM securitygroups WHERE id = ?${lock}`, [id])
  return r ? normalizeGroup(r) : undefined
}

/** Every group, the groups of one project, or the given ids; in id order. */
export async function listSecurityGroupRows(q: Queryable, scope: { projectId?: string; ids?: readonly string[] }): Promise<SecurityGroupRow[]> {
  let rows: Row[]
  if (scope.ids) {
    if (scope.ids.length === 0) return []
    rows = await q.all<Row>(`SELECT ${SG_COLS} FROM securitygroups WHERE id IN (${marks(scope.ids.length)}) ORDER BY id`, [...scope.ids])
  } else if (scope.projectId !== undefined) {
    rows = await q.all<Row>(`SELECT ${SG_COLS} FROM securitygroups WHERE project_id = ? ORDER BY id`, [scope.projectId])
  } else {
    rows = await q.all<Row>(`SELECT ${SG_COLS} FROM securitygroups ORDER BY id`)
  }
  return rows.map(normalizeGroup)
}

export function updateSecurityGroupRow(tx: Tx, id: string, changes: Partial<SecurityGroupRow>): void {
  const keys = Object.keys(changes) as (keyof SecurityGroupRow)[]
  if (!keys.length) return
  tx.defer(`UPDATE securitygroups SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => changes[k] as any), id])
}

/** A rule added or removed is a new revision of its group (revises_on_change). */
export function bumpSecurityGroupRevision(tx: Tx, id: string, now: string): void {
  tx.defer('UPDATE securitygroups SET revision_number = revision_number + 1, updated_at = ? WHERE id = ?', [now, id])
}

/** Deletes a group with its tags; its rules, bindings and default mark go by cascade. */
export async function deleteSecurityGroupRow(q: Queryable, id: string): Promise<number> {
  await q.run("DELETE FROM tags WHERE resource_type = 'security_groups' AND resource_id = ?", [id])
  return (await q.run('DELETE FROM securitygroups WHERE id = ?', [id])).changes
}

// ---- default groups ---------------------------------------------------------------------------
export async function defaultSecurityGroupId(q: Queryable, projectId: string): Promise<string | undefined> {
  const r = await q.get<{ security_group_id: string }>('SELECT security_group_id FROM default_security_group WHERE project_id = ?', [projectId])
  return r?.security_group_id
}

/** Marks a project's default group; a concurrent second mark fails on the primary key (RetryRequest). */
export function insertDefaultSecurityGroup(tx: Tx, projectId: string, securityGroupId: string): void {
  tx.defer('INSERT INTO default_security_group (project_id, security_group_id) VALUES (?, ?)', [projectId, securityGroupId])
}

// ---- rules ------------------------------------------------------------------------------------
export function insertSecurityGroupRule(tx: Tx, r: SecurityGroupRuleRow): void {
  tx.defer(`INSERT INTO securitygrouprules (${RULE_COLS}) VALUES (${marks(14)})`, [
    r.id, r.project_id, r.security_group_id, r.remote_group_id, r.direction, r.ethertype, r.protocol, r.port_range_min,
    r.port_range_max, r.remote_ip_prefix, r.description, r.revision_number, r.created_at, r.updated_at,
  ])
}

export async function getSecurityGroupRuleRow(q: Queryable, id: string): Promise<SecurityGroupRuleRow | undefined> {
  const r = await q.get<Row>(`SELECT ${RULE_COLS} FROM securitygrouprules WHERE id = ?`, [id])
  return r ? normalizeRule(r) : undefined
}

/**
 * Rules in id order: all, those of the given groups, or those a project may see by default
 * (its own, and every rule of its groups: get_security_group_rule's owner-or-sg_owner).
 */
export async function listSecurityGroupRuleRows(
  q: Queryable,
  scope: { groupIds?: readonly string[]; visibleTo?: string },
): Promise<SecurityGroupRuleRow[]> {
  let rows: Row[]
  if (scope.groupIds) {
    if (scope.groupIds.length === 0) return []
    const ids = [...scope.groupIds]
    const want = new Set(ids)
    rows =
      ids.length > 500
        ? (await q.all<Row>(`SELECT ${RULE_COLS} FROM securitygrouprules ORDER BY id`)).filter((r) => want.has(r.security_group_id))
        : await q.all<Row>(`SELECT ${RULE_COLS} FROM securitygrouprules WHERE security_group_id IN (${marks(ids.length)}) ORDER BY id`, ids)
  } else if (scope.visibleTo !== undefined) {
    rows = await q.all<Row>(
      `SELECT ${RULE_COLS} FROM securitygrouprules WHERE project_id = ? OR security_group_id IN (SELECT id FROM securitygroups WHERE project_id = ?) ORDER BY id`,
      [scope.visibleTo, scope.visibleTo],
    )
  } else {
    rows = await q.all<Row>(`SELECT ${RULE_COLS} FROM securitygrouprules ORDER BY id`)
  }
  return rows.map(normalizeRule)
}

export async function deleteSecurityGroupRuleRow(q: Queryable, id: string): Promise<number> {
  return (await q.run('DELETE FROM securitygrouprules WHERE id = ?', [id])).changes
}

/** Other groups with rules naming `id` as their remote group (they lose those rules with it). */
export async function groupsReferencingRemote(q: Queryable, id: string): Promise<string[]> {
  const rows = await q.all<{ security_group_id: string }>(
    'SELECT DISTINCT security_group_id FROM securitygrouprules WHERE remote_group_id = ? AND security_group_id <> ?',
    [id, id],
  )
  return rows.map((r) => r.security_group_id)
}

// ---- port bindings ----------------------------------------------------------------------------
/** Group ids per port, sorted (null = every port). */
export async function securityGroupIdsByPort(q: Queryable, portIds: readonly string[] | null): Promise<Map<string, string[]>> {
  if (portIds !== null && portIds.length === 0) return new Map()
  const rows =
    portIds === null || portIds.length > 200
      ? await q.all<Row>('SELECT port_id, security_group_id FROM securitygroupportbindings ORDER BY security_group_id')
      : await q.all<Row>(
          `SELECT port_id, security_group_id FROM securitygroupportbindings WHERE port_id IN (${marks(portIds.length)}) ORDER BY security_group_id`,
          [...portIds],
        )
  return groupBy(rows, 'port_id', (r) => r.security_group_id as string)
}

export function writePortSecurityGroups(tx: Tx, portId: string, ids: readonly string[], replace: boolean): void {
  if (replace) tx.defer('DELETE FROM securitygroupportbindings WHERE port_id = ?', [portId])
  for (const id of ids) tx.defer('INSERT INTO securitygroupportbindings (port_id, security_group_id) VALUES (?, ?)', [portId, id])
}

export async function securityGroupInUse(q: Queryable, id: string): Promise<boolean> {
  return !!(await q.get('SELECT 1 AS x FROM securitygroupportbindings WHERE security_group_id = ?', [id]))
}

function normalizeGroup(r: Row): SecurityGroupRow {
  return { ...(r as SecurityGroupRow), name: r.name ?? '', stateful: !!r.stateful, revision_number: Number(r.revision_number) }
}

function normalizeRule(r: Row): SecurityGroupRuleRow {
  const int = (v: unknown) => (v === null || v === undefined ? null : Number(v))
  return {
    ...(r as SecurityGroupRuleRow),
    port_range_min: int(r.port_range_min),
    port_range_max: int(r.port_range_max),
    revision_number: Number(r.revision_number),
  }
}
