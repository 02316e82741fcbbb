/**
 * Builds monitor replies and notifications for the in-process server:
 * version 1 = `update` (RFC 7047 §4.1.6: {old, new}), 2/3 = `update2`/`update3` (OVS: initial,
 * insert, modify with per-column diffs, delete), with `where` conditions (monitor_cond).
 */
import { OvsdbOperationError } from '../errors.js'
import type { Condition } from '../operations.js'
import { plainEqual } from '../row-diff.js'
import { defaultValue, valueToWire, type ColumnSchema, type PlainAtom, type TableSchema } from '../schema.js'
import type { WireValue } from '../notation.js'
import { matches } from './conditions.js'
import type { Changes, MemoryDatabase, StoredRow } from './memory-db.js'

export interface TableMonitor {
  columns: string[]
  where: Condition[]
  select: { initial: boolean; insert: boolean; delete: boolean; modify: boolean }
}
export interface MonitorSpec {
  id: unknown
  db: MemoryDatabase
  version: 1 | 2 | 3
  tables: Map<string, TableMonitor>
}

export function parseMonitorRequests(db: MemoryDatabase, id: unknown, reqs: unknown, version: 1 | 2 | 3): MonitorSpec {
  if (!reqs || typeof reqs !== 'object') throw new OvsdbOperationError('syntax error', 'monitor requests must be an object')
  const tables = new Map<string, TableMonitor>()
  for (const [t, r] of Object.entries(reqs as Record<string, unknown>)) {
    const ts = db.table(t)
    const list = (Array.isArray(r) ? r : [r]) as { columns?: string[]; where?: Condition[]; select?: Record<string, boolean> }[]
    const cols = new Set<string>()
    const sel = { initial: false, insert: false, delete: false, modify: false }
    let where: Condition[] = []
    for (const one of list) {
      for (const c of one.columns ?? Object.keys(ts.columns).filter((c) => c[0] !== '_')) {
        if (!ts.columns[c]) throw new OvsdbOperationError('syntax error', `no column ${c} in table ${t}`)
        cols.add(c)
      }
      for (const k of ['initial', 'insert', 'delete', 'modify'] as const) sel[k] ||= one.select?.[k] ?? true
      if (one.where) where = one.where
    }
    tables.set(t, { columns: [...cols], where, select: sel })
  }
  return { id, db, version, tables }
}

function fullRow(ts: TableSchema, cols: string[], r: StoredRow, omitDefaults: boolean): Record<string, WireValue> {
  const out: Record<string, WireValue> = {}
  for (const c of cols) {
    const col = ts.columns[c]!
    if (omitDefaults && plainEqual(r[c], defaultValue(col))) continue
    out[c] = valueToWire(col, r[c])
  }
  return out
}

/** update2 diff of one column (see row-diff.ts for the receiving side). */
function columnDiff(col: ColumnSchema, oldV: unknown, newV: unknown): WireValue {
  if (col.kind === 'scalar' || col.kind === 'optional') return valueToWire(col, newV)
  if (col.kind === 'set') {
    const o = oldV as PlainAtom[]
    const n = newV as PlainAtom[]
    const diff = [...o.filter((x) => !n.includes(x)), ...n.filter((x) => !o.includes(x))]
    return valueToWire(col, diff)
  }
  const entries = (v: unknown): [PlainAtom, PlainAtom][] => (v instanceof Map ? [...v] : Object.entries(v as Record<string, PlainAtom>))
  const om = new Map(entries(oldV))
  const nm = new Map(entries(newV))
  const pairs: [PlainAtom, PlainAtom][] = []
  for (const [k, v] of om) if (!nm.has(k)) pairs.push([k, v])
  for (const [k, v] of nm) if (om.get(k) !== v) pairs.push([k, v])
  return valueToWire(col, pairs)
}

export function composeInitial(db: MemoryDatabase, spec: MonitorSpec): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const [t, m] of spec.tables) {
    if (!m.select.initial) continue
    const ts = db.table(t)
    const rows: Record<string, unknown> = {}
    for (const r of db.tables.get(t)!.values()) {
      if (!matches(ts, r, m.where)) continue
      rows[r._uuid] = spec.version === 1 ? { new: fullRow(ts, m.columns, r, false) } : { initial: fullRow(ts, m.columns, r, true) }
    }
    if (Object.keys(rows).length) out[t] = rows
  }
  return out
}

export function composeUpdates(db: MemoryDatabase, spec: MonitorSpec, changes: Changes): Record<string, Record<string, unknown>> | undefined {
  const out: Record<string, Record<string, unknown>> = {}
  let any = false
  for (const [t, ch] of changes) {
    const m = spec.tables.get(t)
    if (!m) continue
    const ts = db.table(t)
    const rows: Record<string, unknown> = {}
    for (const [u, { old, new: nw }] of ch) {
      const inOld = !!old && matches(ts, old, m.where)
      const inNew = !!nw && matches(ts, nw, m.where)
      if (!inOld && inNew) {
        if (!m.select.insert) continue
        rows[u] = spec.version === 1 ? { new: fullRow(ts, m.columns, nw!, false) } : { insert: fullRow(ts, m.columns, nw!, true) }
      } else if (inOld && !inNew) {
        if (!m.select.delete) continue
        rows[u] = spec.version === 1 ? { old: fullRow(ts, m.columns, old!, false) } : { delete: null }
      } else if (inOld && inNew) {
        if (!m.select.modify) continue
        const changed = m.columns.filter((c) => !plainEqual(old![c], nw![c]))
        if (!changed.length) continue
        if (spec.version === 1) {
          rows[u] = { old: Object.fromEntries(changed.map((c) => [c, valueToWire(ts.columns[c]!, old![c])])), new: fullRow(ts, m.columns, nw!, false) }
        } else rows[u] = { modify: Object.fromEntries(changed.map((c) => [c, columnDiff(ts.columns[c]!, old![c], nw![c])])) }
      }
    }
    if (Object.keys(rows).length) {
      out[t] = rows
      any = true
    }
  }
  return any ? out : undefined
}
