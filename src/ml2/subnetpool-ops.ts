/**
 * Subnet pools (subnet_allocation + default-subnetpools): pool create/update/delete/get/list and
 * allocating a subnet's prefix from a pool (neutron db_base_plugin_v2 *_subnetpool,
 * _get_subnetpool_id; ipam_pluggable_backend.allocate_subnet; ipam/subnet_alloc.py SubnetAllocator).
 * The prefix math is pure (ipam/subnet-alloc.ts); this file reads and locks the rows.
 *
 * Concurrency, as Neutron: an allocation first swaps the pool row's `hash` (compare-and-swap), then
 * reads the pool's prefixes and allocated subnets, all in the subnet's transaction. Of two
 * concurrent allocations only one swaps a given hash; on PostgreSQL the other blocks on the row
 * lock, then changes no row and is retried from scratch (RetryRequest), seeing the first subnet.
 * SQLite serialises writers anyway. Deleting a pool takes the same row lock first.
 */
import { randomUUID } from 'node:crypto'
import type { RequestContext } from '../common/context.js'
import {
  AddressScopeNotFound,
  BadRequest,
  InvalidInput,
  NetworkSubnetPoolAffinityError,
  RetryRequest,
  SubnetPoolDeleteError,
  SubnetPoolInUse,
  SubnetPoolNotFound,
} from '../common/exceptions.js'
import { NOT_SPECIFIED } from '../common/not-specified.js'
import type { Queryable, Tx } from '../db/engine.js'
import { tagsByResource } from '../db/resources/networks.js'
import type { SubnetRow } from '../db/resources/subnets.js'
import {
  defaultSubnetpoolRow,
  deleteSubnetpoolRow,
  getSubnetpoolRow,
  insertSubnetpool,
  listSubnetpoolRows,
  poolHasSubnets,
  prefixesByPool,
  subnetsOfPool,
  swapSubnetpoolHash,
  updateSubnetpoolRow,
  writePrefixes,
  type SubnetpoolRow,
} from '../db/resources/subnetpools.js'
import {
  allocateAnySubnet,
  availablePrefixes,
  canAllocateSpecificSubnet,
  checkGatewayInvalidInSubnet,
  checkRequestedPrefixlen,
  cidr as toCidr,
  cidrFirst,
  formatCidr,
  formatIp,
  IpamValidationError,
  maxValue,
  messages,
  mergePrefixUpdate,
  parseIp,
  readSubnetPool,
  SUBNET_ALLOCATION_REASONS,
  subnetAllocationError,
  subnetPoolQuotaExceeded,
  subnetpoolQuotaExceeded,
  type IpVersion,
} from '../ipam/index.js'
import { projectOf } from './network-ops.js'
import type { Dict, PluginCore } from './plugin-core.js'
import { TagOps } from './tag-ops.js'

const given = (v: unknown) => v !== NOT_SPECIFIED && v !== undefined
const opt = <T>(v: T): T | undefined => (given(v) ? v : undefined)

/** Neutron's RBAC scoping of pools: admins see all; others their own and shared ones. */
export function poolVisible(ctx: RequestContext, row: SubnetpoolRow): boolean {
  return ctx.isAdmin || row.project_id === ctx.projectId || row.shared
}

/** What a subnet create asks of its pool (already validated by the subnet attribute map). */
export interface PoolSubnetRequest {
  /** Normalised cidr of a specific request. */
  cidr?: string
  /** A gateway without a cidr makes a specific request for gateway/prefixlen (SubnetRequestFactory). */
  gatewayIp?: string
  prefixlen?: number
}

export class SubnetpoolOps {
  /** standard-attr-tag: a tag change is a new revision of the pool. */
  readonly tags: TagOps

  constructor(private readonly core: PluginCore) {
    this.tags = new TagOps(core, { resourceType: 'subnetpools', visibleRow: (q, ctx, id) => this.visibleRow(q, ctx, id) })
  }

  // ---- pools --------------------------------------------------------------------------------
  async create(ctx: RequestContext, body: Dict): Promise<Dict> {
    return (await this.createBulk(ctx, [body]))[0]!
  }

