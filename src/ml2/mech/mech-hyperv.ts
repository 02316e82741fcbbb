/**
 * The `hyperv` mechanism driver (networking-hyperv, hyperv/neutron/ml2/mech_hyperv.py): binds
 * through the host's `HyperV agent`, vif_type `hyperv`, port_filter false. The agent's
 * `vswitch_mappings` keys are regular expressions matched against the physnet from its start
 * (Python's re.match); only local, flat and vlan networks bind (issue 12: no tunnels).
 */
import type { Agent, PortContext } from '../driver-api.js'
import { reportedDict, SimpleAgentMechanismDriverBase, VNIC_NORMAL } from './mech-agent-base.js'

export const AGENT_TYPE_HYPERV = 'HyperV agent'

export class HypervMechanismDriver extends SimpleAgentMechanismDriverBase {
  constructor() {
    super({ name: 'hyperv', agentType: AGENT_TYPE_HYPERV, supportedVnicTypes: [VNIC_NORMAL] })
  }

  allowedNetworkTypes(): readonly string[] {
    return ['local', 'flat', 'vlan']
  }

  mappings(agent: Agent): Record<string, unknown> {
    return reportedDict(agent, 'vswitch_mappings')
  }

  /** re.match semantics: anchored at the start only. A pattern that does not compile matches nothing. */
  override physnetInMappings(physnet: string, mappings: Record<string, unknown>): boolean {
    return Object.keys(mappings).some((pattern) => {
      try {
        return new RegExp(`^(?:${pattern})`).test(physnet)
      } catch {
        return false
      }
    })
  }

  vifType(): string {
    return 'hyperv'
  }

  vifDetails(_ctx: PortContext, _agent: Agent): Record<string, unknown> {
    return { port_filter: false }
  }
}
