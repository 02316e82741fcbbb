/**
 * TypeManager (neutron/plugins/ml2/managers.py, Zed; facts §1.1, §3): one driver per network type,
 * provider segment validation, segment reservation/allocation at network create, release at
 * delete, the ml2_network_segments rows, and the network MTU.
 */
import { randomUUID } from 'node:crypto'
import { InvalidInput, NoNetworkAvailable } from '../common/exceptions.js'
import type { Param, Queryable, Tx, Db } from '../db/engine.js'
import { withRetries } from '../db/retry.js'
import type { Segment, TypeDriver } from './driver-api.js'
import { checkDuplicateSegments, extractSegments, type RequestedSegment } from './provider-attrs.js'
import { NOOP_LOGGER, type TypeLogger } from './types/segment-allocator.js'

export type { TypeLogger } from './types/segment-allocator.js'

export interface TypeManagerOptions {
  /** `[ml2] type_drivers`, in order: names looked up in `registry`. */
  typeDrivers: readonly string[]
  /** Driver instances by name (e.g. from types/registry.ts createTypeDrivers). */
  registry: ReadonlyMap<string, TypeDriver> | Readonly<Record<string, TypeDriver>>
  /** `[ml2] tenant_network_types`, tried in order. */
  tenantNetworkTypes: readonly string[]
  /** `[ml2] external_network_type`: type for router:external networks created without provider attrs. */
  externalNetworkType?: string | null
  /** `[DEFAULT] global_physnet_mtu`: network MTU when no segment constrains it. Default 1500. */
  globalPhysnetMtu?: number
  logger?: TypeLogger
}

export interface CreateSegmentsOptions {
  /** The network is router:external (external_network_type applies). */
  external?: boolean
}

const SEGMENT_COLUMNS = 'id, network_id, network_type, physical_network, segmentation_id, is_dynamic, segment_index'
/** Bound on `IN (…)` parameters per statement for batch reads. */
const IN_CHUNK = 500

export class TypeManager {
  /** network_type → driver, in registration order. */
  readonly drivers = new Map<string, TypeDriver>()
  readonly tenantNetworkTypes: readonly string[]
  readonly externalNetworkType: string | null
  readonly globalPhysnetMtu: number
  readonly #log: TypeLogger

