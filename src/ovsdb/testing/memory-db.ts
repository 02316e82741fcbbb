/**
 * Transaction engine of the in-process OVSDB server (RFC 7047 §5.2), good enough for unit tests:
 * every operation, uuid-names, referential integrity with garbage collection of unreferenced
 * non-root rows (§3.2 isRoot), weak references, set-size, index and maxRows constraints.
 * Rows are stored as plain values (schema.ts conventions).
 */
import { randomUUID } from 'node:crypto'
import { OvsdbOperationError, ValidationError } from '../errors.js'
import { isNamedUuid, type WireRow, type WireValue } from '../notation.js'
import type { Condition, Mutation } from '../operations.js'
import { plainEqual } from '../row-diff.js'
import { defaultValue, validateValue, valueFromWire, valueToWire, type ColumnSchema, type DatabaseSchema, type PlainAtom, type TableSchema } from '../schema.js'
import { matches, plainElements } from './conditions.js'

export type StoredRow = Record<string, unknown> & { _uuid: string; _version: string }
export interface RowChange {
  old: StoredRow | null
  new: StoredRow | null
}
/** table → uuid → change; what monitors report. */
export type Changes = Map<string, Map<string, RowChange>>

export interface ExecuteContext {
  ownsLock(lockId: string): boolean
}
export interface ExecuteResult {
  results: unknown[]
  /** Set when the transaction committed and changed something. */
  changes?: Changes
  /** A `wait` with a timeout is not yet satisfied: retry after the next commit, until then. */
  blockedUntil?: number
}

const fail = (error: string, details: string): never => {
  throw new OvsdbOperationError(error, details)
}

export class MemoryDatabase {
  readonly schema: DatabaseSchema
  tables = new Map<string, Map<string, StoredRow>>()

  constructor(schema: DatabaseSchema) {
    this.schema = schema
    for (const t of Object.keys(schema.tables)) this.tables.set(t, new Map())
  }

  table(name: string): TableSchema {
    return this.schema.tables[name] ?? fail('syntax error', `unknown table ${name}`)
  }

  /** Runs one transact request (params after the database name). */
  execute(ops: unknown[], ctx: ExecuteContext, now = Date.now(), startedAt = now): ExecuteResult {
    const results: unknown[] = []
    const work = new Map<string, Map<string, StoredRow>>() // copy-on-write tables
    const explicitDeletes = new Set<string>()
    const symtab = new Map<string, string>()
    const get = (t: string): Map<string, StoredRow> => {
      let m = work.get(t)
      if (!m) {
        m = new Map(this.tables.get(t)!)
        work.set(t, m)
      }
      return m
    }
    const read = (t: string): Map<string, StoredRow> => work.get(t) ?? this.tables.get(t)!
    let blockedUntil: number | undefined
    try {
      // uuid-names may be referenced before the insert that defines them (§5.2.1).
      ops.forEach((o, i) => {
        const name = (o as { 'uuid-name'?: unknown })?.['uuid-name']
        if ((o as { op?: unknown })?.op === 'insert' && typeof name === 'string') {
          if (symtab.has(name)) throw Object.assign(new OvsdbOperationError('duplicate uuid-name', `uuid-name ${name} used more than once`), { index: i })
          symtab.set(name, typeof (o as { uuid?: unknown }).uuid === 'string' ? (o as { uuid: string }).uuid : randomUUID())
        }
      })
      for (let i = 0; i < ops.length; i++) {
        try {
          const r = this.#op(ops[i], { get, read, symtab, explicitDeletes, ctx, now, startedAt })
          if (r === BLOCKED) {
            blockedUntil = (ops[i] as { timeout?: number }).timeout === undefined ? Infinity : startedAt + (ops[i] as { timeout: number }).timeout
            return { results: [], blockedUntil }
          }
          results.push(r)
        } catch (e) {
          throw Object.assign(e as Error, { index: i })
        }
      }
    } catch (e) {
      const err = toOpError(e)
      const idx = (e as { index?: number }).index ?? results.length
      while (results.length < idx) results.push({})
      results.push({ error: err.error, ...(err.details !== undefined ? { details: err.details } : {}) })
      while (results.length < ops.length) results.push(null)
      return { results }
    }
    try {
      const changes = this.#commit(work, explicitDeletes)
      return changes.size ? { results, changes } : { results }
    } catch (e) {
      const err = toOpError(e)
      results.push({ error: err.error, details: err.details })
      return { results }
    }
  }

