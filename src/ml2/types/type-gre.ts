/** The 'gre' type (neutron/plugins/ml2/drivers/type_gre.py): 32-bit keys, 22 bytes of GRE overhead. */
import { GRE_ENCAP_OVERHEAD } from './mtu.js'
import { MAX_GRE_ID, MIN_GRE_ID } from './ranges.js'
import { TunnelTypeDriver, type TunnelTypeDriverOptions } from './type-tunnel.js'

export interface GreTypeDriverOptions extends Omit<TunnelTypeDriverOptions, 'ranges'> {
  /** Parsed `[ml2_type_gre] tunnel_id_ranges`. */
  tunnelIdRanges: TunnelTypeDriverOptions['ranges']
}

export class GreTypeDriver extends TunnelTypeDriver {
  constructor(opts: GreTypeDriverOptions) {
    super(
      {
        type: 'gre',
        allocTable: 'ml2_gre_allocations',
        idColumn: 'gre_id',
        endpointTable: 'ml2_gre_endpoints',
        overhead: GRE_ENCAP_OVERHEAD,
        limits: [MIN_GRE_ID, MAX_GRE_ID],
      },
      { ...opts, ranges: opts.tunnelIdRanges },
    )
  }
}
