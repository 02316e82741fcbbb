/**
 * Database figures for /metrics, hooked where the database layer already decides things rather
 * than inside it: the pool (read from the engine when scraped), transactions that lost a race
 * and are re-run by withRetries (db/retry.ts; counted as the RetryRequest leaves the
 * transaction), and the startup retries while the database is unreachable (db/connect.ts).
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import { RetryRequest } from '../../common/exceptions.js'
import type { Db, Tx } from '../../db/engine.js'

export interface DbMetrics {
  /** The same database, counting its transactions' retry requests. */
  readonly db: Db
  startupRetry(): void
}

export function instrumentDb(db: Db, registry: Registry): DbMetrics {
  const retries = new Counter({
    name: 'neutrino_db_retries_total',
    help: 'Transactions that failed with a retriable error (lost compare-and-swap, unique-key race, serialization failure, lost connection) and were handed back to be re-run.',
    registers: [registry],
  })
  const startup = new Counter({
    name: 'neutrino_db_startup_retries_total',
    help: 'Attempts to reach the database at startup that found it unreachable ([database] max_retries).',
    registers: [registry],
  })
  if (db.poolStats) {
    const stats = db.poolStats.bind(db)
    new Gauge({
      name: 'neutrino_db_pool_connections',
      help: 'Database connections by state: open (idle or lent), idle, and callers waiting for one.',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const s = stats()
        this.set({ state: 'open' }, s.open)
        this.set({ state: 'idle' }, s.idle)
        this.set({ state: 'waiting' }, s.waiting)
      },
    })
    new Gauge({ name: 'neutrino_db_pool_max_connections', help: 'Largest pool size ([database] max_pool_size).', registers: [registry], collect() { this.set(stats().max) } })
  }
  const counted: Db = {
    dialect: db.dialect,
    description: db.description,
    all: (sql, params) => db.all(sql, params),
    get: (sql, params) => db.get(sql, params),
    run: (sql, params) => db.run(sql, params),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    poolStats: db.poolStats?.bind(db),
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      try {
        return await db.transaction(fn)
      } catch (e) {
        if (e instanceof RetryRequest) retries.inc()
        throw e
      }
    },
  }
  return { db: counted, startupRetry: () => startup.inc() }
}
