/**
 * Connection tracking actions (Nicira extensions, OVS include/openflow/nicira-ext.h and
 * lib/ofp-actions.c): NXAST_CT (`ct(commit,zone=…,table=…,nat(…),exec(…),alg=…)`), the NXAST_NAT
 * it may carry first, and NXAST_CT_CLEAR.
 *
 * The nested actions of `ct` are encoded by the caller's encoder (actions.ts), so this file
 * needs no runtime import of the action list codec.
 */
import { bytesToIpv6, intToIpv4, ipv4ToInt, ipv6ToBytes } from './addr.js'
import { type FieldRef, subfieldByHeader, subfieldDef } from './nx-fields.js'
import { DecodeError, type Reader, type Writer } from './wire.js'

/** `nat(src=a[-b][:p[-q]],persistent,hash,random)`; no kind = plain `nat` (reverse an existing NAT). */
export interface NatAction {
  readonly type: 'nat'
  readonly kind?: 'src' | 'dst'
  /** IPv4 or IPv6 text; IPv4 and IPv6 are not mixed in one range. */
  readonly ipMin?: string
  readonly ipMax?: string
  readonly protoMin?: number
  readonly protoMax?: number
  readonly persistent?: boolean
  readonly hash?: boolean
  readonly random?: boolean
}

export interface CtAction<A = unknown> {
  readonly type: 'ct'
  readonly commit: boolean
  /** NX_CT_F_FORCE: a committed connection in the other direction is torn down and recommitted. */
  readonly force: boolean
  /** Immediate zone (0–65535) or a 16-bit field range (`NXM_NX_REG6[0..15]`); absent = zone 0. */
  readonly zone?: number | FieldRef
  /** Recirculate the packet into this table after conntrack; absent = no recirculation. */
  readonly table?: number
  /** Application layer gateway by well-known port: 21 ftp, 69 tftp. */
  readonly alg?: number
  /** A `nat` action first (printed outside exec), then set_field/reg_load of ct_mark/ct_label. */
  readonly actions: readonly A[]
}

export const NXAST_CT = 35
export const NXAST_NAT = 36
export const NXAST_CT_CLEAR = 43

const CT_F_COMMIT = 1
const CT_F_FORCE = 2
const RECIRC_NONE = 0xff

const NAT_F_SRC = 1
const NAT_F_DST = 2
const NAT_F_PERSISTENT = 4
const NAT_F_PROTO_HASH = 8
const NAT_F_PROTO_RANDOM = 16
const R_IPV4_MIN = 1
const R_IPV4_MAX = 2
const R_IPV6_MIN = 4
const R_IPV6_MAX = 8
const R_PROTO_MIN = 16
const R_PROTO_MAX = 32

export const CT_ALGS: Record<number, string> = { 21: 'ftp', 69: 'tftp' }

/** Writes the fixed part of NXAST_CT (after the 10-byte vendor header); nested actions follow. */
export function encodeCtBody(a: CtAction, w: Writer): void {
  w.u16((a.commit ? CT_F_COMMIT : 0) | (a.force ? CT_F_FORCE : 0))
  if (typeof a.zone === 'object') {
    const s = subfieldDef(a.zone.field)
    if (a.zone.nbits !== 16) throw new RangeError(`ct zone from a field must be 16 bits wide, got ${a.zone.nbits}`)
    w.u32(s.header)
    w.u16((a.zone.ofs << 6) | (a.zone.nbits - 1))
  } else {
    const z = a.zone ?? 0
    if (!Number.isInteger(z) || z < 0 || z > 0xffff) throw new RangeError(`ct zone ${z} out of range 0-65535`)
    w.u32(0)
    w.u16(z)
  }
  const t = a.table
  if (t !== undefined && (!Number.isInteger(t) || t < 0 || t > 0xfe)) throw new RangeError(`ct table ${t} out of range 0-254`)
  w.u8(t ?? RECIRC_NONE)
  w.zeros(3)
  w.u16(a.alg ?? 0)
}

