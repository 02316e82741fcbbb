/**
 * The `linuxbridge` mechanism driver (neutron/plugins/ml2/drivers/linuxbridge/mech_driver/
 * mech_linuxbridge.py, Zed): binds through the host's `Linux bridge agent`, vif_type `bridge`.
 * Physnets come from the agent's interface_mappings and bridge_mappings together; network
 * types are its tunnel_types + local, flat, vlan. Zed refuses to load it without
 * `[experimental] linuxbridge = true`; Neutrino does not (issue 12).
 */
import type { Agent, PortContext } from '../driver-api.js'
import { reportedDict, reportedTunnelTypes, SimpleAgentMechanismDriverBase, VNIC_NORMAL } from './mech-agent-base.js'

export const AGENT_TYPE_LINUXBRIDGE = 'Linux bridge agent'

export class LinuxbridgeMechanismDriver extends SimpleAgentMechanismDriverBase {
  private readonly portFilter: boolean

  constructor(o: { securityGroupsEnabled?: boolean } = {}) {
    super({ name: 'linuxbridge', agentType: AGENT_TYPE_LINUXBRIDGE, supportedVnicTypes: [VNIC_NORMAL] })
    this.portFilter = o.securityGroupsEnabled ?? true
  }

  allowedNetworkTypes(agent: Agent): readonly string[] {
    return [...reportedTunnelTypes(agent), 'local', 'flat', 'vlan']
  }

  mappings(agent: Agent): Record<string, unknown> {
    return { ...reportedDict(agent, 'interface_mappings'), ...reportedDict(agent, 'bridge_mappings') }
  }

  vifType(): string {
    return 'bridge'
  }

  vifDetails(_ctx: PortContext, _agent: Agent): Record<string, unknown> {
    return { connectivity: 'l2', port_filter: this.portFilter }
  }
}
