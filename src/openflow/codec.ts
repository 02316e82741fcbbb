/**
 * Whole-message codec: `encodeMessage` appends one framed message to a Writer (so a batch is one
 * Buffer), `decodeMessage` parses one frame. Decoding never trusts a length beyond the frame.
 */
import { decodeActions, encodeActions } from './actions.js'
import {
  ControllerRole, type ControllerRoleName, FlowModCommand, type FlowModCommandName, GroupModCommand,
  type GroupModCommandName, GroupType, MsgType, OFP_HEADER_LEN, OFP_MAX_MSG_LEN, OFP_VERSION,
} from './constants.js'
import { decodeInstructions, encodeInstructions } from './instructions.js'
import type { OFMessage } from './messages.js'
import {
  decodeBuckets, decodeMultipartReplyBody, decodeMultipartRequestBody, decodePort, encodeBuckets,
  encodeMultipartReplyBody, encodeMultipartRequestBody, encodePort, groupTypeName, multipartType, REPLY_KIND_TO_TYPE,
} from './multipart.js'
import { decodeMatch, encodeMatch } from './oxm.js'
import { DecodeError, Reader, Writer } from './wire.js'

const TYPE_CODES: Record<Exclude<OFMessage['type'], 'raw'>, number> = {
  hello: MsgType.HELLO,
  error: MsgType.ERROR,
  echo_request: MsgType.ECHO_REQUEST,
  echo_reply: MsgType.ECHO_REPLY,
  experimenter: MsgType.EXPERIMENTER,
  features_request: MsgType.FEATURES_REQUEST,
  features_reply: MsgType.FEATURES_REPLY,
  get_config_request: MsgType.GET_CONFIG_REQUEST,
  get_config_reply: MsgType.GET_CONFIG_REPLY,
  set_config: MsgType.SET_CONFIG,
  packet_in: MsgType.PACKET_IN,
  flow_removed: MsgType.FLOW_REMOVED,
  port_status: MsgType.PORT_STATUS,
  packet_out: MsgType.PACKET_OUT,
  flow_mod: MsgType.FLOW_MOD,
  group_mod: MsgType.GROUP_MOD,
  multipart_request: MsgType.MULTIPART_REQUEST,
  multipart_reply: MsgType.MULTIPART_REPLY,
  barrier_request: MsgType.BARRIER_REQUEST,
  barrier_reply: MsgType.BARRIER_REPLY,
  role_request: MsgType.ROLE_REQUEST,
  role_reply: MsgType.ROLE_REPLY,
}
const CODE_TO_TYPE = new Map(Object.entries(TYPE_CODES).map(([k, v]) => [v, k as OFMessage['type']]))

const ROLE_NAMES = Object.keys(ControllerRole) as ControllerRoleName[]
const FLOW_CMD_NAMES = Object.keys(FlowModCommand) as FlowModCommandName[]
const GROUP_CMD_NAMES = Object.keys(GroupModCommand) as GroupModCommandName[]

export function messageTypeCode(m: OFMessage): number {
  return m.type === 'raw' ? m.msgType : TYPE_CODES[m.type]
}

/** Appends `m` to `w` with transaction id `xid` (default m.xid ?? 0); returns the frame length. */
export function encodeMessage(m: OFMessage, w: Writer, xid = m.xid ?? 0): number {
  const start = w.pos
  w.u8(m.type === 'hello' ? (m.version ?? OFP_VERSION) : OFP_VERSION)
  w.u8(messageTypeCode(m))
  w.u16(0)
  w.u32(xid)
  encodeBody(m, w)
  const len = w.pos - start
  if (len > OFP_MAX_MSG_LEN) throw new RangeError(`${m.type} is ${len} bytes; OpenFlow messages are at most 65535`)
  w.patch16(start + 2, len)
  return len
}

/** One message as its own Buffer. */
export function encode(m: OFMessage, xid?: number): Buffer {
  const w = new Writer(256)
  encodeMessage(m, w, xid)
  return w.toBuffer()
}

