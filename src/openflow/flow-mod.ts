/**
 * Builders for frozen message values: the "compute" half of compute-then-apply. A flow mod is
 * a deep-frozen plain object, safe to cache, compare, diff and send many times.
 */
import type { Action, CtAction, NatAction } from './actions.js'
import { type FlowModCommandName, GROUP_ANY, type GroupModCommandName, type GroupTypeName, NO_BUFFER, Port, TABLE_ALL } from './constants.js'
import { type Instruction, sortInstructions } from './instructions.js'
import type { Bucket, FlowMod, GroupMod, PacketOut } from './messages.js'
import { type FieldRef, ref } from './nx-fields.js'
import type { LearnAction, LearnSpec } from './nx-actions.js'
import { checkPrerequisites, type FieldValue, type Match, type MatchField } from './oxm.js'

export const DEFAULT_PRIORITY = 0x8000

/** Freezes a value graph (Buffers excepted); already-frozen subtrees (act.* results) are skipped. */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v) || ArrayBuffer.isView(v)) return v
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) deepFreeze(v[i])
  } else {
    for (const k in v) deepFreeze((v as Record<string, unknown>)[k])
  }
  return Object.freeze(v)
}

export interface FlowSpec {
  readonly command?: FlowModCommandName
  readonly table?: number
  readonly priority?: number
  readonly cookie?: bigint
  readonly cookieMask?: bigint
  readonly idleTimeout?: number
  readonly hardTimeout?: number
  readonly flags?: number
  readonly bufferId?: number
  readonly outPort?: number
  readonly outGroup?: number
  readonly match?: Match
  /** Full instruction list; combined with the shorthands below. */
  readonly instructions?: readonly Instruction[]
  /** Shorthand for an apply_actions instruction. */
  readonly actions?: readonly Action[]
  /** Shorthand for a goto_table instruction. */
  readonly goto?: number
  /**
   * Check before sending what the switch would reject (default true): match prerequisites
   * (BAD_MATCH/BAD_PREREQ) and backward gotos (BAD_INSTRUCTION/BAD_TABLE_ID).
   */
  readonly checkPrerequisites?: boolean
}

/** A frozen FLOW_MOD with OpenFlow defaults (priority 0x8000, no buffer, out_port/group ANY). */
export function flowMod(s: FlowSpec): FlowMod {
  const match = s.match ?? {}
  if (s.checkPrerequisites !== false) checkPrerequisites(match)
  const ins: Instruction[] = [...(s.instructions ?? [])]
  if (s.actions && s.actions.length > 0) ins.push({ type: 'apply_actions', actions: s.actions })
  if (s.goto !== undefined) ins.push({ type: 'goto_table', table: s.goto })
  const command = s.command ?? 'add'
  const isDelete = command === 'delete' || command === 'delete_strict'
  if (s.checkPrerequisites !== false && !isDelete) {
    const table = s.table ?? 0
    for (const i of ins) {
      if (i.type === 'goto_table' && i.table <= table) {
        throw new RangeError(`goto_table:${i.table} from table ${table}: OpenFlow only allows gotos to a later table`)
      }
    }
  }
  return deepFreeze({
    type: 'flow_mod',
    command,
    table: s.table ?? (isDelete ? TABLE_ALL : 0),
    priority: s.priority ?? DEFAULT_PRIORITY,
    cookie: s.cookie ?? 0n,
    cookieMask: s.cookieMask ?? 0n,
    idleTimeout: s.idleTimeout ?? 0,
    hardTimeout: s.hardTimeout ?? 0,
    bufferId: s.bufferId ?? NO_BUFFER,
    outPort: s.outPort ?? Port.ANY,
    outGroup: s.outGroup ?? GROUP_ANY,
    flags: s.flags ?? 0,
    match: { ...match },
    instructions: sortInstructions(ins),
  })
}

/** DELETE (non-strict) of every flow matching the filter; table defaults to ALL. */
export function deleteFlows(s: Omit<FlowSpec, 'command'> = {}): FlowMod {
  return flowMod({ ...s, command: 'delete' })
}

export function groupMod(
  command: GroupModCommandName,
  groupType: GroupTypeName,
  groupId: number,
  buckets: readonly (Partial<Bucket> & { readonly actions: readonly Action[] })[] = [],
): GroupMod {
  return deepFreeze({
    type: 'group_mod',
    command,
    groupType,
    groupId,
    buckets: buckets.map((b) => ({
      weight: b.weight ?? (groupType === 'select' ? 1 : 0),
      watchPort: b.watchPort ?? Port.ANY,
      watchGroup: b.watchGroup ?? GROUP_ANY,
      actions: b.actions,
    })),
  })
}