  #op(o: unknown, s: OpState): unknown {
    if (!o || typeof o !== 'object') fail('syntax error', 'operation is not an object')
    const op = o as Record<string, unknown>
    switch (op.op) {
      case 'insert': {
        const ts = this.table(op.table as string)
        const uuid = typeof op['uuid-name'] === 'string' ? s.symtab.get(op['uuid-name'])! : typeof op.uuid === 'string' ? op.uuid : randomUUID()
        if (s.read(ts.name).has(uuid)) fail('duplicate uuid', `row ${uuid} already exists`)
        const row = { _uuid: uuid, _version: randomUUID() } as StoredRow
        for (const [c, col] of Object.entries(ts.columns)) if (c[0] !== '_') row[c] = defaultValue(col)
        this.#setColumns(ts, row, (op.row ?? {}) as WireRow, s.symtab, false)
        s.get(ts.name).set(uuid, row)
        return { uuid: ['uuid', uuid] }
      }
      case 'select': {
        const ts = this.table(op.table as string)
        const cols = (op.columns as string[] | undefined) ?? Object.keys(ts.columns)
        for (const c of cols) if (!ts.columns[c]) fail('syntax error', `no column ${c} in table ${ts.name}`)
        const rows = this.#where(ts, s, op.where).map((r) => Object.fromEntries(cols.map((c) => [c, valueToWire(ts.columns[c]!, r[c])])))
        return { rows }
      }
      case 'update': {
        const ts = this.table(op.table as string)
        const rows = this.#where(ts, s, op.where)
        for (const r of rows) {
          const n = { ...r, _version: randomUUID() }
          this.#setColumns(ts, n, (op.row ?? {}) as WireRow, s.symtab, true)
          s.get(ts.name).set(n._uuid, n)
        }
        return { count: rows.length }
      }
      case 'mutate': {
        const ts = this.table(op.table as string)
        const rows = this.#where(ts, s, op.where)
        for (const r of rows) {
          const n = { ...r, _version: randomUUID() }
          for (const m of (op.mutations ?? []) as Mutation[]) this.#mutate(ts, n, m, s.symtab)
          s.get(ts.name).set(n._uuid, n)
        }
        return { count: rows.length }
      }
      case 'delete': {
        const ts = this.table(op.table as string)
        const rows = this.#where(ts, s, op.where)
        for (const r of rows) {
          s.get(ts.name).delete(r._uuid)
          s.explicitDeletes.add(`${ts.name}\0${r._uuid}`)
        }
        return { count: rows.length }
      }
      case 'wait': {
        const ts = this.table(op.table as string)
        const cols = (op.columns as string[] | undefined) ?? []
        const rows = this.#where(ts, s, op.where)
        const want = ((op.rows ?? []) as WireRow[]).map((w) => {
          const p: Record<string, unknown> = {}
          for (const c of cols) p[c] = valueFromWire(ts.columns[c]!, resolve(w[c]!, s.symtab))
          return p
        })
        const used = new Set<number>()
        const equal =
          rows.length === want.length &&
          rows.every((r) => {
            const k = want.findIndex((w, j) => !used.has(j) && cols.every((c) => plainEqual(r[c], w[c])))
            if (k < 0) return false
            used.add(k)
            return true
          })
        const ok = op.until === '==' ? equal : op.until === '!=' ? !equal : fail('syntax error', `bad until ${String(op.until)}`)
        if (ok) return {}
        const timeout = op.timeout as number | undefined
        if (timeout === 0 || (timeout !== undefined && s.now >= s.startedAt + timeout)) fail('timed out', `"wait" timed out`)
        return BLOCKED
      }
      case 'commit':
        return {}
      case 'abort':
        return fail('aborted', 'aborted by request')
      case 'comment':
        return {}
      case 'assert':
        return s.ctx.ownsLock(op.lock as string) ? {} : fail('not owner', `lock ${String(op.lock)} is not held by this client`)
      default:
        return fail('unknown operation', `unknown operation ${JSON.stringify(op.op)}`)
    }
  }

  #where(ts: TableSchema, s: OpState, where: unknown): StoredRow[] {
    if (!Array.isArray(where)) fail('syntax error', `"where" must be an array`)
    const conds = (where as Condition[]).map((c) => (Array.isArray(c) ? ([c[0], c[1], resolve(c[2], s.symtab)] as Condition) : c))
    const out: StoredRow[] = []
    for (const r of s.read(ts.name).values()) if (matches(ts, r, conds)) out.push(r)
    return out
  }

  #setColumns(ts: TableSchema, row: StoredRow, wire: WireRow, symtab: Map<string, string>, isUpdate: boolean): void {
    for (const [c, w] of Object.entries(wire)) {
      const col = ts.columns[c]
      if (!col || c[0] === '_') fail('syntax error', `no writable column ${c} in table ${ts.name}`)
      if (isUpdate && !col!.mutable) fail('constraint violation', `column ${c} of table ${ts.name} is immutable`)
      const v = resolve(w, symtab)
      validateValue(ts.name, col!, v)
      row[c] = valueFromWire(col!, v)
    }
  }

  #mutate(ts: TableSchema, row: StoredRow, m: Mutation, symtab: Map<string, string>): void {
    const [c, mutator, w] = m
    const col = ts.columns[c]
    if (!col || c[0] === '_') return fail('syntax error', `no column ${c} in table ${ts.name}`)
    if (!col.mutable) fail('constraint violation', `column ${c} is immutable`)
    const v = resolve(w, symtab)
    const cur = row[c]
    if (mutator === 'insert' || mutator === 'delete') {
      if (col.kind === 'scalar') fail('syntax error', `${mutator} needs a set or map column`)
      if (col.kind === 'map') {
        const m2 = new Map<PlainAtom, PlainAtom>(cur instanceof Map ? cur : Object.entries(cur as Record<string, PlainAtom>))
        const asSet: ColumnSchema = { ...col, kind: 'set', type: { key: col.type.key, min: 0, max: Infinity } }
        const asMap: ColumnSchema = { ...col, type: { ...col.type, min: 0, max: Infinity } }
        if (mutator === 'insert' || (Array.isArray(v) && v[0] === 'map')) {
          validateValue(ts.name, asMap, v)
          const add = valueFromWire(asMap, v)
          const pairs = add instanceof Map ? [...add] : Object.entries(add as Record<string, PlainAtom>)
          for (const [k, val] of pairs) {
            if (mutator === 'insert') {
              if (!m2.has(k)) m2.set(k, val)
            } else if (m2.get(k) === val) m2.delete(k)
          }
        } else {
          validateValue(ts.name, asSet, v)
          for (const k of valueFromWire(asSet, v) as PlainAtom[]) m2.delete(k)
        }
        row[c] = col.type.key.type === 'string' ? Object.fromEntries(m2) : m2
      } else {
        const asSet: ColumnSchema = { ...col, kind: 'set', type: { key: col.type.key, min: 0, max: Infinity } }
        validateValue(ts.name, asSet, v)
        const elems = valueFromWire(asSet, v) as PlainAtom[]
        const have = cur === null ? [] : Array.isArray(cur) ? (cur as PlainAtom[]) : [cur as PlainAtom]
        const next = mutator === 'insert' ? [...have, ...elems.filter((e) => !have.includes(e))] : have.filter((e) => !elems.includes(e))
        row[c] = col.kind === 'optional' ? (next.length > 1 ? fail('constraint violation', `${c} would have ${next.length} values`) : next[0] ?? null) : next
      }
      return
    }
    const t = col.type.key.type
    if ((t !== 'integer' && t !== 'real') || col.kind === 'map') fail('syntax error', `mutator ${mutator} needs an integer or real column`)
    if (typeof v !== 'number') fail('syntax error', `mutator ${mutator} needs a number`)
    const apply = (x: number): number => {
      const n = v as number
      if ((mutator === '/=' || mutator === '%=') && n === 0) fail('domain error', 'division by zero')
      let r = mutator === '+=' ? x + n : mutator === '-=' ? x - n : mutator === '*=' ? x * n : mutator === '/=' ? x / n : x % n
      if (t === 'integer') r = Math.trunc(r)
      const b = col.type.key
      const lo = t === 'integer' ? b.minInteger : b.minReal
      const hi = t === 'integer' ? b.maxInteger : b.maxReal
      if ((lo !== undefined && r < lo) || (hi !== undefined && r > hi)) fail('range error', `${c}: result ${r} out of range`)
      return r
    }
    if (mutator !== '+=' && mutator !== '-=' && mutator !== '*=' && mutator !== '/=' && mutator !== '%=') fail('syntax error', `unknown mutator ${String(mutator)}`)
    if (mutator === '%=' && t !== 'integer') fail('syntax error', '%= needs an integer column')
    row[c] = Array.isArray(cur) ? (cur as number[]).map(apply) : cur === null ? null : apply(cur as number)
  }

  /** Referential integrity, GC and constraints (§3.2, §4.1.3); installs `work` on success. */
  #commit(work: Map<string, Map<string, StoredRow>>, explicitDeletes: Set<string>): Changes {
    if (work.size === 0) return new Map()
    const state = new Map(this.tables)
    for (const [t, m] of work) state.set(t, m)
    const refCols = (ts: TableSchema): ColumnSchema[] => Object.values(ts.columns).filter((c) => c.name[0] !== '_' && (c.type.key.refTable || c.type.value?.refTable))
    const cow = (t: string): Map<string, StoredRow> => {
      if (!work.has(t)) {
        const m = new Map(this.tables.get(t)!)
        work.set(t, m)
        state.set(t, m)
      }
      return work.get(t)!
    }
    // Weak references to missing rows disappear (§3.2 refType weak).
    for (const ts of Object.values(this.schema.tables)) {
      for (const col of refCols(ts)) {
        const weakKey = col.type.key.refType === 'weak' ? col.type.key.refTable : undefined
        const weakVal = col.type.value?.refType === 'weak' ? col.type.value.refTable : undefined
        if (!weakKey && !weakVal) continue
        for (const r of [...state.get(ts.name)!.values()]) {
          const v = r[col.name]
          const alive = (table: string | undefined, u: unknown): boolean => !table || state.get(table)!.has(u as string)
          let nv: unknown = v
          if (col.kind === 'map') {
            const entries = v instanceof Map ? [...v] : Object.entries(v as Record<string, unknown>)
            const kept = entries.filter(([k, val]) => alive(weakKey, k) && alive(weakVal, val))
            if (kept.length !== entries.length) nv = v instanceof Map ? new Map(kept) : Object.fromEntries(kept)
          } else if (Array.isArray(v)) {
            const kept = v.filter((u) => alive(weakKey, u))
            if (kept.length !== v.length) nv = kept
          } else if (v !== null && !alive(weakKey, v)) nv = col.kind === 'optional' ? null : v
          if (nv !== v) cow(ts.name).set(r._uuid, { ...r, [col.name]: nv, _version: randomUUID() })
        }
      }
    }
    // Strong reference counts; then collect unreferenced non-root rows until stable.
    for (;;) {
      const refs = new Map<string, number>()
      for (const ts of Object.values(this.schema.tables)) {
        for (const col of refCols(ts)) {
          for (const r of state.get(ts.name)!.values()) {
            for (const [table, u] of strongRefs(col, r[col.name])) refs.set(`${table}\0${u}`, (refs.get(`${table}\0${u}`) ?? 0) + 1)
          }
        }
      }
      for (const k of explicitDeletes) {
        if (refs.get(k)) {
          const [t, u] = k.split('\0')
          fail('referential integrity violation', `cannot delete ${t} row ${u} because of ${refs.get(k)} remaining reference(s)`)
        }
      }
      let collected = 0
      for (const ts of Object.values(this.schema.tables)) {
        if (ts.isRoot) continue
        for (const u of [...state.get(ts.name)!.keys()]) {
          if (!refs.get(`${ts.name}\0${u}`)) {
            cow(ts.name).delete(u)
            collected++
          }
        }
      }
      if (collected) continue
      for (const [k] of refs) {
        const [t, u] = k.split('\0') as [string, string]
        if (!state.get(t)!.has(u)) fail('referential integrity violation', `reference to nonexistent row ${u} in table ${t}`)
      }
      break
    }
    // Constraints on the rows that changed: set sizes, indexes, maxRows.
    const changes: Changes = new Map()
    for (const [t, m] of work) {
      const ts = this.schema.tables[t]!
      const base = this.tables.get(t)!
      const ch = new Map<string, RowChange>()
      for (const [u, r] of m) {
        const old = base.get(u)
        if (old === r) continue
        ch.set(u, { old: old ?? null, new: r })
        for (const col of Object.values(ts.columns)) {
          if (col.name[0] === '_') continue
          const n = plainElements(col, r[col.name]).length
          if (n < col.type.min || n > col.type.max) fail('constraint violation', `${t}.${col.name} has ${n} value(s), must have ${col.type.min}..${col.type.max}`)
        }
      }
      for (const [u, old] of base) if (!m.has(u)) ch.set(u, { old, new: null })
      if (ts.maxRows !== undefined && m.size > ts.maxRows) fail('constraint violation', `too many rows in table ${t}`)
      for (const idx of ts.indexes) {
        const seen = new Map<string, string>()
        for (const r of m.values()) {
          const key = JSON.stringify(idx.map((c) => plainElements(ts.columns[c]!, r[c]).sort()))
          const prev = seen.get(key)
          if (prev) fail('constraint violation', `Transaction causes multiple rows in "${t}" table to have identical values (${idx.map((c) => String(r[c])).join(', ')}) for index on column "${idx.join('", "')}"`)
          seen.set(key, r._uuid)
        }
      }
      if (ch.size) changes.set(t, ch)
    }
    for (const [t, m] of work) this.tables.set(t, m)
    return changes
  }
}

