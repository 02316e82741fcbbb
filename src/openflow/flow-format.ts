/**
 * Formats flows in the text form of `ovs-ofctl -O OpenFlow13 dump-flows` (lib/match.c
 * match_format, lib/ofp-actions.c ofpacts_format): same field names, order and number styles,
 * so a test can compare our rendering of a flow-stats reply with what ovs-ofctl prints.
 */
import type { Action } from './actions.js'
import { FlowModFlags, Port } from './constants.js'
import type { Instruction } from './instructions.js'
import type { FlowMod, FlowStats } from './messages.js'
import { type FieldRef, formatRef, subfieldDef } from './nx-fields.js'
import type { LearnAction, LearnSpec } from './nx-actions.js'
import { formatNat, CT_ALGS } from './ct-action.js'
import { canonicalMasked, CT_STATE, FIELD_BY_NAME, type FieldValue, IP_FRAG, isMasked, type Match, TCP_FLAGS } from './oxm.js'

const DEFAULT_PRIORITY = 0x8000

export const PORT_NAMES: Record<number, string> = {
  [Port.IN_PORT]: 'IN_PORT',
  [Port.TABLE]: 'TABLE',
  [Port.NORMAL]: 'NORMAL',
  [Port.FLOOD]: 'FLOOD',
  [Port.ALL]: 'ALL',
  [Port.CONTROLLER]: 'CONTROLLER',
  [Port.LOCAL]: 'LOCAL',
  [Port.ANY]: 'ANY',
}

export function formatPort(p: number): string {
  return PORT_NAMES[p] ?? String(p)
}

const hex = (v: number | bigint): string => `0x${v.toString(16)}`

/** Text for a value of field `name` in a match ("dec" / "hex" styles follow OVS per field). */
function fmtScalar(name: string, v: FieldValue, style: 'dec' | 'hex' | 'hex4'): string {
  if (isMasked(v)) {
    const f = (x: unknown): string => fmtScalar(name, x as FieldValue, style)
    return `${f(v.value)}/${f(v.mask)}`
  }
  if (typeof v === 'string') return v
  if (style === 'dec') return String(v)
  if (style === 'hex4') return `0x${v.toString(16).padStart(4, '0')}`
  // printf's %#x, which OVS uses, prints zero as "0"
  return v === 0 || v === 0n ? '0' : hex(v)
}

/** [text name, style] per field for dump-flows. */
const MATCH_TEXT: Record<string, [string, 'dec' | 'hex' | 'hex4']> = {
  conj_id: ['conj_id', 'dec'],
  in_port: ['in_port', 'dec'],
  metadata: ['metadata', 'hex'],
  eth_src: ['dl_src', 'dec'],
  eth_dst: ['dl_dst', 'dec'],
  eth_type: ['dl_type', 'hex4'],
  vlan_pcp: ['dl_vlan_pcp', 'dec'],
  ipv4_src: ['nw_src', 'dec'],
  ipv4_dst: ['nw_dst', 'dec'],
  ipv6_src: ['ipv6_src', 'dec'],
  ipv6_dst: ['ipv6_dst', 'dec'],
  ip_proto: ['nw_proto', 'dec'],
  ip_ecn: ['nw_ecn', 'dec'],
  tcp_src: ['tp_src', 'dec'],
  tcp_dst: ['tp_dst', 'dec'],
  udp_src: ['tp_src', 'dec'],
  udp_dst: ['tp_dst', 'dec'],
  icmpv4_type: ['icmp_type', 'dec'],
  icmpv4_code: ['icmp_code', 'dec'],
  icmpv6_type: ['icmp_type', 'dec'],
  icmpv6_code: ['icmp_code', 'dec'],
  arp_op: ['arp_op', 'dec'],
  arp_spa: ['arp_spa', 'dec'],
  arp_tpa: ['arp_tpa', 'dec'],
  arp_sha: ['arp_sha', 'dec'],
  arp_tha: ['arp_tha', 'dec'],
  tunnel_id: ['tun_id', 'hex'],
  tun_ipv4_src: ['tun_src', 'dec'],
  tun_ipv4_dst: ['tun_dst', 'dec'],
  pkt_mark: ['pkt_mark', 'hex'],
  ct_zone: ['ct_zone', 'dec'],
  ct_mark: ['ct_mark', 'hex'],
  ct_label: ['ct_label', 'hex'],
  ct_nw_src: ['ct_nw_src', 'dec'],
  ct_nw_dst: ['ct_nw_dst', 'dec'],
  ct_ipv6_src: ['ct_ipv6_src', 'dec'],
  ct_ipv6_dst: ['ct_ipv6_dst', 'dec'],
  ct_nw_proto: ['ct_nw_proto', 'dec'],
  ct_tp_src: ['ct_tp_src', 'dec'],
  ct_tp_dst: ['ct_tp_dst', 'dec'],
  nw_ttl: ['nw_ttl', 'dec'],
  nd_target: ['nd_target', 'dec'],
  nd_sll: ['nd_sll', 'dec'],
  nd_tll: ['nd_tll', 'dec'],
}