export function packetOut(data: Buffer, actions: readonly Action[], inPort: number = Port.CONTROLLER): PacketOut {
  return deepFreeze({ type: 'packet_out', bufferId: NO_BUFFER, inPort, actions, data })
}

/** Action constructors (frozen values). */
export const act = {
  output: (port: number, maxLen?: number): Action => deepFreeze(maxLen === undefined ? { type: 'output', port } : { type: 'output', port, maxLen }),
  controller: (maxLen = 0xffff): Action => deepFreeze({ type: 'output', port: Port.CONTROLLER, maxLen }),
  group: (groupId: number): Action => deepFreeze({ type: 'group', groupId }),
  setQueue: (queueId: number): Action => deepFreeze({ type: 'set_queue', queueId }),
  pushVlan: (ethertype = 0x8100): Action => deepFreeze({ type: 'push_vlan', ethertype }),
  popVlan: (): Action => deepFreeze({ type: 'pop_vlan' }),
  decTtl: (): Action => deepFreeze({ type: 'dec_ttl' }),
  setField: (field: MatchField, value: FieldValue): Action => deepFreeze({ type: 'set_field', field, value }),
  regLoad: (field: string, value: bigint | number, ofs?: number, nbits?: number): Action =>
    deepFreeze({ type: 'reg_load', dst: ref(field, ofs, nbits), value: BigInt(value) }),
  regMove: (src: FieldRef, dst: FieldRef): Action => deepFreeze({ type: 'reg_move', src, dst }),
  resubmit: (table?: number, port?: number): Action =>
    deepFreeze({ type: 'resubmit', ...(port === undefined ? {} : { port }), ...(table === undefined ? {} : { table }) }),
  conjunction: (id: number, clause: number, nClauses: number): Action => deepFreeze({ type: 'conjunction', id, clause, nClauses }),
  /** The data is padded as the switch pads it (see padNote), so a dumped flow equals the built one. */
  note: (hex: string): Action => deepFreeze({ type: 'note', data: padNote(hex.replace(/[.:]/g, '').toLowerCase()) }),
  /** `ct(...)`: defaults no commit, zone 0, no recirculation; `nat` goes first in `actions`. */
  ct: (c: Partial<Omit<CtAction<Action>, 'type'>> = {}): Action =>
    deepFreeze({
      type: 'ct',
      commit: c.commit ?? false,
      force: c.force ?? false,
      ...(c.zone === undefined || c.zone === 0 ? {} : { zone: c.zone }),
      ...(c.table === undefined ? {} : { table: c.table }),
      ...(c.alg === undefined || c.alg === 0 ? {} : { alg: c.alg }),
      actions: c.actions ?? [],
    }),
  ctClear: (): Action => deepFreeze({ type: 'ct_clear' }),
  /** Only valid as the first action of `ct`; an ipMax equal to ipMin is dropped (OVS prints neither). */
  nat: (n: Omit<NatAction, 'type'> = {}): Action => {
    const out: Record<string, unknown> = { type: 'nat' }
    for (const [k, v] of Object.entries(n)) if (v !== undefined && v !== false) out[k] = v
    if (out.ipMax !== undefined && out.ipMax === out.ipMin) delete out.ipMax
    if (out.protoMax !== undefined && out.protoMax === out.protoMin) delete out.protoMax
    return deepFreeze(out as unknown as Action)
  },
  learn: (l: Partial<Omit<LearnAction, 'type' | 'specs'>> & { readonly specs: readonly LearnSpec[] }): Action =>
    deepFreeze({
      type: 'learn',
      table: l.table ?? 0,
      priority: l.priority ?? DEFAULT_PRIORITY,
      idleTimeout: l.idleTimeout ?? 0,
      hardTimeout: l.hardTimeout ?? 0,
      finIdleTimeout: l.finIdleTimeout ?? 0,
      finHardTimeout: l.finHardTimeout ?? 0,
      cookie: l.cookie ?? 0n,
      flags: l.flags ?? 0,
      specs: l.specs,
    }),
}

export { ref }

/**
 * NXAST_NOTE is 10 header bytes plus the note, padded with zeros to a multiple of 8, and OVS
 * keeps the padding as part of the note (a 3-byte note is dumped as 6 bytes). Padding the value
 * the same way makes built, sent and dumped notes equal.
 */
export function padNote(hex: string): string {
  const n = hex.length / 2
  const padded = Math.ceil((10 + n) / 8) * 8 - 10
  return hex + '00'.repeat(padded - n)
}
