/**
 * Inclusive address ranges and sorted lists of disjoint ranges (what netaddr's IPRange and
 * IPSet.iter_ipranges() give Neutron), without enumerating addresses.
 */
import { formatIp, parseIp, type IpVersion } from './ip-address.js'

export interface IpRange {
  readonly version: IpVersion
  readonly first: bigint
  readonly last: bigint
}

/** The API's form of an allocation pool. */
export interface AllocationPool {
  start: string
  end: string
}

export function rangeSize(r: IpRange): bigint {
  return r.last - r.first + 1n
}

export function rangeContains(r: IpRange, version: IpVersion, value: bigint): boolean {
  return r.version === version && value >= r.first && value <= r.last
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last
}

/** str(netaddr.IPRange): 'start-end'. Neutron puts this text in its pool error messages. */
export function formatRange(r: IpRange): string {
  return `${formatIp(r.version, r.first)}-${formatIp(r.version, r.last)}`
}

export function rangeToPool(r: IpRange): AllocationPool {
  return { start: formatIp(r.version, r.first), end: formatIp(r.version, r.last) }
}

/** A pool dict to a range; undefined when an end is not an address, families differ or start > end. */
export function poolToRange(p: AllocationPool): IpRange | undefined {
  const s = parseIp(p.start)
  const e = parseIp(p.end)
  if (!s || !e || s.version !== e.version || s.value > e.value) return undefined
  return { version: s.version, first: s.value, last: e.value }
}

/** Sorts and merges overlapping or adjacent ranges (IPSet semantics). */
export function mergeRanges(ranges: readonly IpRange[]): IpRange[] {
  const sorted = [...ranges].sort((a, b) =>
    a.version !== b.version ? a.version - b.version : a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
  )
  const out: IpRange[] = []
  for (const r of sorted) {
    const top = out[out.length - 1]
    if (top && top.version === r.version && r.first <= top.last + 1n) {
      if (r.last > top.last) out[out.length - 1] = { version: top.version, first: top.first, last: r.last }
    } else out.push(r)
  }
  return out
}

/** Removes one address from a list of disjoint ranges, splitting the range that holds it. */
export function subtractAddress(ranges: readonly IpRange[], version: IpVersion, value: bigint): IpRange[] {
  const out: IpRange[] = []
  for (const r of ranges) {
    if (!rangeContains(r, version, value)) {
      out.push(r)
      continue
    }
    if (r.first < value) out.push({ version, first: r.first, last: value - 1n })
    if (value < r.last) out.push({ version, first: value + 1n, last: r.last })
  }
  return out
}

/**
 * Removes a sorted, duplicate-free list of addresses from one range, in O(k) for k addresses
 * inside it: the free gaps between consecutive allocated addresses.
 */
export function subtractSorted(r: IpRange, sorted: readonly bigint[], from = 0): IpRange[] {
  const out: IpRange[] = []
  let cursor = r.first
  for (let i = from; i < sorted.length; i++) {
    const v = sorted[i]!
    if (v < r.first) continue
    if (v > r.last) break
    if (v > cursor) out.push({ version: r.version, first: cursor, last: v - 1n })
    cursor = v + 1n
  }
  if (cursor <= r.last) out.push({ version: r.version, first: cursor, last: r.last })
  return out
}

/** Index of the first element >= value in a sorted bigint array. */
export function lowerBound(sorted: readonly bigint[], value: bigint): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}