  async createBulk(ctx: RequestContext, bodies: Dict[]): Promise<Dict[]> {
    return this.core.txn(async (tx) => {
      const out: Dict[] = []
      for (const b of bodies) out.push(await this.createInTx(tx, ctx, b))
      return out
    })
  }

  private async createInTx(tx: Tx, ctx: RequestContext, b: Dict): Promise<Dict> {
    const spec = readSubnetPool({
      prefixes: b.prefixes,
      min_prefixlen: opt(b.min_prefixlen),
      max_prefixlen: opt(b.max_prefixlen),
      default_prefixlen: opt(b.default_prefixlen),
    })
    if (b.is_default) await this.checkNoDefault(tx, ctx, spec.ipVersion)
    checkAddressScope(b.address_scope_id)
    const now = this.core.timestamp()
    const row: SubnetpoolRow = {
      id: this.core.newId(),
      project_id: projectOf(ctx, b),
      name: b.name,
      ip_version: spec.ipVersion,
      default_prefixlen: spec.defaultPrefixlen,
      min_prefixlen: spec.minPrefixlen,
      max_prefixlen: spec.maxPrefixlen,
      shared: b.shared,
      is_default: b.is_default,
      default_quota: opt(b.default_quota) ?? null,
      address_scope_id: null,
      description: b.description,
      revision_number: 0,
      created_at: now,
      updated_at: now,
    }
    await this.core.quotas?.check(tx, row.project_id, 'subnetpool', 1)
    await insertSubnetpool(tx, row, randomUUID())
    await writePrefixes(tx, row.id, spec.prefixes)
    return this.toDict(row, spec.prefixes, [], false)
  }

  /** _check_default_subnetpool_exists (a default the caller cannot see does not count, as in Neutron). */
  private async checkNoDefault(q: Queryable, ctx: RequestContext, ipVersion: number): Promise<void> {
    const d = await defaultSubnetpoolRow(q, ipVersion)
    if (d && poolVisible(ctx, d)) {
      throw new InvalidInput('A default subnetpool for this IP family has already been set. Only one default may exist per IP family')
    }
  }

  /** Who may update or delete a pool is policy (update_/delete_subnetpool, src/api/policy.ts). */
  async update(ctx: RequestContext, id: string, b: Dict): Promise<Dict> {
    return this.core.txn(async (tx) => {
      const row = await this.visibleRow(tx, ctx, id)
      const current = sortPrefixes((await prefixesByPool(tx, [id])).get(id) ?? [])
      const prefixes = given(b.prefixes) ? mergePrefixUpdate(current, b.prefixes) : current
      const spec = readSubnetPool({
        prefixes,
        min_prefixlen: opt(b.min_prefixlen) ?? row.min_prefixlen,
        max_prefixlen: opt(b.max_prefixlen) ?? row.max_prefixlen,
        default_prefixlen: opt(b.default_prefixlen) ?? row.default_prefixlen,
      })
      if (b.is_default === true && !row.is_default) await this.checkNoDefault(tx, ctx, spec.ipVersion)
      checkAddressScope(b.address_scope_id)
      const changes: Partial<SubnetpoolRow> = {}
      for (const k of ['name', 'description', 'is_default', 'default_quota'] as const) {
        if (given(b[k]) && b[k] !== row[k]) (changes as Dict)[k] = b[k]
      }
      if (spec.minPrefixlen !== row.min_prefixlen) changes.min_prefixlen = spec.minPrefixlen
      if (spec.maxPrefixlen !== row.max_prefixlen) changes.max_prefixlen = spec.maxPrefixlen
      if (spec.defaultPrefixlen !== row.default_prefixlen) changes.default_prefixlen = spec.defaultPrefixlen
      const prefixesChanged = spec.prefixes.join(',') !== current.join(',')
      if (Object.keys(changes).length || prefixesChanged) {
        changes.revision_number = row.revision_number + 1
        changes.updated_at = this.core.timestamp()
        await updateSubnetpoolRow(tx, id, changes)
        if (prefixesChanged) await writePrefixes(tx, id, spec.prefixes)
      }
      const tags = (await tagsByResource(tx, 'subnetpools', [id])).get(id) ?? []
      // Neutron's update answers with the prefix lengths as integers (create/show/list: strings).
      return this.toDict({ ...row, ...changes }, spec.prefixes, tags, true)
    })
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.core.txn(async (tx) => {
      await this.visibleRow(tx, ctx, id)
      // The row lock orders this delete against allocations in flight (see the file comment).
      await swapSubnetpoolHash(tx, id, randomUUID())
      if (await poolHasSubnets(tx, id)) throw new SubnetPoolDeleteError('Subnet pool has existing allocations')
      if (!(await deleteSubnetpoolRow(tx, id))) throw new SubnetPoolNotFound(id)
    })
  }