/**
 * Flag fields as format_flags_masked() prints them: "+syn-ack" (bits of the mask, low to high),
 * or "syn|ack" when the mask covers every bit ("0" for none).
 */
export function formatFlagBits(names: Record<string, number>, v: number | { value: number; mask: number }, full: number): string {
  const [value, mask] = typeof v === 'number' ? [v, full] : [v.value, v.mask]
  const byBit = new Map(Object.entries(names).map(([n, b]) => [b, n]))
  const bits: number[] = []
  for (let i = 0; i < 32 && 2 ** i <= full; i++) bits.push(2 ** i)
  const name = (b: number): string => byBit.get(b) ?? `[${b.toString(16)}]`
  const on = (x: number, b: number): boolean => Math.floor(x / b) % 2 === 1
  if ((mask >>> 0) % (full + 1) === full) {
    const set = bits.filter((b) => on(value >>> 0, b)).map(name)
    return set.length ? set.join('|') : '0'
  }
  return bits.filter((b) => on(mask >>> 0, b)).map((b) => `${on(value >>> 0, b) ? '+' : '-'}${name(b)}`).join('')
}

/** nw_frag text (lib/match.c format_frag / the names ovs-ofctl reads). */
function formatFrag(v: number | { value: number; mask: number }): string {
  const [value, mask] = typeof v === 'number' ? [v, 3] : [v.value, v.mask & 3]
  if (mask === 1) return value & 1 ? 'yes' : 'no'
  if (mask === 2) return value & 2 ? 'later' : 'not_later'
  if (mask === 3) return value & 1 ? (value & 2 ? 'later' : 'first') : 'no'
  const hit = Object.entries(IP_FRAG).find(([, x]) => x.value === value && x.mask === mask)
  return hit ? hit[0] : `0x${value.toString(16)}/0x${mask.toString(16)}`
}

/** Order of match_format(); masked port numbers print in hex there. */
const MATCH_ORDER = [
  'pkt_mark', 'conj_id', 'ct_state', 'ct_zone', 'ct_mark', 'ct_label', 'ct_nw_src', 'ct_nw_dst', 'ct_ipv6_src', 'ct_ipv6_dst',
  'ct_nw_proto', 'ct_tp_src', 'ct_tp_dst', '#proto', ...Array.from({ length: 16 }, (_, i) => `reg${i}`), 'tunnel_id', 'tun_ipv4_src', 'tun_ipv4_dst',
  'metadata', 'in_port', '#vlan', 'vlan_pcp', 'eth_src', 'eth_dst', '#dl_type', 'ipv6_src', 'ipv6_dst', 'ipv6_flabel',
  'ipv4_src', 'ipv4_dst', 'arp_spa', 'arp_tpa', '#nw_proto', 'ip_dscp', 'ip_ecn', 'nw_ttl', 'ip_frag', 'arp_op',
  'arp_sha', 'arp_tha', 'icmpv4_type', 'icmpv4_code', 'icmpv6_type', 'icmpv6_code', 'nd_target', 'nd_sll', 'nd_tll', 'tcp_src',
  'udp_src', 'tcp_dst', 'udp_dst', 'tcp_flags',
]

