/**
 * Sends journal rows to the controller (networking-odl journal/journal.py OpenDaylightJournalThread).
 * `concurrency` workers each claim the oldest ready row; a row whose dependency is still pending or
 * processing is not ready, so each dependency chain advances one row at a time while independent
 * chains go in parallel.
 *
 * Outcomes (facts §5.2, with two idempotency rules so a lost answer never fails a row):
 * - 2xx → completed. A create answered 409 (the controller kept an earlier attempt whose answer
 *   was lost) is re-sent as an update; a delete answered 404 is already done.
 * - connection failure, timeout, 5xx → pending again, not before an exponential backoff; the
 *   retry budget is untouched: nothing is lost while the controller is away.
 * - other 4xx → retry_count + 1, `failed` after [ml2_odl] retry_count.
 */
import type { Db } from '../../../db/engine.js'
import type { Logger } from '../../../common/log.js'
import { filterBody, type Obj } from './filters.js'
import { COLLECTIONS, ConnectionFailure, type OdlClient, type OdlResponse } from './odl-client.js'
import { claimNext, markBackoff, markCompleted, markRefused, type JournalRow } from './journal-store.js'

export interface SenderOptions {
  db: Db
  client: OdlClient
  log: Logger
  /** Who claims rows (host:pid:random): visible as lock_owner. */
  owner: string
  now: () => number
  retryCount: number
  completedRowsRetention: number
  concurrency?: number
  /** Backoff after a connection failure: first delay and cap, ms (networking-odl: 100 ms → 60 s). */
  backoffMinMs?: number
  backoffMaxMs?: number
  /** Idle re-check even without a wake-up (networking-odl sync_timeout, 10 s). */
  idlePollMs?: number
}

export type SendOutcome = 'completed' | 'backoff' | 'refused' | 'failed'

export class JournalSender {
  readonly #o: Required<SenderOptions>
  #running = false
  #workers: Promise<void>[] = []
  #waiters: Array<() => void> = []
  #failures = 0
  #pauseUntil = 0
  /** Delivered rows since start (bench, metrics). */
  delivered = 0

  constructor(o: SenderOptions) {
    this.#o = { concurrency: 4, backoffMinMs: 100, backoffMaxMs: 60_000, idlePollMs: 10_000, ...o }
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    for (let i = 0; i < this.#o.concurrency; i++) this.#workers.push(this.#loop(i))
  }

  async stop(): Promise<void> {
    this.#running = false
    this.wake()
    await Promise.all(this.#workers)
    this.#workers = []
  }

  /** A postcommit recorded rows: idle workers look again at once. */
  wake(): void {
    const w = this.#waiters
    this.#waiters = []
    for (const f of w) f()
  }

  async #loop(worker: number): Promise<void> {
    while (this.#running) {
      const pause = this.#pauseUntil - this.#o.now()
      if (pause > 0) {
        await this.#sleep(pause, false)
        continue
      }
      let row: JournalRow | null = null
      try {
        row = await claimNext(this.#o.db, this.#o.owner, this.#o.now())
      } catch (e) {
        this.#o.log.warn(`journal worker ${worker}: claim failed: ${(e as Error).message}`)
        await this.#sleep(1000, true)
        continue
      }
      if (!row) {
        await this.#sleep(this.#o.idlePollMs, true)
        continue
      }
      try {
        await this.sendRow(row)
      } catch (e) {
        // A database error after the HTTP call: the row stays processing; maintenance resets it.
        this.#o.log.error(`journal row ${row.seqnum}: ${(e as Error).message}`)
      }
    }
  }

  /** Sends one claimed row and records the outcome. */
  async sendRow(row: JournalRow): Promise<SendOutcome> {
    const o = this.#o
    let res: OdlResponse
    try {
      res = await this.#call(row)
    } catch (e) {
      if (!(e instanceof ConnectionFailure)) throw e
      return this.#backoff(row, e.message)
    }
    if (res.status >= 200 && res.status < 300) {
      await markCompleted(o.db, row.seqnum, o.completedRowsRetention, o.now())
      this.#failures = 0
      this.delivered++
      this.wake() // its dependents may be ready now
      return 'completed'
    }
    const why = `${row.operation} ${row.object_type} ${row.object_uuid}: HTTP ${res.status} ${brief(res.body)}`
    if (res.status >= 500) return this.#backoff(row, why)
    const state = await markRefused(o.db, row.seqnum, o.retryCount, why, o.now())
    o.log.warn(`journal row ${row.seqnum} refused (${why}); ${state === 'failed' ? 'failed after retry_count retries' : 'will retry'}`)
    return state === 'failed' ? 'failed' : 'refused'
  }

  async #call(row: JournalRow): Promise<OdlResponse> {
    const c = this.#o.client
    const coll = COLLECTIONS[row.object_type]
    if (row.operation === 'delete') {
      const res = await c.nb('DELETE', `${coll}/${row.object_uuid}`)
      return res.status === 404 ? { status: 204, body: null } : res
    }
    const body = row.data as Obj
    if (row.operation === 'update') return c.nb('PUT', `${coll}/${row.object_uuid}`, { [row.object_type]: body })
    const res = await c.nb('POST', coll, { [row.object_type]: body })
    if (res.status !== 409) return res
    return c.nb('PUT', `${coll}/${row.object_uuid}`, { [row.object_type]: filterBody(row.object_type, 'update', body) })
  }

  async #backoff(row: JournalRow, why: string): Promise<SendOutcome> {
    const o = this.#o
    this.#failures++
    const delay = Math.min(o.backoffMaxMs, o.backoffMinMs * 2 ** Math.min(this.#failures - 1, 20))
    const until = o.now() + delay
    this.#pauseUntil = Math.max(this.#pauseUntil, until)
    await markBackoff(o.db, row.seqnum, until, why, o.now())
    o.log.warn(`journal row ${row.seqnum}: controller unavailable (${why}); retrying in ${delay} ms`)
    return 'backoff'
  }

  #sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms)
      function done() {
        clearTimeout(t)
        resolve()
      }
      if (wakeable || !this.#running) this.#waiters.push(done)
      else this.#waiters.push(() => { if (!this.#running) done() })
    })
  }
}

function brief(body: unknown): string {
  const s = typeof body === 'string' ? body : JSON.stringify(body)
  return (s ?? '').slice(0, 120)
}
