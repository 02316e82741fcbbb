/**
 * The database seam: one small interface, two engines (SQLite through better-sqlite3, PostgreSQL
 * through pg). SQL is written once with `?` placeholders in the subset both engines share;
 * the PostgreSQL engine rewrites placeholders to `$n`. Booleans are passed as JS booleans and
 * read back with `!!` (SQLite stores 0/1).
 */
export type Dialect = 'sqlite' | 'postgres'
export type Param = string | number | boolean | null | bigint
export type Row = Record<string, any>

export interface Queryable {
  all<T = Row>(sql: string, params?: readonly Param[]): Promise<T[]>
  get<T = Row>(sql: string, params?: readonly Param[]): Promise<T | undefined>
  run(sql: string, params?: readonly Param[]): Promise<{ changes: number }>
}

/** A transaction handle. Everything written through it commits or rolls back together. */
export interface Tx extends Queryable {
  readonly dialect: Dialect
  /**
   * A write whose result is not needed. PostgreSQL sends it with the next statement that is
   * awaited, or with the COMMIT (one round trip for several); SQLite runs it at once. Should it
   * fail, that later statement (or the commit) fails with its error, and the transaction rolls
   * back as for any other failure. Not for writes whose failure the caller handles itself.
   */
  defer(sql: string, params?: readonly Param[]): void
}

export interface Db extends Queryable {
  readonly dialect: Dialect
  /** A human-readable target, password hidden (for logs). */
  readonly description: string
  /**
   * Runs fn inside one transaction. A thrown error rolls back and is re-thrown.
   * Unique-key and serialization conflicts surface as RetryRequest (common/exceptions.ts),
   * which callers retry with `withRetries` (db/retry.ts).
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /** Runs several statements (DDL) as given, no placeholders. */
  exec(sql: string): Promise<void>
  close(): Promise<void>
  /** Connection pool figures for /metrics (engines with a pool: PostgreSQL). */
  poolStats?(): PoolStats
}

export interface PoolStats {
  /** Connections open (idle or lent). */
  open: number
  idle: number
  /** Callers waiting for a connection. */
  waiting: number
  max: number
}

/** Called with every statement an engine runs (`[database] connection_debug`). */
export type StatementHook = (sql: string, params: readonly Param[]) => void

/** Builds `(?, ?, ?)` for n values. */
export function placeholders(n: number): string {
  return '(' + new Array(n).fill('?').join(', ') + ')'
}
