/**
 * Composition of the server side of Neutron's agent RPC: which endpoints listen on which topic
 * (neutron/plugins/ml2/plugin.py start_rpc_listeners, spec §2 "Queues") and the casts the
 * handlers and, after the merge, the ML2 callbacks use. Knows the messaging layer only through
 * src/messaging/types.ts.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from '../common/log.js'
import type { RpcEndpoint, RpcServer, Transport } from '../messaging/types.js'
import type { Ml2Service } from '../ml2/service.js'
import { AgentCasts } from './agent-casts.js'
import { AgentNotifier } from './agent-notifier.js'
import { DeviceRpc } from './handlers/device-rpc.js'
import { ReportStateRpc, TOPIC_REPORTS, TOPIC_RESOURCE_VERSIONS } from './handlers/report-state.js'
import { ResourcesRpc } from './handlers/resources-rpc.js'
import { SecurityGroupsRpc } from './handlers/securitygroups-rpc.js'
import { TunnelRpc } from './handlers/tunnel-rpc.js'
import { Ml2Backend } from './ml2-backend.js'
import { OBJECT_TYPES } from './object-loader.js'
import { PortStatusFlow, type L2popFdb } from './port-status.js'
import { ResourceVersions } from './resource-versions.js'

export const TOPIC_PLUGIN = 'q-plugin'

export interface AgentRpcDeps {
  plugin: Ml2Service
  /** Tunnel types with a loaded type driver (tunnel_sync refuses the others). */
  tunnelTypes: ReadonlySet<string>
  transport: Transport
  log: Logger
  /** The configured l2population driver, when `[ml2] mechanism_drivers` has it. */
  l2pop?: L2popFdb | null
  overlayIpVersion?: 4 | 6
}

export interface AgentRpc {
  readonly backend: Ml2Backend
  readonly casts: AgentCasts
  /** What to send when a resource changes: subscribe its methods to the ML2 events. */
  readonly notifier: AgentNotifier
  readonly versions: ResourceVersions
  readonly status: PortStatusFlow
  /** Endpoints per topic; q-server-resource-versions is also consumed from its fanout exchange. */
  readonly topics: ReadonlyArray<{ topic: string; endpoints: RpcEndpoint[]; fanout: boolean }>
}

export function buildAgentRpc(d: AgentRpcDeps): AgentRpc {
  const log = d.log
  const backend = new Ml2Backend(d.plugin, d.tunnelTypes)
  const versions = new ResourceVersions(log.child('versions'))
  const casts = new AgentCasts(d.transport, versions, () => serverContext(backend.now()))
  const status = new PortStatusFlow(backend, casts, d.l2pop ?? null, log.child('l2pop'))
  const tunnels = new TunnelRpc(backend, casts, log.child('tunnel'), d.overlayIpVersion ?? 4)
  const devices = new DeviceRpc(backend, status, tunnels, log.child('device'))
  const reports = new ReportStateRpc(backend, versions, d.transport, log.child('reports'))
  const plugin = [devices.endpoint(), new SecurityGroupsRpc(backend, log.child('sg')).endpoint(), new ResourcesRpc(backend, log.child('resources')).endpoint()]
  const notifier = new AgentNotifier({
    casts,
    load: (type, filters) => OBJECT_TYPES[type]!.load(backend, filters),
    boundSegment: async (portId) => {
      const s = (await backend.boundPort(portId))?.bottomSegment
      return s ? { network_type: s.network_type, segmentation_id: s.segmentation_id, physical_network: s.physical_network } : null
    },
    portGone: (port) => status.portGone(port),
    portIpsChanged: (port, original) => status.portIpsChanged(port, original),
  })
  return {
    backend,
    casts,
    notifier,
    versions,
    status,
    topics: [
      { topic: TOPIC_PLUGIN, endpoints: plugin, fanout: false },
      { topic: TOPIC_REPORTS, endpoints: [reports.endpoint()], fanout: false },
      { topic: TOPIC_RESOURCE_VERSIONS, endpoints: [reports.resourceVersionsEndpoint()], fanout: true },
    ],
  }
}

/** The admin context neutron-server sends with its casts (oslo.context to_dict, admin, no user). */
export function serverContext(now: Date): Record<string, unknown> {
  return {
    user: null, project_id: null, system_scope: null, project: null, domain: null, user_domain: null, project_domain: null,
    is_admin: true, read_only: false, show_deleted: false, auth_token: null, request_id: `req-${randomUUID()}`,
    global_request_id: null, resource_uuid: null, roles: [], user_identity: '- - - - -', is_admin_project: true,
    user_id: null, tenant_id: null, timestamp: now.toISOString().replace('T', ' ').replace('Z', ''), tenant_name: null,
    project_name: null, user_name: null,
  }
}

/**
 * Starts one RPC server per topic (`<topic>`, `<topic>.<host>`, and the fanout queue where the
 * topic has one), as neutron-server's start_rpc_listeners. Returns a stop for all of them.
 */
export async function startAgentRpc(rpc: AgentRpc, transport: Transport, host: string): Promise<() => Promise<void>> {
  const servers: RpcServer[] = []
  try {
    for (const { topic, endpoints, fanout } of rpc.topics) {
      const s = transport.rpcServer({ target: { topic, server: host }, endpoints, fanout })
      await s.start()
      servers.push(s)
    }
  } catch (e) {
    for (const s of servers) await s.stop().catch(() => {})
    throw e
  }
  return async () => {
    for (const s of servers.splice(0).reverse()) await s.stop()
  }
}
