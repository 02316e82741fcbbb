import { DatabaseUnavailable, RetryRequest } from '../common/exceptions.js'
import type { Db, StatementHook } from './engine.js'
import { isConnectionLost, PostgresDb } from './postgres-engine.js'
import { SqliteDb } from './sqlite-engine.js'

/**
 * Opens a database from an oslo.db-style URL:
 *   sqlite:///relative/or/absolute/path   sqlite:////abs/path   sqlite://  (in memory)
 *   postgresql://user:pass@host:port/db   postgresql+psycopg2://…  (the driver suffix is ignored)
 *   postgresql:///db?host=/run/postgresql (unix socket)
 */
export interface OpenDbOptions {
  poolSize?: number
  recycleSeconds?: number
  onStatement?: StatementHook
}

export function openDb(url: string, opts: OpenDbOptions = {}): Db {
  const m = /^([a-z0-9]+)(\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(url)
  if (!m) throw new Error(`invalid database connection URL '${url}'`)
  const scheme = m[1]!.toLowerCase()
  const rest = m[3]!
  if (scheme === 'sqlite') {
    if (rest === '' || rest === '/' || rest === '/:memory:') return new SqliteDb(':memory:', opts.onStatement)
    // sqlite:///foo → "foo" relative; sqlite:////abs → "/abs" (SQLAlchemy convention)
    if (!rest.startsWith('/')) throw new Error(`invalid sqlite URL '${url}': expected sqlite:///PATH`)
    return new SqliteDb(rest.slice(1), opts.onStatement)
  }
  if (scheme === 'postgresql' || scheme === 'postgres') {
    return new PostgresDb(`postgresql://${rest}`, opts)
  }
  throw new Error(`unsupported database '${scheme}' in '${url}' (use sqlite:/// or postgresql://)`)
}

/**
 * "The database server is not there (yet)", worth waiting for at start: the PostgreSQL engine
 * reports a lost connection as a retry whose final answer is a 503; an error that escaped it
 * unwrapped is judged by the engine's own list of codes.
 */
export function isUnreachable(e: unknown): boolean {
  if (e instanceof RetryRequest) return e.inner instanceof DatabaseUnavailable
  return isConnectionLost(e)
}

/** What to tell the operator about an unreachable database (the engine's reason, not "retry: …"). */
function describe(e: unknown): string {
  return e instanceof RetryRequest ? e.reason : (e as Error).message
}

/**
 * Runs `first` (the server's first use of the database) until the database answers, as oslo.db's
 * `[database] max_retries` / `retry_interval` do: a server started before its database waits for
 * it. Errors other than "not reachable" (wrong password, no such database) fail at once.
 */
export async function withStartupRetries<T>(
  first: () => Promise<T>,
  o: { maxRetries: number; intervalSeconds: number; onRetry: (why: string, attempt: number) => void; sleep?: (ms: number) => Promise<void> },
): Promise<T> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  for (let attempt = 1; ; attempt++) {
    try {
      return await first()
    } catch (e) {
      if (!isUnreachable(e)) throw e
      if (o.maxRetries >= 0 && attempt > o.maxRetries) throw new Error(`database not reachable after ${attempt} attempts: ${describe(e)}`)
      o.onRetry(describe(e), attempt)
      await sleep(o.intervalSeconds * 1000)
    }
  }
}