  private async visibleRow(q: Queryable, ctx: RequestContext, id: string): Promise<SubnetpoolRow> {
    const row = await getSubnetpoolRow(q, id)
    if (!row || !poolVisible(ctx, row)) throw new SubnetPoolNotFound(id)
    return row
  }

  async get(ctx: RequestContext, id: string): Promise<Dict> {
    const q = this.core.reader
    const row = await this.visibleRow(q, ctx, id)
    const [prefixes, tags] = await Promise.all([prefixesByPool(q, [id]), tagsByResource(q, 'subnetpools', [id])])
    return this.toDict(row, sortPrefixes(prefixes.get(id) ?? []), tags.get(id) ?? [], false)
  }

  async list(ctx: RequestContext, _filters: Map<string, string[]>): Promise<Dict[]> {
    const q = this.core.reader
    const rows = await listSubnetpoolRows(q, ctx.isAdmin ? {} : { projectId: ctx.projectId })
    const ids = ctx.isAdmin ? null : rows.map((r) => r.id)
    const [prefixes, tags] = await Promise.all([prefixesByPool(q, ids), tagsByResource(q, 'subnetpools', ids)])
    return rows.map((r) => this.toDict(r, sortPrefixes(prefixes.get(r.id) ?? []), tags.get(r.id) ?? [], false))
  }

  /** _make_subnetpool_dict: Neutron shows the three prefix lengths as strings, except in an update's answer. */
  toDict(r: SubnetpoolRow, prefixes: string[], tags: string[], numericLengths: boolean): Dict {
    const len = (n: number) => (numericLengths ? n : String(n))
    return {
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      default_prefixlen: len(r.default_prefixlen),
      min_prefixlen: len(r.min_prefixlen),
      max_prefixlen: len(r.max_prefixlen),
      is_default: r.is_default,
      shared: r.shared,
      prefixes,
      ip_version: r.ip_version,
      default_quota: r.default_quota,
      address_scope_id: r.address_scope_id,
      description: r.description,
      tags,
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
      project_id: r.project_id,
    }
  }

  // ---- subnets from pools -------------------------------------------------------------------
  /**
   * _get_subnetpool_id: the pool a subnet create names, the default pool of its IP version when
   * use_default_subnetpool is set, or null.
   */
  async subnetpoolIdFor(q: Queryable, ctx: RequestContext, b: Dict): Promise<string | null> {
    const useDefault = b.use_default_subnetpool === true
    const id: string | null = given(b.subnetpool_id) && b.subnetpool_id ? b.subnetpool_id : null
    if (useDefault && id) throw new BadRequest('subnets', 'subnetpool_id and use_default_subnetpool cannot both be specified')
    if (id) return id
    if (!useDefault) return null
    const ipVersion = given(b.cidr) && b.cidr !== null ? toCidr(b.cidr).version : (b.ip_version as number)
    const d = await defaultSubnetpoolRow(q, ipVersion)
    if (d && poolVisible(ctx, d)) return d.id
    throw new BadRequest('subnets', `No default subnetpool found for IPv${ipVersion}`)
  }

  /** ipam_pluggable_backend.allocate_subnet's first steps: the pool (404 if unseen) and its IP version. */
  async poolForSubnet(q: Queryable, ctx: RequestContext, id: string, ipVersion: number): Promise<SubnetpoolRow> {
    const pool = await this.visibleRow(q, ctx, id)
    if (ipVersion !== pool.ip_version) {
      throw new BadRequest('subnets', `Cannot allocate IPv${ipVersion} subnet from IPv${pool.ip_version} subnet pool`)
    }
    return pool
  }

