/**
 * Parses the `ovs-ofctl` flow syntax (add-flow input and dump-flows output, with or without
 * stats) into the library's values, so tests can compare what a switch reports with what was
 * sent, and flows can be written as text.
 */
import type { Action } from './actions.js'
import { bytesToIpv6, ipv4ToInt, ipv6ToBytes, macToBytes } from './addr.js'
import { FlowModFlags, Port } from './constants.js'
import { deepFreeze, DEFAULT_PRIORITY, flowMod, padNote } from './flow-mod.js'
import { type Instruction, sortInstructions } from './instructions.js'
import type { FlowMod } from './messages.js'
import { type FieldRef, ref, subfieldByNxmName, subfieldDef } from './nx-fields.js'
import type { LearnSpec } from './nx-actions.js'
import { parseNat } from './ct-action.js'
import {
  canonicalMasked, CT_STATE, FIELD_BY_NAME, type FieldDef, type FieldValue, IP_FRAG, isMasked, type Match, type MatchField, TCP_FLAGS,
} from './oxm.js'

export interface ParsedFlow {
  readonly table: number
  readonly priority: number
  readonly cookie: bigint
  readonly cookieMask: bigint
  readonly idleTimeout: number
  readonly hardTimeout: number
  readonly flags: number
  readonly outPort: number
  readonly outGroup: number
  readonly match: Match
  readonly instructions: readonly Instruction[]
}

export class FlowParseError extends Error {
  override name = 'FlowParseError'
}

const PORT_BY_NAME: Record<string, number> = {
  in_port: Port.IN_PORT, table: Port.TABLE, normal: Port.NORMAL, flood: Port.FLOOD, all: Port.ALL,
  controller: Port.CONTROLLER, local: Port.LOCAL, any: Port.ANY, none: Port.ANY,
}

export function parsePort(s: string): number {
  const p = PORT_BY_NAME[s.toLowerCase()]
  if (p !== undefined) return p
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new FlowParseError(`bad port ${JSON.stringify(s)}`)
  return Number(s)
}

function num(s: string): number {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new FlowParseError(`bad number ${JSON.stringify(s)}`)
  return Number(s)
}

function big(s: string): bigint {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new FlowParseError(`bad number ${JSON.stringify(s)}`)
  return BigInt(s)
}

const FLAG_BY_NAME: Record<string, number> = {
  send_flow_rem: FlowModFlags.SEND_FLOW_REM, check_overlap: FlowModFlags.CHECK_OVERLAP,
  reset_counts: FlowModFlags.RESET_COUNTS, no_packet_counts: FlowModFlags.NO_PKT_COUNTS,
  no_byte_counts: FlowModFlags.NO_BYT_COUNTS,
}

const SHORTHANDS: Record<string, [number, number?]> = {
  ip: [0x0800], ipv4: [0x0800], tcp: [0x0800, 6], udp: [0x0800, 17], icmp: [0x0800, 1], sctp: [0x0800, 132],
  ipv6: [0x86dd], tcp6: [0x86dd, 6], udp6: [0x86dd, 17], icmp6: [0x86dd, 58], sctp6: [0x86dd, 132],
  arp: [0x0806], rarp: [0x8035],
}

