/**
 * OXM match fields (OF1.3 §7.2.3) plus the Nicira NXM fields OVS pipelines use (registers,
 * tunnel endpoints, conj_id), the `Match` value type, its wire codec and prerequisite checks.
 *
 * A Match is a plain object keyed by OXM field name. Values: numbers for fields up to 32 bits,
 * bigint for 64-bit fields, text for addresses. A masked value is `{ value, mask }`; IP prefixes
 * may be written "192.0.2.0/24" (the canonical decoded form for contiguous masks).
 */
import {
  assertLen, bytesToIpv6, bytesToMac, intToIpv4, ipv4ToInt, ipv6ToBytes, macToBytes, prefixLength, prefixMask,
} from './addr.js'
import { PrerequisiteError } from './errors.js'
import { DecodeError, type Reader, Writer } from './wire.js'

export type FieldKind = 'num' | 'u64' | 'u128' | 'mac' | 'ipv4' | 'ipv6'

export interface FieldDef {
  readonly name: string
  readonly cls: number
  readonly field: number
  /** Value length in bytes. */
  readonly len: number
  readonly kind: FieldKind
  /** Significant bits (vlan_vid: 13; ip_dscp: 6 …). */
  readonly bits: number
  /** 32-bit OXM header without the hasmask bit and with the unmasked value length. */
  readonly header: number
  /** Experimenter OXM (class 0xffff): the experimenter id that follows the header. */
  readonly experimenter?: number
  /**
   * The mask OVS treats as "exact" for fields narrower than their wire width (ct_state: 0xff):
   * exact values are sent as value/fullMask, as ovs-ofctl does, and decoded back as exact.
   */
  readonly fullMask?: number
}

export type Scalar = number | bigint | string
export interface Masked<T extends Scalar = Scalar> {
  readonly value: T
  readonly mask: T
}
export type FieldValue = Scalar | Masked

export interface Match {
  readonly in_port?: number
  readonly metadata?: bigint | Masked<bigint>
  readonly eth_dst?: string | Masked<string>
  readonly eth_src?: string | Masked<string>
  readonly eth_type?: number
  /** 13 bits: OFPVID_PRESENT (0x1000) | vid; 0 = untagged; {value: 0x1000, mask: 0x1000} = any tag. */
  readonly vlan_vid?: number | Masked<number>
  readonly vlan_pcp?: number
  readonly ip_dscp?: number
  readonly ip_ecn?: number
  readonly ip_proto?: number
  readonly ipv4_src?: string | Masked<string>
  readonly ipv4_dst?: string | Masked<string>
  readonly tcp_src?: number | Masked<number>
  readonly tcp_dst?: number | Masked<number>
  readonly udp_src?: number | Masked<number>
  readonly udp_dst?: number | Masked<number>
  readonly icmpv4_type?: number
  readonly icmpv4_code?: number
  readonly arp_op?: number
  readonly arp_spa?: string | Masked<string>
  readonly arp_tpa?: string | Masked<string>
  readonly arp_sha?: string | Masked<string>
  readonly arp_tha?: string | Masked<string>
  readonly ipv6_src?: string | Masked<string>
  readonly ipv6_dst?: string | Masked<string>
  readonly ipv6_flabel?: number | Masked<number>
  readonly icmpv6_type?: number
  readonly icmpv6_code?: number
  readonly tunnel_id?: bigint | Masked<bigint>
  readonly tun_ipv4_src?: string | Masked<string>
  readonly tun_ipv4_dst?: string | Masked<string>
  readonly conj_id?: number
  /** NXM_NX_IP_FRAG: bit 0 = fragment, bit 1 = later fragment (text: no, yes, first, later, not_later). */
  readonly ip_frag?: number | Masked<number>
  /** NXM_NX_IP_TTL. */
  readonly nw_ttl?: number
  /** NXM_NX_TCP_FLAGS, low 12 bits (text: +syn-ack or syn|ack). */
  readonly tcp_flags?: number | Masked<number>
  /** IPv6 neighbour discovery (icmpv6_type 135/136). */
  readonly nd_target?: string | Masked<string>
  readonly nd_sll?: string | Masked<string>
  readonly nd_tll?: string | Masked<string>
  readonly pkt_mark?: number | Masked<number>
  /** Conntrack state bits (CT_STATE below); text +trk-inv or trk|est. */
  readonly ct_state?: number | Masked<number>
  readonly ct_zone?: number
  readonly ct_mark?: number | Masked<number>
  /** 128-bit conntrack label. */
  readonly ct_label?: bigint | Masked<bigint>
  /** Original-direction tuple of the tracked connection (need ct_state +trk and not +inv). */
  readonly ct_nw_proto?: number
  readonly ct_nw_src?: string | Masked<string>
  readonly ct_nw_dst?: string | Masked<string>
  readonly ct_ipv6_src?: string | Masked<string>
  readonly ct_ipv6_dst?: string | Masked<string>
  readonly ct_tp_src?: number | Masked<number>
  readonly ct_tp_dst?: number | Masked<number>
  readonly [reg: `reg${number}`]: number | Masked<number> | undefined
}
export type MatchField = Exclude<keyof Match, `reg${number}`> | `reg${number}`

