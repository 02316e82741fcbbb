/**
 * MTU rules of the type drivers (Neutron Zed: helpers.BaseTypeDriver.get_mtu, type_vlan/type_flat
 * get_mtu, type_tunnel._TunnelTypeDriverBase.get_mtu, type_vxlan/type_gre). A result of 0 means
 * "no constraint from this segment"; the network MTU then falls back to global_physnet_mtu.
 */

export interface MtuOptions {
  /** `[DEFAULT] global_physnet_mtu` (Neutron default 1500; 0 or less = unset). */
  globalPhysnetMtu: number
  /** `[ml2] path_mtu` (default 0 = unset). Only the tunnel types use it. */
  pathMtu?: number
  /** `[ml2] physical_network_mtus`. Only the physnet types (flat, vlan) use it. */
  physicalNetworkMtus?: ReadonlyMap<string, number>
}

export const DEFAULT_MTU: MtuOptions = { globalPhysnetMtu: 1500, pathMtu: 0 }

/** neutron_lib.constants: outer IP header per `[ml2] overlay_ip_version`. */
export const IP_HEADER_LENGTH: Readonly<Record<4 | 6, number>> = { 4: 20, 6: 40 }
/** Encapsulation overhead without the outer IP header (neutron-lib ≥ Mitaka). */
export const VXLAN_ENCAP_OVERHEAD = 30
export const GRE_ENCAP_OVERHEAD = 22

/** flat / vlan: min(global_physnet_mtu if > 0, physical_network_mtus[physnet] if set), else 0. */
export function physnetMtu(opts: MtuOptions, physnet: string | null): number {
  const mtus: number[] = []
  if (opts.globalPhysnetMtu > 0) mtus.push(opts.globalPhysnetMtu)
  const own = physnet === null ? undefined : opts.physicalNetworkMtus?.get(physnet)
  if (own !== undefined) mtus.push(own)
  return mtus.length ? Math.min(...mtus) : 0
}

/**
 * Tunnels: min(global_physnet_mtu, path_mtu) over the ones > 0, minus the outer IP header, minus
 * the encapsulation overhead; 0 when neither is set. VXLAN over IPv4 on 1500 → 1450, GRE → 1458.
 */
export function tunnelMtu(opts: MtuOptions, ipVersion: 4 | 6, overhead: number): number {
  const mtus: number[] = []
  if (opts.globalPhysnetMtu > 0) mtus.push(opts.globalPhysnetMtu)
  if ((opts.pathMtu ?? 0) > 0) mtus.push(opts.pathMtu!)
  if (!mtus.length) return 0
  const underlay = Math.min(...mtus) - IP_HEADER_LENGTH[ipVersion]
  return underlay ? underlay - overhead : 0
}