/** Field names of ovs-ofctl (match and set_field) to OXM names; protocol-dependent ones are resolved later. */
const ALIASES: Record<string, string> = {
  dl_src: 'eth_src', eth_src: 'eth_src', dl_dst: 'eth_dst', eth_dst: 'eth_dst', dl_type: 'eth_type', eth_type: 'eth_type',
  nw_src: 'ipv4_src', ip_src: 'ipv4_src', ipv4_src: 'ipv4_src', nw_dst: 'ipv4_dst', ip_dst: 'ipv4_dst', ipv4_dst: 'ipv4_dst',
  nw_proto: 'ip_proto', ip_proto: 'ip_proto', nw_ecn: 'ip_ecn', ip_ecn: 'ip_ecn', ip_dscp: 'ip_dscp',
  ipv6_src: 'ipv6_src', ipv6_dst: 'ipv6_dst', ipv6_label: 'ipv6_flabel', tun_id: 'tunnel_id', tunnel_id: 'tunnel_id',
  tun_src: 'tun_ipv4_src', tun_dst: 'tun_ipv4_dst', metadata: 'metadata', in_port: 'in_port', conj_id: 'conj_id',
  arp_op: 'arp_op', arp_spa: 'arp_spa', arp_tpa: 'arp_tpa', arp_sha: 'arp_sha', arp_tha: 'arp_tha',
  dl_vlan_pcp: 'vlan_pcp', vlan_pcp: 'vlan_pcp', vlan_vid: 'vlan_vid', tcp_src: 'tcp_src', tcp_dst: 'tcp_dst',
  udp_src: 'udp_src', udp_dst: 'udp_dst', icmpv6_type: 'icmpv6_type', icmpv6_code: 'icmpv6_code',
  icmpv4_type: 'icmpv4_type', icmpv4_code: 'icmpv4_code', nw_ttl: 'nw_ttl', pkt_mark: 'pkt_mark',
  nd_target: 'nd_target', nd_sll: 'nd_sll', nd_tll: 'nd_tll', ct_zone: 'ct_zone', ct_mark: 'ct_mark', ct_label: 'ct_label',
  ct_nw_src: 'ct_nw_src', ct_nw_dst: 'ct_nw_dst', ct_ipv6_src: 'ct_ipv6_src', ct_ipv6_dst: 'ct_ipv6_dst',
  ct_nw_proto: 'ct_nw_proto', ct_tp_src: 'ct_tp_src', ct_tp_dst: 'ct_tp_dst',
  ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`reg${i}`, `reg${i}`])),
}

function allOnes(f: FieldDef, mask: FieldValue): boolean {
  switch (f.kind) {
    case 'num': return mask === 2 ** f.bits - 1 || (f.name === 'vlan_vid' && mask === 0x1fff)
    case 'u64': return mask === 0xffffffffffffffffn
    case 'u128': return mask === (1n << 128n) - 1n
    case 'mac': return String(mask).toLowerCase() === 'ff:ff:ff:ff:ff:ff'
    default: return false
  }
}

/** Parses a value of field `f` ("5", "0x5/0xff", "192.0.2.0/24", "aa:bb:…/ff:…"). */
export function parseFieldValue(f: FieldDef, text: string): FieldValue {
  const slash = text.indexOf('/')
  const one = (s: string): FieldValue => {
    switch (f.kind) {
      case 'num': return f.name === 'in_port' ? parsePort(s) : num(s)
      case 'u64': case 'u128': return big(s)
      case 'mac': return s.toLowerCase()
      case 'ipv4': ipv4ToInt(s); return s
      case 'ipv6': { const b = Buffer.alloc(16); ipv6ToBytes(s, b, 0); return bytesToIpv6(b, 0) }
    }
  }
  if (slash < 0) return one(text)
  if ((f.kind === 'ipv4' || f.kind === 'ipv6') && /^\d+$/.test(text.slice(slash + 1))) {
    const bits = Number(text.slice(slash + 1))
    if (bits === f.len * 8) return one(text.slice(0, slash))
    return canonicalMasked(f, `${one(text.slice(0, slash)) as string}/${bits}`)
  }
  const value = one(text.slice(0, slash))
  const mask = one(text.slice(slash + 1))
  if (allOnes(f, mask)) return value
  return canonicalMasked(f, { value, mask } as FieldValue)
}

/**
 * Flag fields ("+trk-inv", "syn|ack", "0x21/0x21", "0"): +/- names give a mask of the named
 * bits; "|"-joined names are an exact match (every bit of the field).
 */