export const OXM_BASIC = 0x8000
export const NXM_0 = 0x0000
export const NXM_1 = 0x0001

function def(name: string, cls: number, field: number, len: number, kind: FieldKind, bits = len * 8, extra: Partial<FieldDef> = {}): FieldDef {
  return Object.freeze({ name, cls, field, len, kind, bits, header: ((cls << 16) | (field << 9) | len) >>> 0, ...extra })
}

/** ONF's experimenter id (ONF_EXPERIMENTER_ID), used by OVS for OF1.3 tcp_flags (ONFOXM_ET_TCP_FLAGS). */
export const ONF_EXPERIMENTER_ID = 0x4f4e4600
const OXM_EXPERIMENTER = 0xffff

/**
 * Field table in the order OVS serialises a match (lib/nx-match.c nx_put_raw), so encoded
 * matches are byte-identical to what ovs-ofctl sends.
 */
export const FIELDS: readonly FieldDef[] = [
  def('conj_id', NXM_1, 37, 4, 'num'),
  def('in_port', OXM_BASIC, 0, 4, 'num'),
  def('eth_src', OXM_BASIC, 4, 6, 'mac'),
  def('eth_dst', OXM_BASIC, 3, 6, 'mac'),
  def('eth_type', OXM_BASIC, 5, 2, 'num'),
  def('vlan_vid', OXM_BASIC, 6, 2, 'num', 13),
  def('vlan_pcp', OXM_BASIC, 7, 1, 'num', 3),
  def('ipv4_src', OXM_BASIC, 11, 4, 'ipv4'),
  def('ipv4_dst', OXM_BASIC, 12, 4, 'ipv4'),
  def('ipv6_src', OXM_BASIC, 26, 16, 'ipv6'),
  def('ipv6_dst', OXM_BASIC, 27, 16, 'ipv6'),
  def('ipv6_flabel', OXM_BASIC, 28, 4, 'num', 20),
  def('ip_frag', NXM_1, 26, 1, 'num', 2),
  def('ip_dscp', OXM_BASIC, 8, 1, 'num', 6),
  def('ip_ecn', OXM_BASIC, 9, 1, 'num', 2),
  def('nw_ttl', NXM_1, 29, 1, 'num'),
  def('ip_proto', OXM_BASIC, 10, 1, 'num'),
  def('tcp_src', OXM_BASIC, 13, 2, 'num'),
  def('tcp_dst', OXM_BASIC, 14, 2, 'num'),
  def('tcp_flags', OXM_EXPERIMENTER, 42, 2, 'num', 12, { experimenter: ONF_EXPERIMENTER_ID }),
  def('udp_src', OXM_BASIC, 15, 2, 'num'),
  def('udp_dst', OXM_BASIC, 16, 2, 'num'),
  def('icmpv4_type', OXM_BASIC, 19, 1, 'num'),
  def('icmpv4_code', OXM_BASIC, 20, 1, 'num'),
  def('icmpv6_type', OXM_BASIC, 29, 1, 'num'),
  def('icmpv6_code', OXM_BASIC, 30, 1, 'num'),
  def('nd_target', OXM_BASIC, 31, 16, 'ipv6'),
  def('nd_sll', OXM_BASIC, 32, 6, 'mac'),
  def('nd_tll', OXM_BASIC, 33, 6, 'mac'),
  def('arp_op', OXM_BASIC, 21, 2, 'num'),
  def('arp_spa', OXM_BASIC, 22, 4, 'ipv4'),
  def('arp_tpa', OXM_BASIC, 23, 4, 'ipv4'),
  def('arp_sha', OXM_BASIC, 24, 6, 'mac'),
  def('arp_tha', OXM_BASIC, 25, 6, 'mac'),
  def('tunnel_id', OXM_BASIC, 38, 8, 'u64'),
  def('tun_ipv4_src', NXM_1, 31, 4, 'ipv4'),
  def('tun_ipv4_dst', NXM_1, 32, 4, 'ipv4'),
  ...Array.from({ length: 16 }, (_, i) => def(`reg${i}`, NXM_1, i, 4, 'num')),
  def('pkt_mark', NXM_1, 33, 4, 'num'),
  def('ct_state', NXM_1, 105, 4, 'num', 8, { fullMask: 0xff }),
  def('ct_zone', NXM_1, 106, 2, 'num'),
  def('ct_mark', NXM_1, 107, 4, 'num'),
  def('ct_label', NXM_1, 108, 16, 'u128'),
  def('ct_nw_src', NXM_1, 120, 4, 'ipv4'),
  def('ct_nw_dst', NXM_1, 121, 4, 'ipv4'),
  def('ct_ipv6_src', NXM_1, 122, 16, 'ipv6'),
  def('ct_ipv6_dst', NXM_1, 123, 16, 'ipv6'),
  def('ct_nw_proto', NXM_1, 119, 1, 'num'),
  def('ct_tp_src', NXM_1, 124, 2, 'num'),
  def('ct_tp_dst', NXM_1, 125, 2, 'num'),
  def('metadata', OXM_BASIC, 2, 8, 'u64'),
]

