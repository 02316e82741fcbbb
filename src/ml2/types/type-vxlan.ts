/**
 * The 'vxlan' type (neutron/plugins/ml2/drivers/type_vxlan.py): 24-bit VNIs, 30 bytes of
 * UDP + VXLAN + inner Ethernet overhead (RFC 7348 §5). Endpoints carry their UDP port (4789).
 */
import type { Tx } from '../../db/engine.js'
import { VXLAN_ENCAP_OVERHEAD } from './mtu.js'
import { MAX_VXLAN_VNI, MIN_VXLAN_VNI } from './ranges.js'
import { TunnelTypeDriver, type TunnelEndpoint, type TunnelTypeDriverOptions } from './type-tunnel.js'

/** IANA VXLAN port (RFC 7348). */
export const VXLAN_UDP_PORT = 4789

export interface VxlanTypeDriverOptions extends Omit<TunnelTypeDriverOptions, 'ranges'> {
  /** Parsed `[ml2_type_vxlan] vni_ranges`. */
  vniRanges: TunnelTypeDriverOptions['ranges']
}

export class VxlanTypeDriver extends TunnelTypeDriver {
  constructor(opts: VxlanTypeDriverOptions) {
    super(
      {
        type: 'vxlan',
        allocTable: 'ml2_vxlan_allocations',
        idColumn: 'vxlan_vni',
        endpointTable: 'ml2_vxlan_endpoints',
        overhead: VXLAN_ENCAP_OVERHEAD,
        limits: [MIN_VXLAN_VNI, MAX_VXLAN_VNI],
      },
      { ...opts, ranges: opts.vniRanges },
    )
  }

  override addEndpoint(tx: Tx, ip: string, host: string | null, extra: { udp_port?: number } = {}): Promise<TunnelEndpoint> {
    return super.addEndpoint(tx, ip, host, { udp_port: extra.udp_port ?? VXLAN_UDP_PORT })
  }
}