export function parseFlagBits(field: string, names: Record<string, number>, full: number, text: string): number | { value: number; mask: number } {
  const bit = (n: string): number => {
    const hexBit = /^\[([0-9a-f]+)\]$/i.exec(n)
    const b = hexBit ? parseInt(hexBit[1]!, 16) : names[n.toLowerCase()]
    if (b === undefined || b > full) throw new FlowParseError(`${field}: unknown flag ${JSON.stringify(n)}`)
    return b
  }
  if (/^[+-]/.test(text)) {
    let value = 0, mask = 0
    for (const m of text.matchAll(/([+-])([^+-]+)/g)) {
      const b = bit(m[2]!)
      if (mask & b) throw new FlowParseError(`${field}: flag ${m[2]} given twice`)
      mask |= b
      if (m[1] === '+') value |= b
    }
    if (text.replace(/([+-])([^+-]+)/g, '') !== '') throw new FlowParseError(`${field}: bad flags ${JSON.stringify(text)}`)
    return (mask >>> 0) === full ? value >>> 0 : { value: value >>> 0, mask: mask >>> 0 }
  }
  if (/^(0x[0-9a-f]+|\d+)(\/(0x[0-9a-f]+|\d+))?$/i.test(text)) {
    const [v, m] = text.split('/')
    const value = num(v!)
    const mask = m === undefined ? full : num(m)
    if (value > full || mask > full) throw new FlowParseError(`${field}: ${text} out of range`)
    return mask === full ? value : { value: value & mask, mask }
  }
  return text.split('|').reduce((acc, n) => (acc | bit(n)) >>> 0, 0)
}

function parseFrag(text: string): number | { value: number; mask: number } {
  const f = IP_FRAG[text]
  if (!f) {
    if (/^(0x[0-9a-f]+|\d+)(\/(0x[0-9a-f]+|\d+))?$/i.test(text)) return parseFlagBits('ip_frag', {}, 3, text)
    throw new FlowParseError(`ip_frag: expected no, yes, first, later or not_later, got ${JSON.stringify(text)}`)
  }
  return f.mask === 3 ? f.value : { ...f }
}

/** Splits on commas that are not inside parentheses. */
export function splitTopLevel(s: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of s) {
    if (ch === '(') depth++
    else if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  if (cur.trim()) out.push(cur.trim())
  return out.filter((x) => x.length > 0)
}

/** Parses the match part ("tcp,nw_src=192.0.2.0/24,tp_dst=80"). Unknown keys throw. */
export function parseMatch(text: string): Match {
  const pairs: [string, string | undefined][] = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => {
      const eq = t.indexOf('=')
      return eq < 0 ? [t, undefined] : [t.slice(0, eq), t.slice(eq + 1)]
    })
  const m: Record<string, FieldValue> = {}
  for (const [k, v] of pairs) {
    const sh = SHORTHANDS[k]
    if (sh && v === undefined) {
      m.eth_type = sh[0]
      if (sh[1] !== undefined) m.ip_proto = sh[1]
    } else if (k === 'dl_type' || k === 'eth_type') m.eth_type = num(v!)
    else if (k === 'nw_proto' || k === 'ip_proto') m.ip_proto = num(v!)
  }
  const et = m.eth_type
  const proto = m.ip_proto
  for (const [k, v] of pairs) {
    if (SHORTHANDS[k] && v === undefined) continue
    if (v === undefined) throw new FlowParseError(`unknown match keyword ${JSON.stringify(k)}`)
    let name: string | undefined
    if (k === 'dl_type' || k === 'eth_type') continue
    if (k === 'nw_proto' || k === 'ip_proto') {
      if (et === 0x0806) { m.arp_op = num(v); delete m.ip_proto }
      continue
    }
    if (k === 'tp_src' || k === 'tp_dst') name = `${proto === 17 ? 'udp' : 'tcp'}_${k.slice(3)}`
    else if (k === 'icmp_type' || k === 'icmp_code') name = `${et === 0x86dd ? 'icmpv6' : 'icmpv4'}_${k.slice(5)}`
    else if (et === 0x0806 && (k === 'nw_src' || k === 'nw_dst')) name = k === 'nw_src' ? 'arp_spa' : 'arp_tpa'
    else if (k === 'nw_tos') { m.ip_dscp = num(v) >> 2; continue }
    else if (k === 'ct_state') { m.ct_state = parseFlagBits('ct_state', CT_STATE, 0xff, v) as FieldValue; continue }
    else if (k === 'tcp_flags') { m.tcp_flags = parseFlagBits('tcp_flags', TCP_FLAGS, 0xfff, v) as FieldValue; continue }
    else if (k === 'ip_frag' || k === 'nw_frag') { m.ip_frag = parseFrag(v) as FieldValue; continue }
    else if (k === 'dl_vlan') { m.vlan_vid = 0x1000 | num(v); continue }
    else if (k === 'vlan_tci') {
      const [a, b] = v.split('/')
      const value = num(a!) & 0x1fff
      const mask = b === undefined ? 0x1fff : num(b) & 0x1fff
      m.vlan_vid = mask === 0x1fff ? value : { value, mask }
      continue
    } else if (k === 'priority' || k === 'table' || k === 'cookie') continue
    else name = ALIASES[k]
    if (!name) throw new FlowParseError(`unknown match field ${JSON.stringify(k)}`)
    m[name] = parseFieldValue(FIELD_BY_NAME.get(name)!, v)
  }
  return m as Match
}

