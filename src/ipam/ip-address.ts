/**
 * IPv4/IPv6 addresses as bigints: parsing, canonical text, arithmetic helpers.
 *
 * Parsing follows glibc inet_pton(3) — which is what Neutron's netaddr (INET_PTON) calls —
 * and formatting follows glibc inet_ntop(3), which is what str(netaddr.IPAddress) returns for
 * IPv6: lower case, the longest run (>= 2) of zero groups compressed as `::` (first run wins a
 * tie, RFC 5952 §4.2), and a dotted-quad tail for `::ffff:a.b.c.d` (IPv4-mapped, RFC 4291
 * §2.5.5.2) and `::a.b.c.d` (IPv4-compatible, exactly six leading zero groups).
 */

export type IpVersion = 4 | 6

export interface IpAddress {
  readonly version: IpVersion
  readonly value: bigint
}

export const MAX_IPV4 = (1n << 32n) - 1n
export const MAX_IPV6 = (1n << 128n) - 1n

export function bitWidth(version: IpVersion): number {
  return version === 4 ? 32 : 128
}

export function maxValue(version: IpVersion): bigint {
  return version === 4 ? MAX_IPV4 : MAX_IPV6
}

const DIGIT = /^[0-9]$/

/** Strict dotted quad as glibc inet_pton4: four decimal octets, no leading zeros. */
export function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let v = 0
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return undefined
    for (const c of p) if (!DIGIT.test(c)) return undefined
    if (p.length > 1 && p[0] === '0') return undefined
    const n = Number(p)
    if (n > 255) return undefined
    v = v * 256 + n
  }
  return BigInt(v)
}

function hexDigit(c: string): number {
  const code = c.charCodeAt(0)
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

/** IPv6 text as glibc inet_pton6 accepts it (RFC 4291 §2.2, with an optional dotted-quad tail). */
export function parseIpv6(text: string): bigint | undefined {
  const words: number[] = []
  let colonAt = -1
  let i = 0
  const n = text.length
  if (n === 0) return undefined
  if (text[0] === ':') {
    if (n < 2 || text[1] !== ':') return undefined
    i = 1
  }
  let tokenStart = i
  let digits = 0
  let val = 0
  while (i < n) {
    const ch = text[i++]!
    const d = hexDigit(ch)
    if (d >= 0) {
      if (digits === 4) return undefined
      val = (val << 4) | d
      digits++
      continue
    }
    if (ch === ':') {
      tokenStart = i
      if (digits === 0) {
        if (colonAt >= 0) return undefined
        colonAt = words.length
        continue
      } else if (i === n) {
        return undefined
      }
      if (words.length >= 8) return undefined
      words.push(val)
      digits = 0
      val = 0
      continue
    }
    if (ch === '.' && words.length <= 6) {
      const v4 = parseIpv4(text.slice(tokenStart))
      if (v4 === undefined) return undefined
      words.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
      digits = 0
      break
    }
    return undefined
  }
  if (digits > 0) {
    if (words.length >= 8) return undefined
    words.push(val)
  }
  if (colonAt >= 0) {
    if (words.length === 8) return undefined // '::' would stand for no group at all
    const zeros = new Array<number>(8 - words.length).fill(0)
    words.splice(colonAt, 0, ...zeros)
  }
  if (words.length !== 8) return undefined
  let out = 0n
  for (const w of words) out = (out << 16n) | BigInt(w)
  return out
}

/** Parses either family (IPv4 first, as netaddr does). Undefined when the text is neither. */
export function parseIp(text: string): IpAddress | undefined {
  if (typeof text !== 'string') return undefined
  const v4 = parseIpv4(text)
  if (v4 !== undefined) return { version: 4, value: v4 }
  const v6 = parseIpv6(text)
  if (v6 !== undefined) return { version: 6, value: v6 }
  return undefined
}

/** Like parseIp but throws a TypeError; for values already validated by the API layer. */
export function ip(text: string): IpAddress {
  const a = parseIp(text)
  if (!a) throw new TypeError(`not an IP address: ${JSON.stringify(text)}`)
  return a
}

export function ipVersionOf(text: string): IpVersion | undefined {
  return parseIp(text)?.version
}

export function formatIpv4(value: bigint): string {
  const v = Number(value)
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
}

export function formatIpv6(value: bigint): string {
  const w: number[] = []
  for (let k = 7; k >= 0; k--) w.push(Number((value >> BigInt(k * 16)) & 0xffffn))
  let bestBase = -1
  let bestLen = 0
  let curBase = -1
  let curLen = 0
  for (let k = 0; k < 8; k++) {
    if (w[k] === 0) {
      if (curBase < 0) {
        curBase = k
        curLen = 1
      } else curLen++
    } else if (curBase >= 0) {
      if (bestBase < 0 || curLen > bestLen) [bestBase, bestLen] = [curBase, curLen]
      curBase = -1
    }
  }
  if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) [bestBase, bestLen] = [curBase, curLen]
  if (bestBase >= 0 && bestLen < 2) bestBase = -1
  let out = ''
  for (let k = 0; k < 8; k++) {
    if (bestBase >= 0 && k >= bestBase && k < bestBase + bestLen) {
      if (k === bestBase) out += ':'
      continue
    }
    if (k !== 0) out += ':'
    if (k === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += formatIpv4(value & MAX_IPV4)
      break
    }
    out += w[k]!.toString(16)
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':'
  return out
}

export function formatIp(version: IpVersion, value: bigint): string {
  return version === 4 ? formatIpv4(value) : formatIpv6(value)
}

export function formatAddress(a: IpAddress): string {
  return formatIp(a.version, a.value)
}

/** Canonical text of an address given as text; undefined when it does not parse. */
export function canonicalIp(text: string): string | undefined {
  const a = parseIp(text)
  return a && formatAddress(a)
}

export function ipEquals(a: string, b: string): boolean {
  const x = parseIp(a)
  const y = parseIp(b)
  return !!x && !!y && x.version === y.version && x.value === y.value
}

export function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}