export const FIELD_BY_NAME: ReadonlyMap<string, FieldDef> = new Map(FIELDS.map((f) => [f.name, f]))
const FIELD_ORDER = new Map(FIELDS.map((f, i) => [f.name, i]))
const FIELD_BY_HEADER = new Map(FIELDS.map((f) => [f.header, f]))

export function fieldDef(name: string): FieldDef {
  const f = FIELD_BY_NAME.get(name)
  if (!f) throw new TypeError(`unknown match field ${JSON.stringify(name)}`)
  return f
}

export function fieldByHeader(header: number): FieldDef | undefined {
  return FIELD_BY_HEADER.get(header)
}

export function isMasked(v: unknown): v is Masked {
  return typeof v === 'object' && v !== null && 'mask' in v
}

/** Writes one value of `f` (no header). Strings "a/len" are split by the caller. */
export function writeValue(f: FieldDef, v: Scalar, w: Writer): void {
  switch (f.kind) {
    case 'num': {
      const n = typeof v === 'number' ? v : Number(v)
      if (!Number.isInteger(n) || n < 0 || n >= 2 ** f.bits) throw new RangeError(`${f.name}: value ${String(v)} out of range`)
      if (f.len === 4) w.u32(n)
      else if (f.len === 2) w.u16(n)
      else w.u8(n)
      return
    }
    case 'u64':
      w.u64(typeof v === 'bigint' ? v : BigInt(v))
      return
    case 'u128': {
      const n = typeof v === 'bigint' ? v : BigInt(v)
      if (n < 0n || n >> 128n !== 0n) throw new RangeError(`${f.name}: value ${String(v)} out of range`)
      w.u64(n >> 64n)
      w.u64(n & 0xffffffffffffffffn)
      return
    }
    case 'mac':
      w.ensure(6)
      macToBytes(String(v), w.buf, w.pos)
      w.pos += 6
      return
    case 'ipv4':
      w.u32(ipv4ToInt(String(v)))
      return
    case 'ipv6':
      w.ensure(16)
      ipv6ToBytes(String(v), w.buf, w.pos)
      w.pos += 16
  }
}

