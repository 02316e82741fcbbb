/**
 * The 'vlan' type (neutron/plugins/ml2/drivers/type_vlan.py, Zed): 802.1Q tags 1–4094 per
 * physical network. Tenant pools come from `network_vlan_ranges`; a physnet listed without a range
 * takes provider networks only. Provider VLANs need not be inside the ranges (facts §2.5).
 */
import { InvalidInput, NoNetworkAvailable, VlanIdInUse } from '../../common/exceptions.js'
import type { Tx } from '../../db/engine.js'
import type { Segment, TypeDriver } from '../driver-api.js'
import { DEFAULT_MTU, physnetMtu, type MtuOptions } from './mtu.js'
import { inRanges, isValidVlanTag, MAX_VLAN_TAG, MIN_VLAN_TAG, verifyVlanRange, type IdRange } from './ranges.js'
import { NOOP_LOGGER, SegmentAllocator, type PoolKey, type TypeLogger } from './segment-allocator.js'
import { prohibitedKey } from './validate.js'

export interface VlanTypeDriverOptions {
  /** Parsed `[ml2_type_vlan] network_vlan_ranges`: physnet → ranges (`[]`: provider-only physnet). */
  networkVlanRanges: ReadonlyMap<string, readonly IdRange[]>
  mtu?: MtuOptions
  log?: TypeLogger
}

export class VlanTypeDriver implements TypeDriver {
  readonly type = 'vlan'
  readonly #ranges: ReadonlyMap<string, readonly IdRange[]>
  readonly #mtu: MtuOptions
  readonly #log: TypeLogger
  readonly #pool = new SegmentAllocator({ table: 'ml2_vlan_allocations', idColumn: 'vlan_id', scopeColumn: 'physical_network' })

  constructor(opts: VlanTypeDriverOptions) {
    const ranges = new Map<string, IdRange[]>()
    for (const [physnet, list] of opts.networkVlanRanges) {
      if (!physnet) throw new Error('Empty physical network name.')
      for (const r of list) verifyVlanRange([r[0], r[1]])
      ranges.set(physnet, list.map(([a, b]) => [a, b] as IdRange))
    }
    this.#ranges = ranges
    this.#mtu = opts.mtu ?? DEFAULT_MTU
    this.#log = opts.log ?? NOOP_LOGGER
  }

  /** Sync ml2_vlan_allocations with the configured ranges, per physnet (facts §2.4). */
  async initialize(tx: Tx): Promise<void> {
    await this.#pool.lockForSync(tx)
    await this.#pool.deleteFreeOutsideScopes(tx, [...this.#ranges.keys()])
    for (const [physnet, ranges] of this.#ranges) await this.#pool.sync(tx, physnet, ranges)
    this.#log.info(`VLAN ranges synced: ${describe(this.#ranges)}`)
  }

  validateProviderSegment(segment: Segment): void {
    const physnet = segment.physical_network
    const segId = segment.segmentation_id
    if (physnet) {
      if (!this.#ranges.has(physnet)) {
        throw new InvalidInput(`physical_network '${physnet}' unknown for VLAN provider network`)
      }
      if (segId !== null && segId !== undefined && !isValidVlanTag(segId)) {
        throw new InvalidInput(`segmentation_id out of range (${MIN_VLAN_TAG} through ${MAX_VLAN_TAG})`)
      }
    } else if (segId !== null && segId !== undefined) {
      throw new InvalidInput('segmentation_id requires physical_network for VLAN provider network')
    }
    const key = prohibitedKey(segment, ['physical_network', 'segmentation_id'])
    if (key) throw new InvalidInput(`${key} prohibited for VLAN provider network`)
  }

  isPartialSegment(segment: Segment): boolean {
    return segment.segmentation_id === null || segment.segmentation_id === undefined
  }

  /**
   * Full segment: that tag on that physnet, 409 VlanIdInUse when taken. Partial (no id, maybe a
   * physnet): any free tag of that physnet's pool (of any pool without a physnet), 503 when none.
   */
  async reserveProviderSegment(tx: Tx, segment: Segment): Promise<Segment> {
    const physnet = segment.physical_network || null
    let key: PoolKey | null
    if (this.isPartialSegment(segment)) {
      key = await this.#pool.allocatePartial(tx, physnet)
      if (!key) throw new NoNetworkAvailable()
    } else {
      key = { scope: physnet, id: segment.segmentation_id! }
      if (!(await this.#pool.allocateFully(tx, key))) throw new VlanIdInUse(key.id, physnet ?? '')
    }
    return this.#segment(key)
  }

  /** Tries the physnets in configuration order; null when every pool is exhausted. */
  async allocateTenantSegment(tx: Tx): Promise<Segment | null> {
    for (const [physnet, ranges] of this.#ranges) {
      if (ranges.length === 0) continue
      const key = await this.#pool.allocatePartial(tx, physnet)
      if (key) return this.#segment(key)
    }
    return null
  }

  async releaseSegment(tx: Tx, segment: Segment): Promise<void> {
    const physnet = segment.physical_network ?? ''
    const id = segment.segmentation_id!
    const inside = inRanges(id, this.#ranges.get(physnet) ?? [])
    if (!(await this.#pool.release(tx, { scope: physnet, id }, inside))) {
      this.#log.warn(`No vlan_id ${id} found on physical network ${physnet}`)
    }
  }

  getMtu(physnet: string | null): number {
    return physnetMtu(this.#mtu, physnet)
  }

  /** Configured physnets (in order) and their ranges. */
  get networkVlanRanges(): ReadonlyMap<string, readonly IdRange[]> {
    return this.#ranges
  }

  #segment(key: PoolKey): Segment {
    return { network_type: this.type, physical_network: key.scope, segmentation_id: key.id, mtu: this.getMtu(key.scope) }
  }
}

function describe(ranges: ReadonlyMap<string, readonly IdRange[]>): string {
  return [...ranges].map(([p, rs]) => `${p}[${rs.map(([a, b]) => `${a}:${b}`).join(',')}]`).join(' ') || '(none)'
}