const SHORTHAND: Record<string, string> = {
  '2048': 'ip', '2048/6': 'tcp', '2048/17': 'udp', '2048/1': 'icmp', '2048/132': 'sctp',
  '34525': 'ipv6', '34525/6': 'tcp6', '34525/17': 'udp6', '34525/58': 'icmp6', '34525/132': 'sctp6',
  '2054': 'arp', '32821': 'rarp',
}

/** Protocol shorthand ("tcp", "arp" …) for a match, and whether it consumed ip_proto. */
export function shorthand(m: Match): [string | undefined, boolean] {
  const et = m.eth_type
  if (typeof et !== 'number') return [undefined, false]
  if (typeof m.ip_proto === 'number' && SHORTHAND[`${et}/${m.ip_proto}`]) return [SHORTHAND[`${et}/${m.ip_proto}`], true]
  return [SHORTHAND[String(et)], false]
}

export function formatMatch(m: Match, priority = DEFAULT_PRIORITY): string {
  const parts: string[] = []
  if (priority !== DEFAULT_PRIORITY) parts.push(`priority=${priority}`)
  const [sh, usedProto] = shorthand(m)
  const rec = m as Record<string, FieldValue | undefined>
  for (const k of MATCH_ORDER) {
    if (k === '#proto') {
      if (sh) parts.push(sh)
      continue
    }
    if (k === '#dl_type') {
      if (!sh && m.eth_type !== undefined) parts.push(`dl_type=${fmtScalar('eth_type', m.eth_type, 'hex4')}`)
      continue
    }
    if (k === '#nw_proto') {
      if (!usedProto && m.ip_proto !== undefined) parts.push(`nw_proto=${m.ip_proto}`)
      continue
    }
    if (k === '#vlan') {
      const v = m.vlan_vid
      if (v === undefined) continue
      if (typeof v === 'number' && v & 0x1000) parts.push(`dl_vlan=${v & 0xfff}`)
      else if (typeof v === 'number') parts.push(`vlan_tci=0x${v.toString(16).padStart(4, '0')}/0x1fff`)
      else parts.push(`vlan_tci=0x${v.value.toString(16).padStart(4, '0')}/0x${v.mask.toString(16).padStart(4, '0')}`)
      continue
    }
    const v = rec[k]
    if (v === undefined) continue
    if (k.startsWith('reg')) parts.push(`${k}=${fmtScalar(k, v, 'hex')}`)
    else if (k === 'in_port') parts.push(`in_port=${formatPort(v as number)}`)
    else if (k === 'ip_dscp') parts.push(`nw_tos=${(v as number) << 2}`)
    else if (k === 'ct_state') parts.push(`ct_state=${formatFlagBits(CT_STATE, v as number, 0xff)}`)
    else if (k === 'tcp_flags') parts.push(`tcp_flags=${formatFlagBits(TCP_FLAGS, v as number, 0xfff)}`)
    else if (k === 'ip_frag') parts.push(`nw_frag=${formatFrag(v as number)}`)
    else if (k === 'ipv6_flabel') parts.push(`ipv6_label=${isMasked(v) ? `${hex5(v.value)}/${hex5(v.mask)}` : hex5(v)}`)
    else {
      const [name, style0] = MATCH_TEXT[k]!
      const style = isMasked(v) && style0 === 'dec' && typeof v.value === 'number' ? 'hex' : style0
      const f = FIELD_BY_NAME.get(k)!
      parts.push(`${name}=${fmtScalar(k, normalizeIp(f, v), style)}`)
    }
  }
  return parts.join(',')
}

