/**
 * A software model of an OpenFlow 1.3 switch pipeline for fast unit tests (after faucet's
 * FakeOFTable): apply the FLOW_MOD / GROUP_MOD values a controller computed, then ask where a
 * packet goes. Models priority lookup, masks, goto_table, write_metadata, apply/write/clear
 * actions and the action set, registers, reg_load/move, resubmit, learn, conjunction, groups
 * (all / indirect / select / fast-failover) and output to reserved ports.
 * Conntrack (`ct`, `ct_clear`, ct_* matches) is modelled by FakeConntrack (fake-conntrack.ts).
 * It is a model, not OVS: no NAT, no MPLS, select groups take the first bucket.
 */
import type { Action } from '../actions.js'
import { port16to32, port32to16, Port, TABLE_ALL } from '../constants.js'
import { formatFlow } from '../flow-format.js'
import type { Instruction } from '../instructions.js'
import type { Bucket, FlowMod, GroupMod, OFMessage } from '../messages.js'
import type { FieldRef } from '../nx-fields.js'
import type { LearnAction } from '../nx-actions.js'
import { FIELD_BY_NAME, type Match } from '../oxm.js'
import { FakeConntrack, setCtFields } from './fake-conntrack.js'
import {
  bigToScalar, type BigMatch, coveredBy, fullMask, matchToBig, type PacketFields, sameMatch, scalarToBig,
} from './packet-fields.js'

export type { PacketFields } from './packet-fields.js'

export interface FakeFlow {
  readonly table: number
  readonly priority: number
  readonly cookie: bigint
  readonly idleTimeout: number
  readonly hardTimeout: number
  readonly flags: number
  readonly match: Match
  readonly instructions: readonly Instruction[]
  readonly bigMatch: BigMatch
}

export interface Output {
  /** Port number (physical or reserved, e.g. Port.CONTROLLER). */
  readonly port: number
  /** Header fields of the packet as it left. */
  readonly packet: PacketFields
}

export interface PipelineResult {
  readonly outputs: readonly Output[]
  /** Tables visited, with the priority of the flow that matched (or 'miss'). */
  readonly trace: readonly string[]
}

const ALWAYS_PRESENT = ['metadata', 'tunnel_id', 'vlan_vid', 'tun_ipv4_src', 'tun_ipv4_dst', 'ct_state', 'ct_zone', 'ct_mark', 'ct_label', 'pkt_mark',
  ...Array.from({ length: 16 }, (_, i) => `reg${i}`)]
const MAX_DEPTH = 64

type State = Map<string, bigint>

export class FakeOFTable {
  private readonly tables = new Map<number, FakeFlow[]>()
  readonly groups = new Map<number, GroupMod>()
  /** Ports whose liveness fast-failover groups consult; all ports are live unless set down. */
  readonly downPorts = new Set<number>()
  /** Committed connections; they persist across process() calls (clear() to forget them). */
  readonly conntrack = new FakeConntrack()

  constructor(readonly nTables = 254) {}

  // ---- programming ---------------------------------------------------------------------------

  /** Applies FLOW_MOD and GROUP_MOD messages in order (others are ignored, like a barrier). */
  apply(msgs: Iterable<OFMessage>): this {
    for (const m of msgs) {
      if (m.type === 'flow_mod') this.flowMod(m)
      else if (m.type === 'group_mod') this.groupMod(m)
    }
    return this
  }

  private flowMod(fm: FlowMod): void {
    const bm = matchToBig(fm.match)
    const cookieOk = (f: FakeFlow): boolean => (f.cookie & fm.cookieMask) === (fm.cookie & fm.cookieMask)
    const tables = fm.table === TABLE_ALL ? [...this.tables.keys()] : [fm.table]
    switch (fm.command) {
      case 'add': {
        for (const i of fm.instructions) {
          if (i.type === 'goto_table' && i.table <= fm.table) {
            throw new Error(`goto_table:${i.table} from table ${fm.table}: OpenFlow only goes forward (BAD_TABLE_ID)`)
          }
        }
        const list = this.table(fm.table)
        const idx = list.findIndex((f) => f.priority === fm.priority && sameMatch(f.bigMatch, bm))
        const flow: FakeFlow = {
          table: fm.table, priority: fm.priority, cookie: fm.cookie, idleTimeout: fm.idleTimeout,
          hardTimeout: fm.hardTimeout, flags: fm.flags, match: fm.match, instructions: fm.instructions, bigMatch: bm,
        }
        if (idx >= 0) list[idx] = flow
        else {
          list.push(flow)
          list.sort((a, b) => b.priority - a.priority)
        }
        return
      }
      case 'modify':
      case 'modify_strict': {
        for (const t of tables) {
          const list = this.table(t)
          for (let i = 0; i < list.length; i++) {
            const f = list[i]!
            const hit = fm.command === 'modify' ? coveredBy(f.bigMatch, bm) : f.priority === fm.priority && sameMatch(f.bigMatch, bm)
            if (hit && cookieOk(f)) list[i] = { ...f, instructions: fm.instructions }
          }
        }
        return
      }
      case 'delete':
      case 'delete_strict':
        for (const t of tables) {
          const list = this.table(t)
          this.tables.set(t, list.filter((f) => {
            const hit = fm.command === 'delete' ? coveredBy(f.bigMatch, bm) : f.priority === fm.priority && sameMatch(f.bigMatch, bm)
            return !(hit && cookieOk(f) && outputsTo(f, fm.outPort, fm.outGroup))
          }))
        }
    }
  }

