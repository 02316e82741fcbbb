/**
 * Free-address bookkeeping for one subnet ("availability ranges"): per pool, a sorted list of
 * disjoint free ranges. Built from the pools and the allocated addresses in
 * O(a log a + p) without enumerating addresses, so a /8 or a /64 costs the same as a /29.
 * Lookups are binary searches; taking or returning an address splices one array (O(log r)
 * search plus a memmove of the pool's range list).
 *
 * Picking follows neutron/ipam/drivers/neutrondb_ipam/driver.py _generate_ips: pools in their
 * stored order, the first pool with a free address wins; "prefer next" takes its lowest free
 * address, otherwise a uniformly random one among its first MAX_WIN (1000) free addresses.
 */
import { cidr as toCidr } from './cidr.js'
import { IpamValidationError, messages } from './errors.js'
import { formatIp, parseIp, type IpVersion } from './ip-address.js'
import { lowerBound, poolToRange, rangeToPool, subtractSorted, type AllocationPool, type IpRange } from './ip-range.js'
import { checkSubnetIp } from './pools.js'

/** Neutron's random window (driver.py MAX_WIN). */
export const MAX_WIN = 1000

/** Returns a float in [0, 1), like Math.random; injectable for deterministic tests. */
export type Rng = () => number

type AddressInput = string | bigint

function toRange(p: IpRange | AllocationPool): IpRange {
  if ('first' in p) return p
  const r = poolToRange(p)
  if (!r) throw new TypeError(`invalid pool ${JSON.stringify(p)}`)
  return r
}

export class AvailabilityRanges {
  readonly version: IpVersion
  private readonly pools: IpRange[]
  private readonly free: IpRange[][]
  private count: bigint

  private constructor(version: IpVersion, pools: IpRange[], free: IpRange[][]) {
    this.version = version
    this.pools = pools
    this.free = free
    this.count = 0n
    for (const list of free) for (const r of list) this.count += r.last - r.first + 1n
  }

  /** From the subnet's pools (request order) and every address allocated on the subnet. */
  static build(pools: readonly (IpRange | AllocationPool)[], allocated: Iterable<AddressInput> = []): AvailabilityRanges {
    const ranges = pools.map(toRange)
    const version = ranges[0]?.version ?? 4
    const values: bigint[] = []
    for (const a of allocated) {
      const v = AvailabilityRanges.value(version, a)
      if (v !== undefined) values.push(v)
    }
    values.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
    const sorted = values.filter((v, i) => i === 0 || v !== values[i - 1])
    const free = ranges.map((r) => subtractSorted(r, sorted, lowerBound(sorted, r.first)))
    return new AvailabilityRanges(version, ranges, free)
  }

  /** From persisted free ranges (see toJSON); ranges outside every pool are dropped. */
  static fromFreeRanges(pools: readonly (IpRange | AllocationPool)[], free: readonly (IpRange | AllocationPool)[]): AvailabilityRanges {
    const ranges = pools.map(toRange)
    const version = ranges[0]?.version ?? 4
    const freeRanges = free.map(toRange)
    const perPool = ranges.map((p) =>
      freeRanges
        .filter((f) => f.version === p.version && f.first <= p.last && p.first <= f.last)
        .map((f) => ({ version: p.version, first: f.first > p.first ? f.first : p.first, last: f.last < p.last ? f.last : p.last }))
        .sort((a, b) => (a.first < b.first ? -1 : 1)),
    )
    return new AvailabilityRanges(version, ranges, perPool)
  }

  private static value(version: IpVersion, a: AddressInput): bigint | undefined {
    if (typeof a === 'bigint') return a
    const p = parseIp(a)
    return p && p.version === version ? p.value : undefined
  }

  /** Number of free addresses (a bigint: a /64 has 2^64). */
  size(): bigint {
    return this.count
  }

  /** Free ranges of every pool, pool order then address order. */
  freeRanges(): IpRange[] {
    return this.free.flat()
  }

  /** Free ranges as {start, end} texts: what an allocator can persist and pass to fromFreeRanges. */
  toJSON(): AllocationPool[] {
    return this.freeRanges().map(rangeToPool)
  }

