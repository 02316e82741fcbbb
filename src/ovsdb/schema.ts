/**
 * Database schema (RFC 7047 §3.2) and schema-aware conversion between wire values and plain
 * TypeScript values:
 *
 * | column type                     | plain value                                   |
 * |---------------------------------|-----------------------------------------------|
 * | min 1, max 1, no value          | the atom (uuid → its string)                   |
 * | min 0, max 1, no value          | the atom or null                               |
 * | max > 1, no value               | array of atoms                                 |
 * | with value, string keys         | Record<string, atom>                           |
 * | with value, other keys          | Map<atom, atom>                                |
 *
 * In uuid columns a plain string that is not a UUID is taken as a named-uuid (libovsdb's rule),
 * which is how an insert refers to another row inserted by the same transaction.
 */
import { ValidationError } from './errors.js'
import { ID_RE, isMap, isUuidString, setElements, type WireAtom, type WireRow, type WireValue } from './notation.js'

export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid'
export type PlainAtom = string | number | boolean
export type PlainValue = PlainAtom | null | PlainAtom[] | Record<string, PlainAtom> | Map<PlainAtom, PlainAtom>
export type PlainRow = Record<string, unknown>

export interface BaseType {
  type: AtomicType
  enum?: PlainAtom[]
  minInteger?: number
  maxInteger?: number
  minReal?: number
  maxReal?: number
  minLength?: number
  maxLength?: number
  refTable?: string
  refType?: 'strong' | 'weak'
}
export type ColumnKind = 'scalar' | 'optional' | 'set' | 'map'
export interface ColumnType {
  key: BaseType
  value?: BaseType
  min: number
  /** Infinity for "unlimited". */
  max: number
}
export interface ColumnSchema {
  name: string
  type: ColumnType
  kind: ColumnKind
  ephemeral: boolean
  mutable: boolean
}
export interface TableSchema {
  name: string
  columns: Record<string, ColumnSchema>
  maxRows?: number
  isRoot: boolean
  indexes: string[][]
}
export interface DatabaseSchema {
  name: string
  version: string
  cksum?: string
  tables: Record<string, TableSchema>
  /** The schema JSON as received (needed to answer get_schema in the test server). */
  json: unknown
}

const ATOMIC = new Set(['integer', 'real', 'boolean', 'string', 'uuid'])
const UUID_COL: ColumnSchema = { name: '_uuid', type: { key: { type: 'uuid' }, min: 1, max: 1 }, kind: 'scalar', ephemeral: false, mutable: false }
const VERSION_COL: ColumnSchema = { ...UUID_COL, name: '_version' }

function parseBase(t: unknown, where: string): BaseType {
  if (typeof t === 'string') {
    if (!ATOMIC.has(t)) throw new Error(`${where}: unknown atomic type ${t}`)
    return { type: t as AtomicType }
  }
  if (!t || typeof t !== 'object') throw new Error(`${where}: bad base type`)
  const o = t as Record<string, unknown>
  if (!ATOMIC.has(o.type as string)) throw new Error(`${where}: unknown atomic type ${String(o.type)}`)
  const b: BaseType = { type: o.type as AtomicType }
  if (o.enum !== undefined) b.enum = setElements(o.enum).map((a) => (Array.isArray(a) ? a[1] : a))
  for (const k of ['minInteger', 'maxInteger', 'minReal', 'maxReal', 'minLength', 'maxLength'] as const) {
    if (typeof o[k] === 'number') b[k] = o[k] as number
  }
  if (typeof o.refTable === 'string') {
    b.refTable = o.refTable
    b.refType = o.refType === 'weak' ? 'weak' : 'strong'
  }
  return b
}

export function parseColumnType(t: unknown, where = 'column'): ColumnType {
  if (typeof t === 'string') return { key: parseBase(t, where), min: 1, max: 1 }
  const o = t as Record<string, unknown>
  if (!o || typeof o !== 'object' || o.key === undefined) throw new Error(`${where}: bad column type`)
  const ct: ColumnType = {
    key: parseBase(o.key, where),
    min: o.min === undefined ? 1 : Number(o.min),
    max: o.max === undefined ? 1 : o.max === 'unlimited' ? Infinity : Number(o.max),
  }
  if (o.value !== undefined) ct.value = parseBase(o.value, where)
  return ct
}

export function columnKind(t: ColumnType): ColumnKind {
  if (t.value) return 'map'
  if (t.max === 1) return t.min === 1 ? 'scalar' : 'optional'
  return 'set'
}