const SUBFIELD_ALIASES: Record<string, string> = {
  tun_id: 'tunnel_id', in_port: 'in_port16', dl_src: 'eth_src', dl_dst: 'eth_dst', eth_src: 'eth_src', eth_dst: 'eth_dst',
  dl_type: 'eth_type', eth_type: 'eth_type', vlan_tci: 'vlan_tci', nw_src: 'ipv4_src', nw_dst: 'ipv4_dst', ip_src: 'ipv4_src',
  ip_dst: 'ipv4_dst', nw_proto: 'ip_proto', ip_proto: 'ip_proto', metadata: 'metadata', tun_src: 'tun_ipv4_src',
  tun_dst: 'tun_ipv4_dst', arp_sha: 'arp_sha', arp_tha: 'arp_tha', arp_spa: 'arp_spa', arp_tpa: 'arp_tpa', arp_op: 'arp_op',
}

/** Parses "NXM_NX_REG0[0..7]", "reg0[]", "NXM_OF_ETH_SRC[]", "NXM_NX_REG1[5]". */
export function parseRef(text: string): FieldRef {
  const m = /^([A-Za-z0-9_]+)\[(?:(\d+)(?:\.\.(\d+))?)?\]$/.exec(text.trim())
  if (!m) throw new FlowParseError(`bad field reference ${JSON.stringify(text)}`)
  const name = m[1]!
  const s = subfieldByNxmName(name) ?? (name.startsWith('reg') ? subfieldDef(name) : SUBFIELD_ALIASES[name] ? subfieldDef(SUBFIELD_ALIASES[name]!) : undefined)
  if (!s) throw new FlowParseError(`unknown field ${JSON.stringify(name)}`)
  if (m[2] === undefined) return ref(s.field)
  const lo = Number(m[2])
  const hi = m[3] === undefined ? lo : Number(m[3])
  return ref(s.field, lo, hi - lo + 1)
}

function valueToBig(f: FieldDef | undefined, text: string): bigint {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return BigInt(text)
  if (f?.kind === 'mac' || /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text)) {
    const b = Buffer.alloc(8); macToBytes(text.toLowerCase(), b, 2); return b.readBigUInt64BE(0)
  }
  if (f?.kind === 'ipv4' || text.includes('.')) return BigInt(ipv4ToInt(text))
  throw new FlowParseError(`bad value ${JSON.stringify(text)}`)
}

