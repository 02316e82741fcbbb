/**
 * Actions (OF1.3 §7.2.5) and the Nicira extension actions an OVS pipeline needs
 * (NXAST_REG_LOAD/REG_MOVE/RESUBMIT(_TABLE)/LEARN/CONJUNCTION/NOTE, nicira-ext.h).
 * Actions are plain tagged objects; `encodeActions` / `decodeActions` convert the list.
 */
import { NX_VENDOR_ID, port16to32, port32to16, Port } from './constants.js'
import {
  type CtAction, decodeCtBody, decodeNatBody, encodeCtBody, encodeNatBody, type NatAction, NXAST_CT, NXAST_CT_CLEAR, NXAST_NAT,
} from './ct-action.js'
import { decodeNxAction, encodeNxAction, type NxAction } from './nx-actions.js'
import { type FieldValue, decodeOxms, fieldDef, type MatchField, writeOxm } from './oxm.js'
import { DecodeError, type Reader, type Writer } from './wire.js'

export type { NxAction, LearnSpec, LearnAction } from './nx-actions.js'
export type { CtAction, NatAction } from './ct-action.js'

export type Action =
  | { readonly type: 'output'; readonly port: number; readonly maxLen?: number }
  | { readonly type: 'group'; readonly groupId: number }
  | { readonly type: 'set_queue'; readonly queueId: number }
  | { readonly type: 'push_vlan'; readonly ethertype: number }
  | { readonly type: 'pop_vlan' }
  | { readonly type: 'dec_ttl' }
  | { readonly type: 'set_field'; readonly field: MatchField; readonly value: FieldValue }
  | { readonly type: 'raw'; readonly actionType: number; readonly data: string }
  | NxAction
  | CtAction<Action>
  | NatAction
  | { readonly type: 'ct_clear' }

export const ActionType = {
  OUTPUT: 0,
  PUSH_VLAN: 17,
  POP_VLAN: 18,
  SET_QUEUE: 21,
  GROUP: 22,
  DEC_NW_TTL: 24,
  SET_FIELD: 25,
  EXPERIMENTER: 0xffff,
} as const

export function encodeAction(a: Action, w: Writer): void {
  switch (a.type) {
    case 'output':
      w.u16(ActionType.OUTPUT)
      w.u16(16)
      w.u32(a.port)
      w.u16(a.maxLen ?? (a.port === Port.CONTROLLER ? 0xffff : 0))
      w.zeros(6)
      return
    case 'group':
      w.u16(ActionType.GROUP); w.u16(8); w.u32(a.groupId)
      return
    case 'set_queue':
      w.u16(ActionType.SET_QUEUE); w.u16(8); w.u32(a.queueId)
      return
    case 'push_vlan':
      w.u16(ActionType.PUSH_VLAN); w.u16(8); w.u16(a.ethertype); w.zeros(2)
      return
    case 'pop_vlan':
      w.u16(ActionType.POP_VLAN); w.u16(8); w.zeros(4)
      return
    case 'dec_ttl':
      w.u16(ActionType.DEC_NW_TTL); w.u16(8); w.zeros(4)
      return
    case 'set_field': {
      const start = w.pos
      w.u16(ActionType.SET_FIELD)
      w.u16(0)
      writeOxm(fieldDef(a.field), a.value, w)
      w.padTo(start, 8)
      w.patch16(start + 2, w.pos - start)
      return
    }
    case 'raw': {
      const data = Buffer.from(a.data, 'hex')
      w.u16(a.actionType); w.u16(4 + data.length); w.bytes(data)
      return
    }
    case 'ct': {
      const start = nxHeader(w, NXAST_CT)
      encodeCtBody(a, w)
      encodeActions(a.actions, w)
      w.padTo(start, 8)
      w.patch16(start + 2, w.pos - start)
      return
    }
    case 'nat': {
      const start = nxHeader(w, NXAST_NAT)
      encodeNatBody(a, w)
      w.padTo(start, 8)
      w.patch16(start + 2, w.pos - start)
      return
    }
    case 'ct_clear': {
      const start = nxHeader(w, NXAST_CT_CLEAR)
      w.padTo(start, 8)
      w.patch16(start + 2, w.pos - start)
      return
    }
    default:
      encodeNxAction(a, w)
  }
}

function nxHeader(w: Writer, subtype: number): number {
  const start = w.pos
  w.u16(ActionType.EXPERIMENTER)
  w.u16(0)
  w.u32(NX_VENDOR_ID)
  w.u16(subtype)
  return start
}

export function encodeActions(list: readonly Action[], w: Writer): void {
  for (const a of list) encodeAction(a, w)
}

function decodeAction(r: Reader): Action {
  const start = r.pos
  r.need(4, 'action header')
  const type = r.u16()
  const len = r.u16()
  if (len < 8 || len % 8 !== 0) throw new DecodeError(`action type ${type}: bad length ${len}`)
  const body = r.sub(len - 4, `action type ${type}`)
  switch (type) {
    case ActionType.OUTPUT: {
      const port = body.u32()
      const maxLen = body.u16()
      return port === Port.CONTROLLER || maxLen !== 0 ? { type: 'output', port, maxLen } : { type: 'output', port }
    }
    case ActionType.GROUP:
      return { type: 'group', groupId: body.u32() }
    case ActionType.SET_QUEUE:
      return { type: 'set_queue', queueId: body.u32() }
    case ActionType.PUSH_VLAN:
      return { type: 'push_vlan', ethertype: body.u16() }
    case ActionType.POP_VLAN:
      return { type: 'pop_vlan' }
    case ActionType.DEC_NW_TTL:
      return { type: 'dec_ttl' }
    case ActionType.SET_FIELD: {
      body.need(4, 'set_field OXM')
      const n = body.buf[body.pos + 3]!
      const m: Record<string, FieldValue> = {}
      decodeOxms(body, 4 + n, m)
      const [field, value] = Object.entries(m)[0]!
      if (field.startsWith('oxm_')) return { type: 'raw', actionType: type, data: r.buf.toString('hex', start + 4, start + len) }
      return { type: 'set_field', field: field as MatchField, value }
    }
    case ActionType.EXPERIMENTER: {
      const vendor = body.u32()
      if (vendor === NX_VENDOR_ID) {
        body.need(2, 'Nicira subtype')
        const subtype = body.buf.readUInt16BE(body.pos)
        if (subtype === NXAST_CT) {
          body.skip(2)
          const ct = decodeCtBody(body)
          return { ...ct, actions: decodeActions(body, body.remaining) }
        }
        if (subtype === NXAST_NAT) {
          body.skip(2)
          return decodeNatBody(body)
        }
        if (subtype === NXAST_CT_CLEAR) return { type: 'ct_clear' }
        const nx = decodeNxAction(body)
        if (nx) return nx
      }
      return { type: 'raw', actionType: type, data: r.buf.toString('hex', start + 4, start + len) }
    }
    default:
      return { type: 'raw', actionType: type, data: r.buf.toString('hex', start + 4, start + len) }
  }
}

/** Decodes `len` bytes of actions. */
export function decodeActions(r: Reader, len: number): Action[] {
  const sub = r.sub(len, 'action list')
  const out: Action[] = []
  while (sub.remaining > 0) out.push(decodeAction(sub))
  return out
}

export { port16to32, port32to16 }
