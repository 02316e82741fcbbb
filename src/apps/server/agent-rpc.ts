/**
 * Agent RPC in the server process, from config: when `[DEFAULT] transport_url` is set, the
 * transport, the notifier subscribed to ML2's callbacks registry and — in the process that
 * consumes — the three RPC servers (q-reports-plugin, q-plugin, q-server-resource-versions;
 * server name `[DEFAULT] host` or the hostname), as neutron-server's start_rpc_listeners.
 *
 * `o.transport` / `o.host` replace the configured ones (tests inject a transport).
 *
 * The transport connects in the background: the API serves while RabbitMQ is down, casts are
 * buffered, and the servers declare their queues when the broker comes up (docs/messaging.md).
 *
 * With `api_workers > 1` every process notifies the changes it makes (each API change happens in
 * exactly one worker, so it is cast once) and only the primary consumes, as Neutron runs its
 * RPC workers apart from its API workers (docs/agents.md "Running the agents").
 */
import { hostname } from 'node:os'
import { buildAgentRpc, startAgentRpc, type AgentRpc } from '../../agent-rpc/agent-rpc-server.js'
import { subscribeAgentNotifier } from '../../agent-rpc/notifier-subscriber.js'
import type { Logger } from '../../common/log.js'
import type { NeutrinoConfig } from '../../conf/index.js'
import type { Transport } from '../../messaging/types.js'
import type { MechanismDriver } from '../../ml2/driver-api.js'
import { L2populationMechanismDriver } from '../../ml2/mech/mech-l2population.js'
import type { Ml2Service } from '../../ml2/service.js'
import { createTransportFromConfig } from './messaging.js'

const TUNNEL_TYPES = ['vxlan', 'gre', 'geneve']

export interface ServerAgentRpc {
  readonly rpc: AgentRpc
  /** The RPC server name (`<topic>.<host>` queues). */
  readonly host: string
  /** Resolves when the notifications queued so far went out (or failed and were logged). */
  drain(): Promise<void>
  close(): Promise<void>
}

/** Starts agent RPC for `ml2`, or returns undefined when no transport_url is configured. */
export async function startServerAgentRpc(
  cfg: NeutrinoConfig,
  ml2: Ml2Service,
  mechanismDrivers: readonly MechanismDriver[],
  log: Logger,
  o: { consume: boolean; transport?: Transport; host?: string },
): Promise<ServerAgentRpc | undefined> {
  const transport = o.transport ?? createTransportFromConfig(cfg, log.child('messaging'))
  if (!transport) return undefined
  const host = o.host ?? (cfg.DEFAULT.host || hostname())
  const rpc = buildAgentRpc({
    plugin: ml2,
    transport,
    log: log.child('agent-rpc'),
    tunnelTypes: new Set(cfg.ml2.type_drivers.filter((t) => TUNNEL_TYPES.includes(t))),
    l2pop: mechanismDrivers.find((d): d is L2populationMechanismDriver => d instanceof L2populationMechanismDriver) ?? null,
    overlayIpVersion: cfg.ml2.overlay_ip_version as 4 | 6,
  })
  const notifications = subscribeAgentNotifier(ml2.registry, rpc.notifier, log.child('agent-rpc.notify'))
  let stop: () => Promise<void> = async () => {}
  try {
    if (o.consume) stop = await startAgentRpc(rpc, transport, host)
  } catch (e) {
    notifications.unsubscribe()
    await transport.close().catch(() => {})
    throw e
  }
  log.info(`agent RPC: ${o.consume ? `consuming ${rpc.topics.map((t) => t.topic).join(', ')} as ${host}` : 'notifying only'}`)
  return {
    rpc,
    host,
    drain: () => notifications.drain(),
    /** Notifications still queued are dropped with the transport (the broker may be gone). */
    async close() {
      notifications.unsubscribe()
      await stop()
      await transport.close()
    },
  }
}