/** IP masks print as addr/len when contiguous: round-trip through the codec's canonical form. */
function normalizeIp(f: { kind: string }, v: FieldValue): FieldValue {
  if ((f.kind !== 'ipv4' && f.kind !== 'ipv6') || !isMasked(v)) return v
  return canonicalMasked(f as never, v)
}

const hex5 = (v: unknown): string => `0x${(v as number).toString(16).padStart(5, '0')}`


/** set_field value text (mf_format styles). */
const SET_FIELD_TEXT: Record<string, [string, 'dec' | 'hex']> = {
  eth_src: ['eth_src', 'dec'], eth_dst: ['eth_dst', 'dec'], eth_type: ['eth_type', 'hex'], vlan_vid: ['vlan_vid', 'dec'],
  vlan_pcp: ['vlan_pcp', 'dec'], ipv4_src: ['ip_src', 'dec'], ipv4_dst: ['ip_dst', 'dec'], ipv6_src: ['ipv6_src', 'dec'],
  ipv6_dst: ['ipv6_dst', 'dec'], ipv6_flabel: ['ipv6_label', 'hex'], ip_dscp: ['ip_dscp', 'dec'], ip_ecn: ['nw_ecn', 'dec'],
  ip_proto: ['nw_proto', 'dec'], tcp_src: ['tcp_src', 'dec'], tcp_dst: ['tcp_dst', 'dec'], udp_src: ['udp_src', 'dec'],
  udp_dst: ['udp_dst', 'dec'], icmpv4_type: ['icmp_type', 'dec'], icmpv4_code: ['icmp_code', 'dec'],
  icmpv6_type: ['icmpv6_type', 'dec'], icmpv6_code: ['icmpv6_code', 'dec'], arp_op: ['arp_op', 'dec'],
  arp_spa: ['arp_spa', 'dec'], arp_tpa: ['arp_tpa', 'dec'], arp_sha: ['arp_sha', 'dec'], arp_tha: ['arp_tha', 'dec'],
  tunnel_id: ['tun_id', 'hex'], tun_ipv4_src: ['tun_src', 'dec'], tun_ipv4_dst: ['tun_dst', 'dec'],
  metadata: ['metadata', 'hex'], in_port: ['in_port', 'dec'], conj_id: ['conj_id', 'dec'],
  pkt_mark: ['pkt_mark', 'hex'], ct_mark: ['ct_mark', 'hex'], ct_label: ['ct_label', 'hex'], nw_ttl: ['nw_ttl', 'dec'],
  nd_target: ['nd_target', 'dec'], nd_sll: ['nd_sll', 'dec'], nd_tll: ['nd_tll', 'dec'],
}
export function setFieldName(field: string): string {
  return field.startsWith('reg') ? field : SET_FIELD_TEXT[field]?.[0] ?? field
}

function fmtRefOrValue(src: FieldRef | bigint): string {
  return typeof src === 'bigint' ? (src < 10n ? String(src) : hex(src)) : formatRef(src)
}

/** Whole-field immediate learn matches print as "name=value" (mf_format). */
const LEARN_FIELD_NAMES: Record<string, string> = {
  eth_type: 'eth_type', eth_src: 'eth_src', eth_dst: 'eth_dst', vlan_tci: 'vlan_tci', ipv4_src: 'ip_src',
  ipv4_dst: 'ip_dst', ip_proto: 'nw_proto', tunnel_id: 'tun_id', in_port16: 'in_port', metadata: 'metadata',
}

