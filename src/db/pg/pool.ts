/**
 * A pool of PostgreSQL connections: each caller gets a connection to itself (one transaction or
 * one statement), so statements of different callers never share an implicit transaction.
 * Connections are opened on demand up to `max`; a broken one is dropped when it comes back or
 * is found dead while idle; one older than `maxLifetimeMs` is closed when it comes back or is
 * found expired while idle (oslo.db's connection_recycle_time, which SQLAlchemy checks when a
 * connection is taken from the pool).
 */
import { PgConnection, type PgConnectionOptions, type PgParam, type PgResult, type PgRow } from './connection.js'
import { PgConnectionError } from './errors.js'

export interface PgPoolOptions extends PgConnectionOptions {
  max: number
  /** 0: connections live as long as they work. */
  maxLifetimeMs?: number
}

export class PgPool {
  readonly #opts: PgPoolOptions
  readonly #idle: PgConnection[] = []
  readonly #waiters: Array<{ resolve(c: PgConnection): void; reject(e: Error): void }> = []
  #open = 0
  #ended = false

  constructor(opts: PgPoolOptions) {
    if (!(opts.max >= 1)) throw new Error('pool size must be at least 1')
    this.#opts = opts
  }

  /** Connections open now (idle or lent). */
  get size(): number {
    return this.#open
  }

  /** Open connections waiting in the pool to be lent. */
  get idleCount(): number {
    return this.#idle.length
  }

  /** Callers waiting for a connection (the pool is at its maximum). */
  get waitingCount(): number {
    return this.#waiters.length
  }

  get max(): number {
    return this.#opts.max
  }

  async acquire(): Promise<PgConnection> {
    if (this.#ended) throw new PgConnectionError('the pool has been closed', 'ECONNCLOSED')
    for (let c = this.#idle.pop(); c; c = this.#idle.pop()) {
      if (!c.closedWith && !this.#expired(c)) return c
      // (Expired idle connections used to be handed out once more: after a long idle time,
      // exactly the ones a recycle time is meant to keep from being used.)
      this.#open--
      void c.close()
    }
    if (this.#open < this.#opts.max) {
      this.#open++
      try {
        return await PgConnection.connect(this.#opts)
      } catch (e) {
        this.#open--
        this.#handOff()
        throw e
      }
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  /** Gives a connection back; a broken or expired one is closed instead. */
  release(c: PgConnection, broken = false): void {
    if (!broken && !c.closedWith && c.inFlight) {
      // e.g. COMMIT answered, its ReadyForQuery (with the transaction status) not read yet
      // A rejected flush is a statement's error as often as a dead connection (the ErrorResponse
      // and its ReadyForQuery in two reads): closedWith and the transaction status, checked
      // below, tell. (Both used to count as broken: a healthy connection was closed.)
      const again = () => this.release(c)
      c.flush().then(again, again)
      return
    }
    // A connection left inside a transaction block would hand the next caller its transaction.
    if (broken || this.#expired(c) || c.closedWith || c.transactionStatus !== 'I' || this.#ended) {
      this.#open--
      void c.close()
      this.#handOff()
      return
    }
    const w = this.#waiters.shift()
    if (w) w.resolve(c)
    else this.#idle.push(c)
  }

  #expired(c: PgConnection): boolean {
    const max = this.#opts.maxLifetimeMs ?? 0
    return max > 0 && Date.now() - c.createdAt > max
  }

  /** A slot freed up: the first waiter gets a new connection. */
  #handOff(): void {
    const w = this.#waiters.shift()
    if (!w) return
    this.acquire().then(w.resolve, w.reject)
  }

  /** One statement on a connection of its own. */
  async query<R = PgRow>(text: string, params: readonly PgParam[] = []): Promise<PgResult<R>> {
    const c = await this.acquire()
    let broken = false
    try {
      // Outside a transaction block the batch commits at its Sync, after the statement's
      // CommandComplete: a failed commit (a deferred constraint, a serialization failure) is
      // reported only before the ReadyForQuery. It used to be lost, the caller told the write
      // succeeded. flush() right away sends the batch now (still one) and waits for that
      // ReadyForQuery, rejecting with the batch's error.
      const [r] = await Promise.all([c.query<R>(text, params), c.flush()])
      return r
    } catch (e) {
      broken = !!c.closedWith
      throw e
    } finally {
      this.release(c, broken)
    }
  }

  async end(): Promise<void> {
    this.#ended = true
    for (const w of this.#waiters.splice(0)) w.reject(new PgConnectionError('the pool has been closed', 'ECONNCLOSED'))
    const idle = this.#idle.splice(0)
    this.#open -= idle.length
    await Promise.all(idle.map((c) => c.close()))
  }
}
