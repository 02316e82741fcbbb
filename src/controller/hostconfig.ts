/**
 * Hostconfigs: what networking-odl's pseudo-agent port binding needs to know about each hypervisor
 * (odl-northbound.md §4). OpenDaylight builds them from each node's OVSDB `Open_vSwitch` row:
 * `external_ids:odl_os_hostconfig_hostid` and `odl_os_hostconfig_config_odl_l2` when a node was
 * set up with `neutron-odl-ovs-hostconfig`; otherwise Neutrino derives the same JSON from
 * `other_config:local_ip`, `provider_mappings` and the datapath type, so that a node joined with
 * `neutrino node join` binds without extra set-up.
 */

export const HOST_TYPE_L2 = 'ODL L2'

export interface Hostconfig {
  readonly hostId: string
  readonly hostType: string
  readonly config: HostconfigConfig
}

export interface HostconfigConfig {
  supported_vnic_types: Array<{ vnic_type: string; vif_type: string; vif_details: Record<string, unknown> }>
  allowed_network_types: string[]
  bridge_mappings: Record<string, string>
}

/** What the southbound knows of a connected node. */
export interface NodeFacts {
  /** `Open_vSwitch` row uuid (stable identity of the node's database). */
  readonly uuid: string
  readonly externalIds: Readonly<Record<string, string>>
  readonly otherConfig: Readonly<Record<string, string>>
  readonly datapathTypes?: readonly string[]
  readonly ifaceTypes?: readonly string[]
}

export interface HostconfigOptions {
  /** `[controller] tunnel_types`. */
  tunnelTypes: readonly string[]
  /** `[controller] datapath_type`. */
  datapathType: string
}

/** The node's host id, as ODL reads it; undefined when the node names no host. */
export function hostIdOf(n: NodeFacts): string | undefined {
  return n.externalIds['odl_os_hostconfig_hostid'] || n.externalIds['hostname'] || n.externalIds['system-id'] || undefined
}

/** `physnet1:br-ex,physnet2:br-vlan` → `{physnet1: 'br-ex', …}`; malformed entries are skipped. */
export function parseMappings(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  for (const part of (text ?? '').split(',')) {
    const i = part.indexOf(':')
    if (i <= 0 || i === part.length - 1) continue
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim()
  }
  return { ...out }
}

export function hostconfigOf(n: NodeFacts, o: HostconfigOptions): Hostconfig | undefined {
  const hostId = hostIdOf(n)
  if (!hostId) return undefined
  const given = n.externalIds['odl_os_hostconfig_config_odl_l2']
  if (given) {
    try {
      const parsed = JSON.parse(given) as HostconfigConfig
      if (parsed && typeof parsed === 'object') return { hostId, hostType: HOST_TYPE_L2, config: parsed }
    } catch {
      // A malformed operator-written value falls back to the derived config below.
    }
  }
  const bridgeMappings = parseMappings(n.otherConfig['provider_mappings'] ?? n.externalIds['provider_mappings'])
  const localIp = n.otherConfig['local_ip']
  const types = ['local']
  if (Object.keys(bridgeMappings).length > 0) types.push('flat', 'vlan')
  if (localIp) types.push(...o.tunnelTypes)
  const netdev = o.datapathType === 'netdev'
  return {
    hostId,
    hostType: HOST_TYPE_L2,
    config: {
      supported_vnic_types: [{
        vnic_type: 'normal',
        vif_type: 'ovs',
        vif_details: {
          uuid: n.uuid,
          host_addresses: localIp ? [localIp] : [],
          has_datapath_type_netdev: netdev,
          support_vhost_user: netdev && (n.ifaceTypes ?? []).includes('dpdkvhostuserclient'),
          port_filter: true,
          datapath_type: o.datapathType,
        },
      }],
      allowed_network_types: types,
      bridge_mappings: bridgeMappings,
    },
  }
}

/** The RESTCONF list entry (`config` is a JSON string, as networking-odl expects). */
export function restconfEntry(h: Hostconfig): Record<string, unknown> {
  return { 'host-id': h.hostId, 'host-type': h.hostType, config: JSON.stringify(h.config) }
}