interface OpState {
  get(t: string): Map<string, StoredRow>
  read(t: string): Map<string, StoredRow>
  symtab: Map<string, string>
  explicitDeletes: Set<string>
  ctx: ExecuteContext
  now: number
  startedAt: number
}

const BLOCKED: unique symbol = Symbol('blocked')

function strongRefs(col: ColumnSchema, v: unknown): [string, string][] {
  const out: [string, string][] = []
  const k = col.type.key.refType === 'strong' ? col.type.key.refTable : undefined
  const val = col.type.value?.refType === 'strong' ? col.type.value.refTable : undefined
  if (col.kind === 'map') {
    const entries = v instanceof Map ? [...v] : Object.entries((v ?? {}) as Record<string, unknown>)
    for (const [a, b] of entries) {
      if (k) out.push([k, a as string])
      if (val) out.push([val, b as string])
    }
  } else if (k) {
    if (Array.isArray(v)) for (const u of v) out.push([k, u as string])
    else if (v !== null && v !== undefined) out.push([k, v as string])
  }
  return out
}

/** Replaces named-uuids by the uuids of this transaction's inserts. */
function resolve(v: WireValue, symtab: Map<string, string>): WireValue {
  if (!Array.isArray(v)) return v
  if (isNamedUuid(v)) {
    const u = symtab.get(v[1])
    if (!u) fail('syntax error', `unknown uuid-name ${v[1]}`)
    return ['uuid', u!]
  }
  if (v[0] === 'set') return ['set', (v[1] as WireValue[]).map((a) => resolve(a, symtab))] as WireValue
  if (v[0] === 'map') return ['map', (v[1] as [WireValue, WireValue][]).map(([a, b]) => [resolve(a, symtab), resolve(b, symtab)])] as WireValue
  return v
}

function toOpError(e: unknown): { error: string; details?: string } {
  if (e instanceof OvsdbOperationError) return { error: e.error, ...(e.details !== undefined ? { details: e.details } : {}) }
  if (e instanceof ValidationError) return { error: 'constraint violation', details: e.message }
  return { error: 'syntax error', details: (e as Error)?.message ?? String(e) }
}
