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

/** Per field, the mask bytes of "every bit" (derived once from the field table). */
const FULL_MASK = new Map(FIELDS.map((f) => {
  const full = f.fullMask !== undefined ? BigInt(f.fullMask) : (1n << BigInt(f.bits)) - 1n
  const b = Buffer.alloc(f.len)
  for (let i = 0; i < f.len; i++) b[f.len - 1 - i] = Number((full >> BigInt(8 * i)) & 0xffn)
  return [f.name, b]
}))

/** The match as "field=value[/mask]" terms (wire bytes in hex), in canonical order, masks normalised. */
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
    const f: FieldDef = fieldDef(k)
    const v = splitPrefix(f, raw)
    w.reset()
    if (!isMasked(v)) {
      writeValue(f, v, w)
      out.push(`${k}=${w.buf.toString('hex', 0, f.len)}`)
      continue
    }
    writeValue(f, v.value, w)
    writeValue(f, v.mask, w)
    const full = FULL_MASK.get(k)!
    const b = w.buf
    const n = f.len
    let allFull = true
    let zero = true
    for (let i = 0; i < n; i++) {
      const mk = b[n + i]! & full[i]!
      b[n + i] = mk
      b[i] = b[i]! & mk
      if (mk !== full[i]) allFull = false
      if (mk !== 0) zero = false
    }
    if (zero) continue
    out.push(allFull ? `${k}=${b.toString('hex', 0, n)}` : `${k}=${b.toString('hex', 0, n)}/${b.toString('hex', n, 2 * n)}`)
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

const hasCt = (i: Instruction): boolean =>
  (i.type === 'apply_actions' || i.type === 'write_actions') && i.actions.some((a) => a.type === 'ct' || a.type === 'nat')

/** Canonical bytes (hex) of an instruction list: equal strings mean the switch would store the same. */
export function instructionsKey(list: readonly Instruction[]): string {
  const w = new Writer(256)
  // an empty apply_actions is no instruction at all (OVS drops it)
  let ins = list.some((i) => i.type === 'apply_actions' && i.actions.length === 0)
    ? list.filter((i) => !(i.type === 'apply_actions' && i.actions.length === 0)) : list
  if (ins.some(hasCt)) ins = ins.map(normaliseInstruction)
  encodeInstructions(sortInstructions(ins), w)
  return w.buf.toString('hex', 0, w.pos)
}