export function readValue(f: FieldDef, b: Buffer, at: number): Scalar {
  switch (f.kind) {
    case 'num':
      return f.len === 4 ? b.readUInt32BE(at) : f.len === 2 ? b.readUInt16BE(at) : b[at]!
    case 'u64':
      return b.readBigUInt64BE(at)
    case 'u128':
      return (b.readBigUInt64BE(at) << 64n) | b.readBigUInt64BE(at + 8)
    case 'mac':
      return bytesToMac(b, at)
    case 'ipv4':
      return intToIpv4(b.readUInt32BE(at))
    case 'ipv6':
      return bytesToIpv6(b, at)
  }
}

/** Splits "addr/len" (IP prefix) into value and mask text; other values pass through. */
export function splitPrefix(f: FieldDef, v: FieldValue): FieldValue {
  if (typeof v !== 'string' || (f.kind !== 'ipv4' && f.kind !== 'ipv6')) return v
  const slash = v.indexOf('/')
  if (slash < 0) return v
  const addr = v.slice(0, slash)
  const rest = v.slice(slash + 1)
  if (!/^\d+$/.test(rest)) return { value: addr, mask: rest }
  const m = Buffer.alloc(f.len)
  prefixMask(f.len, Number(rest), m, 0)
  return { value: addr, mask: f.kind === 'ipv4' ? intToIpv4(m.readUInt32BE(0)) : bytesToIpv6(m, 0) }
}

/** The decoded (canonical) form of a masked value: "addr/len" for contiguous IP masks. */
export function canonicalMasked(f: FieldDef, v: FieldValue): FieldValue {
  const tmp = new Writer(f.len * 2 + 8)
  writeOxm(f, v, tmp)
  return decodedValue(f, tmp.buf, 4, (tmp.buf[2]! & 1) === 1)
}

/** Writes one OXM TLV. */
export function writeOxm(f: FieldDef, v: FieldValue, w: Writer): void {
  let sv = splitPrefix(f, v)
  if (!isMasked(sv) && f.fullMask !== undefined) sv = { value: sv, mask: f.fullMask }
  const exp = f.experimenter === undefined ? 0 : 4
  if (isMasked(sv)) {
    w.u32((f.header | 0x100) + f.len + exp)
    if (exp) w.u32(f.experimenter!)
    const at = w.pos
    writeValue(f, sv.value, w)
    writeValue(f, sv.mask, w)
    // OVS refuses value bits outside the mask (BAD_MATCH/BAD_WILDCARDS); "192.0.2.9/24" means 192.0.2.0/24
    for (let i = 0; i < f.len; i++) w.buf[at + i] = w.buf[at + i]! & w.buf[at + f.len + i]!
  } else {
    w.u32(f.header + exp)
    if (exp) w.u32(f.experimenter!)
    writeValue(f, sv, w)
  }
}

/** Match keys in OVS order; an insertion sort, since matches are small and usually ordered. */
function sortedKeys(m: Match): string[] {
  const keys: string[] = []
  const order: number[] = []
  for (const k in m) {
    if ((m as Record<string, unknown>)[k] === undefined) continue
    const o = FIELD_ORDER.get(k) ?? 999
    let i = keys.length
    while (i > 0 && order[i - 1]! > o) i--
    keys.splice(i, 0, k)
    order.splice(i, 0, o)
  }
  return keys
}

/** Encodes `struct ofp_match` (type OXM, length, TLVs, padding to 8). */
export function encodeMatch(m: Match, w: Writer): void {
  const start = w.pos
  w.u16(1) // OFPMT_OXM
  w.u16(0)
  for (const k of sortedKeys(m)) writeOxm(fieldDef(k), (m as Record<string, FieldValue>)[k]!, w)
  w.patch16(start + 2, w.pos - start)
  w.padTo(start, 8)
}

function decodedValue(f: FieldDef, b: Buffer, at: number, masked: boolean): FieldValue {
  const value = readValue(f, b, at)
  if (!masked) return value
  const mask = readValue(f, b, at + f.len)
  if (f.fullMask !== undefined && mask === f.fullMask) return value
  if (f.kind === 'ipv4' || f.kind === 'ipv6') {
    const p = prefixLength(b, at + f.len, f.len)
    if (p >= 0) return `${String(value)}/${p}`
  }
  return { value, mask }
}