/** Reads the fixed part of NXAST_CT; the caller decodes `r`'s remaining bytes as the nested actions. */
export function decodeCtBody(r: Reader): Omit<CtAction, 'actions'> {
  r.need(14, 'ct action')
  const flags = r.u16()
  const zoneSrc = r.u32()
  const zoneVal = r.u16()
  const table = r.u8()
  r.skip(3)
  const alg = r.u16()
  let zone: number | FieldRef | undefined
  if (zoneSrc !== 0) {
    const s = subfieldByHeader(zoneSrc)
    const ofs = zoneVal >> 6
    const nbits = (zoneVal & 0x3f) + 1
    if (ofs + nbits > s.nbits) throw new DecodeError(`ct zone bits ${ofs}+${nbits} outside ${s.nxmName}`)
    zone = { field: s.field, ofs, nbits }
  } else if (zoneVal !== 0) zone = zoneVal
  return {
    type: 'ct',
    commit: (flags & CT_F_COMMIT) !== 0,
    force: (flags & CT_F_FORCE) !== 0,
    ...(zone === undefined ? {} : { zone }),
    ...(table === RECIRC_NONE ? {} : { table }),
    ...(alg === 0 ? {} : { alg }),
  }
}

const isV6 = (ip: string): boolean => ip.includes(':')

/** Writes NXAST_NAT after the vendor header's subtype. */
export function encodeNatBody(a: NatAction, w: Writer): void {
  let flags = a.kind === 'src' ? NAT_F_SRC : a.kind === 'dst' ? NAT_F_DST : 0
  const ranged = a.kind !== undefined && a.ipMin !== undefined
  if (!a.kind && (a.ipMin || a.protoMin || a.persistent || a.hash || a.random)) {
    throw new RangeError('nat: addresses, ports and flags need src or dst')
  }
  if (a.ipMax !== undefined && a.ipMin === undefined) throw new RangeError('nat: ipMax without ipMin')
  if ((a.protoMin !== undefined || a.protoMax !== undefined) && a.ipMin === undefined) throw new RangeError('nat: ports need an address range')
  if (a.hash && a.random) throw new RangeError('nat: hash and random are exclusive')
  if (ranged) {
    if (a.persistent) flags |= NAT_F_PERSISTENT
    if (a.hash) flags |= NAT_F_PROTO_HASH
    if (a.random) flags |= NAT_F_PROTO_RANDOM
  }
  w.zeros(2)
  w.u16(flags)
  const at = w.pos
  w.u16(0)
  let present = 0
  if (ranged) {
    const v6 = isV6(a.ipMin!)
    if (a.ipMax !== undefined && isV6(a.ipMax) !== v6) throw new RangeError('nat: IPv4 and IPv6 mixed in one range')
    for (const [ip, bit] of [[a.ipMin, v6 ? R_IPV6_MIN : R_IPV4_MIN], [a.ipMax, v6 ? R_IPV6_MAX : R_IPV4_MAX]] as const) {
      if (ip === undefined) continue
      present |= bit
      if (v6) {
        w.ensure(16)
        ipv6ToBytes(ip, w.buf, w.pos)
        w.pos += 16
      } else w.u32(ipv4ToInt(ip))
    }
    for (const [p, bit] of [[a.protoMin, R_PROTO_MIN], [a.protoMax, R_PROTO_MAX]] as const) {
      if (p === undefined) continue
      if (!Number.isInteger(p) || p < 1 || p > 0xffff) throw new RangeError(`nat: port ${p} out of range 1-65535`)
      present |= bit
      w.u16(p)
    }
  }
  w.patch16(at, present)
}

export function decodeNatBody(r: Reader): NatAction {
  r.skip(2)
  const flags = r.u16()
  const present = r.u16()
  const kind = flags & NAT_F_SRC ? 'src' : flags & NAT_F_DST ? 'dst' : undefined
  const out: { -readonly [K in keyof NatAction]: NatAction[K] } = { type: 'nat' }
  if (kind) out.kind = kind
  if (present & R_IPV4_MIN) out.ipMin = intToIpv4(r.u32())
  if (present & R_IPV4_MAX) out.ipMax = intToIpv4(r.u32())
  if (present & R_IPV6_MIN) { r.need(16, 'nat ipv6'); out.ipMin = bytesToIpv6(r.buf, r.pos); r.pos += 16 }
  if (present & R_IPV6_MAX) { r.need(16, 'nat ipv6'); out.ipMax = bytesToIpv6(r.buf, r.pos); r.pos += 16 }
  if (present & R_PROTO_MIN) out.protoMin = r.u16()
  if (present & R_PROTO_MAX) out.protoMax = r.u16()
  if (flags & NAT_F_PERSISTENT) out.persistent = true
  if (flags & NAT_F_PROTO_HASH) out.hash = true
  if (flags & NAT_F_PROTO_RANDOM) out.random = true
  return out
}

