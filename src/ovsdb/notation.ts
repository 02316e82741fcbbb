/**
 * RFC 7047 §5.1 value notation: atoms, `["uuid", …]`, `["named-uuid", …]`, `["set", […]]`
 * (a one-element set may be the bare atom) and `["map", [[k, v], …]]`.
 *
 * These helpers work on wire values without a schema. Schema-aware conversion to plain
 * TypeScript values (sets → arrays, maps → records, uuid → string) lives in schema.ts.
 */

export type Uuid = ['uuid', string]
export type NamedUuid = ['named-uuid', string]
export type WireAtom = string | number | boolean | Uuid | NamedUuid
export type WireSet = ['set', WireAtom[]]
export type WireMap = ['map', [WireAtom, WireAtom][]]
export type WireValue = WireAtom | WireSet | WireMap
/** A row as sent on the wire: column name → wire value. */
export type WireRow = Record<string, WireValue>

export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
/** RFC 7047 §3.1 <id>: the syntax of a uuid-name. */
export const ID_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export function isUuidString(s: unknown): s is string {
  return typeof s === 'string' && s.length === 36 && UUID_RE.test(s)
}

export function uuid(s: string): Uuid {
  return ['uuid', s]
}
export function namedUuid(name: string): NamedUuid {
  return ['named-uuid', name]
}
export function set(atoms: WireAtom[]): WireSet {
  return ['set', atoms]
}
export function map(pairs: Iterable<[WireAtom, WireAtom]> | Record<string, WireAtom>): WireMap {
  if (Symbol.iterator in Object(pairs)) return ['map', [...(pairs as Iterable<[WireAtom, WireAtom]>)]]
  return ['map', Object.entries(pairs as Record<string, WireAtom>)]
}

export function isUuid(v: unknown): v is Uuid {
  return Array.isArray(v) && v.length === 2 && v[0] === 'uuid' && typeof v[1] === 'string'
}
export function isNamedUuid(v: unknown): v is NamedUuid {
  return Array.isArray(v) && v.length === 2 && v[0] === 'named-uuid' && typeof v[1] === 'string'
}
export function isSet(v: unknown): v is WireSet {
  return Array.isArray(v) && v.length === 2 && v[0] === 'set' && Array.isArray(v[1])
}
export function isMap(v: unknown): v is WireMap {
  return Array.isArray(v) && v.length === 2 && v[0] === 'map' && Array.isArray(v[1])
}

/** Elements of a set value, accepting the bare single-element form (§5.1). */
export function setElements(v: unknown): WireAtom[] {
  return isSet(v) ? v[1] : [v as WireAtom]
}

/** Plain form of an atom: uuid and named-uuid become their string. */
export function atomToPlain(a: WireAtom): string | number | boolean {
  return Array.isArray(a) ? a[1] : a
}

/** Order-insensitive equality of two wire values (sets and maps compare as collections). */
export function wireEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  const as = isSet(a) || !isMap(a) ? setElements(a) : undefined
  const bs = isSet(b) || !isMap(b) ? setElements(b) : undefined
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b) || a[1].length !== b[1].length) return false
    const m = new Map(a[1].map(([k, v]) => [atomKey(k), atomKey(v)]))
    return b[1].every(([k, v]) => m.get(atomKey(k)) === atomKey(v))
  }
  if (!as || !bs || as.length !== bs.length) return false
  const s = new Set(as.map(atomKey))
  return bs.every((x) => s.has(atomKey(x)))
}

/** A string key identifying an atom (for Set/Map membership). */
export function atomKey(a: WireAtom): string {
  return Array.isArray(a) ? `${a[0]}:${a[1]}` : `${typeof a}:${a}`
}
