/**
 * Subnet pools (the subnet_allocation extension), as Neutron Zed does them — pure math, no I/O:
 * - readSubnetPool: neutron/ipam/subnet_alloc.py SubnetPoolReader + SubnetPoolHelper (prefix list,
 *   IP version, prefix-length bounds and their defaults, validation order and messages);
 * - mergePrefixUpdate: db_base_plugin_v2._update_subnetpool_dict (prefixes may only grow);
 * - availablePrefixes / allocateAnySubnet / canAllocateSpecificSubnet: SubnetAllocator
 *   (_get_available_prefix_list, _allocate_any_subnet, _allocate_specific_subnet);
 * - subnetpoolQuotaExceeded: _check_subnetpool_tenant_quota (default_quota in /32 or /64 units).
 * Prefix sets behave like netaddr.IPSet: union, difference, and compaction into the fewest CIDRs.
 */
import { cidr as toCidr, cidrCovers, cidrFirst, cidrLast, formatCidr, parseNetaddrNetwork, type Cidr } from './cidr.js'
import { IpamValidationError, messages } from './errors.js'
import { bitWidth, type IpVersion } from './ip-address.js'
import { mergeRanges, type IpRange } from './ip-range.js'

/** SubnetPoolHelper._PREFIX_VERSION_INFO: defaults per family; quota is counted in /32 or /64 units. */
export const SUBNETPOOL_VERSION_INFO: Readonly<Record<IpVersion, { maxPrefixlen: number; defaultMinPrefixlen: number; quotaUnit: number }>> = {
  4: { maxPrefixlen: 32, defaultMinPrefixlen: 8, quotaUnit: 32 },
  6: { maxPrefixlen: 128, defaultMinPrefixlen: 64, quotaUnit: 64 },
}

/** What a create (or the merged update) asks for; `undefined` = not specified. */
export interface SubnetPoolInput {
  prefixes: readonly string[]
  min_prefixlen?: number
  max_prefixlen?: number
  default_prefixlen?: number
}

/** A pool after SubnetPoolReader: version inferred, prefixes compacted, bounds filled and checked. */
export interface SubnetPoolSpec {
  ipVersion: IpVersion
  /** Compacted, ascending, `network/len`. */
  prefixes: string[]
  minPrefixlen: number
  maxPrefixlen: number
  defaultPrefixlen: number
}

function poolError(type: ConstructorParameters<typeof IpamValidationError>[0], message: string): IpamValidationError {
  return new IpamValidationError(type, message)
}

function parsePrefix(text: string): Cidr {
  const c = parseNetaddrNetwork(text)
  if (!c) throw new TypeError(`not a CIDR: ${JSON.stringify(text)}`)
  return c
}

function toRange(c: Cidr): IpRange {
  return { version: c.version, first: cidrFirst(c), last: cidrLast(c) }
}

function log2(size: bigint): number {
  return size.toString(2).length - 1
}

/** The fewest CIDRs covering [first, last] (netaddr iprange_to_cidrs), ascending. */
export function rangeToCidrs(r: IpRange): Cidr[] {
  const width = bitWidth(r.version)
  const out: Cidr[] = []
  let cur = r.first
  while (cur <= r.last) {
    // The largest block aligned at `cur` (its lowest set bit) that still ends inside the range.
    let size = cur === 0n ? 1n << BigInt(width) : cur & -cur
    while (cur + size - 1n > r.last) size >>= 1n
    out.push({ version: r.version, ip: cur, prefixlen: width - log2(size) })
    cur += size
  }
  return out
}

/** a − b for sorted, merged, same-family range lists. */
export function subtractRanges(a: readonly IpRange[], b: readonly IpRange[]): IpRange[] {
  const out: IpRange[] = []
  let j = 0
  for (const r of a) {
    let cursor = r.first
    while (j < b.length && b[j]!.last < cursor) j++
    let k = j
    while (k < b.length && b[k]!.first <= r.last) {
      const x = b[k]!
      if (x.first > cursor) out.push({ version: r.version, first: cursor, last: x.first - 1n })
      if (x.last + 1n > cursor) cursor = x.last + 1n
      k++
    }
    if (cursor <= r.last) out.push({ version: r.version, first: cursor, last: r.last })
  }
  return out
}

