/** MAC / IPv4 / IPv6 text <-> bytes, in the canonical text forms ovs-ofctl prints. */
import { DecodeError } from './wire.js'

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

/** Parses "aa:bb:cc:dd:ee:ff" (hot path of flow encoding: no regex, no allocation). */
export function macToBytes(s: string, out: Buffer, at: number): void {
  if (s.length !== 17) throw new TypeError(`bad MAC address ${JSON.stringify(s)}`)
  for (let i = 0; i < 6; i++) {
    const hi = hexDigit(s.charCodeAt(i * 3))
    const lo = hexDigit(s.charCodeAt(i * 3 + 1))
    if (hi < 0 || lo < 0 || (i < 5 && s.charCodeAt(i * 3 + 2) !== 58)) throw new TypeError(`bad MAC address ${JSON.stringify(s)}`)
    out[at + i] = (hi << 4) | lo
  }
}

export function bytesToMac(b: Buffer, at: number): string {
  return `${HEX[b[at]!]}:${HEX[b[at + 1]!]}:${HEX[b[at + 2]!]}:${HEX[b[at + 3]!]}:${HEX[b[at + 4]!]}:${HEX[b[at + 5]!]}`
}

/** Parses dotted-quad IPv4 (hot path: a char loop, no regex, no allocation). */
export function ipv4ToInt(s: string): number {
  let v = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || ++dots > 3) throw new TypeError(`bad IPv4 address ${JSON.stringify(s)}`)
      v = v * 256 + octet
      octet = 0
      digits = 0
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48)
      digits++
      if (octet > 255) throw new TypeError(`bad IPv4 address ${JSON.stringify(s)}`)
    } else throw new TypeError(`bad IPv4 address ${JSON.stringify(s)}`)
  }
  if (dots !== 3 || digits === 0) throw new TypeError(`bad IPv4 address ${JSON.stringify(s)}`)
  return (v * 256 + octet) >>> 0
}

export function intToIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
}

/** Canonical (RFC 5952) text of an IPv6 address; the WHATWG URL parser implements it. */
export function canonicalIpv6(s: string): string {
  let host: string
  try {
    host = new URL(`http://[${s}]/`).hostname
  } catch {
    throw new TypeError(`bad IPv6 address ${JSON.stringify(s)}`)
  }
  return host.slice(1, -1)
}

export function ipv6ToBytes(s: string, out: Buffer, at: number): void {
  const c = canonicalIpv6(s)
  const [head, tail] = c.includes('::') ? c.split('::') as [string, string] : [c, undefined]
  const h = head ? head.split(':') : []
  const t = tail === undefined ? [] : tail ? tail.split(':') : []
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
  for (let i = 0; i < 8; i++) out.writeUInt16BE(parseInt(groups[i]!, 16), at + i * 2)
}

export function bytesToIpv6(b: Buffer, at: number): string {
  const g: string[] = []
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(at + i * 2).toString(16))
  return canonicalIpv6(g.join(':'))
}

/** Prefix length of a contiguous netmask given as bytes, or -1 if it is not one. */
export function prefixLength(b: Buffer, at: number, len: number): number {
  let n = 0
  let i = 0
  for (; i < len && b[at + i] === 0xff; i++) n += 8
  if (i < len) {
    const x = b[at + i]!
    const ones = [0, 0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe].indexOf(x)
    if (ones < 0) return -1
    n += ones
    for (i++; i < len; i++) if (b[at + i] !== 0) return -1
  }
  return n
}

export function prefixMask(len: number, bits: number, out: Buffer, at: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > len * 8) throw new TypeError(`bad prefix length ${bits}`)
  for (let i = 0; i < len; i++) {
    const k = Math.max(0, Math.min(8, bits - i * 8))
    out[at + i] = k === 0 ? 0 : (0xff << (8 - k)) & 0xff
  }
}

export function assertLen(len: number, want: number, what: string): void {
  if (len !== want) throw new DecodeError(`${what}: length ${len}, expected ${want}`)
}