/** Parses a get_schema result (RFC 7047 §3.2). */
export function parseSchema(json: unknown): DatabaseSchema {
  const o = json as { name?: unknown; version?: unknown; cksum?: unknown; tables?: Record<string, Record<string, unknown>> }
  if (!o || typeof o.name !== 'string' || !o.tables) throw new Error('bad schema: missing name or tables')
  const tables: Record<string, TableSchema> = {}
  for (const [tname, t] of Object.entries(o.tables)) {
    const columns: Record<string, ColumnSchema> = { _uuid: UUID_COL, _version: VERSION_COL }
    for (const [cname, c] of Object.entries((t.columns ?? {}) as Record<string, Record<string, unknown>>)) {
      const type = parseColumnType(c.type, `${tname}.${cname}`)
      columns[cname] = { name: cname, type, kind: columnKind(type), ephemeral: c.ephemeral === true, mutable: c.mutable !== false }
    }
    tables[tname] = {
      name: tname,
      columns,
      isRoot: t.isRoot === true,
      indexes: Array.isArray(t.indexes) ? (t.indexes as string[][]) : [],
      ...(typeof t.maxRows === 'number' ? { maxRows: t.maxRows } : {}),
    }
  }
  return { name: o.name, version: String(o.version ?? ''), ...(typeof o.cksum === 'string' ? { cksum: o.cksum } : {}), tables, json }
}

export function getTable(schema: DatabaseSchema, table: string): TableSchema {
  const t = schema.tables[table]
  if (!t) throw new ValidationError(table, undefined, `no table ${table} in database ${schema.name}`)
  return t
}

export function getColumn(schema: DatabaseSchema, table: string, column: string): ColumnSchema {
  const c = getTable(schema, table).columns[column]
  if (!c) throw new ValidationError(table, column, `no column ${column} in table ${table}`)
  return c
}

// ---- wire → plain ----------------------------------------------------------------------

export function atomFromWire(a: WireAtom): PlainAtom {
  return Array.isArray(a) ? a[1] : a
}

/** Converts a column's wire value to its plain form (see the table at the top). */
export function valueFromWire(col: ColumnSchema, v: WireValue): PlainValue {
  switch (col.kind) {
    case 'scalar':
      return atomFromWire(v as WireAtom)
    case 'optional': {
      const e = setElements(v)
      return e.length === 0 ? null : atomFromWire(e[0]!)
    }
    case 'set':
      return setElements(v).map(atomFromWire)
    case 'map': {
      const pairs = isMap(v) ? v[1] : []
      if (col.type.key.type === 'string') {
        const r: Record<string, PlainAtom> = {}
        for (const [k, val] of pairs) r[k as string] = atomFromWire(val)
        return r
      }
      return new Map(pairs.map(([k, val]) => [atomFromWire(k), atomFromWire(val)]))
    }
  }
}

/** Converts every column of a wire row (unknown columns are kept as received). */
export function rowFromWire(table: TableSchema, wire: Record<string, unknown>, into: PlainRow = {}): PlainRow {
  for (const name in wire) {
    const col = table.columns[name]
    into[name] = col ? valueFromWire(col, wire[name] as WireValue) : wire[name]
  }
  return into
}

/** The plain value of a column that is absent from a row (its default, RFC 7047 §5.2.1). */
export function defaultValue(col: ColumnSchema): PlainValue {
  switch (col.kind) {
    case 'scalar': {
      const t = col.type.key.type
      if (t === 'uuid') return '00000000-0000-0000-0000-000000000000'
      if (col.type.key.enum?.length) return col.type.key.enum[0]!
      return t === 'string' ? '' : t === 'boolean' ? false : 0
    }
    case 'optional':
      return null
    case 'set':
      return []
    case 'map':
      return col.type.key.type === 'string' ? {} : new Map()
  }
}

// ---- plain → wire ----------------------------------------------------------------------

export function atomToWire(base: BaseType, a: unknown): WireAtom {
  if (base.type === 'uuid') {
    if (Array.isArray(a)) return a as WireAtom // already ['uuid'|'named-uuid', s]
    return isUuidString(a) ? ['uuid', a as string] : ['named-uuid', a as string]
  }
  return a as WireAtom
}

function mapEntries(v: unknown): [unknown, unknown][] {
  if (v instanceof Map) return [...v.entries()]
  if (Array.isArray(v)) return v as [unknown, unknown][]
  return Object.entries(v as Record<string, unknown>)
}

/** Converts a plain column value to wire notation. Accepts wire values unchanged. */
export function valueToWire(col: ColumnSchema, v: unknown): WireValue {
  const { key, value } = col.type
  if (Array.isArray(v) && (v[0] === 'set' || v[0] === 'map') && v.length === 2 && Array.isArray(v[1])) return v as WireValue
  switch (col.kind) {
    case 'scalar':
      return atomToWire(key, v)
    case 'optional':
      return v === null || v === undefined ? ['set', []] : Array.isArray(v) && v[0] !== 'uuid' && v[0] !== 'named-uuid' ? ['set', v.map((a) => atomToWire(key, a))] : atomToWire(key, v)
    case 'set': {
      const arr = v === null || v === undefined ? [] : v instanceof Set ? [...v] : Array.isArray(v) && v[0] !== 'uuid' && v[0] !== 'named-uuid' ? v : [v]
      return ['set', arr.map((a) => atomToWire(key, a))]
    }
    case 'map':
      return ['map', v == null ? [] : mapEntries(v).map(([k, val]) => [atomToWire(key, k), atomToWire(value!, val)])]
  }
}