function parseLearn(body: string): Action {
  const opts: Record<string, number | bigint> = {}
  let flags = 0
  const specs: LearnSpec[] = []
  for (const item of splitTopLevel(body)) {
    const eq = item.indexOf('=')
    const key = eq < 0 ? item : item.slice(0, eq)
    if (['table', 'idle_timeout', 'hard_timeout', 'priority', 'fin_idle_timeout', 'fin_hard_timeout'].includes(key)) {
      opts[key] = num(item.slice(eq + 1))
    } else if (key === 'cookie') opts.cookie = big(item.slice(eq + 1))
    else if (item === 'send_flow_rem') flags |= 1
    else if (item === 'delete_learned') flags |= 2
    else if (item.startsWith('load:')) {
      const [src, dst] = item.slice(5).split('->') as [string, string]
      const d = parseRef(dst)
      specs.push({ kind: 'load', dst: d, src: src.includes('[') ? parseRef(src) : valueToBig(undefined, src) })
    } else if (item.startsWith('output:')) specs.push({ kind: 'output', src: parseRef(item.slice(7)) })
    else if (eq < 0) {
      const r = parseRef(item)
      specs.push({ kind: 'match', dst: r, src: r })
    } else {
      const lhs = item.slice(0, eq)
      const rhs = item.slice(eq + 1)
      const dst = lhs.includes('[') ? parseRef(lhs) : parseRef(`${lhs}[]`)
      const oxm = FIELD_BY_NAME.get(ALIASES[lhs] ?? dst.field)
      specs.push({ kind: 'match', dst, src: rhs.includes('[') ? parseRef(rhs) : valueToBig(oxm, rhs) })
    }
  }
  return {
    type: 'learn',
    table: Number(opts.table ?? 0),
    priority: Number(opts.priority ?? DEFAULT_PRIORITY),
    idleTimeout: Number(opts.idle_timeout ?? 0),
    hardTimeout: Number(opts.hard_timeout ?? 0),
    finIdleTimeout: Number(opts.fin_idle_timeout ?? 0),
    finHardTimeout: Number(opts.fin_hard_timeout ?? 0),
    cookie: BigInt(opts.cookie ?? 0n),
    flags,
    specs,
  }
}

const SET_FIELD_ALIASES: Record<string, string> = { ...ALIASES, nw_tos: 'ip_dscp', icmp_type: 'icmpv4_type', icmp_code: 'icmpv4_code' }

/** Parses one action ("output:2", "load:0x5->NXM_NX_REG0[]", "learn(...)", …). */
export function parseAction(text: string): Action | undefined {
  const t = text.trim()
  const lower = t.toLowerCase()
  if (lower === 'drop') return undefined
  if (/^\d+$/.test(t)) return { type: 'output', port: Number(t) }
  if (PORT_BY_NAME[lower] !== undefined && lower !== 'any' && lower !== 'none') {
    return lower === 'controller' ? { type: 'output', port: Port.CONTROLLER, maxLen: 0xffff } : { type: 'output', port: PORT_BY_NAME[lower]! }
  }
  const colon = t.indexOf(':')
  const paren = t.indexOf('(')
  const name = (colon >= 0 && (paren < 0 || colon < paren) ? t.slice(0, colon) : paren >= 0 ? t.slice(0, paren) : t).toLowerCase()
  const arg = colon >= 0 && (paren < 0 || colon < paren) ? t.slice(colon + 1) : paren >= 0 ? t.slice(paren + 1, t.lastIndexOf(')')) : ''
  switch (name) {
    case 'output':
      return arg.includes('[') ? { type: 'output_reg', src: parseRef(arg), maxLen: 0xffff } : { type: 'output', port: parsePort(arg) }
    case 'controller': {
      const ml = /max_len=(\d+)/.exec(arg)?.[1] ?? (/^\d+$/.test(arg) ? arg : '65535')
      return { type: 'output', port: Port.CONTROLLER, maxLen: Number(ml) }
    }
    case 'group': return { type: 'group', groupId: num(arg) }
    case 'set_queue': return { type: 'set_queue', queueId: num(arg) }
    case 'push_vlan': return { type: 'push_vlan', ethertype: num(arg) }
    case 'pop_vlan': case 'strip_vlan': return { type: 'pop_vlan' }
    case 'dec_ttl': return { type: 'dec_ttl' }
    case 'set_field': {
      const [v, f] = arg.split('->') as [string, string]
      const field = SET_FIELD_ALIASES[f] ?? f
      const def = FIELD_BY_NAME.get(field)
      if (!def) throw new FlowParseError(`unknown set_field field ${JSON.stringify(f)}`)
      const value = parseFieldValue(def, v)
      if (isMasked(value) && (typeof value.mask === 'number' || typeof value.mask === 'bigint')) {
        // OVS turns a masked set_field into NXAST_REG_LOAD of the mask's bit range.
        const mask = BigInt(value.mask)
        let ofs = 0
        while (ofs < 128 && !((mask >> BigInt(ofs)) & 1n)) ofs++
        const run = mask >> BigInt(ofs)
        const nbits = run.toString(2).length
        if (run !== (1n << BigInt(nbits)) - 1n || nbits > 64) {
          throw new FlowParseError(`set_field ${t}: a masked set_field needs a contiguous mask of at most 64 bits`)
        }
        return { type: 'reg_load', dst: ref(field, ofs, nbits), value: (BigInt(value.value as number | bigint) >> BigInt(ofs)) & run }
      }
      return { type: 'set_field', field: field as MatchField, value }
    }
    case 'load': {
      const [v, d] = arg.split('->') as [string, string]
      return { type: 'reg_load', dst: parseRef(d), value: big(v) }
    }
    case 'move': {
      const [s, d] = arg.split('->') as [string, string]
      return { type: 'reg_move', src: parseRef(s), dst: parseRef(d) }
    }
    case 'resubmit': {
      if (colon >= 0 && (paren < 0 || colon < paren)) return { type: 'resubmit', port: parsePort(arg) }
      const [p, tb] = arg.split(',').map((x) => x.trim()) as [string, string | undefined]
      return { type: 'resubmit', ...(p ? { port: parsePort(p) } : {}), ...(tb ? { table: num(tb) } : {}) }
    }
    case 'conjunction': {
      const m = /^\s*(\d+)\s*,\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(arg)
      if (!m) throw new FlowParseError(`bad conjunction ${JSON.stringify(t)}`)
      return { type: 'conjunction', id: Number(m[1]), clause: Number(m[2]), nClauses: Number(m[3]) }
    }
    case 'note': return { type: 'note', data: padNote(arg.replace(/[.:\s]/g, '').toLowerCase()) }
    case 'learn': return parseLearn(arg)
    case 'ct_clear': return { type: 'ct_clear' }
    case 'ct': return parseCt(arg)
    default: throw new FlowParseError(`unsupported action ${JSON.stringify(t)}`)
  }
}

