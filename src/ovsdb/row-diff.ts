/**
 * Applying OVS `update2` diffs to plain rows, and comparing plain values.
 *
 * In a `modify` of update2 (ovsdb-server.1 "update2 notification"), each column carries a diff:
 * a column with at most one value gives its new value; a set gives the symmetric difference between old and new
 * elements; a map gives pairs to add, pairs to remove (same key and value as present) and pairs
 * whose value changed (same key, new value).
 */
import { isMap, setElements, type WireAtom, type WireValue } from './notation.js'
import { atomFromWire, type ColumnSchema, type PlainAtom, type PlainValue } from './schema.js'

export function applyColumnDiff(col: ColumnSchema, current: PlainValue | undefined, diff: WireValue): PlainValue {
  switch (col.kind) {
    case 'scalar':
      return atomFromWire(diff as WireAtom)
    case 'optional': {
      // Columns with max 1 carry their new value, not a difference (observed with
      // ovsdb-server 3.1: secure -> standalone is sent as "standalone", clearing as ["set",[]]).
      const d = setElements(diff)
      return d.length ? atomFromWire(d[0]!) : null
    }
    case 'set':
      return symmetricDifference((current as PlainAtom[] | undefined) ?? [], setElements(diff).map(atomFromWire))
    case 'map': {
      const pairs = isMap(diff) ? diff[1] : []
      if (current instanceof Map || col.type.key.type !== 'string') {
        const m = new Map(current instanceof Map ? current : [])
        for (const [wk, wv] of pairs) {
          const k = atomFromWire(wk)
          const v = atomFromWire(wv)
          if (m.has(k) && m.get(k) === v) m.delete(k)
          else m.set(k, v)
        }
        return m
      }
      const r: Record<string, PlainAtom> = { ...((current as Record<string, PlainAtom> | undefined) ?? {}) }
      for (const [wk, wv] of pairs) {
        const k = wk as string
        const v = atomFromWire(wv)
        if (Object.prototype.hasOwnProperty.call(r, k) && r[k] === v) delete r[k]
        else r[k] = v
      }
      return r
    }
  }
}

function symmetricDifference(cur: PlainAtom[], diff: PlainAtom[]): PlainAtom[] {
  if (diff.length === 0) return cur
  const d = new Set(diff)
  const out: PlainAtom[] = []
  for (const a of cur) {
    if (d.has(a)) d.delete(a)
    else out.push(a)
  }
  for (const a of d) out.push(a)
  return out
}

/** Equality of plain values: arrays compare as sets, records and Maps by entries. */
export function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false
    const s = new Set(a)
    return b.every((x) => s.has(x))
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false
    for (const [k, v] of a) if (!b.has(k) || b.get(k) !== v) return false
    return true
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b) && !(a instanceof Map) && !(b instanceof Map)) {
    const ka = Object.keys(a)
    if (ka.length !== Object.keys(b).length) return false
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k])
  }
  return false
}
