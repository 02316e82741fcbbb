/**
 * Agents (neutron havana-eol / icehouse-eol db/agents_db.py, alembic 511471cc46b and Icehouse's
 * 1fcfc149aca4 unique (agent_type, host)) and per-project quotas (db/quota_db.py,
 * common_ext_ops.upgrade_quota) as Neutrino's agents and quotas tables.
 *
 * Agent timestamps are DateTime columns in the source; Neutrino keeps them as text in the form
 * it writes itself (db/resources/agents.ts agentTime: `YYYY-MM-DD HH:MM:SS`, UTC), so the
 * fractional seconds SQLite sources carry are dropped. `configurations` is copied as it is.
 */
import type { Param } from '../db/engine.js'
import { bool, byId, int, nonNull, str, type PlanChecks, type TablePlan } from './plan-util.js'
import type { SourceData } from './read-source.js'

const DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$/

/** A source DateTime (MySQL/PostgreSQL text, SQLAlchemy's SQLite text) in Neutrino's agent form; null if it is none. */
export function agentTimestamp(v: unknown): string | null {
  const m = DATETIME.exec(str(v)?.trim() ?? '')
  if (!m) return null
  // Naive is UTC (oslo timeutils.utcnow()); an explicit zone is converted to UTC. A date that does
  // not exist (MySQL's zero date 0000-00-00, 2014-02-30) is none.
  const zone = !m[3] || m[3] === 'Z' ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3].includes(':') ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`
  const t = new Date(`${m[1]}T${m[2]}${zone}`)
  if (Number.isNaN(t.getTime())) return null
  const utc = t.toISOString().slice(0, 19).replace('T', ' ')
  return m[3] || utc === `${m[1]} ${m[2]}` ? utc : null
}

const AGENT_TIMES = ['created_at', 'started_at', 'heartbeat_timestamp'] as const

export function planAgents(d: SourceData, c: PlanChecks): { tables: TablePlan[]; summary: { agents: number; quotas: number } } {
  const { bad } = c
  const agents: Param[][] = []
  const byTypeHost = new Map<string, string>()
  for (const [id, a] of byId('agents', d.agents, bad)) {
    if (!nonNull('agents', a, ['agent_type', 'binary', 'topic', 'host', 'admin_state_up', ...AGENT_TIMES, 'configurations'], bad)) continue
    // Havana had no uniq_agents0agent_type0host (Icehouse's 1fcfc149aca4 added it); Neutrino has.
    const key = `${a.agent_type}\u0000${a.host}`
    const other = byTypeHost.get(key)
    if (other) {
      bad(`agents: agents ${other} and ${id} are both the '${a.agent_type}' of host ${a.host}`)
      continue
    }
    byTypeHost.set(key, id)
    const times = AGENT_TIMES.map((col) => agentTimestamp(a[col]))
    const badTime = AGENT_TIMES.find((_, i) => times[i] === null)
    if (badTime) {
      bad(`agents: agent ${id} has ${badTime} '${a[badTime]}', which is not a date and time`)
      continue
    }
    agents.push([id, String(a.agent_type), String(a.binary), String(a.topic), String(a.host), bool(a.admin_state_up, true), ...times, str(a.description) ?? '', String(a.configurations)])
  }

  const quotas: Param[][] = []
  const limits = new Map<string, string>()
  for (const [id, q] of byId('quotas', d.quotas, bad)) {
    if (!nonNull('quotas', q, ['tenant_id', 'resource', 'limit'], bad)) continue
    const key = `${q.tenant_id}\u0000${q.resource}`
    const other = limits.get(key)
    if (other) {
      bad(`quotas: rows ${other} and ${id} both set the ${q.resource} limit of project ${q.tenant_id}`)
      continue
    }
    limits.set(key, id)
    quotas.push([id, String(q.tenant_id), String(q.resource), int(q.limit)])
  }

  return {
    tables: [
      {
        table: 'agents',
        columns: ['id', 'agent_type', 'binary', 'topic', 'host', 'admin_state_up', ...AGENT_TIMES, 'description', 'configurations'],
        key: ['id'],
        mode: 'insert',
        rows: agents,
      },
      { table: 'quotas', columns: ['id', 'project_id', 'resource', 'limit'], key: ['id'], mode: 'insert', rows: quotas },
    ],
    summary: { agents: agents.length, quotas: quotas.length },
  }
}