/** Reads one OXM TLV list of `len` bytes into a Match (unknown fields are kept by header). */
export function decodeOxms(r: Reader, len: number, into: Record<string, FieldValue>): void {
  const end = r.pos + len
  while (r.pos < end) {
    r.need(4, 'OXM header')
    const header = r.u32()
    const n = header & 0xff
    const masked = (header & 0x100) !== 0
    r.need(n, 'OXM value')
    // experimenter OXMs (class 0xffff) carry a 4-byte experimenter id before the value
    const exp = header >>> 16 === OXM_EXPERIMENTER && n >= 4 ? 4 : 0
    const vn = n - exp
    const f = FIELD_BY_HEADER.get(((header & ~0x1ff) | (masked ? vn / 2 : vn)) >>> 0)
    if (f && (masked ? vn === f.len * 2 : vn === f.len) && (!exp || r.buf.readUInt32BE(r.pos) === f.experimenter)) {
      if (into[f.name] !== undefined) throw new DecodeError(`duplicate OXM field ${f.name}`)
      into[f.name] = decodedValue(f, r.buf, r.pos + exp, masked)
    } else {
      into[`oxm_${header.toString(16).padStart(8, '0')}`] = r.buf.toString('hex', r.pos, r.pos + n)
    }
    r.pos += n
  }
  if (r.pos !== end) throw new DecodeError('OXM list overruns match')
}

export function decodeMatch(r: Reader): Match {
  const start = r.pos
  r.need(4, 'ofp_match')
  const type = r.u16()
  const length = r.u16()
  if (type !== 1) throw new DecodeError(`unsupported match type ${type}`)
  if (length < 4) throw new DecodeError(`bad match length ${length}`)
  r.need(length - 4, 'ofp_match')
  const m: Record<string, FieldValue> = {}
  decodeOxms(r, length - 4, m)
  r.skip(((length + 7) & ~7) - (r.pos - start))
  return m as Match
}

function exact(m: Match, k: keyof Match): number | undefined {
  const v = m[k]
  return typeof v === 'number' ? v : undefined
}

type Prereq = [ok: (et: number | undefined, proto: number | undefined, m: Match) => boolean, what: string]
const IPV4: Prereq = [(et) => et === 0x0800, 'eth_type=0x0800']
const IPV6: Prereq = [(et) => et === 0x86dd, 'eth_type=0x86dd']
const IP_ANY: Prereq = [(et) => et === 0x0800 || et === 0x86dd, 'eth_type=0x0800 or 0x86dd']
const ARP: Prereq = [(et) => et === 0x0806, 'eth_type=0x0806']
const l4 = (proto: number, name: string): Prereq =>
  [(et, p) => (et === 0x0800 || et === 0x86dd) && p === proto, `ip_proto=${proto} (and eth_type IPv4/IPv6) for ${name}`]
const ICMP4: Prereq = [(et, p) => et === 0x0800 && p === 1, 'eth_type=0x0800 and ip_proto=1']
const ICMP6: Prereq = [(et, p) => et === 0x86dd && p === 58, 'eth_type=0x86dd and ip_proto=58']
const TCP: Prereq = l4(6, 'TCP')
const ND = (types: number[], name: string): Prereq =>
  [(et, p, m) => et === 0x86dd && p === 58 && types.includes(m.icmpv6_type as number), `icmp6 with icmpv6_type=${types.join(' or ')} for ${name}`]
/** OVS's "conntrack valid" prerequisite: ct_state +trk and -inv (or one of new/est/rel/rpl). */
const CT_VALID: Prereq = [(_e, _p, m) => {
  const s = m.ct_state
  if (s === undefined) return false
  const [v, mask] = typeof s === 'number' ? [s, 0xffffffff] : [s.value, s.mask]
  if (!(mask & v & CT_STATE.trk)) return false
  return (mask & CT_STATE.inv && !(v & CT_STATE.inv)) || (v & mask & 0x0f) !== 0
}, 'ct_state with +trk and -inv']
const CT_L4: Prereq = [(_e, _p, m) => CT_VALID[0](_e, _p, m) && [6, 17, 132].includes(m.ct_nw_proto as number), 'ct_state +trk-inv and ct_nw_proto=6, 17 or 132']
const VLAN: Prereq = [(_e, _p, m) => typeof m.vlan_vid === 'number' && (m.vlan_vid & 0x1000) !== 0, 'vlan_vid with OFPVID_PRESENT']

