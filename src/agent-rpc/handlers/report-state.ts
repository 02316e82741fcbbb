/**
 * q-reports-plugin (neutron/db/agents_db.py AgentExtRpcCallback, target 1.2):
 * has_alive_neutron_server (the OVS agent blocks at start until answered) and report_state
 * ("new" / "alive" / "revived"; a revived agent resyncs everything). A start_flag report with
 * resource_versions updates the version tracker and is fanned out to the other servers as
 * report_agent_resource_versions (q-server-resource-versions), as Zed does.
 */
import type { Logger } from '../../common/log.js'
import type { RpcEndpoint, Transport } from '../../messaging/types.js'
import type { Ml2Backend } from '../ml2-backend.js'
import type { ResourceVersions } from '../resource-versions.js'
import { dict, invalidInput } from '../rpc-failures.js'
import { endpoint } from './endpoint.js'

type Args = Record<string, unknown>

export const TOPIC_REPORTS = 'q-reports-plugin'
export const TOPIC_RESOURCE_VERSIONS = 'q-server-resource-versions'

export class ReportStateRpc {
  constructor(
    private readonly backend: Ml2Backend,
    private readonly versions: ResourceVersions,
    private readonly transport: Transport | null,
    private readonly log: Logger,
  ) {}

  endpoint(): RpcEndpoint {
    return endpoint('1.2', {
      has_alive_neutron_server: () => true,
      report_state: (_c, a) => this.reportState(a),
    }, this.log)
  }

  /** q-server-resource-versions (ResourcesPushToServerRpcCallback, 1.0). */
  resourceVersionsEndpoint(): RpcEndpoint {
    return endpoint('1.0', {
      report_agent_resource_versions: (_c, a) => {
        const type = a.agent_type
        const host = a.agent_host
        const map = a.version_map
        if (typeof type !== 'string' || typeof host !== 'string' || !map || typeof map !== 'object' || Array.isArray(map)) {
          throw invalidInput('report_agent_resource_versions needs agent_type, agent_host and a version_map dict')
        }
        this.versions.update(type, host, map as Record<string, unknown>)
        return null
      },
    }, this.log)
  }

  async reportState(a: Args): Promise<string> {
    // agents_db: kwargs['agent_state']['agent_state'] and kwargs['time'].
    const outer = dict(a, 'agent_state', 'report_state')
    const state = dict(outer, 'agent_state', 'report_state')
    if (typeof a.time !== 'string' || Number.isNaN(Date.parse(a.time))) throw invalidInput(`report_state: 'time' must be a timestamp, got ${JSON.stringify(a.time) ?? 'nothing'}`)
    for (const k of ['agent_type', 'binary', 'host'] as const) {
      if (typeof state[k] !== 'string' || state[k] === '') throw invalidInput(`report_state: agent_state '${k}' must be a non-empty string`)
    }
    const conf = state.configurations ?? {}
    if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) throw invalidInput("report_state: agent_state 'configurations' must be a dict")
    const rv = state.resource_versions
    if (rv !== undefined && (typeof rv !== 'object' || rv === null || Array.isArray(rv))) throw invalidInput("report_state: 'resource_versions' must be a dict")
    const agentType = state.agent_type as string
    const host = state.host as string
    const binary = state.binary as string
    const existing = await this.backend.agentByBinaryHost(binary, host)
    if (existing && existing.agent_type !== agentType) {
      this.log.error(`Agent ${binary} on host ${host} reported type '${agentType}' but is registered as '${existing.agent_type}' (agent ${existing.id}); report refused`)
      throw invalidInput(`Agent ${binary} on host ${host} is registered with agent_type '${existing.agent_type}', not '${agentType}'`)
    }
    const result = await this.backend.reportState(
      { agent_type: agentType, binary, host, topic: typeof state.topic === 'string' ? state.topic : undefined, configurations: conf as Record<string, unknown>, start_flag: state.start_flag === true },
      (rv as Record<string, string>) ?? null,
    )
    if (rv) {
      this.versions.update(agentType, host, rv as Record<string, unknown>)
      await this.transport?.cast({ topic: TOPIC_RESOURCE_VERSIONS, fanout: true, version: '1.0' }, 'report_agent_resource_versions', {
        agent_type: agentType, agent_host: host, version_map: rv,
      })
    }
    return result
  }
}