function formatLearnSpec(s: LearnSpec): string {
  if (s.kind === 'output') return `output:${formatRef(s.src)}`
  if (s.kind === 'load') return `load:${fmtRefOrValue(s.src)}->${formatRef(s.dst)}`
  if (typeof s.src === 'bigint') {
    const whole = s.dst.ofs === 0 && s.dst.nbits === subfieldDef(s.dst.field).nbits
    const name = s.dst.field.startsWith('reg') ? s.dst.field : LEARN_FIELD_NAMES[s.dst.field]
    if (whole && name) return `${name}=${hex(s.src)}`
    return `${formatRef(s.dst)}=${hex(s.src)}`
  }
  if (s.src.field === s.dst.field && s.src.ofs === s.dst.ofs) return formatRef(s.dst)
  return `${formatRef(s.dst)}=${formatRef(s.src)}`
}

function formatLearn(l: LearnAction): string {
  const p: string[] = [`table=${l.table}`]
  if (l.idleTimeout) p.push(`idle_timeout=${l.idleTimeout}`)
  if (l.hardTimeout) p.push(`hard_timeout=${l.hardTimeout}`)
  if (l.priority !== DEFAULT_PRIORITY) p.push(`priority=${l.priority}`)
  if (l.finIdleTimeout) p.push(`fin_idle_timeout=${l.finIdleTimeout}`)
  if (l.finHardTimeout) p.push(`fin_hard_timeout=${l.finHardTimeout}`)
  if (l.flags & 1) p.push('send_flow_rem')
  if (l.flags & 2) p.push('delete_learned')
  if (l.cookie) p.push(`cookie=${hex(l.cookie)}`)
  for (const s of l.specs) p.push(formatLearnSpec(s))
  return `learn(${p.join(',')})`
}

export function formatAction(a: Action): string {
  switch (a.type) {
    case 'output':
      if (a.port === Port.CONTROLLER) return `CONTROLLER:${a.maxLen ?? 0xffff}`
      if (a.port > Port.MAX && a.port !== Port.ANY) return formatPort(a.port)
      return `output:${formatPort(a.port)}`
    case 'group': return `group:${a.groupId}`
    case 'set_queue': return `set_queue:${a.queueId}`
    case 'push_vlan': return `push_vlan:${hex(a.ethertype)}`
    case 'pop_vlan': return 'pop_vlan'
    case 'dec_ttl': return 'dec_ttl'
    case 'set_field': {
      const style = a.field.startsWith('reg') ? 'hex' : SET_FIELD_TEXT[a.field]?.[1] ?? 'hex'
      return `set_field:${fmtScalar(a.field, a.value, style)}->${setFieldName(a.field)}`
    }
    case 'output_reg': return a.maxLen === 0xffff ? `output:${formatRef(a.src)}` : `output(port=${formatRef(a.src)},max_len=${a.maxLen})`
    case 'reg_load': return `load:${hex(a.value)}->${formatRef(a.dst)}`
    case 'reg_move': return `move:${formatRef(a.src)}->${formatRef(a.dst)}`
    case 'resubmit':
      if (a.table === undefined && a.port !== undefined) return `resubmit:${formatPort(a.port)}`
      return `resubmit(${a.port === undefined ? '' : formatPort(a.port)},${a.table ?? ''})`
    case 'conjunction': return `conjunction(${a.id},${a.clause}/${a.nClauses})`
    case 'note': return `note:${(a.data.match(/../g) ?? []).join('.')}`
    case 'learn': return formatLearn(a)
    case 'ct_clear': return 'ct_clear'
    case 'nat': return formatNat(a)
    case 'ct': {
      const p: string[] = []
      if (a.commit) p.push('commit')
      if (a.force) p.push('force')
      if (a.table !== undefined) p.push(`table=${a.table}`)
      if (typeof a.zone === 'object') p.push(`zone=${formatRef(a.zone)}`)
      else if (a.zone) p.push(`zone=${a.zone}`)
      let rest = a.actions
      if (rest[0]?.type === 'nat') {
        p.push(formatNat(rest[0]))
        rest = rest.slice(1)
      }
      if (rest.length) p.push(`exec(${formatActions(rest)})`)
      if (a.alg) p.push(`alg=${CT_ALGS[a.alg] ?? a.alg}`)
      return `ct(${p.join(',')})`
    }
    case 'raw': return `raw(type=${a.actionType},${a.data})`
  }
}