  private groupMod(g: GroupMod): void {
    if (g.command === 'delete') {
      if (g.groupId === 0xfffffffc) this.groups.clear()
      else this.groups.delete(g.groupId)
    } else {
      if (g.command === 'add' && this.groups.has(g.groupId)) throw new Error(`group ${g.groupId} exists (GROUP_EXISTS)`)
      if (g.command === 'modify' && !this.groups.has(g.groupId)) throw new Error(`group ${g.groupId} unknown (UNKNOWN_GROUP)`)
      this.groups.set(g.groupId, g)
    }
  }

  private table(t: number): FakeFlow[] {
    let l = this.tables.get(t)
    if (!l) this.tables.set(t, (l = []))
    return l
  }

  /** Flows of one table (or all), highest priority first. */
  flows(table?: number): readonly FakeFlow[] {
    if (table !== undefined) return this.tables.get(table) ?? []
    return [...this.tables.keys()].sort((a, b) => a - b).flatMap((t) => this.tables.get(t)!)
  }

  /** The table in `ovs-ofctl --no-stats dump-flows` text (handy in assertion messages). */
  dump(): string[] {
    return this.flows().map((f) => formatFlow(f))
  }

  // ---- lookup ------------------------------------------------------------------------------

  /** Runs `packet` (which must have in_port) through the pipeline from `table`. */
  process(packet: PacketFields, table = 0): PipelineResult {
    if (packet.in_port === undefined) throw new TypeError('packet needs in_port')
    const st: State = new Map()
    for (const k of ALWAYS_PRESENT) st.set(k, 0n)
    for (const [k, v] of Object.entries(packet)) {
      if (v === undefined) continue
      const f = FIELD_BY_NAME.get(k)
      st.set(k, f ? scalarToBig(f, v) : BigInt(v as number))
    }
    const outputs: Output[] = []
    const trace: string[] = []
    const actionSet = new Map<string, Action>()
    this.runTable(st, table, outputs, trace, actionSet, 0)
    this.runActionSet(st, actionSet, outputs, trace)
    return { outputs, trace }
  }

  /** True when `packet` leaves on `port` (faucet's is_output). */
  isOutput(packet: PacketFields, port: number): boolean {
    return this.process(packet).outputs.some((o) => o.port === port)
  }

  private lookup(st: State, t: number): FakeFlow | undefined {
    const list = this.tables.get(t) ?? []
    const matches = (f: FakeFlow): boolean => {
      for (const [k, e] of f.bigMatch) {
        if (k === 'conj_id') continue
        const v = st.get(k)
        if (v === undefined || (v & e.mask) !== e.value) return false
      }
      return true
    }
    // Conjunctive match (OVS): conj_id=X matches when, for each clause k of X, some matching
    // flow carries conjunction(X,k/n).
    const clauses = new Map<number, { n: number; seen: Set<number> }>()
    for (const f of list) {
      const conj = conjOnly(f)
      if (!conj || !matches(f)) continue
      for (const c of conj) {
        const e = clauses.get(c.id) ?? { n: c.nClauses, seen: new Set<number>() }
        e.seen.add(c.clause)
        clauses.set(c.id, e)
      }
    }
    for (const f of list) {
      if (conjOnly(f)) continue
      const cid = f.bigMatch.get('conj_id')
      if (cid) {
        const c = clauses.get(Number(cid.value))
        if (!c || c.seen.size < c.n) continue
      }
      if (matches(f)) return f
    }
    return undefined
  }

