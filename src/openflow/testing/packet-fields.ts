/**
 * Field values as bigints for the fake flow table: a packet is a map from field name to its
 * integer value, matches become (value, mask) pairs, so matching is `(pkt & mask) == value`.
 */
import { bytesToIpv6, bytesToMac, intToIpv4, ipv4ToInt, ipv6ToBytes, macToBytes } from '../addr.js'
import { FIELD_BY_NAME, type FieldDef, type FieldValue, isMasked, type Match, type Scalar, splitPrefix } from '../oxm.js'

/** A packet's header fields (exact values), keyed like a Match; absent = not present. */
export type PacketFields = { readonly [field: string]: Scalar | undefined }

export function scalarToBig(f: FieldDef, v: Scalar): bigint {
  switch (f.kind) {
    case 'num': return BigInt(v as number)
    case 'u64': case 'u128': return BigInt(v)
    case 'mac': { const b = Buffer.alloc(8); macToBytes(String(v), b, 2); return b.readBigUInt64BE(0) }
    case 'ipv4': return BigInt(ipv4ToInt(String(v)))
    case 'ipv6': {
      const b = Buffer.alloc(16); ipv6ToBytes(String(v), b, 0)
      return (b.readBigUInt64BE(0) << 64n) | b.readBigUInt64BE(8)
    }
  }
}

export function bigToScalar(f: FieldDef, v: bigint): Scalar {
  switch (f.kind) {
    case 'num': return Number(v)
    case 'u64': case 'u128': return v
    case 'mac': { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return bytesToMac(b, 2) }
    case 'ipv4': return intToIpv4(Number(v))
    case 'ipv6': {
      const b = Buffer.alloc(16); b.writeBigUInt64BE(v >> 64n); b.writeBigUInt64BE(v & 0xffffffffffffffffn, 8)
      return bytesToIpv6(b, 0)
    }
  }
}

export function fullMask(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n
}

export interface BigMatchEntry {
  readonly value: bigint
  readonly mask: bigint
}
export type BigMatch = ReadonlyMap<string, BigMatchEntry>

export function matchToBig(m: Match): Map<string, BigMatchEntry> {
  const out = new Map<string, BigMatchEntry>()
  for (const [k, raw] of Object.entries(m)) {
    if (raw === undefined) continue
    const f = FIELD_BY_NAME.get(k)
    if (!f) throw new TypeError(`fake table: unsupported match field ${k}`)
    const v = splitPrefix(f, raw as FieldValue)
    if (isMasked(v)) {
      const mask = scalarToBig(f, v.mask)
      out.set(k, { value: scalarToBig(f, v.value) & mask, mask })
    } else {
      out.set(k, { value: scalarToBig(f, v), mask: fullMask(f.bits) })
    }
  }
  return out
}

export function sameMatch(a: BigMatch, b: BigMatch): boolean {
  if (a.size !== b.size) return false
  for (const [k, x] of a) {
    const y = b.get(k)
    if (!y || y.value !== x.value || y.mask !== x.mask) return false
  }
  return true
}

/** True when every packet matching `entry` also matches `filter` (non-strict modify/delete). */
export function coveredBy(entry: BigMatch, filter: BigMatch): boolean {
  for (const [k, f] of filter) {
    const e = entry.get(k)
    if (!e || (e.mask & f.mask) !== f.mask || (e.value & f.mask) !== f.value) return false
  }
  return true
}