/** IPSet(prefixes).compact().iter_cidrs(): the union as the fewest CIDRs, ascending. */
export function compactPrefixes(prefixes: readonly (string | Cidr)[]): Cidr[] {
  const ranges = mergeRanges(prefixes.map((p) => toRange(typeof p === 'string' ? parsePrefix(p) : p)))
  return ranges.flatMap(rangeToCidrs)
}

/** SubnetPoolReader: EmptySubnetPoolPrefixList, PrefixVersionMismatch, then the prefix bounds. */
export function readSubnetPool(input: SubnetPoolInput): SubnetPoolSpec {
  if (!input.prefixes.length) throw poolError('EmptySubnetPoolPrefixList', messages.emptySubnetPoolPrefixList())
  let ipVersion: IpVersion | undefined
  const parsed: Cidr[] = []
  for (const p of input.prefixes) {
    const c = parsePrefix(p)
    if (ipVersion === undefined) ipVersion = c.version
    else if (c.version !== ipVersion) throw poolError('PrefixVersionMismatch', messages.prefixVersionMismatch())
    parsed.push(c)
  }
  const v = ipVersion!
  const info = SUBNETPOOL_VERSION_INFO[v]
  const min = input.min_prefixlen ?? info.defaultMinPrefixlen
  const max = input.max_prefixlen ?? info.maxPrefixlen
  const def = input.default_prefixlen ?? min
  validatePrefixBounds(v, min, max, def)
  return { ipVersion: v, prefixes: compactPrefixes(parsed).map(formatCidr), minPrefixlen: min, maxPrefixlen: max, defaultPrefixlen: def }
}

/** SubnetPoolHelper.validate_min_prefixlen / validate_max_prefixlen / validate_default_prefixlen, in that order. */
export function validatePrefixBounds(ipVersion: IpVersion, min: number, max: number, def: number): void {
  const bounds = (type: string, len: number, base: string, baseLen: number) =>
    poolError('IllegalSubnetPoolPrefixBounds', messages.illegalSubnetPoolPrefixBounds(type, len, base, baseLen))
  // UnsupportedMinSubnetPoolPrefix (min < 0) cannot happen: the API's non-negative validator runs first.
  if (min > max) throw bounds('min_prefixlen', min, 'max_prefixlen', max)
  const top = SUBNETPOOL_VERSION_INFO[ipVersion].maxPrefixlen
  if (max > top) throw bounds('max_prefixlen', max, 'ip_version_max', top)
  if (def < min) throw bounds('default_prefixlen', def, 'min_prefixlen', min)
  if (def > max) throw bounds('default_prefixlen', def, 'max_prefixlen', max)
}

/**
 * _update_subnetpool_dict: the new prefix list must cover every existing prefix
 * (IllegalSubnetPoolPrefixUpdate otherwise); the result is compacted. Families may differ here:
 * readSubnetPool reports a mix afterwards, as Neutron does.
 */
export function mergePrefixUpdate(current: readonly string[], requested: readonly string[]): string[] {
  const byVersion = (list: readonly string[], v: IpVersion) =>
    mergeRanges(list.map(parsePrefix).filter((c) => c.version === v).map(toRange))
  for (const v of [4, 6] as const) {
    const cur = byVersion(current, v)
    if (cur.length && subtractRanges(cur, byVersion(requested, v)).length) {
      throw poolError('IllegalSubnetPoolPrefixUpdate', messages.illegalSubnetPoolPrefixUpdate('Existing prefixes must be a subset of the new prefixes'))
    }
  }
  const all = requested.map(parsePrefix)
  return [4, 6].flatMap((v) => compactPrefixes(all.filter((c) => c.version === v))).map(formatCidr)
}