  /**
   * SubnetAllocator.allocate_subnet inside the subnet's transaction: prefix length within the
   * pool's bounds, the pool locked, the pool owner's quota, then the first fitting free block (any
   * request) or the requested prefix if wholly free (specific request). Returns the cidr and, when
   * it was not the caller's to choose, the gateway (network + 1 for any request, as Neutron).
   */
  async allocate(tx: Tx, pool: SubnetpoolRow, req: PoolSubnetRequest): Promise<{ cidr: string; gatewayIp?: string | null }> {
    const version = pool.ip_version as IpVersion
    let specific = req.cidr !== undefined ? toCidr(req.cidr) : undefined
    let gatewayIp: string | undefined
    const prefixlen = specific?.prefixlen ?? req.prefixlen ?? pool.default_prefixlen
    // Neutron builds the request before checking the bounds, so a length past the family's width
    // is a 500 there; checking first makes it MaxPrefixSubnetAllocationError.
    checkRequestedPrefixlen(prefixlen, pool.min_prefixlen, pool.max_prefixlen)
    if (!specific && req.gatewayIp !== undefined) {
      // SubnetRequestFactory: IPNetwork('<gateway>/<prefixlen>').cidr, then SpecificSubnetRequest's gateway check.
      specific = toCidr(formatCidr(toCidr(`${req.gatewayIp}/${prefixlen}`)))
      gatewayIp = req.gatewayIp
      if (checkGatewayInvalidInSubnet(specific, gatewayIp)) {
        throw new IpamValidationError('IpamValueInvalid', messages.gatewayCannotBeAllocated(gatewayIp, formatCidr(specific)))
      }
    }
    const lock = await swapSubnetpoolHash(tx, pool.id, randomUUID())
    if (!lock.exists) throw new SubnetPoolNotFound(pool.id)
    if (!lock.swapped) throw new RetryRequest(`subnet pool ${pool.id} allocation`, new SubnetPoolInUse(pool.id))
    const [allocated, prefixes] = await Promise.all([subnetsOfPool(tx, pool.id), prefixesByPool(tx, [pool.id])])
    const ownerLens = allocated.filter((s) => s.project_id === pool.project_id).map((s) => toCidr(s.cidr).prefixlen)
    if (subnetpoolQuotaExceeded(version, pool.default_quota, ownerLens, prefixlen)) throw subnetPoolQuotaExceeded()
    const available = availablePrefixes(prefixes.get(pool.id) ?? [], allocated.map((s) => s.cidr))
    if (specific) {
      if (!canAllocateSpecificSubnet(available, specific)) {
        throw subnetAllocationError(SUBNET_ALLOCATION_REASONS.specificUnavailable())
      }
      return { cidr: formatCidr(specific), ...(gatewayIp !== undefined ? { gatewayIp } : {}) }
    }
    const got = allocateAnySubnet(available, prefixlen)
    if (!got) throw subnetAllocationError(SUBNET_ALLOCATION_REASONS.insufficientSpace(prefixlen))
    const first = cidrFirst(got)
    return { cidr: formatCidr(got), gatewayIp: first < maxValue(version) ? formatIp(version, first + 1n) : null }
  }

  /**
   * _validate_network_subnetpools (no address scopes): the subnets of one IP version on a network
   * all come from the same pool, or none from a pool.
   */
  checkNetworkAffinity(networkSubnets: readonly SubnetRow[], ipVersion: number, poolId: string | null): void {
    for (const s of networkSubnets) {
      if (s.ip_version !== ipVersion) continue
      if (poolId ? s.subnetpool_id !== poolId : s.subnetpool_id) throw new NetworkSubnetPoolAffinityError()
    }
  }
}

/** address_scope_id: null is fine; any id is a scope that does not exist here. */
function checkAddressScope(v: unknown): void {
  if (given(v) && v !== null) throw new AddressScopeNotFound(String(v))
}

function sortPrefixes(prefixes: readonly string[]): string[] {
  const key = (p: string) => parseIp(p.slice(0, p.indexOf('/')))?.value ?? 0n
  return [...prefixes].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    return x < y ? -1 : x > y ? 1 : 0
  })
}