function encodeBody(m: OFMessage, w: Writer): void {
  switch (m.type) {
    case 'hello':
      if (m.versions && m.versions.length > 0) {
        let bitmap = 0
        for (const v of m.versions) if (v < 32) bitmap |= 1 << v
        w.u16(1); w.u16(8); w.u32(bitmap >>> 0)
      }
      return
    case 'error':
      w.u16(m.errorType)
      if (m.errorType === 0xffff) { w.u16(m.code); w.u32(m.experimenter ?? 0) } else w.u16(m.code)
      w.bytes(m.data)
      return
    case 'echo_request':
    case 'echo_reply':
      if (m.data) w.bytes(m.data)
      return
    case 'experimenter':
      w.u32(m.experimenter); w.u32(m.expType); w.bytes(m.data)
      return
    case 'features_request':
    case 'get_config_request':
    case 'barrier_request':
    case 'barrier_reply':
      return
    case 'features_reply':
      w.u64(m.datapathId); w.u32(m.nBuffers); w.u8(m.nTables); w.u8(m.auxiliaryId); w.zeros(2)
      w.u32(m.capabilities); w.u32(0)
      return
    case 'set_config':
    case 'get_config_reply':
      w.u16(m.flags); w.u16(m.missSendLen)
      return
    case 'packet_in':
      w.u32(m.bufferId); w.u16(m.totalLen); w.u8(m.reason); w.u8(m.table); w.u64(m.cookie)
      encodeMatch(m.match, w); w.zeros(2); w.bytes(m.data)
      return
    case 'flow_removed':
      w.u64(m.cookie); w.u16(m.priority); w.u8(m.reason); w.u8(m.table); w.u32(m.durationSec); w.u32(m.durationNsec)
      w.u16(m.idleTimeout); w.u16(m.hardTimeout); w.u64(m.packetCount); w.u64(m.byteCount)
      encodeMatch(m.match, w)
      return
    case 'port_status':
      w.u8(m.reason); w.zeros(7); encodePort(m.port, w)
      return
    case 'packet_out': {
      w.u32(m.bufferId); w.u32(m.inPort)
      const lenAt = w.pos
      w.u16(0); w.zeros(6)
      const a0 = w.pos
      encodeActions(m.actions, w)
      w.patch16(lenAt, w.pos - a0)
      w.bytes(m.data)
      return
    }
    case 'flow_mod':
      w.u64(m.cookie); w.u64(m.cookieMask); w.u8(m.table); w.u8(FlowModCommand[m.command])
      w.u16(m.idleTimeout); w.u16(m.hardTimeout); w.u16(m.priority); w.u32(m.bufferId)
      w.u32(m.outPort); w.u32(m.outGroup); w.u16(m.flags); w.zeros(2)
      encodeMatch(m.match, w)
      encodeInstructions(m.instructions, w)
      return
    case 'group_mod':
      w.u16(GroupModCommand[m.command]); w.u8(GroupType[m.groupType]); w.u8(0); w.u32(m.groupId)
      encodeBuckets(m.buckets, w)
      return
    case 'role_request':
    case 'role_reply':
      w.u32(ControllerRole[m.role]); w.zeros(4); w.u64(m.generationId)
      return
    case 'multipart_request':
      w.u16(multipartType(m.body)); w.u16(m.flags); w.zeros(4)
      encodeMultipartRequestBody(m.body, w)
      return
    case 'multipart_reply': {
      const t = m.body.kind === 'raw' ? m.body.mpType : REPLY_KIND_TO_TYPE[m.body.kind]
      w.u16(t); w.u16(m.flags); w.zeros(4)
      encodeMultipartReplyBody(m.body, w)
      return
    }
    case 'raw':
      w.bytes(m.body)
  }
}

/** Decodes one whole frame (header included). Throws DecodeError on malformed input. */
export function decodeMessage(buf: Buffer): OFMessage & { readonly xid: number } {
  if (buf.length < OFP_HEADER_LEN) throw new DecodeError(`frame of ${buf.length} bytes is shorter than the header`)
  const version = buf[0]!
  const type = buf[1]!
  const length = buf.readUInt16BE(2)
  const xid = buf.readUInt32BE(4)
  if (length !== buf.length) throw new DecodeError(`header length ${length} but frame is ${buf.length} bytes`)
  if (type !== MsgType.HELLO && type !== MsgType.ERROR && version !== OFP_VERSION) {
    throw new DecodeError(`unsupported OpenFlow version 0x${version.toString(16)}`)
  }
  const r = new Reader(buf, OFP_HEADER_LEN, length)
  const name = CODE_TO_TYPE.get(type)
  const m = name ? decodeBody(name, r, version) : { type: 'raw' as const, msgType: type, body: r.bytes(r.remaining) }
  return { ...m, xid } as OFMessage & { xid: number }
}

