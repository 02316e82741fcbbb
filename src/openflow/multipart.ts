/** MULTIPART request/reply bodies (OF1.3 §7.3.5): desc, flow, aggregate, table, port stats, group desc, port desc. */
import { decodeActions, encodeActions } from './actions.js'
import { GroupType, type GroupTypeName, MultipartType } from './constants.js'
import { decodeInstructions, encodeInstructions } from './instructions.js'
import type {
  Bucket, Desc, FlowStats, GroupDesc, MultipartReplyBody, MultipartRequestBody, PortInfo, PortStats, TableStats,
} from './messages.js'
import { decodeMatch, encodeMatch } from './oxm.js'
import { bytesToMac, macToBytes } from './addr.js'
import { DecodeError, type Reader, type Writer } from './wire.js'

const KIND_TO_TYPE = {
  desc: MultipartType.DESC,
  flow: MultipartType.FLOW,
  aggregate: MultipartType.AGGREGATE,
  table: MultipartType.TABLE,
  port_stats: MultipartType.PORT_STATS,
  group: MultipartType.GROUP,
  group_desc: MultipartType.GROUP_DESC,
  port_desc: MultipartType.PORT_DESC,
} as const

export function multipartType(b: MultipartRequestBody): number {
  return b.kind === 'raw' ? b.mpType : KIND_TO_TYPE[b.kind]
}

export function encodeMultipartRequestBody(b: MultipartRequestBody, w: Writer): void {
  switch (b.kind) {
    case 'flow':
    case 'aggregate':
      w.u8(b.table); w.zeros(3); w.u32(b.outPort); w.u32(b.outGroup); w.zeros(4)
      w.u64(b.cookie); w.u64(b.cookieMask)
      encodeMatch(b.match, w)
      return
    case 'port_stats':
      w.u32(b.portNo); w.zeros(4)
      return
    case 'group':
      w.u32(b.groupId); w.zeros(4)
      return
    case 'raw':
      w.bytes(b.data)
      return
    default:
  }
}

export function decodeMultipartRequestBody(type: number, r: Reader): MultipartRequestBody {
  switch (type) {
    case MultipartType.DESC: return { kind: 'desc' }
    case MultipartType.PORT_DESC: return { kind: 'port_desc' }
    case MultipartType.GROUP_DESC: return { kind: 'group_desc' }
    case MultipartType.TABLE: return { kind: 'table' }
    case MultipartType.FLOW:
    case MultipartType.AGGREGATE: {
      const table = r.u8(); r.skip(3)
      const outPort = r.u32(), outGroup = r.u32(); r.skip(4)
      const cookie = r.u64(), cookieMask = r.u64()
      const match = decodeMatch(r)
      return { kind: type === MultipartType.FLOW ? 'flow' : 'aggregate', table, outPort, outGroup, cookie, cookieMask, match }
    }
    case MultipartType.PORT_STATS: { const portNo = r.u32(); r.skip(4); return { kind: 'port_stats', portNo } }
    case MultipartType.GROUP: { const groupId = r.u32(); r.skip(4); return { kind: 'group', groupId } }
    default: return { kind: 'raw', mpType: type, data: r.bytes(r.remaining) }
  }
}

export function encodePort(p: PortInfo, w: Writer): void {
  w.u32(p.portNo); w.zeros(4)
  w.ensure(6); macToBytes(p.hwAddr, w.buf, w.pos); w.pos += 6
  w.zeros(2); w.fixedString(p.name, 16)
  for (const v of [p.config, p.state, p.curr, p.advertised, p.supported, p.peer, p.currSpeed, p.maxSpeed]) w.u32(v)
}

export function decodePort(r: Reader): PortInfo {
  r.need(64, 'ofp_port')
  const portNo = r.u32(); r.skip(4)
  const hwAddr = bytesToMac(r.buf, r.pos); r.skip(6); r.skip(2)
  const name = r.fixedString(16)
  const [config, state, curr, advertised, supported, peer, currSpeed, maxSpeed] = Array.from({ length: 8 }, () => r.u32()) as number[]
  return { portNo, hwAddr, name, config: config!, state: state!, curr: curr!, advertised: advertised!, supported: supported!, peer: peer!, currSpeed: currSpeed!, maxSpeed: maxSpeed! }
}

export function encodeBuckets(buckets: readonly Bucket[], w: Writer): void {
  for (const b of buckets) {
    const start = w.pos
    w.u16(0); w.u16(b.weight); w.u32(b.watchPort); w.u32(b.watchGroup); w.zeros(4)
    encodeActions(b.actions, w)
    w.patch16(start, w.pos - start)
  }
}

export function decodeBuckets(r: Reader, len: number): Bucket[] {
  const sub = r.sub(len, 'buckets')
  const out: Bucket[] = []
  while (sub.remaining > 0) {
    sub.need(16, 'bucket')
    const blen = sub.u16()
    if (blen < 16) throw new DecodeError(`bad bucket length ${blen}`)
    const weight = sub.u16(), watchPort = sub.u32(), watchGroup = sub.u32(); sub.skip(4)
    out.push({ weight, watchPort, watchGroup, actions: decodeActions(sub, blen - 16) })
  }
  return out
}

const GROUP_TYPE_NAMES = Object.keys(GroupType) as GroupTypeName[]
export function groupTypeName(t: number): GroupTypeName {
  const n = GROUP_TYPE_NAMES[t]
  if (!n) throw new DecodeError(`unknown group type ${t}`)
  return n
}

const PORT_STATS_COUNTERS = ['rxPackets', 'txPackets', 'rxBytes', 'txBytes', 'rxDropped', 'txDropped', 'rxErrors',
  'txErrors', 'rxFrameErr', 'rxOverErr', 'rxCrcErr', 'collisions'] as const

