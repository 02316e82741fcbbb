/**
 * What the agents hear when a resource changes (spec §3 "Notifications"; the sequences of the
 * recorded run, capture seq 33–43 create, 231–260 updates, 333–336 delete). Plain methods the
 * ML2 callbacks call after the commit (the coordinator subscribes them at the merge):
 *
 * | change                      | casts, in order                                                             |
 * |-----------------------------|-----------------------------------------------------------------------------|
 * | port created                | security_groups_member_updated (its groups), push Port updated              |
 * | port updated                | port_update (when the agents care), member_updated (groups/IPs changed), l2pop update_fdb_entries (IPs changed), push |
 * | port deleted                | member_updated, push Port deleted (stub), l2pop remove_fdb_entries, port_delete |
 * | network created / updated   | push Network updated; network_update on update                              |
 * | network deleted             | push Network deleted (stub), network_delete                                 |
 * | subnet created/updated/deleted | push Subnet                                                              |
 * | security group …            | push SecurityGroup                                                          |
 * | security group rule …       | security_groups_rule_updated (its group), push SecurityGroupRule            |
 *
 * Objects are built by the injected loader (object-loader.ts over the backend) AFTER the commit,
 * so a push always carries the committed revision_number the agents' cache orders by.
 */
import type { AgentCasts } from './agent-casts.js'
import type { Filters } from './object-loader.js'
import { deletedNetworkPrimitive } from './objects/network.js'
import { deletedPortPrimitive } from './objects/port.js'
import type { Primitive } from './objects/primitive.js'
import { deletedSecurityGroupPrimitive, deletedSecurityGroupRulePrimitive } from './objects/security-group.js'
import { deletedSubnetPrimitive } from './objects/subnet.js'
import type { SegmentInfo } from './agent-casts.js'

type Dict = Record<string, any>

export interface NotifierDeps {
  casts: AgentCasts
  /** Primitives of the current rows (object-loader.ts). */
  load(type: string, filters: Filters): Promise<Primitive[]>
  /** The port's bottom bound segment (port_update carries it), null when unbound. */
  boundSegment(portId: string): Promise<SegmentInfo | null>
  /** l2population's withdrawal for a deleted port (port-status.ts). */
  portGone(port: Dict): Promise<void>
  /** l2population's update_fdb_entries for changed fixed IPs (port-status.ts). */
  portIpsChanged(port: Dict, original: Dict): Promise<void>
}

/**
 * Attributes whose change an agent must act on (ml2 plugin _notify_port_updated /
 * need_port_update_notify): wiring, addresses, filtering, binding.
 */
const AGENT_ATTRS = [
  'admin_state_up', 'fixed_ips', 'allowed_address_pairs', 'security_groups', 'port_security_enabled',
  'binding:host_id', 'binding:vif_type', 'binding:vif_details', 'binding:profile', 'mac_address',
]

export class AgentNotifier {
  constructor(private readonly d: NotifierDeps) {}

  private async push(type: string, id: string): Promise<void> {
    const objs = await this.d.load(type, { id: [id] })
    await this.d.casts.push(type, 'updated', () => objs)
  }

  async portCreated(port: Dict): Promise<void> {
    const groups: string[] = port.security_groups ?? []
    if (groups.length) await this.d.casts.securityGroupsMemberUpdated(groups)
    await this.push('Port', port.id)
  }

  async portUpdated(port: Dict, original: Dict): Promise<void> {
    if (AGENT_ATTRS.some((k) => JSON.stringify(port[k]) !== JSON.stringify(original[k]))) {
      await this.d.casts.portUpdated(port, await this.d.boundSegment(port.id))
    }
    const before = new Set<string>(original.security_groups ?? [])
    const after = new Set<string>(port.security_groups ?? [])
    const changed = [...new Set([...before, ...after])].filter((g) => before.has(g) !== after.has(g))
    const ipsChanged = JSON.stringify(port.fixed_ips) !== JSON.stringify(original.fixed_ips)
    const members = ipsChanged ? [...after] : changed
    if (members.length) await this.d.casts.securityGroupsMemberUpdated(members.sort())
    if (ipsChanged) await this.d.portIpsChanged(port, original)
    await this.push('Port', port.id)
  }

  async portDeleted(port: Dict): Promise<void> {
    const groups: string[] = port.security_groups ?? []
    if (groups.length) await this.d.casts.securityGroupsMemberUpdated(groups)
    await this.d.casts.push('Port', 'deleted', () => [deletedPortPrimitive(port.id)])
    // l2pop withdraws on delete whatever the status (capture seq 330 then 335: DOWN, removed again).
    await this.d.portGone(port)
    await this.d.casts.portDeleted(port.id)
  }

  async networkCreated(network: Dict): Promise<void> {
    await this.push('Network', network.id)
  }

  async networkUpdated(network: Dict): Promise<void> {
    await this.push('Network', network.id)
    await this.d.casts.networkUpdated(network)
  }

  async networkDeleted(networkId: string): Promise<void> {
    await this.d.casts.push('Network', 'deleted', () => [deletedNetworkPrimitive(networkId)])
    await this.d.casts.networkDeleted(networkId)
  }

  subnetChanged(subnet: Dict): Promise<void> {
    return this.push('Subnet', subnet.id)
  }

  subnetDeleted(subnetId: string): Promise<void> {
    return this.d.casts.push('Subnet', 'deleted', () => [deletedSubnetPrimitive(subnetId)])
  }

  securityGroupChanged(group: Dict): Promise<void> {
    return this.push('SecurityGroup', group.id)
  }

  securityGroupDeleted(groupId: string): Promise<void> {
    return this.d.casts.push('SecurityGroup', 'deleted', () => [deletedSecurityGroupPrimitive(groupId)])
  }

  async securityGroupRuleCreated(rule: Dict): Promise<void> {
    await this.d.casts.securityGroupsRuleUpdated([rule.security_group_id])
    await this.push('SecurityGroupRule', rule.id)
  }

  async securityGroupRuleDeleted(rule: Dict): Promise<void> {
    await this.d.casts.securityGroupsRuleUpdated([rule.security_group_id])
    await this.d.casts.push('SecurityGroupRule', 'deleted', () => [deletedSecurityGroupRulePrimitive(rule.id)])
  }
}
