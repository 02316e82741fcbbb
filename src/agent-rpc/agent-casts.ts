/**
 * The server → agent casts (neutron/plugins/ml2/rpc.py AgentCastsApi, l2pop/rpc.py,
 * api/rpc/handlers/resources_rpc.py ResourcesPushRpcApi, securitygroups_rpc.py; spec §3
 * "Notifications"), one method per wire message, nothing but `transport.cast`. What to send
 * for a resource change is decided in agent-notifier.ts.
 *
 * | method                       | target (all fanout unless noted)                       | ver |
 * |------------------------------|--------------------------------------------------------|-----|
 * | port_update                  | q-agent-notifier-port-update                           | 1.0 |
 * | port_delete                  | q-agent-notifier-port-delete                           | 1.0 |
 * | network_update               | q-agent-notifier-network-update                        | 1.4 |
 * | network_delete               | q-agent-notifier-network-delete                        | 1.0 |
 * | tunnel_update / tunnel_delete| q-agent-notifier-tunnel-update / -tunnel-delete        | 1.0 |
 * | security_groups_*_updated    | q-agent-notifier-security_group-update                 | 1.1 |
 * | push                         | neutron-vo-<Type>-<version>, once per version          | 1.1 |
 * | add/remove/update_fdb_entries| q-agent-notifier-l2population-update, and per host     | 1.0 |
 */
import type { ContextDict, Transport } from '../messaging/types.js'
import type { FdbChange, FdbEntries } from '../ml2/mech/mech-l2population.js'
import type { Primitive } from './objects/primitive.js'
import type { ResourceVersions } from './resource-versions.js'

type Dict = Record<string, any>

export const TOPIC_PORT_UPDATE = 'q-agent-notifier-port-update'
export const TOPIC_PORT_DELETE = 'q-agent-notifier-port-delete'
export const TOPIC_NETWORK_UPDATE = 'q-agent-notifier-network-update'
export const TOPIC_NETWORK_DELETE = 'q-agent-notifier-network-delete'
export const TOPIC_TUNNEL_UPDATE = 'q-agent-notifier-tunnel-update'
export const TOPIC_TUNNEL_DELETE = 'q-agent-notifier-tunnel-delete'
export const TOPIC_SG_UPDATE = 'q-agent-notifier-security_group-update'
export const TOPIC_L2POP = 'q-agent-notifier-l2population-update'

/** resources_rpc.resource_type_versioned_topic. */
export function voTopic(type: string, version: string): string {
  return `neutron-vo-${type}-${version}`
}

/** The segment fields port_update carries (the port's bottom bound segment). */
export interface SegmentInfo {
  network_type: string | null
  segmentation_id: number | null
  physical_network: string | null
}

export class AgentCasts {
  constructor(
    private readonly transport: Transport,
    private readonly versions: ResourceVersions,
    /** The admin context the server sends with its casts (`_context_*`). */
    private readonly context: () => ContextDict = () => ({}),
  ) {}

  private fanout(topic: string, version: string, method: string, args: Dict): Promise<void> {
    return this.transport.cast({ topic, fanout: true, version }, method, args, this.context())
  }

  portUpdated(port: Dict, segment: SegmentInfo | null): Promise<void> {
    return this.fanout(TOPIC_PORT_UPDATE, '1.0', 'port_update', {
      port,
      network_type: segment?.network_type ?? null,
      segmentation_id: segment?.segmentation_id ?? null,
      physical_network: segment?.physical_network ?? null,
    })
  }

  portDeleted(portId: string): Promise<void> {
    return this.fanout(TOPIC_PORT_DELETE, '1.0', 'port_delete', { port_id: portId })
  }

  networkUpdated(network: Dict): Promise<void> {
    return this.fanout(TOPIC_NETWORK_UPDATE, '1.4', 'network_update', { network })
  }

  networkDeleted(networkId: string): Promise<void> {
    return this.fanout(TOPIC_NETWORK_DELETE, '1.0', 'network_delete', { network_id: networkId })
  }

  tunnelUpdate(ip: string, type: string): Promise<void> {
    return this.fanout(TOPIC_TUNNEL_UPDATE, '1.0', 'tunnel_update', { tunnel_ip: ip, tunnel_type: type })
  }

  tunnelDelete(ip: string, type: string): Promise<void> {
    return this.fanout(TOPIC_TUNNEL_DELETE, '1.0', 'tunnel_delete', { tunnel_ip: ip, tunnel_type: type })
  }

  securityGroupsMemberUpdated(groupIds: readonly string[]): Promise<void> {
    return this.fanout(TOPIC_SG_UPDATE, '1.1', 'security_groups_member_updated', { security_groups: [...groupIds] })
  }

  securityGroupsRuleUpdated(groupIds: readonly string[]): Promise<void> {
    return this.fanout(TOPIC_SG_UPDATE, '1.1', 'security_groups_rule_updated', { security_groups: [...groupIds] })
  }

  /**
   * ResourcesPushRpcApi.push: one cast per version to push; `build(version)` gives the primitives
   * of that version (today every type has one version, see resource-versions.ts).
   */
  async push(type: string, eventType: 'updated' | 'deleted', build: (version: string) => Primitive[]): Promise<void> {
    for (const v of this.versions.versionsFor(type)) {
      const list = build(v)
      if (!list.length) continue
      await this.fanout(voTopic(type, v), '1.1', 'push', { resource_list: list, event_type: eventType })
    }
  }

  /**
   * l2pop: the port's host first gets its full view of the network (when it needs one), then
   * every agent the port's entries — l2pop mech_driver update_port_up's order (capture seq 53–54).
   */
  async fdb(change: FdbChange): Promise<void> {
    if (change.agent) await this.fdbToHost(change.method, change.agent.host, change.agent.entries)
    await this.fanout(TOPIC_L2POP, '1.0', change.method, { fdb_entries: change.others })
  }

  fdbToHost(method: FdbChange['method'] | 'update_fdb_entries', host: string, entries: FdbEntries | Dict): Promise<void> {
    return this.transport.cast({ topic: TOPIC_L2POP, server: host, version: '1.0' }, method, { fdb_entries: entries }, this.context())
  }

  updateFdbEntries(entries: Dict): Promise<void> {
    return this.fanout(TOPIC_L2POP, '1.0', 'update_fdb_entries', { fdb_entries: entries })
  }
}
