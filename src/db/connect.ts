import type { Db } from './engine.js'
import { PostgresDb } from './postgres-engine.js'
import { SqliteDb } from './sqlite-engine.js'

/**
 * Opens a database from an oslo.db-style URL:
 *   sqlite:///relative/or/absolute/path   sqlite:////abs/path   sqlite://  (in memory)
 *   postgresql://user:pass@host:port/db   postgresql+psycopg2://…  (the driver suffix is ignored)
 *   postgresql:///db?host=/run/postgresql (unix socket)
 */
export function openDb(url: string, opts: { poolSize?: number; recycleSeconds?: number } = {}): Db {
  const m = /^([a-z0-9]+)(\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(url)
  if (!m) throw new Error(`invalid database connection URL '${url}'`)
  const scheme = m[1]!.toLowerCase()
  const rest = m[3]!
  if (scheme === 'sqlite') {
    if (rest === '' || rest === '/' || rest === '/:memory:') return new SqliteDb(':memory:')
    // sqlite:///foo → "foo" relative; sqlite:////abs → "/abs" (SQLAlchemy convention)
    if (!rest.startsWith('/')) throw new Error(`invalid sqlite URL '${url}': expected sqlite:///PATH`)
    return new SqliteDb(rest.slice(1))
  }
  if (scheme === 'postgresql' || scheme === 'postgres') {
    return new PostgresDb(`postgresql://${rest}`, opts)
  }
  throw new Error(`unsupported database '${scheme}' in '${url}' (use sqlite:/// or postgresql://)`)
}
