/** SQL for the agents table (neutron/db/agents_db.py Agent): one row per (agent_type, host). */
import type { Queryable, Row } from '../engine.js'

export interface AgentRow {
  id: string
  agent_type: string
  binary: string
  topic: string
  host: string
  admin_state_up: boolean
  created_at: string
  started_at: string
  heartbeat_timestamp: string
  description: string
  /** JSON text of the agent's configurations dict. */
  configurations: string
}

const COLS = 'id, agent_type, "binary", topic, host, admin_state_up, created_at, started_at, heartbeat_timestamp, description, configurations'

/**
 * Agent timestamps are shown as Neutron shows its DateTime columns: `YYYY-MM-DD HH:MM:SS` (UTC).
 * Rows migrated or written by older tools may carry an ISO form; both parse here.
 */
export function agentTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ')
}

export function parseAgentTime(s: string): number {
  const iso = s.includes('T') ? s : s.replace(' ', 'T')
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`)
}

function normalize(r: Row): AgentRow {
  return { ...(r as AgentRow), admin_state_up: !!r.admin_state_up }
}

export async function listAgentRows(q: Queryable, where: { agentType?: string; host?: string } = {}): Promise<AgentRow[]> {
  const conds: string[] = []
  const params: string[] = []
  if (where.agentType !== undefined) (conds.push('agent_type = ?'), params.push(where.agentType))
  if (where.host !== undefined) (conds.push('host = ?'), params.push(where.host))
  const rows = await q.all(`SELECT ${COLS} FROM agents${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY id`, params)
  return rows.map(normalize)
}

export async function getAgentRow(q: Queryable, id: string): Promise<AgentRow | undefined> {
  const r = await q.get(`SELECT ${COLS} FROM agents WHERE id = ?`, [id])
  return r ? normalize(r) : undefined
}

export async function insertAgent(q: Queryable, a: AgentRow): Promise<void> {
  await q.run(`INSERT INTO agents (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    a.id, a.agent_type, a.binary, a.topic, a.host, a.admin_state_up, a.created_at, a.started_at,
    a.heartbeat_timestamp, a.description, a.configurations,
  ])
}

export async function updateAgentRow(q: Queryable, id: string, changes: Partial<AgentRow>): Promise<number> {
  const keys = Object.keys(changes) as (keyof AgentRow)[]
  if (!keys.length) return 0
  const r = await q.run(`UPDATE agents SET ${keys.map((k) => `${k === 'binary' ? '"binary"' : k} = ?`).join(', ')} WHERE id = ?`, [
    ...keys.map((k) => changes[k] as string | boolean),
    id,
  ])
  return r.changes
}

export async function deleteAgentRow(q: Queryable, id: string): Promise<number> {
  return (await q.run('DELETE FROM agents WHERE id = ?', [id])).changes
}