  private runTable(st: State, t: number, out: Output[], trace: string[], set: Map<string, Action>, depth: number): void {
    if (depth > MAX_DEPTH) throw new Error('fake table: resubmit/goto depth exceeded')
    const f = this.lookup(st, t)
    if (!f) {
      trace.push(`table=${t} miss`)
      return
    }
    trace.push(`table=${t} priority=${f.priority}`)
    let next: number | undefined
    for (const i of f.instructions) {
      switch (i.type) {
        case 'apply_actions': this.runActions(st, i.actions, out, trace, set, depth, t); break
        case 'clear_actions': set.clear(); break
        case 'write_actions': for (const a of i.actions) set.set(actionSetKey(a), a); break
        case 'write_metadata': st.set('metadata', (st.get('metadata')! & ~i.mask) | (i.metadata & i.mask)); break
        case 'goto_table': next = i.table; break
        case 'meter': break
      }
    }
    if (next !== undefined) this.runTable(st, next, out, trace, set, depth + 1)
  }

  /** Executes the action set at the end of the pipeline (OF1.3 §5.10 order). */
  private runActionSet(st: State, set: Map<string, Action>, out: Output[], trace: string[]): void {
    const order = ['dec_ttl', 'pop_vlan', 'push_vlan', 'set_field', 'set_queue', 'group', 'output']
    const acts = [...set.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type))
    const hasGroup = acts.some((a) => a.type === 'group')
    this.runActions(st, acts.filter((a) => !(hasGroup && a.type === 'output')), out, trace, new Map(), 0, 0)
  }

  private runActions(st: State, acts: readonly Action[], out: Output[], trace: string[], set: Map<string, Action>, depth: number, t: number): void {
    for (const a of acts) {
      switch (a.type) {
        case 'output': this.output(st, a.port, out, trace, depth); break
        case 'output_reg': this.output(st, Number(getRef(st, a.src)), out, trace, depth); break
        case 'set_field': {
          const f = FIELD_BY_NAME.get(a.field)!
          st.set(a.field, scalarToBig(f, a.value as never))
          break
        }
        case 'push_vlan': st.set('vlan_vid', 0x1000n); st.set('vlan_pcp', 0n); break
        case 'pop_vlan': st.set('vlan_vid', 0n); st.delete('vlan_pcp'); break
        case 'dec_ttl': if (st.has('nw_ttl')) st.set('nw_ttl', st.get('nw_ttl')! - 1n); break
        case 'set_queue': st.set('queue', BigInt(a.queueId)); break
        case 'group': this.group(st, a.groupId, out, trace, depth); break
        case 'reg_load': setRef(st, a.dst, a.value); break
        case 'reg_move': setRef(st, a.dst, getRef(st, a.src)); break
        case 'resubmit': {
          const saved = st.get('in_port')!
          if (a.port !== undefined && a.port !== Port.IN_PORT) st.set('in_port', BigInt(a.port))
          this.runTable(st, a.table ?? t, out, trace, set, depth + 1)
          st.set('in_port', saved)
          break
        }
        case 'learn': this.learn(st, a); break
        case 'ct_clear': setCtFields(st); break
        case 'ct': {
          const zone = typeof a.zone === 'object' ? getRef(st, a.zone) : BigInt(a.zone ?? 0)
          const fields = this.conntrack.track(st, a, zone, (f, acts) => {
            const tmp: State = new Map(st)
            for (const [k, v] of f) tmp.set(k, v)
            this.runActions(tmp, acts, out, trace, new Map(), depth + 1, t)
            f.set('ct_mark', tmp.get('ct_mark')!)
            f.set('ct_label', tmp.get('ct_label')!)
          })
          if (a.table !== undefined) {
            // fork (ovs-actions(7)): a tracked copy resumes in `table`, this one goes on untracked
            const copy: State = new Map(st)
            setCtFields(copy, fields)
            trace.push(`ct(zone=${zone}) -> table=${a.table}`)
            this.runTable(copy, a.table, out, trace, new Map(), depth + 1)
          }
          break
        }
        case 'conjunction': case 'note': case 'raw': case 'nat': break
      }
    }
  }

  private output(st: State, port: number, out: Output[], trace: string[], depth: number): void {
    if (port === Port.TABLE) {
      this.runTable(new Map(st), 0, out, trace, new Map(), depth + 1)
      return
    }
    const p = port === Port.IN_PORT ? Number(st.get('in_port')) : port
    out.push({ port: p, packet: snapshot(st) })
  }

  private group(st: State, id: number, out: Output[], trace: string[], depth: number): void {
    const g = this.groups.get(id)
    if (!g) throw new Error(`fake table: group ${id} does not exist`)
    let buckets: readonly Bucket[] = g.buckets
    if (g.groupType === 'select' || g.groupType === 'indirect') buckets = buckets.slice(0, 1)
    if (g.groupType === 'ff') buckets = buckets.filter((b) => !this.downPorts.has(b.watchPort)).slice(0, 1)
    for (const b of buckets) this.runActions(new Map(st), b.actions, out, trace, new Map(), depth + 1, 0)
  }

  private learn(st: State, l: LearnAction): void {
    const match: Record<string, unknown> = {}
    const acts: Action[] = []
    for (const s of l.specs) {
      const v = s.kind === 'output' ? getRef(st, s.src) : typeof s.src === 'bigint' ? s.src : getRef(st, s.src)
      if (s.kind === 'match') {
        const name = s.dst.field === 'in_port16' ? 'in_port' : s.dst.field
        const f = FIELD_BY_NAME.get(name)
        if (name === 'vlan_tci') {
          match.vlan_vid = { value: Number(v << BigInt(s.dst.ofs)) & 0x1fff, mask: Number(fullMask(s.dst.nbits) << BigInt(s.dst.ofs)) & 0x1fff }
          continue
        }
        if (!f) throw new Error(`fake table: learn cannot match on ${s.dst.field}`)
        const whole = s.dst.ofs === 0 && s.dst.nbits >= f.bits
        const value = bigToScalar(f, (s.dst.field === 'in_port16' ? BigInt(port16to32(Number(v))) : v) << BigInt(s.dst.ofs))
        match[name] = whole ? value : { value, mask: bigToScalar(f, fullMask(s.dst.nbits) << BigInt(s.dst.ofs)) }
      } else if (s.kind === 'load') {
        acts.push({ type: 'reg_load', dst: s.dst, value: v })
      } else {
        acts.push({ type: 'output', port: s.src.field === 'in_port16' ? port16to32(Number(v)) : Number(v) })
      }
    }
    this.flowMod({
      type: 'flow_mod', command: 'add', table: l.table, priority: l.priority, cookie: l.cookie, cookieMask: 0n,
      idleTimeout: l.idleTimeout, hardTimeout: l.hardTimeout, bufferId: 0xffffffff, outPort: Port.ANY,
      outGroup: 0xffffffff, flags: 0, match: match as Match,
      instructions: acts.length ? [{ type: 'apply_actions', actions: acts }] : [],
    })
  }
}

