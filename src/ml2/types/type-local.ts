/**
 * The 'local' type (neutron/plugins/ml2/drivers/type_local.py): connectivity on one host only.
 * Nothing to allocate: every tenant request succeeds, and it takes no physnet and no id.
 */
import { InvalidInput } from '../../common/exceptions.js'
import type { Tx } from '../../db/engine.js'
import type { Segment, TypeDriver } from '../driver-api.js'
import { prohibitedKey } from './validate.js'

export class LocalTypeDriver implements TypeDriver {
  readonly type = 'local'

  async initialize(_tx: Tx): Promise<void> {}

  validateProviderSegment(segment: Segment): void {
    const key = prohibitedKey(segment, [])
    if (key) throw new InvalidInput(`${key} prohibited for local provider network`)
  }

  isPartialSegment(_segment: Segment): boolean {
    return false
  }

  async reserveProviderSegment(_tx: Tx, _segment: Segment): Promise<Segment> {
    return { network_type: this.type, physical_network: null, segmentation_id: null, mtu: this.getMtu(null) }
  }

  async allocateTenantSegment(_tx: Tx): Promise<Segment | null> {
    return { network_type: this.type, physical_network: null, segmentation_id: null, mtu: this.getMtu(null) }
  }

  async releaseSegment(_tx: Tx, _segment: Segment): Promise<void> {}

  /** 0: no limit from this segment (Neutron returns None); the network falls back to global_physnet_mtu. */
  getMtu(_physnet: string | null): number {
    return 0
  }
}

