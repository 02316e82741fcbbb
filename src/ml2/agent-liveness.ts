/**
 * Agent liveness, in one place (neutron/db/agents_db.py AgentDbMixin.is_agent_down): an agent is
 * alive while its last heartbeat is at most `[DEFAULT] agent_down_time` seconds old. The agents
 * API (agent-ops.ts) shows it as `alive`; port binding hands it to agent-based mechanism drivers
 * (PortContext.hostAgents), which bind only on a live agent.
 */
import type { Queryable } from '../db/engine.js'
import { listAgentRows, parseAgentTime } from '../db/resources/agents.js'
import type { Agent } from './resource-types.js'

export class AgentLiveness {
  constructor(
    private readonly now: () => Date,
    /** Seconds without heartbeat after which an agent counts as dead. */
    private readonly agentDownTime: number,
  ) {}

  /** `heartbeat` as stored in agents.heartbeat_timestamp. */
  isAlive(heartbeat: string, nowMs = this.now().getTime()): boolean {
    return nowMs - parseAgentTime(heartbeat) <= this.agentDownTime * 1000
  }

  /** Agents of a type on a host, with liveness (what PortContext.hostAgents returns). */
  async hostAgents(q: Queryable, agentType: string, host: string): Promise<Agent[]> {
    const rows = await listAgentRows(q, { agentType, host })
    const now = this.now().getTime()
    return rows.map((r) => ({
      id: r.id,
      agent_type: r.agent_type,
      host: r.host,
      admin_state_up: r.admin_state_up,
      alive: this.isAlive(r.heartbeat_timestamp, now),
      configurations: parseConfigurations(r.configurations),
    }))
  }
}

/** agents.configurations is JSON text; a malformed row (hand-edited, migrated) reads as empty. */
export function parseConfigurations(text: string | null | undefined): Record<string, any> {
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    return {}
  }
}
