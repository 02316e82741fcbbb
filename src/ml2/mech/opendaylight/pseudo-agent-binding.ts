/**
 * Pseudo-agent port binding (networking-odl ml2/pseudo_agentdb_binding.py; odl-northbound.md §4):
 * the controller's hostconfigs become "ODL L2" agents rows; a port binds `ovs` (or the vif type the
 * host declares for its vnic type) on the first segment whose type the host allows.
 */
import type { Agent, PortContext } from '../../driver-api.js'

export const ODL_AGENT_TYPE = 'ODL L2'
export const ODL_AGENT_BINARY = 'neutron-odlagent-portbinding'

interface VnicEntry {
  vnic_type?: string
  vif_type?: string
  vif_details?: Record<string, unknown>
}

/** Binds ctx on the first alive agent that can carry one of its segments; leaves it unbound otherwise. */
export function bindPseudoAgent(ctx: PortContext, agents: readonly Agent[], status?: string): boolean {
  for (const a of agents) {
    if (!a.alive || !a.admin_state_up) continue
    const conf = a.configurations ?? {}
    const allowed: unknown = conf.allowed_network_types
    const vnics: VnicEntry[] = Array.isArray(conf.supported_vnic_types) ? conf.supported_vnic_types : [{ vnic_type: 'normal', vif_type: 'ovs', vif_details: {} }]
    const vnic = vnics.find((v) => (v.vnic_type ?? 'normal') === ctx.vnicType)
    if (!vnic) continue
    for (const seg of ctx.segmentsToBind) {
      if (!Array.isArray(allowed) || !allowed.includes(seg.network_type)) continue
      const mappings = (conf.bridge_mappings ?? {}) as Record<string, string>
      if ((seg.network_type === 'flat' || seg.network_type === 'vlan') && seg.physical_network && !(seg.physical_network in mappings)) continue
      const details = JSON.parse(JSON.stringify(vnic.vif_details ?? {}).split('$PORT_ID').join(ctx.current.id))
      ctx.setBinding(seg.id!, vnic.vif_type ?? 'ovs', details, status)
      return true
    }
  }
  return false
}