function conjOnly(f: FakeFlow): readonly { readonly id: number; readonly clause: number; readonly nClauses: number }[] | undefined {
  if (f.instructions.length !== 1 || f.instructions[0]!.type !== 'apply_actions') return undefined
  const acts = f.instructions[0]!.actions
  if (acts.length === 0 || !acts.every((a) => a.type === 'conjunction')) return undefined
  return acts as readonly Extract<Action, { type: 'conjunction' }>[]
}

function outputsTo(f: FakeFlow, port: number, group: number): boolean {
  if (port === Port.ANY && group === 0xffffffff) return true
  const acts = f.instructions.flatMap((i) => (i.type === 'apply_actions' || i.type === 'write_actions' ? i.actions : []))
  return acts.some((a) => (port !== Port.ANY && a.type === 'output' && a.port === port) || (group !== 0xffffffff && a.type === 'group' && a.groupId === group))
}

function actionSetKey(a: Action): string {
  return a.type === 'set_field' ? `set_field:${a.field}` : a.type === 'reg_load' ? `reg_load:${a.dst.field}` : a.type
}

function snapshot(st: State): PacketFields {
  const out: Record<string, unknown> = {}
  for (const [k, v] of st) {
    const f = FIELD_BY_NAME.get(k)
    out[k] = f ? bigToScalar(f, v) : v
  }
  return out as PacketFields
}

function fieldBits(field: string): number {
  return FIELD_BY_NAME.get(field)?.bits ?? 64
}

function getRef(st: State, r: FieldRef): bigint {
  let v: bigint
  if (r.field === 'in_port16') v = BigInt(port32to16(Number(st.get('in_port') ?? 0n)))
  else if (r.field === 'vlan_tci') v = (st.get('vlan_vid') ?? 0n) | ((st.get('vlan_pcp') ?? 0n) << 13n)
  else v = st.get(r.field) ?? 0n
  return (v >> BigInt(r.ofs)) & fullMask(r.nbits)
}

function setRef(st: State, r: FieldRef, value: bigint): void {
  const mask = fullMask(r.nbits) << BigInt(r.ofs)
  const put = (cur: bigint): bigint => (cur & ~mask) | ((value << BigInt(r.ofs)) & mask)
  if (r.field === 'in_port16') st.set('in_port', BigInt(port16to32(Number(put(BigInt(port32to16(Number(st.get('in_port') ?? 0n))))))))
  else if (r.field === 'vlan_tci') {
    const tci = put((st.get('vlan_vid') ?? 0n) | ((st.get('vlan_pcp') ?? 0n) << 13n))
    st.set('vlan_vid', tci & 0x1fffn)
    st.set('vlan_pcp', tci >> 13n)
  } else st.set(r.field, put(st.get(r.field) ?? 0n) & fullMask(fieldBits(r.field)))
}
