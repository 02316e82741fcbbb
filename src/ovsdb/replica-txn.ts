/**
 * Transaction builder used inside `Replica.transact()`: plain values in, validated wire
 * operations out. Rows are checked against the schema before anything is sent.
 *
 * `verify(table, uuid, columns)` records the values the caller read from the replica as a
 * `wait` (until "==", timeout 0) prerequisite, as the OVS IDL's ovsdb_idl_txn_verify() does; if
 * another client changed them first, the wait fails with "timed out" and the replica re-runs
 * the builder (TRY_AGAIN).
 */
import { ValidationError } from './errors.js'
import { op, where, type Mutator, type Operation } from './operations.js'
import type { Replica, Row } from './replica.js'
import { getColumn, getTable, rowToWire, validateRow, validateValue, valueToWire, type ColumnSchema, type PlainRow } from './schema.js'
import type { WireValue } from './notation.js'

export class ReplicaTxn {
  readonly replica: Replica<Record<string, Row>>
  readonly operations: Operation[] = []
  #verifyOps = new Set<number>()
  #inserts: [number, string, string][] = []
  #nameSeq = 0

  constructor(replica: Replica<any>) {
    this.replica = replica
  }

  /**
   * Inserts a row; returns its uuid-name, usable as a reference in other rows of the same
   * transaction (plain strings in uuid columns that are not UUIDs are named-uuids).
   */
  insert(table: string, row: PlainRow, uuidName?: string): string {
    const schema = this.replica.schema
    validateRow(schema, table, row, 'insert')
    const name = uuidName ?? `row${++this.#nameSeq}_${table.replace(/[^A-Za-z0-9_]/g, '_')}`
    this.#inserts.push([this.operations.length, name, table])
    this.operations.push(op.insert(table, rowToWire(getTable(schema, table), row), name))
    return name
  }

  /** Sets columns of one row. */
  update(table: string, uuid: string, row: PlainRow): void {
    const schema = this.replica.schema
    validateRow(schema, table, row, 'update')
    this.operations.push(op.update(table, [where.uuid(uuid)], rowToWire(getTable(schema, table), row)))
  }

  delete(table: string, uuid: string): void {
    getTable(this.replica.schema, table)
    this.operations.push(op.delete(table, [where.uuid(uuid)]))
  }

  /**
   * Mutates one row (RFC 7047 §5.2.4). For sets, `insert`/`delete` take an array of elements; for
   * maps, `insert` takes a record/Map and `delete` a record/Map (pairs) or an array of keys.
   */
  mutate(table: string, uuid: string, mutations: [column: string, mutator: Mutator, value: unknown][]): void {
    const schema = this.replica.schema
    const wire = mutations.map(([c, m, v]): [string, Mutator, WireValue] => {
      const col = getColumn(schema, table, c)
      if (!col.mutable) throw new ValidationError(table, c, 'column is immutable')
      return [c, m, mutationValue(table, col, m, v)]
    })
    this.operations.push(op.mutate(table, [where.uuid(uuid)], wire))
  }

  /** Adds elements to a set column (idempotent on the server side). */
  addToSet(table: string, uuid: string, column: string, values: unknown[]): void {
    this.mutate(table, uuid, [[column, 'insert', values]])
  }
  removeFromSet(table: string, uuid: string, column: string, values: unknown[]): void {
    this.mutate(table, uuid, [[column, 'delete', values]])
  }
  /** Sets keys of a map column, leaving other keys alone (delete then insert, as ovs-vsctl). */
  setMapKeys(table: string, uuid: string, column: string, entries: Record<string, unknown> | Map<unknown, unknown>): void {
    const keys = entries instanceof Map ? [...entries.keys()] : Object.keys(entries)
    if (keys.length === 0) return
    this.mutate(table, uuid, [
      [column, 'delete', keys],
      [column, 'insert', entries],
    ])
  }
  removeMapKeys(table: string, uuid: string, column: string, keys: unknown[]): void {
    this.mutate(table, uuid, [[column, 'delete', keys]])
  }

  /** Prerequisite: the columns still hold the values the replica has now. */
  verify(table: string, uuid: string, columns: string[]): void {
    const row = this.replica.get(table, uuid)
    if (!row) throw new ValidationError(table, undefined, `cannot verify ${uuid}: not in the replica`)
    const wireRow: Record<string, WireValue> = {}
    for (const c of columns) wireRow[c] = valueToWire(getColumn(this.replica.schema, table, c), row[c])
    this.#verifyOps.add(this.operations.length)
    this.operations.push(op.wait(table, [where.uuid(uuid)], columns, [wireRow], '==', 0))
  }

  comment(text: string): void {
    this.operations.push(op.comment(text))
  }
  /** Fails the transaction with "not owner" unless we hold the lock (RFC 7047 §5.2.10). */
  assertLock(lockId: string): void {
    this.operations.push(op.assert(lockId))
  }
  /** Adds a raw, already-wire operation. */
  raw(operation: Operation): void {
    this.operations.push(operation)
  }

  isVerify(opIndex: number): boolean {
    return this.#verifyOps.has(opIndex)
  }
  /** [operation index, uuid-name] of every insert. */
  insertNames(): [number, string][] {
    return this.#inserts.map(([i, n]) => [i, n])
  }
  /** [uuid-name, table] of every insert. */
  insertTables(): [string, string][] {
    return this.#inserts.map(([, n, t]) => [n, t])
  }
}

function mutationValue(table: string, col: ColumnSchema, m: Mutator, v: unknown): WireValue {
  const t = col.type
  if (m === 'insert' || m === 'delete') {
    if (col.kind === 'map') {
      const isKeys = m === 'delete' && Array.isArray(v)
      const c: ColumnSchema = isKeys
        ? { ...col, kind: 'set', type: { key: t.key, min: 0, max: Infinity } }
        : { ...col, type: { ...t, min: 0, max: Infinity } }
      validateValue(table, c, v)
      return valueToWire(c, v)
    }
    if (col.kind === 'scalar') throw new ValidationError(table, col.name, `mutator ${m} needs a set or map column`)
    const c: ColumnSchema = { ...col, kind: 'set', type: { key: t.key, min: 0, max: Infinity } }
    validateValue(table, c, v)
    return valueToWire(c, v)
  }
  if (t.key.type !== 'integer' && t.key.type !== 'real') throw new ValidationError(table, col.name, `mutator ${m} needs a numeric column`)
  const c: ColumnSchema = { ...col, kind: 'scalar', type: { key: { type: t.key.type }, min: 1, max: 1 } }
  validateValue(table, c, v)
  return valueToWire(c, v)
}
