/**
 * Checks what a peer sends us in monitor replies and `update`/`update2`/`update3` notifications
 * against the schema before the replica takes it (RFC 7047 §4.1.6, ovsdb-server(1) "update2").
 * A peer is whatever dialed our listener, so its rows are input like any other: a malformed
 * value is a ProtocolError on that connection (the replica drops it and resyncs on the next
 * one), never a crash and never a half-applied batch.
 *
 * Checked on the wire form, in one pass per value (a replica of a 10,000-port database checks
 * ~1M atoms): the notation (atom / ["uuid", UUID] / ["set", […]] / ["map", [[k, v]…]]), the
 * atomic type, enum, integer/real range, string length, and the set/map size. References must
 * be real UUIDs: a peer never sends uuid-names. The columns of an update2 `modify` carry
 * differences, whose size says nothing: `checkIncomingSize` checks the result instead.
 */
import { ProtocolError } from './errors.js'
import { isUuidString } from './notation.js'
import type { BaseType, ColumnSchema, PlainValue } from './schema.js'

function bad(table: string, col: string, v: unknown, what: string): never {
  throw new ProtocolError(`bad value from peer for ${table}.${col}: value ${String(JSON.stringify(v)).slice(0, 100)}: ${what}`)
}

function checkAtom(table: string, col: string, base: BaseType, a: unknown): void {
  switch (base.type) {
    case 'uuid':
      if (!Array.isArray(a) || a.length !== 2 || a[0] !== 'uuid' || !isUuidString(a[1])) bad(table, col, a, 'expected ["uuid", <UUID>]')
      return
    case 'string':
      if (typeof a !== 'string') bad(table, col, a, 'expected a string')
      if (base.minLength !== undefined || base.maxLength !== undefined) {
        const n = [...a].length
        if (base.minLength !== undefined && n < base.minLength) bad(table, col, a, `shorter than ${base.minLength} characters`)
        if (base.maxLength !== undefined && n > base.maxLength) bad(table, col, a, `longer than ${base.maxLength} characters`)
      }
      break
    case 'integer':
      if (typeof a !== 'number' || !Number.isInteger(a)) bad(table, col, a, 'expected an integer')
      if (base.minInteger !== undefined && a < base.minInteger) bad(table, col, a, `less than the minimum ${base.minInteger}`)
      if (base.maxInteger !== undefined && a > base.maxInteger) bad(table, col, a, `greater than the maximum ${base.maxInteger}`)
      break
    case 'real':
      if (typeof a !== 'number' || !Number.isFinite(a)) bad(table, col, a, 'expected a real number')
      if (base.minReal !== undefined && a < base.minReal) bad(table, col, a, `less than the minimum ${base.minReal}`)
      if (base.maxReal !== undefined && a > base.maxReal) bad(table, col, a, `greater than the maximum ${base.maxReal}`)
      break
    case 'boolean':
      if (typeof a !== 'boolean') bad(table, col, a, 'expected a boolean')
      break
  }
  if (base.enum && !base.enum.includes(a as string)) bad(table, col, a, `not one of ${base.enum.map((e) => JSON.stringify(e)).join(', ')}`)
}

function checkCount(table: string, col: ColumnSchema, n: number, v: unknown): void {
  const { min, max } = col.type
  if (n < min || n > max) bad(table, col.name, v, `${n} value(s), allowed ${min}..${max === Infinity ? 'unlimited' : max}`)
}

/**
 * Checks one column value as received. `diff` (update2 `modify`): sizes are not checked here
 * (see checkIncomingSize), and a scalar or optional column still carries its new value.
 */
export function checkIncomingValue(table: string, col: ColumnSchema, v: unknown, diff = false): void {
  const { key, value } = col.type
  if (col.kind === 'map') {
    if (!Array.isArray(v) || v.length !== 2 || v[0] !== 'map' || !Array.isArray(v[1])) bad(table, col.name, v, 'expected ["map", [[key, value], …]]')
    const pairs = v[1] as unknown[]
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length !== 2) bad(table, col.name, p, 'expected a [key, value] pair')
      checkAtom(table, col.name, key, p[0])
      checkAtom(table, col.name, value!, p[1])
    }
    if (!diff) checkCount(table, col, pairs.length, v)
    return
  }
  if (Array.isArray(v) && v[0] === 'set') {
    if (v.length !== 2 || !Array.isArray(v[1])) bad(table, col.name, v, 'expected ["set", […]]')
    const elems = v[1] as unknown[]
    for (const a of elems) checkAtom(table, col.name, key, a)
    if (!diff || col.kind !== 'set') checkCount(table, col, elems.length, v)
    return
  }
  checkAtom(table, col.name, key, v)
}

/** After applying an update2 difference: the column's size limits hold for the result. */
export function checkIncomingSize(table: string, col: ColumnSchema, v: PlainValue): void {
  if (col.kind === 'set') checkCount(table, col, (v as unknown[]).length, v)
  else if (col.kind === 'map') checkCount(table, col, v instanceof Map ? v.size : Object.keys(v as object).length, v)
}

/** Row updates are keyed by row UUID, and each is an object. */
export function checkIncomingRowKey(table: string, uuid: string, ru: unknown): void {
  if (!isUuidString(uuid)) throw new ProtocolError(`bad update from peer: ${table} row key ${JSON.stringify(uuid)} is not a UUID`)
  if (!ru || typeof ru !== 'object' || Array.isArray(ru)) throw new ProtocolError(`bad update from peer: ${table} row ${uuid} is not an object`)
}

export function checkIncomingObject(what: string, v: unknown): asserts v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ProtocolError(`bad update from peer: ${what} is not an object`)
}
