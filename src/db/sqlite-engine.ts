import Database from 'better-sqlite3'
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { RetryRequest } from '../common/exceptions.js'
import type { Db, Param, Row, StatementHook, Tx } from './engine.js'
import { Mutex } from './mutex.js'
import { SqliteCheckpointer } from './sqlite-checkpointer.js'

/**
 * SQLite engine. better-sqlite3 is synchronous, so:
 * - writes go through one connection, serialised by an in-process mutex and `BEGIN IMMEDIATE`
 *   (which also serialises against other processes sharing the file, with busy_timeout);
 * - reads outside a transaction use a second connection, so they never see a transaction that
 *   is still open on the writer (WAL gives them the last committed snapshot).
 */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const
  readonly description: string
  #writer: SqliteDatabase
  #reader: SqliteDatabase
  #mutex = new Mutex()
  #wcache = new Map<string, Statement>()
  #rcache = new Map<string, Statement>()
  #checkpointer: SqliteCheckpointer | undefined

  constructor(
    readonly path: string,
    private readonly onStatement?: StatementHook,
  ) {
    this.description = `sqlite:///${path}`
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.#writer = open(path)
    // An in-memory database is private to its connection: read through the writer then.
    this.#reader = path === ':memory:' ? this.#writer : open(path)
    if (path !== ':memory:') this.#checkpointer = this.#startCheckpointer()
  }

  /**
   * WAL checkpoints move to a worker thread (db/sqlite-checkpointer.ts says why). Should the
   * worker fail, the writer goes back to SQLite's automatic checkpoints.
   */
  #startCheckpointer(): SqliteCheckpointer | undefined {
    this.#writer.pragma('wal_autocheckpoint = 0')
    const fallback = () => {
      if (this.#writer.open) this.#writer.pragma('wal_autocheckpoint = 1000')
    }
    try {
      return new SqliteCheckpointer(this.path, CHECKPOINT_INTERVAL_MS, fallback)
    } catch {
      fallback()
      return undefined
    }
  }

  all<T = Row>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    this.onStatement?.(sql, params)
    return Promise.resolve(stmt(this.#reader, this.#rcache, sql).all(...conv(params)) as T[])
  }
  get<T = Row>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    this.onStatement?.(sql, params)
    return Promise.resolve(stmt(this.#reader, this.#rcache, sql).get(...conv(params)) as T | undefined)
  }
  run(sql: string, params: readonly Param[] = []): Promise<{ changes: number }> {
    return this.transaction((tx) => tx.run(sql, params))
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const release = await this.#mutex.lock()
    const w = this.#writer
    const cache = this.#wcache
    let open = true
    const hook = this.onStatement
    const guard = (sql: string, params: readonly Param[]) => {
      if (!open) throw new Error('transaction already finished')
      hook?.(sql, params)
    }
    const tx: Tx = {
      dialect: 'sqlite',
      all: async <R>(sql: string, params: readonly Param[] = []) => {
        guard(sql, params)
        return wrap(() => stmt(w, cache, sql).all(...conv(params)) as R[])
      },
      get: async <R>(sql: string, params: readonly Param[] = []) => {
        guard(sql, params)
        return wrap(() => stmt(w, cache, sql).get(...conv(params)) as R | undefined)
      },
      run: async (sql: string, params: readonly Param[] = []) => {
        guard(sql, params)
        return wrap(() => ({ changes: stmt(w, cache, sql).run(...conv(params)).changes }))
      },
      defer: (sql: string, params: readonly Param[] = []) => {
        guard(sql, params)
        wrap(() => stmt(w, cache, sql).run(...conv(params)))
      },
    }
    try {
      wrap(() => stmt(w, cache, 'BEGIN IMMEDIATE').run())
      let result: T
      try {
        result = await fn(tx)
      } catch (e) {
        open = false
        if (w.inTransaction) w.prepare('ROLLBACK').run()
        throw e
      }
      open = false
      wrap(() => stmt(w, cache, 'COMMIT').run())
      return result
    } finally {
      release()
    }
  }

  async exec(sql: string): Promise<void> {
    const release = await this.#mutex.lock()
    try {
      this.#writer.exec(sql)
    } finally {
      release()
    }
  }

  async close(): Promise<void> {
    const release = await this.#mutex.lock()
    try {
      const c = this.#checkpointer
      this.#checkpointer = undefined
      await c?.close()
      if (this.#reader !== this.#writer) this.#reader.close()
      this.#writer.close()
    } finally {
      release()
    }
  }
}

/** How often the worker checkpoints: the WAL then holds at most a fraction of a second of writes. */
const CHECKPOINT_INTERVAL_MS = 200

function open(path: string): SqliteDatabase {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 10000')
  return db
}

function stmt(db: SqliteDatabase, cache: Map<string, Statement>, sql: string): Statement {
  let s = cache.get(sql)
  if (!s) {
    s = db.prepare(sql)
    if (cache.size > 2000) cache.clear()
    cache.set(sql, s)
  }
  return s
}

function conv(params: readonly Param[]): unknown[] {
  const out = new Array(params.length)
  for (let i = 0; i < params.length; i++) {
    const p = params[i]
    out[i] = p === true ? 1 : p === false ? 0 : p
  }
  return out
}

/** Unique-key violations become RetryRequest so the caller re-runs with fresh data. */
function wrap<T>(f: () => T): T {
  try {
    return f()
  } catch (e: any) {
    if (e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new RetryRequest(`duplicate key: ${e.message}`)
    }
    if (e?.code === 'SQLITE_BUSY') throw new RetryRequest('database busy')
    throw e
  }
}