function decodeBody(name: OFMessage['type'], r: Reader, version: number): OFMessage {
  switch (name) {
    case 'hello': {
      let versions: number[] | undefined
      while (r.remaining >= 4) {
        const et = r.u16(), elen = r.u16()
        if (elen < 4) throw new DecodeError(`bad hello element length ${elen}`)
        const e = r.sub(elen - 4, 'hello element')
        r.skip(Math.min(r.remaining, ((elen + 7) & ~7) - elen))
        if (et === 1) {
          versions = []
          for (let i = 0; e.remaining >= 4; i++) {
            const bm = e.u32()
            for (let b = 0; b < 32; b++) if (bm & (1 << b)) versions.push(i * 32 + b)
          }
        }
      }
      return versions ? { type: 'hello', version, versions } : { type: 'hello', version }
    }
    case 'error': {
      const errorType = r.u16()
      if (errorType === 0xffff) {
        const code = r.u16(), experimenter = r.u32()
        return { type: 'error', errorType, code, experimenter, data: r.bytes(r.remaining) }
      }
      return { type: 'error', errorType, code: r.u16(), data: r.bytes(r.remaining) }
    }
    case 'echo_request':
    case 'echo_reply':
      return { type: name, data: r.bytes(r.remaining) }
    case 'experimenter':
      return { type: 'experimenter', experimenter: r.u32(), expType: r.u32(), data: r.bytes(r.remaining) }
    case 'features_request':
    case 'get_config_request':
    case 'barrier_request':
    case 'barrier_reply':
      return { type: name }
    case 'features_reply': {
      const datapathId = r.u64(), nBuffers = r.u32(), nTables = r.u8(), auxiliaryId = r.u8(); r.skip(2)
      const capabilities = r.u32(); r.skip(4)
      return { type: 'features_reply', datapathId, nBuffers, nTables, auxiliaryId, capabilities }
    }
    case 'set_config':
    case 'get_config_reply':
      return { type: name, flags: r.u16(), missSendLen: r.u16() }
    case 'packet_in': {
      const bufferId = r.u32(), totalLen = r.u16(), reason = r.u8(), table = r.u8(), cookie = r.u64()
      const match = decodeMatch(r); r.skip(2)
      return { type: 'packet_in', bufferId, totalLen, reason, table, cookie, match, data: r.bytes(r.remaining) }
    }
    case 'flow_removed': {
      const cookie = r.u64(), priority = r.u16(), reason = r.u8(), table = r.u8(), durationSec = r.u32()
      const durationNsec = r.u32(), idleTimeout = r.u16(), hardTimeout = r.u16(), packetCount = r.u64(), byteCount = r.u64()
      return {
        type: 'flow_removed', cookie, priority, reason, table, durationSec, durationNsec, idleTimeout, hardTimeout,
        packetCount, byteCount, match: decodeMatch(r),
      }
    }
    case 'port_status': {
      const reason = r.u8(); r.skip(7)
      return { type: 'port_status', reason, port: decodePort(r) }
    }
    case 'packet_out': {
      const bufferId = r.u32(), inPort = r.u32(), alen = r.u16(); r.skip(6)
      const actions = decodeActions(r, alen)
      return { type: 'packet_out', bufferId, inPort, actions, data: r.bytes(r.remaining) }
    }
    case 'flow_mod': {
      const cookie = r.u64(), cookieMask = r.u64(), table = r.u8(), cmd = r.u8()
      const command = FLOW_CMD_NAMES[cmd]
      if (!command) throw new DecodeError(`unknown flow_mod command ${cmd}`)
      const idleTimeout = r.u16(), hardTimeout = r.u16(), priority = r.u16(), bufferId = r.u32()
      const outPort = r.u32(), outGroup = r.u32(), flags = r.u16(); r.skip(2)
      const match = decodeMatch(r)
      const instructions = decodeInstructions(r, r.remaining)
      return {
        type: 'flow_mod', command, table, priority, cookie, cookieMask, idleTimeout, hardTimeout, bufferId, outPort,
        outGroup, flags, match, instructions,
      }
    }
    case 'group_mod': {
      const cmd = r.u16()
      const command = GROUP_CMD_NAMES[cmd]
      if (!command) throw new DecodeError(`unknown group_mod command ${cmd}`)
      const groupType = groupTypeName(r.u8()); r.skip(1)
      const groupId = r.u32()
      return { type: 'group_mod', command, groupType, groupId, buckets: decodeBuckets(r, r.remaining) }
    }
    case 'role_request':
    case 'role_reply': {
      const rc = r.u32(); r.skip(4)
      const role = ROLE_NAMES[rc]
      if (!role) throw new DecodeError(`unknown controller role ${rc}`)
      return { type: name, role, generationId: r.u64() }
    }
    case 'multipart_request': {
      const t = r.u16(), flags = r.u16(); r.skip(4)
      return { type: 'multipart_request', flags, body: decodeMultipartRequestBody(t, r) }
    }
    case 'multipart_reply': {
      const t = r.u16(), flags = r.u16(); r.skip(4)
      return { type: 'multipart_reply', flags, body: decodeMultipartReplyBody(t, r) }
    }
    case 'raw':
      throw new DecodeError('unreachable')
  }
}