export function rowToWire(table: TableSchema, row: PlainRow): WireRow {
  const out: WireRow = {}
  for (const name in row) {
    if (row[name] === undefined) continue
    const col = table.columns[name]
    if (!col) throw new ValidationError(table.name, name, `no column ${name} in table ${table.name}`)
    out[name] = valueToWire(col, row[name])
  }
  return out
}

// ---- validation (before anything is sent) ----------------------------------------------

function checkAtom(table: string, col: string, base: BaseType, a: unknown, what: string): void {
  const fail = (m: string): never => {
    throw new ValidationError(table, col, `${what} ${JSON.stringify(a)}: ${m}`)
  }
  let atom = a
  switch (base.type) {
    case 'integer':
      if (typeof a !== 'number' || !Number.isInteger(a)) fail('expected an integer')
      break
    case 'real':
      if (typeof a !== 'number' || !Number.isFinite(a)) fail('expected a real number')
      break
    case 'boolean':
      if (typeof a !== 'boolean') fail('expected a boolean')
      break
    case 'string':
      if (typeof a !== 'string') fail('expected a string')
      break
    case 'uuid': {
      if (Array.isArray(a) && (a[0] === 'uuid' || a[0] === 'named-uuid')) atom = a[1]
      if (typeof atom !== 'string') fail(`expected a uuid${base.refTable ? ` (reference to ${base.refTable})` : ''}`)
      if (!isUuidString(atom) && !ID_RE.test(atom as string)) fail('neither a UUID nor a valid uuid-name')
      break
    }
  }
  if (base.enum && !base.enum.includes(atom as PlainAtom)) fail(`not one of ${base.enum.map((e) => JSON.stringify(e)).join(', ')}`)
  if (typeof atom === 'number') {
    const lo = base.type === 'integer' ? base.minInteger : base.minReal
    const hi = base.type === 'integer' ? base.maxInteger : base.maxReal
    if (lo !== undefined && atom < lo) fail(`less than the minimum ${lo}`)
    if (hi !== undefined && atom > hi) fail(`greater than the maximum ${hi}`)
  }
  if (typeof atom === 'string' && base.type === 'string' && (base.minLength !== undefined || base.maxLength !== undefined)) {
    const n = [...atom].length
    if (base.minLength !== undefined && n < base.minLength) fail(`shorter than ${base.minLength} characters`)
    if (base.maxLength !== undefined && n > base.maxLength) fail(`longer than ${base.maxLength} characters`)
  }
}

/** Throws ValidationError when a plain (or wire) value does not fit the column type. */
export function validateValue(table: string, col: ColumnSchema, v: unknown): void {
  const wire = valueToWire(col, v)
  const t = col.type
  if (col.kind === 'map') {
    const pairs = (wire as ['map', [WireAtom, WireAtom][]])[1]
    if (pairs.length < t.min || pairs.length > t.max) throw new ValidationError(table, col.name, `map has ${pairs.length} pairs, allowed ${t.min}..${t.max}`)
    const seen = new Set<unknown>()
    for (const [k, val] of pairs) {
      checkAtom(table, col.name, t.key, k, 'key')
      checkAtom(table, col.name, t.value!, val, 'value')
      const kk = Array.isArray(k) ? k[1] : k
      if (seen.has(kk)) throw new ValidationError(table, col.name, `duplicate map key ${JSON.stringify(kk)}`)
      seen.add(kk)
    }
    return
  }
  const elems = setElements(wire)
  if (elems.length < t.min || elems.length > t.max) {
    throw new ValidationError(table, col.name, `${elems.length} value(s) given, allowed ${t.min}..${t.max === Infinity ? 'unlimited' : t.max}`)
  }
  for (const e of elems) checkAtom(table, col.name, t.key, e, 'value')
}

/**
 * Validates a row against the schema before it is sent: unknown or read-only columns, types,
 * enums, ranges, lengths, set sizes, and that references are uuids or uuid-names. `update`
 * additionally rejects immutable columns (RFC 7047 §5.2.3: "constraint violation").
 */
export function validateRow(schema: DatabaseSchema, table: string, row: PlainRow, mode: 'insert' | 'update' = 'insert'): void {
  const ts = getTable(schema, table)
  for (const name in row) {
    if (row[name] === undefined) continue
    if (name === '_uuid' || name === '_version') throw new ValidationError(table, name, 'read-only column')
    const col = ts.columns[name]
    if (!col) throw new ValidationError(table, name, `no column ${name} in table ${table}`)
    if (mode === 'update' && !col.mutable) throw new ValidationError(table, name, 'column is immutable')
    validateValue(table, col, row[name])
  }
}