/** OF1.3 §7.2.3.6 table 12: the prerequisite of each field. */
const PREREQS: Record<string, Prereq> = {
  ipv4_src: IPV4, ipv4_dst: IPV4, ipv6_src: IPV6, ipv6_dst: IPV6, ipv6_flabel: IPV6,
  ip_proto: IP_ANY, ip_dscp: IP_ANY, ip_ecn: IP_ANY,
  arp_op: ARP, arp_spa: ARP, arp_tpa: ARP, arp_sha: ARP, arp_tha: ARP,
  tcp_src: l4(6, 'TCP'), tcp_dst: l4(6, 'TCP'), udp_src: l4(17, 'UDP'), udp_dst: l4(17, 'UDP'),
  icmpv4_type: ICMP4, icmpv4_code: ICMP4, icmpv6_type: ICMP6, icmpv6_code: ICMP6, vlan_pcp: VLAN,
  ip_frag: IP_ANY, nw_ttl: IP_ANY, tcp_flags: TCP,
  nd_target: ND([135, 136], 'nd_target'), nd_sll: ND([135], 'nd_sll'), nd_tll: ND([136], 'nd_tll'),
  ct_nw_proto: CT_VALID, ct_tp_src: CT_L4, ct_tp_dst: CT_L4,
  ct_nw_src: [(et, p, m) => IPV4[0](et, p, m) && CT_VALID[0](et, p, m), 'eth_type=0x0800 and ct_state +trk-inv'],
  ct_nw_dst: [(et, p, m) => IPV4[0](et, p, m) && CT_VALID[0](et, p, m), 'eth_type=0x0800 and ct_state +trk-inv'],
  ct_ipv6_src: [(et, p, m) => IPV6[0](et, p, m) && CT_VALID[0](et, p, m), 'eth_type=0x86dd and ct_state +trk-inv'],
  ct_ipv6_dst: [(et, p, m) => IPV6[0](et, p, m) && CT_VALID[0](et, p, m), 'eth_type=0x86dd and ct_state +trk-inv'],
}

/** ct_state bits (OVS lib/packets.h CS_*), in the order ovs-ofctl prints them. */
export const CT_STATE = { new: 0x01, est: 0x02, rel: 0x04, rpl: 0x08, inv: 0x10, trk: 0x20, snat: 0x40, dnat: 0x80 } as const

/** TCP flag bits (NXM_NX_TCP_FLAGS), in the order ovs-ofctl prints them. */
export const TCP_FLAGS = { fin: 0x001, syn: 0x002, rst: 0x004, psh: 0x008, ack: 0x010, urg: 0x020, ece: 0x040, cwr: 0x080, ns: 0x100 } as const

/** ip_frag text names and their value/mask (OVS lib/meta-flow.c, nw_frag). */
export const IP_FRAG: Record<string, { readonly value: number; readonly mask: number }> = {
  no: { value: 0, mask: 3 }, yes: { value: 1, mask: 1 }, first: { value: 1, mask: 3 }, later: { value: 3, mask: 3 },
  not_later: { value: 0, mask: 2 },
}

/**
 * Throws PrerequisiteError if a field lacks its prerequisite (OF1.3 §7.2.3.6), which a switch
 * would otherwise reject with BAD_MATCH/BAD_PREREQ after the flow was sent. Prerequisites must
 * be exact matches (a masked eth_type does not count).
 */
export function checkPrerequisites(m: Match): void {
  const et = typeof m.eth_type === 'number' ? m.eth_type : undefined
  const proto = typeof m.ip_proto === 'number' ? m.ip_proto : undefined
  for (const k in m) {
    if ((m as Record<string, unknown>)[k] === undefined) continue
    if (!FIELD_BY_NAME.has(k)) throw new TypeError(`unknown match field ${JSON.stringify(k)}`)
    const p = PREREQS[k]
    if (p && !p[0](et, proto, m)) throw new PrerequisiteError(`match field ${k} requires ${p[1]}`)
  }
}

/** Check OXM payload length of a field, used by set_field decoding. */
export function checkFieldLen(f: FieldDef, n: number): void {
  assertLen(n, f.len, f.name)
}