  private locate(v: bigint): { pool: number; idx: number } | undefined {
    for (let p = 0; p < this.pools.length; p++) {
      const pool = this.pools[p]!
      if (v < pool.first || v > pool.last) continue
      const list = this.free[p]!
      let lo = 0
      let hi = list.length - 1
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1
        const r = list[mid]!
        if (v < r.first) hi = mid - 1
        else if (v > r.last) lo = mid + 1
        else return { pool: p, idx: mid }
      }
      return undefined
    }
    return undefined
  }

  /** Inside one of the pools (allocated or not). */
  inPools(address: AddressInput): boolean {
    const v = AvailabilityRanges.value(this.version, address)
    return v !== undefined && this.pools.some((p) => v >= p.first && v <= p.last)
  }

  isFree(address: AddressInput): boolean {
    const v = AvailabilityRanges.value(this.version, address)
    return v !== undefined && this.locate(v) !== undefined
  }

  /** Lowest free address of the first pool that has one (PreferNextAddressRequest). */
  nextFree(): string | undefined {
    for (const list of this.free) if (list.length) return formatIp(this.version, list[0]!.first)
    return undefined
  }

  /** A uniformly random address among the first `window` free ones of the first non-full pool. */
  randomFree(rng: Rng = Math.random, window = MAX_WIN): string | undefined {
    for (const list of this.free) {
      if (!list.length) continue
      let avail = 0n
      for (const r of list) {
        avail += r.last - r.first + 1n
        if (avail >= BigInt(window)) break
      }
      const w = avail < BigInt(window) ? Number(avail) : window
      let k = BigInt(Math.min(w - 1, Math.floor(rng() * w)))
      for (const r of list) {
        const n = r.last - r.first + 1n
        if (k < n) return formatIp(this.version, r.first + k)
        k -= n
      }
    }
    return undefined
  }

  /** Marks an address taken. False when it is not free (outside the pools or already taken). */
  allocate(address: AddressInput): boolean {
    const v = AvailabilityRanges.value(this.version, address)
    if (v === undefined) return false
    const at = this.locate(v)
    if (!at) return false
    const list = this.free[at.pool]!
    const r = list[at.idx]!
    const parts: IpRange[] = []
    if (r.first < v) parts.push({ version: r.version, first: r.first, last: v - 1n })
    if (v < r.last) parts.push({ version: r.version, first: v + 1n, last: r.last })
    list.splice(at.idx, 1, ...parts)
    this.count -= 1n
    return true
  }

  /** Takes the next (or a random) free address; undefined when the pools are exhausted. */
  allocateAny(opts: { preferNext?: boolean; rng?: Rng; window?: number } = {}): string | undefined {
    const a = opts.preferNext ? this.nextFree() : this.randomFree(opts.rng, opts.window)
    if (a !== undefined) this.allocate(a)
    return a
  }

  /** Returns an address to the free ranges, merging neighbours. False when outside the pools or already free. */
  release(address: AddressInput): boolean {
    const v = AvailabilityRanges.value(this.version, address)
    if (v === undefined) return false
    const p = this.pools.findIndex((r) => v >= r.first && v <= r.last)
    if (p < 0 || this.locate(v)) return false
    const list = this.free[p]!
    let idx = 0
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (list[mid]!.first < v) lo = mid + 1
      else hi = mid
    }
    idx = lo
    const prev = list[idx - 1]
    const next = list[idx]
    const joinPrev = prev !== undefined && prev.last + 1n === v
    const joinNext = next !== undefined && next.first - 1n === v
    const version = this.version
    if (joinPrev && joinNext) list.splice(idx - 1, 2, { version, first: prev.first, last: next.last })
    else if (joinPrev) list[idx - 1] = { version, first: prev.first, last: v }
    else if (joinNext) list[idx] = { version, first: v, last: next.last }
    else list.splice(idx, 0, { version, first: v, last: v })
    this.count += 1n
    return true
  }
}

/** Free-address count of pools given the allocated addresses. */
export function countFree(pools: readonly (IpRange | AllocationPool)[], allocated: Iterable<AddressInput>): bigint {
  return AvailabilityRanges.build(pools, allocated).size()
}

/**
 * The IPAM driver's check of a requested fixed IP (driver.py _verify_ip): not allocated yet
 * (IpAddressAlreadyAllocated), then valid on the subnet (neutron.ipam InvalidIpForSubnet).
 * The address need not be in a pool: Neutron allows any host address of the subnet.
 */
export function verifyIpForAllocation(
  subnetCidr: string,
  ipAddress: string,
  isAllocated: (ipAddress: string) => boolean,
  subnetId: string,
): void {
  if (isAllocated(ipAddress)) {
    throw new IpamValidationError('IpAddressAlreadyAllocated', messages.ipAddressAlreadyAllocated(ipAddress, subnetId))
  }
  if (!checkSubnetIp(toCidr(subnetCidr), ipAddress)) {
    throw new IpamValidationError('InvalidIpForSubnet', messages.ipamInvalidIpForSubnet(ipAddress, subnetId))
  }
}
