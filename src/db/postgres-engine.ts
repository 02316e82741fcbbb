import { DatabaseUnavailable, RetryRequest } from '../common/exceptions.js'
import type { Db, Param, PoolStats, Row, StatementHook, Tx } from './engine.js'
import { DEFAULT_TYPE_PARSERS, type PgConnection } from './pg/connection.js'
import { PgPool } from './pg/pool.js'
import { parsePgUrl } from './pg/url.js'

/** `?` → `$1, $2, …` (our SQL never has a literal `?`). Cached: the same SQL text recurs. */
const rewritten = new Map<string, string>()
function toPg(sql: string): string {
  let r = rewritten.get(sql)
  if (r === undefined) {
    let n = 0
    r = sql.replace(/\?/g, () => `$${++n}`)
    if (rewritten.size > 5000) rewritten.clear()
    rewritten.set(sql, r)
  }
  return r
}

/** int8 (20) and numeric (1700) as JS numbers: our ids and counts stay below 2^53. */
const TYPES = new Map(DEFAULT_TYPE_PARSERS)
TYPES.set(20, Number)
TYPES.set(1700, Number)

/** PostgreSQL error codes that mean "another transaction won; run the request again". */
const RETRY_CODES = new Set(['23505', '40001', '40P01'])

/**
 * The database went away: connection refused or reset, socket missing, server shutting down or
 * starting up (57P01–57P03), SQLSTATE class 08 (connection exception). Like oslo.db's
 * DBConnectionError, which Neutron's retry_db_errors re-runs.
 */
const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03'])

export function isConnectionLost(e: any): boolean {
  const code: string = e?.code ?? ''
  return GONE.has(code) || code.startsWith('08')
}

function wrapErr(e: any, committing = false): never {
  if (isConnectionLost(e)) {
    // Lost while its COMMIT was on the way: it may have been applied, so it is not re-run.
    if (committing) throw new DatabaseUnavailable(true)
    throw new RetryRequest(`database connection lost: ${e.code}: ${e.message}`, new DatabaseUnavailable())
  }
  if (RETRY_CODES.has(e?.code)) throw new RetryRequest(`${e.code}: ${e.message}`)
  // A table altered under a prepared statement (a schema upgrade by another server): the client
  // has dropped the statement, so running the request again prepares it afresh.
  if (e?.code === '0A000' && /cached plan must not change result type/.test(e?.message)) throw new RetryRequest(`${e.code}: ${e.message}`)
  throw e
}

export interface PostgresOptions {
  poolSize?: number
  /** Seconds after which a pooled connection is closed when it comes back (0: never). */
  recycleSeconds?: number
  onStatement?: StatementHook
}

/**
 * PostgreSQL through our own pipelining client (db/pg/): a transaction's BEGIN rides with its
 * first statement, statements issued together share one round trip, and `Tx.defer` writes ride
 * with the next awaited statement or the COMMIT (docs/architecture.md, "Round trips").
 */
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const
  readonly description: string
  readonly #pool: PgPool
  readonly #hook?: StatementHook

  constructor(url: string, opts: PostgresOptions = {}) {
    this.description = url.replace(/:[^:@/]*@/, ':***@')
    this.#hook = opts.onStatement
    this.#pool = new PgPool({ ...parsePgUrl(url, process.env), max: opts.poolSize ?? 10, maxLifetimeMs: (opts.recycleSeconds ?? 0) * 1000, types: TYPES })
  }

  async all<T = Row>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    this.#hook?.(sql, params)
    try {
      return (await this.#pool.query<T>(toPg(sql), params)).rows
    } catch (e) {
      // A read is safe to repeat: once, on a new connection (an idle one may have died unnoticed).
      if (!isConnectionLost(e)) wrapErr(e)
      try {
        return (await this.#pool.query<T>(toPg(sql), params)).rows
      } catch (again) {
        wrapErr(again)
      }
    }
  }
  async get<T = Row>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0]
  }
  async run(sql: string, params: readonly Param[] = []): Promise<{ changes: number }> {
    this.#hook?.(sql, params)
    try {
      return { changes: (await this.#pool.query(toPg(sql), params)).rowCount }
    } catch (e) {
      wrapErr(e)
    }
  }

  poolStats(): PoolStats {
    return { open: this.#pool.size, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount, max: this.#pool.max }
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let c: PgConnection
    try {
      c = await this.#pool.acquire()
    } catch (e) {
      wrapErr(e)
    }
    let broken = false
    const hook = this.#hook
    const q = async (sql: string, params: readonly Param[] = []) => {
      hook?.(sql, params)
      try {
        return await c.query(toPg(sql), params)
      } catch (e) {
        wrapErr(e)
      }
    }
    const tx: Tx = {
      dialect: 'postgres',
      all: async <R>(sql: string, params?: readonly Param[]) => (await q(sql, params)).rows as R[],
      get: async <R>(sql: string, params?: readonly Param[]) => (await q(sql, params)).rows[0] as R | undefined,
      run: async (sql: string, params?: readonly Param[]) => ({ changes: (await q(sql, params)).rowCount }),
      defer: (sql: string, params: readonly Param[] = []) => {
        hook?.(sql, params)
        c.defer(toPg(sql), params)
      },
    }
    c.takeUnreportedError() // a previous transaction's, if any: not this one's
    try {
      // Sent with the transaction's first statement, not on its own.
      c.defer('BEGIN')
      const result = await fn(tx)
      let r
      hook?.('COMMIT', [])
      try {
        r = await c.query('COMMIT')
      } catch (e) {
        wrapErr(e, true)
      }
      // COMMIT of a failed transaction answers ROLLBACK: a deferred write failed and nothing
      // awaited after it in its batch.
      if (r.command !== 'COMMIT') throw c.takeUnreportedError() ?? new Error(`transaction rolled back (COMMIT answered ${r.command})`)
      return result
    } catch (e) {
      if (c.closedWith) broken = true
      else await rollback(c).catch(() => (broken = true))
      wrapErr(e)
    } finally {
      this.#pool.release(c, broken)
    }
  }

  async exec(sql: string): Promise<void> {
    const c = await this.#pool.acquire()
    let broken = false
    try {
      await c.simpleQuery(sql)
    } catch (e) {
      broken = !!c.closedWith
      throw e
    } finally {
      this.#pool.release(c, broken)
    }
  }

  async close(): Promise<void> {
    await this.#pool.end()
  }
}

/** ROLLBACK, once whatever the transaction still had in flight has answered (none if it ended). */
async function rollback(c: PgConnection): Promise<void> {
  await c.flush().catch(() => {})
  if (c.transactionStatus === 'I') return
  await c.query('ROLLBACK')
  await c.flush()
}
