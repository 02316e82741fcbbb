/**
 * Address helpers for flow matches: parse and normalise IPv4/IPv6 addresses and prefixes into
 * the text ovs-ofctl accepts, and the EUI-64 link-local address Neutron allows every port
 * (neutron/agent/linux/openvswitch_firewall: the port's fe80:: address is always permitted).
 * Kept here because src/dataplane imports nothing from src/ipam (house layering).
 */
import { isIPv4, isIPv6 } from 'node:net'

export interface Prefix {
  readonly family: 4 | 6
  /** Normalised address (network address for prefixes), ovs-ofctl text. */
  readonly address: string
  readonly length: number
}

function v6ToBigInt(a: string): bigint {
  let [head, tail] = a.includes('::') ? a.split('::') as [string, string] : [a, undefined]
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  // embedded IPv4 (::ffff:192.0.2.1)
  const fix = (parts: string[]): string[] => {
    const last = parts[parts.length - 1]
    if (last && isIPv4(last)) {
      const o = last.split('.').map(Number)
      parts.splice(parts.length - 1, 1, ((o[0]! << 8) | o[1]!).toString(16), ((o[2]! << 8) | o[3]!).toString(16))
    }
    return parts
  }
  fix(h); fix(t)
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
  let n = 0n
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g, 16))
  return n
}

function bigIntToV6(n: bigint): string {
  const g: number[] = []
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn))
  // RFC 5952: compress the longest run (>= 2) of zero groups, lower case
  let best = -1, bestLen = 0
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i }
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

function v4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0)
}

function intToV4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')
}

/** Parses "192.0.2.1", "192.0.2.0/24", "2001:db8::1/64"; undefined if it does not parse. */
export function parsePrefix(text: string): Prefix | undefined {
  const [addr, len, extra] = text.trim().split('/')
  if (addr === undefined || extra !== undefined) return undefined
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined
  if (!family) return undefined
  const max = family === 4 ? 32 : 128
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined
  const length = len === undefined ? max : Number(len)
  if (length > max) return undefined
  if (family === 4) {
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0
    return { family, address: intToV4((v4ToInt(addr) & mask) >>> 0), length }
  }
  const mask = length === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - length)) - 1n)
  return { family, address: bigIntToV6(v6ToBigInt(addr) & mask), length }
}

/** ovs-ofctl text of a prefix: the bare address for a host, addr/len otherwise. */
export function prefixText(p: Prefix): string {
  return p.length === (p.family === 4 ? 32 : 128) ? p.address : `${p.address}/${p.length}`
}

/** Lower-case colon-separated MAC, or undefined. */
export function normaliseMac(mac: string): string | undefined {
  const m = mac.trim().toLowerCase()
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(m) ? m : undefined
}

/** fe80::/64 EUI-64 address of a MAC (RFC 4291 appendix A). */
export function linkLocalOf(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16))
  b[0] = b[0]! ^ 0x02
  const w = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | 0xff, (0xfe << 8) | b[3]!, (b[4]! << 8) | b[5]!]
  let n = 0xfe80n << 112n
  for (let i = 0; i < 4; i++) n |= BigInt(w[i]!) << BigInt((3 - i) * 16)
  return bigIntToV6(n)
}

/** Hex of an IPv4 address as used in tunnel port names ("198.51.100.2" -> "c6336402"). */
export function ipv4Hex(ip: string): string {
  return v4ToInt(ip).toString(16).padStart(8, '0')
}
