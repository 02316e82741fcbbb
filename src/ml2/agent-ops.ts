/**
 * Agents (neutron/db/agents_db.py AgentDbMixin): the admin API over the agents table, and the
 * heartbeat that creates and refreshes rows. Agent-based mechanism drivers read liveness and
 * configurations (bridge_mappings, tunnel types, …) from these rows when binding ports.
 *
 * Policy (neutron/conf/policies/agent.py): every agent action is admin-only. A non-admin's list
 * is therefore empty and a show/update/delete is a 404, as Neutron answers when get_agent fails.
 */
import { adminContext, type RequestContext } from '../common/context.js'
import { AgentNotFound, BadRequest } from '../common/exceptions.js'
import {
  agentTime,
  deleteAgentRow,
  getAgentRow,
  insertAgent,
  listAgentRows,
  updateAgentRow,
  type AgentRow,
} from '../db/resources/agents.js'
import { AgentLiveness, parseConfigurations } from './agent-liveness.js'
import type { PluginCore } from './plugin-core.js'
import type { Agent, JsonDict } from './resource-types.js'
import type { AgentState, ReportResult } from './service.js'

type Dict = JsonDict

export type { AgentState, ReportResult }

export class AgentOps {
  constructor(
    private readonly core: PluginCore,
    private readonly liveness: AgentLiveness,
    /** [DEFAULT] enable_new_agents: admin_state_up of an agent's first row. */
    private readonly enableNewAgents = true,
  ) {}

  /** Agents of a type on a host, with liveness: what agent-based drivers bind on. */
  hostAgents(agentType: string, host: string): Promise<Agent[]> {
    return this.liveness.hostAgents(this.core.reader, agentType, host)
  }

  async createBulk(): Promise<Dict[]> {
    throw new BadRequest('agent', 'Agents register themselves by reporting their state; they cannot be created through the API')
  }

  async list(ctx: RequestContext): Promise<Dict[]> {
    if (!ctx.isAdmin) return []
    return (await listAgentRows(this.core.reader)).map((r) => this.toDict(r))
  }

  async get(ctx: RequestContext, id: string): Promise<Dict> {
    const row = ctx.isAdmin ? await getAgentRow(this.core.reader, id) : undefined
    if (!row) throw new AgentNotFound(id)
    return this.toDict(row)
  }

  async update(ctx: RequestContext, id: string, body: Dict): Promise<Dict> {
    if (!ctx.isAdmin) throw new AgentNotFound(id)
    const changes: Partial<AgentRow> = {}
    if (body.admin_state_up !== undefined) changes.admin_state_up = body.admin_state_up
    // description is string_or_none; the column is NOT NULL, so None clears it.
    if (body.description !== undefined) changes.description = body.description ?? ''
    const row = await this.core.txn(async (tx) => {
      if (!(await getAgentRow(tx, id))) throw new AgentNotFound(id)
      await updateAgentRow(tx, id, changes)
      return (await getAgentRow(tx, id))!
    })
    return this.toDict(row)
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    if (!ctx.isAdmin) throw new AgentNotFound(id)
    const n = await this.core.txn((tx) => deleteAgentRow(tx, id))
    if (n === 0) throw new AgentNotFound(id)
  }

  /**
   * agents_db.create_or_update_agent: the first report inserts the row (admin_state_up from
   * enable_new_agents), later ones move heartbeat_timestamp and replace configurations. A report
   * after agent_down_time of silence revives the agent. AGENT after_create (new) or after_update
   * (alive, revived) follows the commit, with `reportResult`.
   */
  async reportState(state: AgentState): Promise<ReportResult> {
    for (const k of ['agent_type', 'binary', 'host'] as const) {
      if (typeof state[k] !== 'string' || state[k] === '') throw new BadRequest('agent', `'${k}' must be a non-empty string`)
    }
    const conf = state.configurations ?? {}
    if (conf === null || typeof conf !== 'object' || Array.isArray(conf)) throw new BadRequest('agent', "'configurations' must be a dict")
    const { result, row } = await this.core.txn(async (tx): Promise<{ result: ReportResult; row: AgentRow }> => {
      const now = this.core.now()
      const ts = agentTime(now)
      const [old] = await listAgentRows(tx, { agentType: state.agent_type, host: state.host })
      if (!old) {
        // A concurrent first report of the same agent loses on the unique key and is retried
        // (RetryRequest), then takes the update path.
        const row: AgentRow = {
          id: this.core.newId(),
          agent_type: state.agent_type,
          binary: state.binary,
          topic: state.topic ?? '',
          host: state.host,
          admin_state_up: this.enableNewAgents,
          created_at: ts,
          started_at: ts,
          heartbeat_timestamp: ts,
          description: '',
          configurations: JSON.stringify(conf),
        }
        await insertAgent(tx, row)
        return { result: 'new', row }
      }
      const wasAlive = this.isAlive(old, now.getTime())
      const changes: Partial<AgentRow> = { heartbeat_timestamp: ts, configurations: JSON.stringify(conf), binary: state.binary }
      if (state.topic !== undefined) changes.topic = state.topic
      if (state.start_flag) changes.started_at = ts
      await updateAgentRow(tx, old.id, changes)
      return { result: wasAlive ? 'alive' : 'revived', row: { ...old, ...changes } }
    })
    const payload = { context: adminContext(), resourceId: row.id, current: this.toDict(row), reportResult: result }
    await this.core.registry.publish('agent', result === 'new' ? 'after_create' : 'after_update', this, payload)
    return result
  }

  isAlive(r: AgentRow, nowMs: number): boolean {
    return this.liveness.isAlive(r.heartbeat_timestamp, nowMs)
  }

  toDict(r: AgentRow): Dict {
    // A malformed row (hand-edited or migrated) still lists; its configurations show empty.
    const configurations = parseConfigurations(r.configurations)
    return {
      id: r.id,
      agent_type: r.agent_type,
      binary: r.binary,
      topic: r.topic,
      host: r.host,
      admin_state_up: r.admin_state_up,
      created_at: r.created_at,
      started_at: r.started_at,
      heartbeat_timestamp: r.heartbeat_timestamp,
      alive: this.isAlive(r, this.core.now().getTime()),
      configurations,
      description: r.description,
    }
  }
}