/**
 * _get_available_prefix_list: pool prefixes minus the pool's allocated subnets, compacted, the most
 * specific blocks first (stable: ascending addresses among equal lengths).
 */
export function availablePrefixes(poolPrefixes: readonly string[], allocated: readonly string[]): Cidr[] {
  const pool = mergeRanges(poolPrefixes.map((p) => toRange(parsePrefix(p))))
  const version = pool[0]?.version
  const used = mergeRanges(allocated.map((a) => toRange(toCidr(a))).filter((r) => r.version === version))
  const cidrs = subtractRanges(pool, used).flatMap(rangeToCidrs)
  return cidrs.map((c, i) => ({ c, i })).sort((a, b) => b.c.prefixlen - a.c.prefixlen || a.i - b.i).map((x) => x.c)
}

/** _allocate_any_subnet: the first (lowest) /prefixlen inside the first available block that can hold it. */
export function allocateAnySubnet(available: readonly Cidr[], prefixlen: number): Cidr | undefined {
  for (const block of available) {
    if (prefixlen >= block.prefixlen) return { version: block.version, ip: cidrFirst(block), prefixlen }
  }
  return undefined
}

/** _allocate_specific_subnet: the requested prefix must lie inside exactly one available block. */
export function canAllocateSpecificSubnet(available: readonly Cidr[], requested: Cidr): boolean {
  const matched = available.filter((a) => cidrCovers(a, requested))
  return matched.length === 1 && matched[0]!.prefixlen <= requested.prefixlen
}

/** SubnetAllocator.allocate_subnet's first checks: the request's prefix length within the pool's bounds. */
export function checkRequestedPrefixlen(prefixlen: number, minPrefixlen: number, maxPrefixlen: number): void {
  if (prefixlen > maxPrefixlen) {
    throw poolError('MaxPrefixSubnetAllocationError', messages.maxPrefixSubnetAllocationError(prefixlen, maxPrefixlen))
  }
  if (prefixlen < minPrefixlen) {
    throw poolError('MinPrefixSubnetAllocationError', messages.minPrefixSubnetAllocationError(prefixlen, minPrefixlen))
  }
}

/**
 * _check_subnetpool_tenant_quota: with a (non-zero) default_quota, the units already allocated
 * (2^(unit − len) per subnet; unit 32 for IPv4, 64 for IPv6) plus the request's must not exceed
 * it. Exact arithmetic: everything is scaled to whole addresses.
 */
export function subnetpoolQuotaExceeded(
  ipVersion: IpVersion,
  defaultQuota: number | null | undefined,
  allocatedPrefixlens: readonly number[],
  requestedPrefixlen: number,
): boolean {
  if (!defaultQuota) return false
  const width = bitWidth(ipVersion)
  const unit = SUBNETPOOL_VERSION_INFO[ipVersion].quotaUnit
  const size = (len: number) => 1n << BigInt(width - len)
  let used = 0n
  for (const len of allocatedPrefixlens) used += size(len)
  return used + size(requestedPrefixlen) > BigInt(defaultQuota) << BigInt(width - unit)
}

/** SubnetAllocationError texts (a 500 in Neutron, a 409 here: src/ipam/errors.ts). */
export function subnetAllocationError(reason: string): IpamValidationError {
  return poolError('SubnetAllocationError', messages.subnetAllocationError(reason))
}

export const SUBNET_ALLOCATION_REASONS = {
  insufficientSpace: (prefixlen: number) => `Insufficient prefix space to allocate subnet size /${prefixlen}`,
  specificUnavailable: () => 'Cannot allocate requested subnet from the available set of prefixes',
} as const

/** SubnetPoolQuotaExceeded (an OverQuota: 409). */
export function subnetPoolQuotaExceeded(): IpamValidationError {
  return poolError('SubnetPoolQuotaExceeded', messages.subnetPoolQuotaExceeded())
}
