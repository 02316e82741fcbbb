/**
 * The 'flat' type (neutron/plugins/ml2/drivers/type_flat.py, Zed): an untagged physical network,
 * so at most one network per physnet. A row in ml2_flat_allocations exists exactly while the
 * physnet is in use. No tenant networks.
 */
import { FlatNetworkInUse, InvalidInput } from '../../common/exceptions.js'
import type { Tx } from '../../db/engine.js'
import type { Segment, TypeDriver } from '../driver-api.js'
import { DEFAULT_MTU, physnetMtu, type MtuOptions } from './mtu.js'
import { NOOP_LOGGER, type TypeLogger } from './segment-allocator.js'
import { prohibitedKey } from './validate.js'

export interface FlatTypeDriverOptions {
  /** `[ml2_type_flat] flat_networks`: names, `['*']` for any (Zed default), `[]` = disabled. */
  flatNetworks: readonly string[]
  mtu?: MtuOptions
  log?: TypeLogger
}

export class FlatTypeDriver implements TypeDriver {
  readonly type = 'flat'
  /** null = any physnet allowed. */
  readonly #allowed: ReadonlySet<string> | null
  readonly #mtu: MtuOptions
  readonly #log: TypeLogger

  constructor(opts: FlatTypeDriverOptions) {
    const names = opts.flatNetworks.map((n) => n.trim()).filter((n) => n !== '')
    this.#allowed = names.includes('*') ? null : new Set(names)
    this.#mtu = opts.mtu ?? DEFAULT_MTU
    this.#log = opts.log ?? NOOP_LOGGER
  }

  async initialize(_tx: Tx): Promise<void> {
    if (this.#allowed === null) this.#log.info('Arbitrary flat physical_network names allowed')
    else if (this.#allowed.size === 0) this.#log.info('Flat networks are disabled')
  }

  validateProviderSegment(segment: Segment): void {
    const physnet = segment.physical_network
    if (!physnet) throw new InvalidInput('physical_network required for flat provider network')
    if (this.#allowed !== null && this.#allowed.size === 0) throw new InvalidInput('Flat provider networks are disabled')
    if (this.#allowed !== null && !this.#allowed.has(physnet)) {
      throw new InvalidInput(`physical_network '${physnet}' unknown for flat provider network`)
    }
    const key = prohibitedKey(segment, ['physical_network'])
    if (key) throw new InvalidInput(`${key} prohibited for flat provider network`)
  }

  isPartialSegment(_segment: Segment): boolean {
    return false
  }

  async reserveProviderSegment(tx: Tx, segment: Segment): Promise<Segment> {
    const physnet = segment.physical_network!
    const r = await tx.run('INSERT INTO ml2_flat_allocations (physical_network) VALUES (?) ON CONFLICT DO NOTHING', [physnet])
    if (r.changes === 0) throw new FlatNetworkInUse(physnet)
    return { network_type: this.type, physical_network: physnet, segmentation_id: null, mtu: this.getMtu(physnet) }
  }

  /** Tenant flat networks are not supported. */
  async allocateTenantSegment(_tx: Tx): Promise<Segment | null> {
    return null
  }

  async releaseSegment(tx: Tx, segment: Segment): Promise<void> {
    const physnet = segment.physical_network
    const r = await tx.run('DELETE FROM ml2_flat_allocations WHERE physical_network = ?', [physnet])
    if (r.changes === 0) this.#log.warn(`No flat network found on physical network ${physnet}`)
  }

  getMtu(physnet: string | null): number {
    return physnetMtu(this.#mtu, physnet)
  }
}