/** `nat(...)` as ovs-ofctl prints it (lib/ofp-actions.c format_NAT). */
export function formatNat(a: NatAction): string {
  if (!a.kind) return 'nat'
  let s = `nat(${a.kind}`
  if (a.ipMin !== undefined) {
    const v6 = isV6(a.ipMin)
    const br = (ip: string): string => (v6 && a.protoMin ? `[${ip}]` : ip)
    s += `=${br(a.ipMin)}`
    if (a.ipMax !== undefined && a.ipMax !== a.ipMin) s += `-${br(a.ipMax)}`
    if (a.protoMin) {
      s += `:${a.protoMin}`
      if (a.protoMax && a.protoMax !== a.protoMin) s += `-${a.protoMax}`
    }
    if (a.persistent) s += ',persistent'
    if (a.hash) s += ',hash'
    if (a.random) s += ',random'
  }
  return `${s})`
}

/** Parses the inside of `nat(...)` ("src=192.0.2.1-192.0.2.9:1000-2000,random"). */
export function parseNat(arg: string | undefined, bad: (msg: string) => Error): NatAction {
  if (arg === undefined || arg.trim() === '') return { type: 'nat' }
  const out: { -readonly [K in keyof NatAction]: NatAction[K] } = { type: 'nat' }
  for (const item of arg.split(',').map((x) => x.trim())) {
    if (item === 'persistent' || item === 'hash' || item === 'random') out[item] = true
    else if (/^(src|dst)(=|$)/.test(item)) {
      if (out.kind) throw bad(`nat: only one of src and dst (${arg})`)
      out.kind = item.slice(0, 3) as 'src' | 'dst'
      const range = item.slice(4)
      if (range) Object.assign(out, parseNatRange(range, bad))
    } else throw bad(`nat: unknown option ${JSON.stringify(item)}`)
  }
  return out
}

function parseNatRange(text: string, bad: (msg: string) => Error): Partial<NatAction> {
  let addrs: string
  let ports: string | undefined
  if (text.startsWith('[')) {
    const m = /^\[([^\]]+)\](?:-\[([^\]]+)\])?(?::(.+))?$/.exec(text)
    if (!m) throw bad(`nat: bad range ${JSON.stringify(text)}`)
    addrs = m[2] ? `${m[1]}-${m[2]}` : m[1]!
    ports = m[3]
  } else if (text.split(':').length > 2) {
    addrs = text // IPv6 without brackets: no port part
  } else {
    ;[addrs, ports] = text.split(':') as [string, string | undefined]
  }
  const [lo, hi] = addrs.split('-') as [string, string | undefined]
  const checkIp = (ip: string): string => {
    try {
      if (isV6(ip)) { const b = Buffer.alloc(16); ipv6ToBytes(ip, b, 0); return bytesToIpv6(b, 0) }
      ipv4ToInt(ip)
      return ip
    } catch (e) {
      throw bad(`nat: bad address ${JSON.stringify(ip)} (${(e as Error).message})`)
    }
  }
  const out: { -readonly [K in keyof NatAction]?: NatAction[K] } = { ipMin: checkIp(lo) }
  if (hi !== undefined) out.ipMax = checkIp(hi)
  if (ports !== undefined) {
    const [p, q] = ports.split('-')
    const port = (s: string | undefined): number => {
      if (!s || !/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 0xffff) throw bad(`nat: bad port ${JSON.stringify(s)}`)
      return Number(s)
    }
    out.protoMin = port(p)
    if (q !== undefined) out.protoMax = port(q)
  }
  return out
}
