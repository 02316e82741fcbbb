/**
 * Canonical identities of flows, the way a switch identifies them (OF1.3 §6.4: a flow entry is
 * identified by table, priority and match; the cookie is not part of it), so that a flow we
 * built and the same flow dumped back from OVS compare equal:
 * - match fields in one order (the codec's), whatever order the object was written in;
 * - masks normalised: a mask covering every bit of the field is an exact match, a zero mask is
 *   no match at all, and value bits outside the mask are cleared (OVS stores value & mask);
 *   "192.0.2.0/24" and { value: '192.0.2.0', mask: '255.255.255.0' } are the same;
 * - instructions compared by their encoding after the normalisations OVS applies (a note's
 *   zero padding, a NAT range whose max equals its min), so equal means "equal on the wire".
 */
import type { Action } from './actions.js'
import { encodeInstructions, type Instruction, sortInstructions } from './instructions.js'
import { fieldDef, FIELDS, type FieldDef, type FieldValue, isMasked, type Match, splitPrefix, writeValue } from './oxm.js'
import { Writer } from './wire.js'

export interface FlowIdentity {
  readonly table: number
  readonly priority: number
  readonly match: Match
}

const FIELD_ORDER = new Map(FIELDS.map((f, i) => [f.name, i]))

function toBig(f: FieldDef, v: FieldValue, w: Writer): bigint {
  w.reset()
  writeValue(f, v as never, w)
  let n = 0n
  for (let i = 0; i < w.pos; i++) n = (n << 8n) | BigInt(w.buf[i]!)
  return n
}

/** The match as "field=value[/mask]" terms (hex), in canonical order and with normalised masks. */
export function canonicalMatchTerms(m: Match): string[] {
  const w = new Writer(64)
  const keys = Object.keys(m).filter((k) => (m as Record<string, unknown>)[k] !== undefined)
  keys.sort((a, b) => (FIELD_ORDER.get(a) ?? 999) - (FIELD_ORDER.get(b) ?? 999) || (a < b ? -1 : 1))
  const out: string[] = []
  for (const k of keys) {
    const raw = (m as Record<string, FieldValue>)[k]!
    if (k.startsWith('oxm_')) {
      out.push(`${k}=${String(raw)}`) // a field this library does not know: compared as the switch sent it
      continue
    }
    const f = fieldDef(k)
    const full = f.fullMask !== undefined ? BigInt(f.fullMask) : (1n << BigInt(f.bits)) - 1n
    const v = splitPrefix(f, raw)
    if (!isMasked(v)) {
      out.push(`${k}=${toBig(f, v, w).toString(16)}`)
      continue
    }
    const mask = toBig(f, v.mask, w) & full
    if (mask === 0n) continue
    const value = toBig(f, v.value, w) & mask
    out.push(mask === full ? `${k}=${value.toString(16)}` : `${k}=${value.toString(16)}/${mask.toString(16)}`)
  }
  return out
}

/** Table, priority and canonical match: equal keys name the same flow entry on a switch. */
export function flowKey(f: FlowIdentity): string {
  return `${f.table}|${f.priority}|${canonicalMatchTerms(f.match).join(',')}`
}

/** Actions as OVS stores them (see the file comment). */
function normaliseAction(a: Action): Action {
  switch (a.type) {
    case 'nat': {
      const n: Record<string, unknown> = { ...a }
      if (n.ipMax !== undefined && n.ipMax === n.ipMin) delete n.ipMax
      if (n.protoMax !== undefined && n.protoMax === n.protoMin) delete n.protoMax
      return n as unknown as Action
    }
    case 'ct':
      return { ...a, actions: a.actions.map(normaliseAction) }
    default:
      return a
  }
}

function normaliseInstruction(i: Instruction): Instruction {
  return i.type === 'apply_actions' || i.type === 'write_actions' ? { ...i, actions: i.actions.map(normaliseAction) } : i
}

/** Canonical bytes (hex) of an instruction list: equal strings mean the switch would store the same. */
export function instructionsKey(list: readonly Instruction[]): string {
  const w = new Writer(256)
  // an empty apply_actions is no instruction at all (OVS drops it)
  const ins = sortInstructions(list.filter((i) => !(i.type === 'apply_actions' && i.actions.length === 0)).map(normaliseInstruction))
  encodeInstructions(ins, w)
  return w.view().toString('hex')
}
