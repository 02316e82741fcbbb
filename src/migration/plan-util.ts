/**
 * What the planners of src/migration share: the shape of a planned table, value normalisation
 * across the three source engines, and the checks context each planner reports problems through.
 */
import type { Param, Row } from '../db/engine.js'

/**
 * How a table is written. `insert`: plain rows, a key collision fails the migration. `allocate`:
 * the row may already exist in the target as a free pool entry; it is then marked allocated, but a
 * row already allocated there is a conflict. `merge`: rows already there are kept (endpoints).
 */
export type WriteMode = 'insert' | 'allocate' | 'merge'

export interface TablePlan {
  table: string
  columns: readonly string[]
  /** Primary key columns (for allocate/merge conflict handling). */
  key: readonly string[]
  mode: WriteMode
  rows: Param[][]
}

/** What a planner of an extension's tables gets from the core planner (plan.ts). */
export interface PlanChecks {
  /** Records a consistency problem: the migration is refused, listing them all. */
  bad(message: string): void
  warn(message: string): void
  /**
   * True when the port is migrated. A port that was itself refused counts its dependents (one
   * cause, one message); a port that does not exist is a problem of `table`.
   */
  needPort(table: string, portId: unknown, what: string): boolean
  networks: ReadonlyMap<string, Row>
  ports: ReadonlyMap<string, Row>
  /** Standard attributes of a migrated resource: description '', revision_number 0, created/updated now. */
  readonly now: string
}

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))
export const bool = (v: unknown, dflt: boolean): boolean =>
  v === null || v === undefined ? dflt : v === true || v === 1 || v === '1' || v === 't' || v === 'true' || (typeof v === 'bigint' && v !== 0n)
export const int = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v))

/** True when every column is set; otherwise one problem naming the NULL columns. */
export function nonNull(table: string, r: Row, cols: readonly string[], bad: (m: string) => void, key: unknown = r.id): boolean {
  const missing = cols.filter((c) => r[c] === null || r[c] === undefined)
  if (missing.length) bad(`${table}: row ${key ?? ''} has NULL ${missing.join(', ')}`)
  return missing.length === 0
}

/** Rows keyed by their `id`; a missing or repeated id is a problem. */
export function byId(table: string, rows: readonly Row[], bad: (m: string) => void): Map<string, Row> {
  const out = new Map<string, Row>()
  for (const r of rows) {
    const id = str(r.id)
    if (!id) bad(`${table}: a row has no id`)
    else if (out.has(id)) bad(`${table}: duplicate id ${id}`)
    else out.set(id, r)
  }
  return out
}

export function list(ids: string[]): string {
  return ids.slice(0, 5).join(', ') + (ids.length > 5 ? `, … (${ids.length - 5} more)` : '')
}