  constructor(opts: TypeManagerOptions) {
    this.#log = opts.logger ?? NOOP_LOGGER
    const lookup = (name: string): TypeDriver | undefined =>
      opts.registry instanceof Map ? opts.registry.get(name) : (opts.registry as Record<string, TypeDriver>)[name]
    const names = new Map<string, string>() // type → driver name that registered it
    for (const name of opts.typeDrivers) {
      const driver = lookup(name)
      if (!driver) {
        this.#log.error(`Could not load type driver '${name}': not found`)
        continue
      }
      const owner = names.get(driver.type)
      if (owner !== undefined) {
        this.#log.error(
          `Type driver '${name}' ignored because type driver '${owner}' is already registered for type '${driver.type}'`,
        )
        continue
      }
      names.set(driver.type, name)
      this.drivers.set(driver.type, driver)
    }
    this.#log.info(`Registered types: ${[...this.drivers.keys()].join(', ')}`)
    for (const t of opts.tenantNetworkTypes) {
      if (!this.drivers.has(t)) throw new Error(`No type driver for tenant network_type: ${t}. Service terminated!`)
    }
    this.tenantNetworkTypes = [...opts.tenantNetworkTypes]
    this.externalNetworkType = opts.externalNetworkType || null
    if (this.externalNetworkType && !this.drivers.has(this.externalNetworkType)) {
      throw new Error(`No type driver for external network_type: ${this.externalNetworkType}. Service terminated!`)
    }
    this.globalPhysnetMtu = opts.globalPhysnetMtu ?? 1500
  }

  /** Each driver syncs its pool in its own transaction (retried on a lost race). */
  async initialize(db: Db): Promise<void> {
    for (const [type, driver] of this.drivers) {
      this.#log.info(`Initializing driver for type '${type}'`)
      await withRetries(() => db.transaction((tx) => driver.initialize(tx)))
    }
  }

  #driver(type: string): TypeDriver {
    const d = this.drivers.get(type)
    if (!d) throw new InvalidInput(`network_type value '${type}' not supported`)
    return d
  }

  /** Outside the transaction. Missing type → "network_type required"; unknown → "… not supported". */
  validateProviderSegment(segment: RequestedSegment | Segment): Segment {
    if (segment.network_type === null || segment.network_type === undefined) throw new InvalidInput('network_type required')
    const s: Segment = {
      network_type: segment.network_type,
      physical_network: segment.physical_network ?? null,
      segmentation_id: segment.segmentation_id ?? null,
    }
    this.#driver(s.network_type).validateProviderSegment(s)
    return s
  }

  isPartialSegment(segment: Segment): boolean {
    return this.#driver(segment.network_type).isPartialSegment(segment)
  }

  /**
   * _process_provider_create: each requested segment checked in order (type required, driver
   * rules), then duplicates among the fully specified ones. Null/[] → a tenant network.
   */
  validateSegments(requested: readonly (RequestedSegment | Segment)[] | null): Segment[] | null {
    if (requested === null) return null
    const segments = requested.map((s) => this.validateProviderSegment(s))
    checkDuplicateSegments(segments, (s) => this.isPartialSegment(s))
    return segments
  }

  /** extractSegments + validateSegments on a network create body: call before the transaction. */
  processProviderCreate(body: Record<string, unknown>): Segment[] | null {
    return this.validateSegments(extractSegments(body))
  }

  /**
   * Inside the network-create transaction: reserves every requested segment (or allocates one
   * tenant segment, trying tenant_network_types in order; none left → NoNetworkAvailable 503) and
   * writes the ml2_network_segments rows. Returns the segments with ids, in segment_index order.
   */
  async createNetworkSegments(
    tx: Tx,
    networkId: string,
    requested: readonly Segment[] | null,
    opts: CreateSegmentsOptions = {},
  ): Promise<Segment[]> {
    return this.recordNetworkSegments(tx, networkId, await this.allocateNetworkSegments(tx, requested, opts))
  }

  /**
   * The first half of createNetworkSegments: reserves the requested segments (or allocates one
   * tenant segment) without writing ml2_network_segments yet, so the caller can insert the
   * network row with its final MTU first (the segment rows reference it).
   */
  async allocateNetworkSegments(tx: Tx, requested: readonly Segment[] | null, opts: CreateSegmentsOptions = {}): Promise<Segment[]> {
    if (requested && requested.length > 0) {
      const out: Segment[] = []
      for (const seg of requested) out.push(await this.#driver(seg.network_type).reserveProviderSegment(tx, seg))
      return out
    }
    const types = opts.external && this.externalNetworkType ? [this.externalNetworkType] : this.tenantNetworkTypes
    for (const type of types) {
      const seg = await this.drivers.get(type)!.allocateTenantSegment(tx)
      if (seg) return [seg]
    }
    throw new NoNetworkAvailable()
  }

  /** The second half: writes the segment rows of reserved segments, in order. */
  async recordNetworkSegments(tx: Tx, networkId: string, reserved: readonly Segment[]): Promise<Segment[]> {
    const out: Segment[] = []
    for (const [i, seg] of reserved.entries()) out.push(await this.#addSegment(tx, networkId, seg, i, false))
    return out
  }

  /**
   * Inside the network-delete transaction: releases every segment (dynamic ones too) to its driver
   * and deletes the rows. A type whose driver is gone is logged and its allocation left orphaned.
   */
  async releaseNetworkSegments(tx: Tx, networkId: string): Promise<Segment[]> {
    const segments = await this.getNetworkSegments(tx, networkId, { dynamic: null })
    for (const seg of segments) await this.#release(tx, seg)
    await tx.run('DELETE FROM ml2_network_segments WHERE network_id = ?', [networkId])
    return segments
  }

  /**
   * Hierarchical binding: reuse the network's dynamic segment matching physnet/id, or reserve one
   * (partial → from the pool) and record it with is_dynamic.
   */
  async allocateDynamicSegment(tx: Tx, networkId: string, segment: Segment): Promise<Segment> {
    const where = ['network_id = ?', 'is_dynamic = TRUE']
    const params: Param[] = [networkId]
    if (segment.physical_network) (where.push('physical_network = ?'), params.push(segment.physical_network))
    if (segment.segmentation_id != null) (where.push('segmentation_id = ?'), params.push(segment.segmentation_id))
    const found = await tx.get(`SELECT ${SEGMENT_COLUMNS} FROM ml2_network_segments WHERE ${where.join(' AND ')} LIMIT 1`, params)
    if (found) return rowToSegment(found)
    const reserved = await this.#driver(segment.network_type).reserveProviderSegment(tx, segment)
    return this.#addSegment(tx, networkId, reserved, 0, true)
  }

  async releaseDynamicSegment(tx: Tx, segmentId: string): Promise<void> {
    const row = await tx.get(`SELECT ${SEGMENT_COLUMNS} FROM ml2_network_segments WHERE id = ?`, [segmentId])
    if (!row) return this.#log.info(`No segment found with id ${segmentId}`)
    const seg = rowToSegment(row)
    if (!this.drivers.has(seg.network_type)) {
      return this.#log.error(`Failed to release segment ${segmentId}: network type ${seg.network_type} not supported`)
    }
    await this.#release(tx, seg)
    await tx.run('DELETE FROM ml2_network_segments WHERE id = ?', [segmentId])
  }

  /** Segments of one network in segment_index order; static only unless `dynamic` says otherwise (null = all). */
  async getNetworkSegments(q: Queryable, networkId: string, opts: { dynamic?: boolean | null } = {}): Promise<Segment[]> {
    return (await this.getSegmentsForNetworks(q, [networkId], opts)).get(networkId) ?? []
  }

  /** Batch form for list views: one query per 500 networks; every id gets an entry. */
  async getSegmentsForNetworks(
    q: Queryable,
    networkIds: readonly string[],
    opts: { dynamic?: boolean | null } = {},
  ): Promise<Map<string, Segment[]>> {
    const out = new Map<string, Segment[]>()
    for (const id of networkIds) out.set(id, [])
    const dyn = opts.dynamic === undefined ? false : opts.dynamic
    const dynFilter = dyn === null ? '' : ` AND is_dynamic = ${dyn ? 'TRUE' : 'FALSE'}`
    const ids = [...out.keys()]
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK)
      const rows = await q.all(
        `SELECT ${SEGMENT_COLUMNS} FROM ml2_network_segments WHERE network_id IN (${chunk.map(() => '?').join(', ')})${dynFilter} ` +
          'ORDER BY network_id, segment_index, id',
        chunk,
      )
      for (const r of rows) {
        const seg = rowToSegment(r)
        seg.mtu = this.getSegmentMtu(seg)
        out.get(r.network_id)!.push(seg)
      }
    }
    return out
  }

  /** MTU of one segment (0 = unconstrained, or type not loaded). */
  getSegmentMtu(segment: Segment): number {
    return this.drivers.get(segment.network_type)?.getMtu(segment.physical_network ?? null) ?? 0
  }

  /**
   * Plugin._get_network_mtu: the smallest non-zero segment MTU (local returns 0 = unlimited, an
   * unloaded type is skipped), else global_physnet_mtu.
   */
  getNetworkMtu(segments: readonly Segment[]): number {
    const mtus = segments.map((s) => this.getSegmentMtu(s)).filter((m) => m > 0)
    return mtus.length ? Math.min(...mtus) : this.globalPhysnetMtu
  }

  async #release(tx: Tx, seg: Segment): Promise<void> {
    const driver = this.drivers.get(seg.network_type)
    if (driver) await driver.releaseSegment(tx, seg)
    else this.#log.error(`Failed to release segment '${seg.id}' because network type ${seg.network_type} is not supported.`)
  }

  async #addSegment(tx: Tx, networkId: string, seg: Segment, index: number, dynamic: boolean): Promise<Segment> {
    const row: Segment = {
      id: randomUUID(),
      network_id: networkId,
      network_type: seg.network_type,
      physical_network: seg.physical_network ?? null,
      segmentation_id: seg.segmentation_id ?? null,
      is_dynamic: dynamic,
      segment_index: index,
      mtu: seg.mtu ?? this.getSegmentMtu(seg),
    }
    tx.defer(`INSERT INTO ml2_network_segments (${SEGMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      row.id!,
      networkId,
      row.network_type,
      row.physical_network,
      row.segmentation_id,
      dynamic,
      index,
    ])
    return row
  }
}

function rowToSegment(r: Record<string, any>): Segment {
  return {
    id: r.id,
    network_id: r.network_id,
    network_type: r.network_type,
    physical_network: r.physical_network ?? null,
    segmentation_id: r.segmentation_id === null || r.segmentation_id === undefined ? null : Number(r.segmentation_id),
    is_dynamic: !!r.is_dynamic,
    segment_index: Number(r.segment_index ?? 0),
  }
}