const CT_ALG_BY_NAME: Record<string, number> = { ftp: 21, tftp: 69 }

/** `ct(commit,force,table=N,zone=N|FIELD[a..b],nat(...),exec(...),alg=ftp)`. */
function parseCt(arg: string): Action {
  let commit = false, force = false
  let zone: number | FieldRef | undefined
  let table: number | undefined
  let alg: number | undefined
  const actions: Action[] = []
  const bad = (msg: string): FlowParseError => new FlowParseError(msg)
  for (const item of splitTopLevel(arg)) {
    const eq = item.indexOf('=')
    const paren = item.indexOf('(')
    const key = (eq >= 0 && (paren < 0 || eq < paren) ? item.slice(0, eq) : paren >= 0 ? item.slice(0, paren) : item).trim()
    const val = eq >= 0 && (paren < 0 || eq < paren) ? item.slice(eq + 1).trim() : ''
    const inner = paren >= 0 ? item.slice(paren + 1, item.lastIndexOf(')')) : undefined
    if (key === 'commit') commit = true
    else if (key === 'force') force = true
    else if (key === 'table') {
      table = num(val)
      if (table > 254) throw bad(`ct: table ${table} out of range 0-254`)
    } else if (key === 'zone') {
      zone = val.includes('[') ? parseRef(val) : num(val)
      if (typeof zone === 'number' && zone > 0xffff) throw bad(`ct: zone ${zone} out of range 0-65535`)
      if (typeof zone === 'object' && zone.nbits !== 16) throw bad(`ct: zone ${val} must be 16 bits wide`)
    }
    else if (key === 'alg') {
      alg = CT_ALG_BY_NAME[val] ?? num(val)
    } else if (key === 'nat') {
      if (actions.length) throw bad('ct: nat must come before exec')
      actions.push(parseNat(inner, bad))
    } else if (key === 'exec') {
      for (const x of splitTopLevel(inner ?? '')) {
        const a = parseAction(x)
        if (a) actions.push(a)
      }
    } else throw bad(`ct: unknown argument ${JSON.stringify(item)}`)
  }
  return {
    type: 'ct', commit, force, ...(zone === undefined || zone === 0 ? {} : { zone }),
    ...(table === undefined ? {} : { table }), ...(alg === undefined ? {} : { alg }), actions,
  }
}

