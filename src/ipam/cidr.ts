/**
 * CIDR prefixes (RFC 4632, RFC 4291 §2.3): parsing, normalisation, containment, overlap.
 *
 * Two parsers:
 * - parseCidr: the strict form Neutron stores and returns (`addr/len`, decimal len).
 * - parseNetaddrNetwork: what `netaddr.IPNetwork(text)` (netaddr 0.8, Neutron Zed) accepts —
 *   partial IPv4 ('10.1/16'), a netmask or hostmask instead of a length ('/255.255.255.0',
 *   '/0.0.0.255'), Python int() lengths ('/024', '/+24'), no length at all (host prefix).
 *   Neutron's cidr converter (convert_cidr_to_canonical_format) runs it on the request body.
 */
import { bitWidth, formatIp, maxValue, parseIpv4, parseIpv6, parseIp, type IpVersion } from './ip-address.js'
import { pyInt } from './py-repr.js'

export interface Cidr {
  readonly version: IpVersion
  /** The address as written, host bits included (netaddr's IPNetwork.ip). */
  readonly ip: bigint
  readonly prefixlen: number
}

export function netmaskValue(version: IpVersion, prefixlen: number): bigint {
  const w = BigInt(bitWidth(version))
  return ((1n << BigInt(prefixlen)) - 1n) << (w - BigInt(prefixlen))
}

export function hostmaskValue(version: IpVersion, prefixlen: number): bigint {
  return maxValue(version) ^ netmaskValue(version, prefixlen)
}

/** First address (the network address). */
export function cidrFirst(c: Cidr): bigint {
  return c.ip & netmaskValue(c.version, c.prefixlen)
}

/** Last address (the IPv4 broadcast address). */
export function cidrLast(c: Cidr): bigint {
  return cidrFirst(c) | hostmaskValue(c.version, c.prefixlen)
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(bitWidth(c.version) - c.prefixlen)
}

export function cidrContains(c: Cidr, version: IpVersion, value: bigint): boolean {
  return version === c.version && value >= cidrFirst(c) && value <= cidrLast(c)
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && cidrFirst(a) <= cidrLast(b) && cidrFirst(b) <= cidrLast(a)
}

/** `b` lies entirely inside `a`. */
export function cidrCovers(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && cidrFirst(a) <= cidrFirst(b) && cidrLast(b) <= cidrLast(a)
}

/** The prefix with host bits cleared. */
export function cidrNetwork(c: Cidr): Cidr {
  return { version: c.version, ip: cidrFirst(c), prefixlen: c.prefixlen }
}

/** `network/len`, the form Neutron stores (db_base_plugin_v2 _create_subnet_precommit). */
export function formatCidr(c: Cidr): string {
  return `${formatIp(c.version, cidrFirst(c))}/${c.prefixlen}`
}

/** `ip/len` with host bits kept, as str(netaddr.IPNetwork) prints it. */
export function formatCidrAsWritten(c: Cidr): string {
  return `${formatIp(c.version, c.ip)}/${c.prefixlen}`
}

/** Strict `address/len`: a strict address (see parseIp) and a decimal length. */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined
  const slash = text.indexOf('/')
  if (slash < 0) return undefined
  const a = parseIp(text.slice(0, slash))
  const lenText = text.slice(slash + 1)
  if (!a || !/^[0-9]{1,3}$/.test(lenText)) return undefined
  const len = Number(lenText)
  if (len > bitWidth(a.version)) return undefined
  return { version: a.version, ip: a.value, prefixlen: len }
}

/** Like parseCidr but throws a TypeError; for values already validated. */
export function cidr(text: string): Cidr {
  const c = parseCidr(text) ?? parseNetaddrNetwork(text)
  if (!c) throw new TypeError(`not a CIDR: ${JSON.stringify(text)}`)
  return c
}

/** Normalises host bits: '10.0.0.5/24' → '10.0.0.0/24'. Undefined when not a CIDR. */
export function normalizeCidr(text: string): string | undefined {
  const c = parseCidr(text) ?? parseNetaddrNetwork(text)
  return c && formatCidr(c)
}

/** netaddr strategy/ipv4.expand_partial_address: '10.1' → '10.1.0.0'. */
function expandPartialIpv4(text: string): bigint | undefined {
  if (text.includes(':')) return undefined
  const tokens = text.includes('.') ? text.split('.') : [text]
  if (tokens.length < 1 || tokens.length > 4) return undefined
  const nums: number[] = []
  for (const t of tokens) {
    const n = pyInt(t)
    if (n === undefined) return undefined
    nums.push(n)
  }
  while (nums.length < 4) nums.push(0)
  return parseIpv4(nums.map((n) => String(n)).join('.'))
}

function isNetmask(version: IpVersion, v: bigint): boolean {
  const x = (v ^ maxValue(version)) + 1n
  return (x & (x - 1n)) === 0n
}

function isHostmask(v: bigint): boolean {
  const x = v + 1n
  return (x & (x - 1n)) === 0n
}

function popcount(v: bigint): number {
  let n = 0
  while (v) {
    n += Number(v & 1n)
    v >>= 1n
  }
  return n
}

function parseNetaddrFamily(version: IpVersion, text: string): Cidr | undefined {
  const slash = text.indexOf('/')
  const addrText = slash < 0 ? text : text.slice(0, slash)
  const lenText = slash < 0 ? undefined : text.slice(slash + 1)
  let value = version === 4 ? parseIpv4(addrText) : parseIpv6(addrText)
  if (value === undefined && version === 4) value = expandPartialIpv4(addrText)
  if (value === undefined) return undefined
  const width = bitWidth(version)
  let prefixlen: number
  if (lenText === undefined) prefixlen = width
  else {
    const n = pyInt(lenText)
    if (n !== undefined) prefixlen = n
    else {
      // netaddr then reads the text as a netmask or a hostmask of the same family.
      const mask = version === 4 ? parseIpv4(lenText) : parseIpv6(lenText)
      if (mask === undefined) return undefined
      if (isNetmask(version, mask)) prefixlen = popcount(mask)
      else if (isHostmask(mask)) prefixlen = width - popcount(mask)
      else return undefined
    }
  }
  if (prefixlen < 0 || prefixlen > width) return undefined
  return { version, ip: value, prefixlen }
}

/** What netaddr.IPNetwork(text) (0.8) accepts; IPv4 is tried first. */
export function parseNetaddrNetwork(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined
  return parseNetaddrFamily(4, text) ?? parseNetaddrFamily(6, text)
}

/** netaddr IPNetwork.is_multicast(): the whole prefix inside 224.0.0.0/4 or ff00::/8. */
export function isMulticastCidr(c: Cidr): boolean {
  const m = c.version === 4 ? cidrOf(4, 0xe0000000n, 4) : cidrOf(6, 0xffn << 120n, 8)
  return c.prefixlen >= m.prefixlen && cidrCovers(m, c)
}

/** netaddr IPNetwork.is_loopback(): inside 127.0.0.0/8; IPv6 never matches a network. */
export function isLoopbackCidr(c: Cidr): boolean {
  if (c.version === 6) return false
  return c.prefixlen >= 8 && cidrCovers(cidrOf(4, 0x7f000000n, 8), c)
}

export function cidrOf(version: IpVersion, ip: bigint, prefixlen: number): Cidr {
  return { version, ip, prefixlen }
}
