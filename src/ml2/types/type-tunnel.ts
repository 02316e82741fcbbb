/**
 * Shared base of the tunnel types (neutron/plugins/ml2/drivers/type_tunnel.py, Zed): one global
 * id pool, no physnet, a partial segment (no segmentation_id) allocates from the pool, and the
 * tunnel endpoints table (ml2_gre_endpoints / ml2_vxlan_endpoints) that agents register into.
 */
import { InvalidInput, NoNetworkAvailable, TunnelIdInUse } from '../../common/exceptions.js'
import type { Param, Queryable, Tx } from '../../db/engine.js'
import type { Segment, TypeDriver } from '../driver-api.js'
import { DEFAULT_MTU, tunnelMtu, type MtuOptions } from './mtu.js'
import { inRanges, normalizeRanges, verifyTunnelRange, type IdRange } from './ranges.js'
import { NOOP_LOGGER, SegmentAllocator, type TypeLogger } from './segment-allocator.js'
import { prohibitedKey } from './validate.js'

export interface TunnelTypeDriverOptions {
  /** Parsed `[ml2_type_gre] tunnel_id_ranges` / `[ml2_type_vxlan] vni_ranges`. */
  ranges: readonly IdRange[]
  /** global_physnet_mtu and path_mtu (physical_network_mtus does not apply to tunnels). */
  mtu?: MtuOptions
  /** `[ml2] overlay_ip_version`: 4 (default) or 6, for the outer IP header size. */
  overlayIpVersion?: 4 | 6
  log?: TypeLogger
}

export interface TunnelEndpoint {
  ip_address: string
  host: string | null
  udp_port?: number
}

interface TunnelSpec {
  type: string
  allocTable: string
  idColumn: string
  endpointTable: string
  /** Encapsulation overhead without the outer IP header. */
  overhead: number
  limits: IdRange
}

export abstract class TunnelTypeDriver implements TypeDriver {
  readonly type: string
  readonly #spec: TunnelSpec
  readonly #ranges: IdRange[]
  readonly #mtu: MtuOptions
  readonly #ipVersion: 4 | 6
  protected readonly log: TypeLogger
  readonly #pool: SegmentAllocator

  protected constructor(spec: TunnelSpec, opts: TunnelTypeDriverOptions) {
    this.type = spec.type
    this.#spec = spec
    for (const r of opts.ranges) verifyTunnelRange([r[0], r[1]], spec.type)
    this.#ranges = normalizeRanges(opts.ranges)
    this.#mtu = opts.mtu ?? DEFAULT_MTU
    this.#ipVersion = opts.overlayIpVersion ?? 4
    if (this.#ipVersion !== 4 && this.#ipVersion !== 6) throw new Error(`invalid overlay_ip_version ${this.#ipVersion}`)
    this.log = opts.log ?? NOOP_LOGGER
    this.#pool = new SegmentAllocator({ table: spec.allocTable, idColumn: spec.idColumn })
  }

  /** The configured ranges, sorted and merged. */
  get ranges(): readonly IdRange[] {
    return this.#ranges
  }

  async initialize(tx: Tx): Promise<void> {
    await this.#pool.lockForSync(tx)
    await this.#pool.sync(tx, null, this.#ranges)
    this.log.info(`${this.type} ID ranges synced: ${this.#ranges.map(([a, b]) => `${a}:${b}`).join(',') || '(none)'}`)
  }

  /**
   * Zed: a physnet is refused; segmentation_id is optional (partial segment). Zed does not range
   * check provider ids at all; we refuse ids outside the protocol's id space (a VNI must fit 24 bits),
   * with the VLAN driver's wording.
   */
  validateProviderSegment(segment: Segment): void {
    if (segment.physical_network) {
      throw new InvalidInput(`provider:physical_network specified for ${this.type} network`)
    }
    const id = segment.segmentation_id
    const [min, max] = this.#spec.limits
    if (id !== null && id !== undefined && (!Number.isInteger(id) || id < min || id > max)) {
      throw new InvalidInput(`segmentation_id out of range (${min} through ${max})`)
    }
    const key = prohibitedKey(segment, ['segmentation_id'])
    if (key) throw new InvalidInput(`${key} prohibited for ${this.type} provider network`)
  }

  isPartialSegment(segment: Segment): boolean {
    return segment.segmentation_id === null || segment.segmentation_id === undefined
  }

  async reserveProviderSegment(tx: Tx, segment: Segment): Promise<Segment> {
    if (this.isPartialSegment(segment)) {
      const key = await this.#pool.allocatePartial(tx)
      if (!key) throw new NoNetworkAvailable()
      return this.#segment(key.id)
    }
    const id = segment.segmentation_id!
    if (!(await this.#pool.allocateFully(tx, { scope: null, id }))) throw new TunnelIdInUse(id)
    return this.#segment(id)
  }

  async allocateTenantSegment(tx: Tx): Promise<Segment | null> {
    const key = await this.#pool.allocatePartial(tx)
    return key ? this.#segment(key.id) : null
  }

  async releaseSegment(tx: Tx, segment: Segment): Promise<void> {
    const id = segment.segmentation_id!
    if (!(await this.#pool.release(tx, { scope: null, id }, inRanges(id, this.#ranges)))) {
      this.log.warn(`${this.type} tunnel ${id} not found`)
    }
  }

  getMtu(_physnet: string | null = null): number {
    return tunnelMtu(this.#mtu, this.#ipVersion, this.#spec.overhead)
  }

  // ---- endpoints (tunnel_sync RPC) ---------------------------------------------------------

  /** Registers an endpoint; an existing one with that IP is returned unchanged (Neutron logs a warning). */
  async addEndpoint(tx: Tx, ip: string, host: string | null, extra: Record<string, Param> = {}): Promise<TunnelEndpoint> {
    const cols = ['ip_address', 'host', ...Object.keys(extra)]
    const r = await tx.run(
      `INSERT INTO ${this.#spec.endpointTable} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
      [ip, host, ...Object.values(extra)],
    )
    if (r.changes === 0) this.log.warn(`Endpoint with ip ${ip} already exists`)
    const ep = await this.getEndpointByIp(tx, ip)
    if (!ep) throw new Error(`${this.type} endpoint ${ip}: host ${host} is already registered with another IP`)
    return ep
  }

  async getEndpoints(q: Queryable): Promise<TunnelEndpoint[]> {
    return q.all<TunnelEndpoint>(`SELECT * FROM ${this.#spec.endpointTable} ORDER BY ip_address`)
  }

  async getEndpointByHost(q: Queryable, host: string): Promise<TunnelEndpoint | undefined> {
    return q.get<TunnelEndpoint>(`SELECT * FROM ${this.#spec.endpointTable} WHERE host = ?`, [host])
  }

  async getEndpointByIp(q: Queryable, ip: string): Promise<TunnelEndpoint | undefined> {
    return q.get<TunnelEndpoint>(`SELECT * FROM ${this.#spec.endpointTable} WHERE ip_address = ?`, [ip])
  }

  async deleteEndpoint(tx: Tx, ip: string): Promise<void> {
    await tx.run(`DELETE FROM ${this.#spec.endpointTable} WHERE ip_address = ?`, [ip])
  }

  async deleteEndpointByHostOrIp(tx: Tx, host: string | null, ip: string): Promise<void> {
    await tx.run(`DELETE FROM ${this.#spec.endpointTable} WHERE host = ? OR ip_address = ?`, [host, ip])
  }

  #segment(id: number): Segment {
    return { network_type: this.type, physical_network: null, segmentation_id: id, mtu: this.getMtu(null) }
  }
}
