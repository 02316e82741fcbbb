/**
 * Condition evaluation for the in-process server (RFC 7047 §5.1 <condition>): `==`, `!=`,
 * `includes`, `excludes` on any column (sets and maps as collections), `< <= > >=` on integer
 * and real scalars, and OVS's literal `true` / `false`.
 */
import { isMap, setElements, type WireValue } from '../notation.js'
import { OvsdbOperationError } from '../errors.js'
import { atomFromWire, type ColumnSchema, type PlainAtom, type TableSchema } from '../schema.js'
import type { Condition } from '../operations.js'
import type { StoredRow } from './memory-db.js'

/** Elements of a plain column value as comparable strings ("k\0v" for map pairs). */
export function plainElements(col: ColumnSchema, v: unknown): string[] {
  if (col.kind === 'map') {
    const entries = v instanceof Map ? [...v.entries()] : Object.entries((v ?? {}) as Record<string, PlainAtom>)
    return entries.map(([k, val]) => `${typeof k}:${String(k)}\0${typeof val}:${String(val)}`)
  }
  if (col.kind === 'scalar' || col.kind === 'optional') return v === null || v === undefined ? [] : [`${typeof v}:${String(v)}`]
  return (v as PlainAtom[]).map((a) => `${typeof a}:${String(a)}`)
}

export function wireElements(col: ColumnSchema, w: WireValue): string[] {
  if (col.kind === 'map') {
    if (isMap(w)) return w[1].map(([k, v]) => `${typeof atomFromWire(k)}:${String(atomFromWire(k))}\0${typeof atomFromWire(v)}:${String(atomFromWire(v))}`)
    // `excludes`/`includes` on a map may also name keys only? Not in RFC 7047; reject.
    throw new OvsdbOperationError('syntax error', `condition value for map column ${col.name} must be a map`)
  }
  return setElements(w).map((a) => {
    const p = atomFromWire(a)
    return `${typeof p}:${String(p)}`
  })
}

export function matches(ts: TableSchema, row: StoredRow, conds: readonly Condition[]): boolean {
  for (const c of conds) {
    if (c === true) continue
    if (c === false) return false
    if (!Array.isArray(c) || c.length !== 3) throw new OvsdbOperationError('syntax error', `bad condition ${JSON.stringify(c)}`)
    const [name, fn, value] = c
    const col = ts.columns[name]
    if (!col) throw new OvsdbOperationError('syntax error', `no column ${name} in table ${ts.name}`)
    const have = row[name]
    switch (fn) {
      case '<':
      case '<=':
      case '>':
      case '>=': {
        if (col.kind !== 'scalar' || (col.type.key.type !== 'integer' && col.type.key.type !== 'real')) {
          throw new OvsdbOperationError('syntax error', `${fn} needs an integer or real column, ${name} is not`)
        }
        const a = have as number
        const b = value as number
        if (!(fn === '<' ? a < b : fn === '<=' ? a <= b : fn === '>' ? a > b : a >= b)) return false
        break
      }
      case '==':
      case '!=':
      case 'includes':
      case 'excludes': {
        const h = new Set(plainElements(col, have))
        const w = wireElements(col, value)
        let ok: boolean
        if (fn === 'includes') ok = w.every((e) => h.has(e))
        else if (fn === 'excludes') ok = w.every((e) => !h.has(e))
        else {
          const eq = h.size === new Set(w).size && w.every((e) => h.has(e))
          ok = fn === '==' ? eq : !eq
        }
        if (!ok) return false
        break
      }
      default:
        throw new OvsdbOperationError('syntax error', `unknown condition function ${String(fn)}`)
    }
  }
  return true
}
