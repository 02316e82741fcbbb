/**
 * The `openvswitch` mechanism driver (neutron/plugins/ml2/drivers/openvswitch/mech_driver/
 * mech_openvswitch.py, Zed): binds through the host's `Open vSwitch agent`.
 *
 * - Network types: the agent's `tunnel_types` + local, flat, vlan; physnets from `bridge_mappings`.
 * - vif_type `ovs`, or `vhostuser` when the agent runs the netdev datapath AND its OVS offers a
 *   DPDK vhost-user interface type (a netdev datapath without it, as on this lab, stays `ovs`).
 * - vif_details, in Zed's key order: connectivity, port_filter, ovs_hybrid_plug (the agent's
 *   own `ovs_hybrid_plug` wins over the server's default), datapath_type, bridge_name. vhost-user
 *   ports get Zed's vhostuser_* keys instead of the filter/hybrid ones.
 */
import type { Agent, PortContext } from '../driver-api.js'
import { reportedDict, reportedTunnelTypes, SimpleAgentMechanismDriverBase, VNIC_NORMAL } from './mech-agent-base.js'

export const AGENT_TYPE_OVS = 'Open vSwitch agent'
const VHOST_USER = 'dpdkvhostuser'
const VHOST_USER_CLIENT = 'dpdkvhostuserclient'

export interface OvsDriverOptions {
  /** [securitygroup] enable_security_group: port_filter. */
  securityGroupsEnabled?: boolean
  /** [securitygroup] firewall_driver: hybrid plugging by default only for the iptables hybrid driver (or none). */
  firewallDriver?: string | null
  /** [ovs_driver] vnic_type_prohibit_list. */
  prohibitedVnicTypes?: readonly string[]
}

export class OpenvswitchMechanismDriver extends SimpleAgentMechanismDriverBase {
  private readonly portFilter: boolean
  private readonly hybridPlug: boolean

  constructor(o: OvsDriverOptions = {}) {
    super({
      name: 'openvswitch',
      agentType: AGENT_TYPE_OVS,
      // Zed: normal, direct (hardware offload), smart-nic, vhost-vdpa.
      supportedVnicTypes: [VNIC_NORMAL, 'direct', 'smart-nic', 'vhost-vdpa'],
      prohibitedVnicTypes: o.prohibitedVnicTypes,
    })
    this.portFilter = o.securityGroupsEnabled ?? true
    const fw = o.firewallDriver ?? null
    this.hybridPlug = this.portFilter && (fw === null || fw === '' || fw === 'iptables_hybrid' ||
      fw === 'neutron.agent.linux.iptables_firewall.OVSHybridIptablesFirewallDriver')
  }

  allowedNetworkTypes(agent: Agent): readonly string[] {
    return [...reportedTunnelTypes(agent), 'local', 'flat', 'vlan']
  }

  mappings(agent: Agent): Record<string, unknown> {
    return reportedDict(agent, 'bridge_mappings')
  }

  vifType(ctx: PortContext, agent: Agent): string {
    if (ctx.vnicType === 'direct') return 'ovs'
    const ifaceTypes = ifaceTypesOf(agent)
    if (agent.configurations?.datapath_type === 'netdev' && (ifaceTypes.includes(VHOST_USER) || ifaceTypes.includes(VHOST_USER_CLIENT))) {
      return 'vhostuser'
    }
    return 'ovs'
  }

  vifDetails(ctx: PortContext, agent: Agent): Record<string, unknown> {
    const conf = agent.configurations ?? {}
    let details: Record<string, unknown>
    if (this.vifType(ctx, agent) !== 'vhostuser') {
      details = { connectivity: 'l2', port_filter: this.portFilter, ovs_hybrid_plug: this.hybridPlug }
      if (typeof conf.ovs_hybrid_plug === 'boolean') details.ovs_hybrid_plug = conf.ovs_hybrid_plug
    } else {
      const dir = typeof conf.vhostuser_socket_dir === 'string' ? conf.vhostuser_socket_dir : '/var/run/openvswitch'
      // Neutron: OVS creates the socket (client mode) unless it offers dpdkvhostuserclient, where
      // QEMU does (server mode). The socket name is 'vhu' + port id, cut to an interface name.
      const mode = ifaceTypesOf(agent).includes(VHOST_USER_CLIENT) ? 'server' : 'client'
      details = {
        connectivity: 'l2',
        port_filter: false,
        ovs_hybrid_plug: false,
        vhostuser_mode: mode,
        vhostuser_ovs_plug: true,
        vhostuser_socket: `${dir}/${`vhu${ctx.current.id as string}`.slice(0, 14)}`,
      }
    }
    details.datapath_type = typeof conf.datapath_type === 'string' ? conf.datapath_type : 'system'
    details.bridge_name = typeof conf.integration_bridge === 'string' ? conf.integration_bridge : 'br-int'
    return details
  }
}

function ifaceTypesOf(agent: Agent): string[] {
  const caps = reportedDict(agent, 'ovs_capabilities')
  return Array.isArray(caps.iface_types) ? (caps.iface_types as string[]) : []
}
