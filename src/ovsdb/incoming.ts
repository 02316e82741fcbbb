/**
 * Checks what a peer sends us in monitor replies and `update`/`update2`/`update3` notifications
 * against the schema before the replica takes it (RFC 7047 §4.1.6, ovsdb-server(1) "update2").
 * A peer is whatever dialed our listener, so its rows are input like any other: a malformed
 * value is a ProtocolError on that connection (the replica drops it and resyncs on the next
 * one), never a crash and never a half-applied batch.
 *
 * Two steps per value: the wire shape (atom / ["uuid", UUID] / ["set", […]] / ["map", [[k,v]…]]),
 * then, on the plain value, the column type (atomic type, enum, range, length, set/map size) via
 * validateValue. References must be real UUIDs: a peer never sends uuid-names.
 */
import { ProtocolError, ValidationError } from './errors.js'
import { isUuidString } from './notation.js'
import { validateValue, type BaseType, type ColumnSchema, type PlainValue } from './schema.js'

function badShape(table: string, col: string, v: unknown, what: string): never {
  throw new ProtocolError(`bad value from peer for ${table}.${col}: ${what}: ${JSON.stringify(v)?.slice(0, 100)}`)
}

function checkAtom(table: string, col: string, base: BaseType, a: unknown): void {
  if (base.type === 'uuid') {
    if (!Array.isArray(a) || a.length !== 2 || a[0] !== 'uuid' || !isUuidString(a[1])) badShape(table, col, a, 'expected ["uuid", <UUID>]')
    return
  }
  if (typeof a !== 'string' && typeof a !== 'number' && typeof a !== 'boolean') badShape(table, col, a, 'expected an atom')
}

/**
 * Checks the wire shape of one column value (also used for the columns of an update2 `modify`,
 * whose set/map sizes are differences: sizes are checked on the result, checkIncomingPlain).
 */
export function checkIncomingWire(table: string, col: ColumnSchema, v: unknown): void {
  const { key, value } = col.type
  if (col.kind === 'map') {
    if (!Array.isArray(v) || v[0] !== 'map' || v.length !== 2 || !Array.isArray(v[1])) badShape(table, col.name, v, 'expected ["map", [[key, value], …]]')
    for (const p of (v as [string, unknown[]])[1]) {
      if (!Array.isArray(p) || p.length !== 2) badShape(table, col.name, p, 'expected a [key, value] pair')
      checkAtom(table, col.name, key, p[0])
      checkAtom(table, col.name, value!, p[1])
    }
    return
  }
  if (Array.isArray(v) && v[0] === 'set') {
    if (col.kind === 'scalar') badShape(table, col.name, v, 'expected exactly one value')
    if (v.length !== 2 || !Array.isArray(v[1])) badShape(table, col.name, v, 'expected ["set", […]]')
    for (const a of v[1] as unknown[]) checkAtom(table, col.name, key, a)
    return
  }
  checkAtom(table, col.name, key, v)
}

/** Checks a converted (plain) column value against the column type. */
export function checkIncomingPlain(table: string, col: ColumnSchema, v: PlainValue): void {
  try {
    validateValue(table, col, v)
  } catch (e) {
    if (e instanceof ValidationError) throw new ProtocolError(`bad value from peer for ${e.message}`)
    throw e
  }
}

/** Row updates are keyed by row UUID, and each is an object. */
export function checkIncomingRowKey(table: string, uuid: string, ru: unknown): void {
  if (!isUuidString(uuid)) throw new ProtocolError(`bad update from peer: ${table} row key ${JSON.stringify(uuid)} is not a UUID`)
  if (!ru || typeof ru !== 'object' || Array.isArray(ru)) throw new ProtocolError(`bad update from peer: ${table} row ${uuid} is not an object`)
}

export function checkIncomingObject(what: string, v: unknown): asserts v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ProtocolError(`bad update from peer: ${what} is not an object`)
}