export function formatActions(list: readonly Action[]): string {
  return list.map(formatAction).join(',')
}

export function formatInstructions(list: readonly Instruction[]): string {
  const out: string[] = []
  for (const i of list) {
    switch (i.type) {
      case 'apply_actions': if (i.actions.length) out.push(formatActions(i.actions)); break
      case 'clear_actions': out.push('clear_actions'); break
      case 'write_actions': out.push(`write_actions(${formatActions(i.actions)})`); break
      case 'write_metadata':
        out.push(i.mask === 0xffffffffffffffffn ? `write_metadata:${hex(i.metadata)}` : `write_metadata:${hex(i.metadata)}/${hex(i.mask)}`)
        break
      case 'goto_table': out.push(`goto_table:${i.table}`); break
      case 'meter': out.push(`meter:${i.meterId}`); break
    }
  }
  return out.length ? out.join(',') : 'drop'
}

const FLAG_NAMES: [number, string][] = [
  [FlowModFlags.SEND_FLOW_REM, 'send_flow_rem'], [FlowModFlags.CHECK_OVERLAP, 'check_overlap'],
  [FlowModFlags.RESET_COUNTS, 'reset_counts'], [FlowModFlags.NO_PKT_COUNTS, 'no_packet_counts'],
  [FlowModFlags.NO_BYT_COUNTS, 'no_byte_counts'],
]

export function formatFlags(flags: number): string[] {
  return FLAG_NAMES.filter(([b]) => flags & b).map(([, n]) => n)
}

type FlowLike = Pick<FlowStats, 'table' | 'priority' | 'cookie' | 'idleTimeout' | 'hardTimeout' | 'flags' | 'match' | 'instructions'>

/** One flow as `ovs-ofctl --no-stats dump-flows` prints it (without the leading space). */
export function formatFlow(f: FlowLike): string {
  let s = ''
  if (f.cookie) s += `cookie=${hex(f.cookie)}, `
  if (f.table) s += `table=${f.table}, `
  if (f.idleTimeout) s += `idle_timeout=${f.idleTimeout}, `
  if (f.hardTimeout) s += `hard_timeout=${f.hardTimeout}, `
  const flags = formatFlags(f.flags)
  if (flags.length) s += `${flags.join(' ')} `
  const m = formatMatch(f.match, f.priority)
  s += m
  if (s.length && !s.endsWith(' ')) s += ' '
  return `${s}actions=${formatInstructions(f.instructions)}`
}

/** A FLOW_MOD in `ovs-ofctl add-flow` syntax (comma-separated, parseable by parseFlow). */
export function formatFlowMod(f: FlowMod): string {
  const p: string[] = [`table=${f.table}`]
  if (f.cookie || f.cookieMask) p.push(f.cookieMask && f.command !== 'add' ? `cookie=${hex(f.cookie)}/${hex(f.cookieMask)}` : `cookie=${hex(f.cookie)}`)
  if (f.idleTimeout) p.push(`idle_timeout=${f.idleTimeout}`)
  if (f.hardTimeout) p.push(`hard_timeout=${f.hardTimeout}`)
  p.push(...formatFlags(f.flags))
  if (f.outPort !== Port.ANY) p.push(`out_port=${formatPort(f.outPort)}`)
  if (f.outGroup !== 0xffffffff) p.push(`out_group=${f.outGroup}`)
  if (f.command !== 'delete') p.push(`priority=${f.priority}`)
  const m = formatMatch(f.match)
  if (m) p.push(m)
  const head = p.join(',')
  if (f.command === 'delete' || f.command === 'delete_strict') return head
  return `${head} actions=${formatInstructions(f.instructions)}`
}