/** Parses the text after "actions=" into instructions (plain actions become apply_actions). */
export function parseInstructions(text: string): Instruction[] {
  const ins: Instruction[] = []
  const apply: Action[] = []
  for (const item of splitTopLevel(text)) {
    const lower = item.toLowerCase()
    if (lower.startsWith('goto_table:')) ins.push({ type: 'goto_table', table: num(item.slice(11)) })
    else if (lower === 'clear_actions') ins.push({ type: 'clear_actions' })
    else if (lower.startsWith('meter:')) ins.push({ type: 'meter', meterId: num(item.slice(6)) })
    else if (lower.startsWith('write_metadata:')) {
      const [v, mk] = item.slice(15).split('/') as [string, string | undefined]
      ins.push({ type: 'write_metadata', metadata: big(v), mask: mk === undefined ? 0xffffffffffffffffn : big(mk) })
    } else if (lower.startsWith('write_actions(')) {
      const inner = item.slice(14, item.lastIndexOf(')'))
      ins.push({ type: 'write_actions', actions: splitTopLevel(inner).map(parseAction).filter((a): a is Action => !!a) })
    } else {
      const a = parseAction(item)
      if (a) apply.push(a)
    }
  }
  if (apply.length) ins.push({ type: 'apply_actions', actions: apply })
  return sortInstructions(ins)
}

const IGNORED = new Set(['duration', 'n_packets', 'n_bytes', 'idle_age', 'hard_age', 'importance'])

/** Parses one flow line (add-flow syntax or a dump-flows line). */
export function parseFlow(line: string): ParsedFlow {
  const text = line.trim()
  const ai = text.search(/(^|[\s,])actions=/)
  const head = ai < 0 ? text : text.slice(0, ai)
  const actions = ai < 0 ? undefined : text.slice(text.indexOf('actions=', ai) + 8)
  let table = 0, priority = DEFAULT_PRIORITY, cookie = 0n, cookieMask = 0n, idleTimeout = 0, hardTimeout = 0, flags = 0
  let outPort: number = Port.ANY, outGroup = 0xffffffff
  const matchParts: string[] = []
  for (const tok of head.split(/[\s,]+/).filter(Boolean)) {
    const eq = tok.indexOf('=')
    const k = eq < 0 ? tok : tok.slice(0, eq)
    const v = tok.slice(eq + 1)
    if (IGNORED.has(k)) continue
    if (k === 'table') table = num(v)
    else if (k === 'priority') priority = num(v)
    else if (k === 'cookie') {
      const [c, cm] = v.split('/') as [string, string | undefined]
      cookie = big(c)
      cookieMask = cm === undefined ? 0n : cm === '-1' ? 0xffffffffffffffffn : big(cm)
    } else if (k === 'idle_timeout') idleTimeout = num(v)
    else if (k === 'hard_timeout') hardTimeout = num(v)
    else if (k === 'out_port') outPort = parsePort(v)
    else if (k === 'out_group') outGroup = num(v)
    else if (eq < 0 && FLAG_BY_NAME[k] !== undefined) flags |= FLAG_BY_NAME[k]!
    else matchParts.push(tok)
  }
  return deepFreeze({
    table, priority, cookie, cookieMask, idleTimeout, hardTimeout, flags, outPort, outGroup,
    match: parseMatch(matchParts.join(',')),
    instructions: actions === undefined ? [] : parseInstructions(actions),
  })
}

/** A FLOW_MOD from ovs-ofctl syntax ("table=0,priority=10,ip actions=output:1"). */
export function parseFlowMod(line: string, command: FlowMod['command'] = 'add'): FlowMod {
  const p = parseFlow(line)
  return flowMod({ ...p, command, checkPrerequisites: false })
}