export function encodeMultipartReplyBody(b: MultipartReplyBody, w: Writer): void {
  switch (b.kind) {
    case 'desc':
      w.fixedString(b.desc.mfrDesc, 256); w.fixedString(b.desc.hwDesc, 256); w.fixedString(b.desc.swDesc, 256)
      w.fixedString(b.desc.serialNum, 32); w.fixedString(b.desc.dpDesc, 256)
      return
    case 'flow':
      for (const f of b.flows) {
        const start = w.pos
        w.u16(0); w.u8(f.table); w.u8(0); w.u32(f.durationSec); w.u32(f.durationNsec)
        w.u16(f.priority); w.u16(f.idleTimeout); w.u16(f.hardTimeout); w.u16(f.flags); w.zeros(4)
        w.u64(f.cookie); w.u64(f.packetCount); w.u64(f.byteCount)
        encodeMatch(f.match, w)
        encodeInstructions(f.instructions, w)
        w.patch16(start, w.pos - start)
      }
      return
    case 'aggregate':
      w.u64(b.stats.packetCount); w.u64(b.stats.byteCount); w.u32(b.stats.flowCount); w.zeros(4)
      return
    case 'port_stats':
      for (const p of b.ports) {
        w.u32(p.portNo); w.zeros(4)
        for (const k of PORT_STATS_COUNTERS) w.u64(p[k])
        w.u32(p.durationSec); w.u32(p.durationNsec)
      }
      return
    case 'group_desc':
      for (const g of b.groups) {
        const start = w.pos
        w.u16(0); w.u8(GroupType[g.groupType]); w.u8(0); w.u32(g.groupId)
        encodeBuckets(g.buckets, w)
        w.patch16(start, w.pos - start)
      }
      return
    case 'port_desc':
      for (const p of b.ports) encodePort(p, w)
      return
    case 'table':
      for (const t of b.tables) {
        w.u8(t.table); w.zeros(3); w.u32(t.activeCount); w.u64(t.lookupCount); w.u64(t.matchedCount)
      }
      return
    case 'raw':
      w.bytes(b.data)
  }
}

export function decodeMultipartReplyBody(type: number, r: Reader): MultipartReplyBody {
  switch (type) {
    case MultipartType.DESC: {
      const desc: Desc = {
        mfrDesc: r.fixedString(256), hwDesc: r.fixedString(256), swDesc: r.fixedString(256),
        serialNum: r.fixedString(32), dpDesc: r.fixedString(256),
      }
      return { kind: 'desc', desc }
    }
    case MultipartType.FLOW: {
      const flows: FlowStats[] = []
      while (r.remaining > 0) {
        r.need(56, 'flow stats')
        const len = r.u16()
        if (len < 56) throw new DecodeError(`bad flow stats length ${len}`)
        const e = r.sub(len - 2, 'flow stats entry')
        const table = e.u8(); e.skip(1)
        const durationSec = e.u32(), durationNsec = e.u32()
        const priority = e.u16(), idleTimeout = e.u16(), hardTimeout = e.u16(), flags = e.u16(); e.skip(4)
        const cookie = e.u64(), packetCount = e.u64(), byteCount = e.u64()
        const match = decodeMatch(e)
        const instructions = decodeInstructions(e, e.remaining)
        flows.push({ table, durationSec, durationNsec, priority, idleTimeout, hardTimeout, flags, cookie, packetCount, byteCount, match, instructions })
      }
      return { kind: 'flow', flows }
    }
    case MultipartType.AGGREGATE: {
      const packetCount = r.u64(), byteCount = r.u64(), flowCount = r.u32(); r.skip(4)
      return { kind: 'aggregate', stats: { packetCount, byteCount, flowCount } }
    }
    case MultipartType.PORT_STATS: {
      const ports: PortStats[] = []
      while (r.remaining > 0) {
        r.need(112, 'port stats')
        const portNo = r.u32(); r.skip(4)
        const c: Record<string, bigint> = {}
        for (const k of PORT_STATS_COUNTERS) c[k] = r.u64()
        ports.push({ portNo, ...c, durationSec: r.u32(), durationNsec: r.u32() } as PortStats)
      }
      return { kind: 'port_stats', ports }
    }
    case MultipartType.GROUP_DESC: {
      const groups: GroupDesc[] = []
      while (r.remaining > 0) {
        r.need(8, 'group desc')
        const len = r.u16()
        if (len < 8) throw new DecodeError(`bad group desc length ${len}`)
        const e = r.sub(len - 2, 'group desc entry')
        const groupType = groupTypeName(e.u8()); e.skip(1)
        const groupId = e.u32()
        groups.push({ groupType, groupId, buckets: decodeBuckets(e, e.remaining) })
      }
      return { kind: 'group_desc', groups }
    }
    case MultipartType.PORT_DESC: {
      const ports: PortInfo[] = []
      while (r.remaining > 0) ports.push(decodePort(r))
      return { kind: 'port_desc', ports }
    }
    case MultipartType.TABLE: {
      const tables: TableStats[] = []
      while (r.remaining > 0) {
        r.need(24, 'table stats')
        const table = r.u8(); r.skip(3)
        tables.push({ table, activeCount: r.u32(), lookupCount: r.u64(), matchedCount: r.u64() })
      }
      return { kind: 'table', tables }
    }
    default:
      return { kind: 'raw', mpType: type, data: r.bytes(r.remaining) }
  }
}

export const REPLY_KIND_TO_TYPE: Record<MultipartReplyBody['kind'], number> = {
  desc: 0, flow: 1, aggregate: 2, table: 3, port_stats: 4, group_desc: 7, port_desc: 13, raw: -1,
}
