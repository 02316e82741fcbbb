/** Instructions (OF1.3 §7.2.4): goto_table, write_metadata, write/apply/clear actions, meter. */
import { type Action, decodeActions, encodeActions } from './actions.js'
import { DecodeError, type Reader, type Writer } from './wire.js'

export type Instruction =
  | { readonly type: 'goto_table'; readonly table: number }
  | { readonly type: 'write_metadata'; readonly metadata: bigint; readonly mask: bigint }
  | { readonly type: 'write_actions'; readonly actions: readonly Action[] }
  | { readonly type: 'apply_actions'; readonly actions: readonly Action[] }
  | { readonly type: 'clear_actions' }
  | { readonly type: 'meter'; readonly meterId: number }

export const InstructionType = {
  goto_table: 1,
  write_metadata: 2,
  write_actions: 3,
  apply_actions: 4,
  clear_actions: 5,
  meter: 6,
} as const

/**
 * The order OVS requires (lib/ofp-actions.c ovs_instruction_type): it rejects other orders with
 * "invalid instruction ordering", so encoding sorts into it.
 */
const ORDER: Record<Instruction['type'], number> = {
  meter: 0, apply_actions: 1, clear_actions: 2, write_actions: 3, write_metadata: 4, goto_table: 5,
}

export function sortInstructions(list: readonly Instruction[]): Instruction[] {
  return [...list].sort((a, b) => ORDER[a.type] - ORDER[b.type])
}

export function encodeInstructions(list: readonly Instruction[], w: Writer): void {
  for (const i of list) {
    const start = w.pos
    w.u16(InstructionType[i.type])
    w.u16(0)
    switch (i.type) {
      case 'goto_table':
        w.u8(i.table); w.zeros(3)
        break
      case 'write_metadata':
        w.zeros(4); w.u64(i.metadata); w.u64(i.mask)
        break
      case 'write_actions':
      case 'apply_actions':
        w.zeros(4); encodeActions(i.actions, w)
        break
      case 'clear_actions':
        w.zeros(4)
        break
      case 'meter':
        w.u32(i.meterId)
        break
    }
    w.patch16(start + 2, w.pos - start)
  }
}

export function decodeInstructions(r: Reader, len: number): Instruction[] {
  const sub = r.sub(len, 'instructions')
  const out: Instruction[] = []
  while (sub.remaining > 0) {
    sub.need(4, 'instruction header')
    const type = sub.u16()
    const ilen = sub.u16()
    if (ilen < 8 || ilen % 8 !== 0) throw new DecodeError(`instruction ${type}: bad length ${ilen}`)
    const b = sub.sub(ilen - 4, `instruction ${type}`)
    switch (type) {
      case 1: out.push({ type: 'goto_table', table: b.u8() }); break
      case 2: b.skip(4); out.push({ type: 'write_metadata', metadata: b.u64(), mask: b.u64() }); break
      case 3: b.skip(4); out.push({ type: 'write_actions', actions: decodeActions(b, b.remaining) }); break
      case 4: b.skip(4); out.push({ type: 'apply_actions', actions: decodeActions(b, b.remaining) }); break
      case 5: out.push({ type: 'clear_actions' }); break
      case 6: out.push({ type: 'meter', meterId: b.u32() }); break
      default: throw new DecodeError(`unknown instruction type ${type}`)
    }
  }
  return out
}
