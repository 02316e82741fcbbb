/**
 * Journal maintenance (networking-odl journal/periodic_task.py + maintenance): every
 * maintenance_interval, on one server at a time, purge completed rows, reset rows stuck in
 * processing, check the canary (full sync when the controller lost its state) and recover failed
 * rows.
 *
 * One server at a time: the `opendaylight_periodic_task` row is taken with a conditional UPDATE
 * (the same statement on both engines; PostgreSQL's row lock makes it atomic, SQLite runs writers
 * one at a time). A server that dies holding it loses it after processing_timeout. A session-level
 * advisory lock would need a connection pinned for the whole run, which the pool does not give.
 */
import type { Logger } from '../../../common/log.js'
import type { Db } from '../../../db/engine.js'
import { canaryCheck, type SyncResult } from './full-sync.js'
import { purgeCompleted, resetStuck } from './journal-store.js'
import type { OdlClient } from './odl-client.js'
import { recoverFailed } from './recovery.js'
import type { ResourceReader } from './resource-reader.js'

export interface MaintenanceOptions {
  db: Db
  client: OdlClient
  log: Logger
  owner: string
  now: () => number
  reader: () => ResourceReader | undefined
  processingTimeoutSec: number
  completedRowsRetentionSec: number
  intervalSec: number
  /** Called when rows were recorded or reset (wakes the sender). */
  onRows?: () => void
}

export interface MaintenanceReport {
  ran: boolean
  purged: number
  reset: number
  sync: SyncResult | 'skipped'
  recorded: number
  recovered: number
}

export class JournalMaintenance {
  #timer: NodeJS.Timeout | undefined
  #first: NodeJS.Timeout | undefined
  #running: Promise<unknown> | undefined
  constructor(private readonly o: MaintenanceOptions) {}

  start(): void {
    const tick = () => {
      this.#running = this.runOnce().catch((e) => this.o.log.error(`journal maintenance: ${(e as Error).message}`))
    }
    // Once at start as networking-odl does, after the composition root finished wiring (reader).
    this.#first = setTimeout(tick, 0)
    this.#timer = setInterval(tick, this.o.intervalSec * 1000)
  }

  async stop(): Promise<void> {
    clearTimeout(this.#first)
    clearInterval(this.#timer)
    await this.#running
  }

  /** One run when this server gets the task lock (`force`: even if another server ran it recently). */
  async runOnce(force = false): Promise<MaintenanceReport> {
    const o = this.o
    const report: MaintenanceReport = { ran: false, purged: 0, reset: 0, sync: 'skipped', recorded: 0, recovered: 0 }
    if (!(await this.#lock(force))) return report
    report.ran = true
    try {
      report.purged = await purgeCompleted(o.db, o.completedRowsRetentionSec, o.now())
      report.reset = await resetStuck(o.db, o.now() - o.processingTimeoutSec * 1000)
      const reader = o.reader()
      if (reader) {
        const c = await canaryCheck({ db: o.db, client: o.client, reader, now: o.now }).catch((e) => {
          o.log.warn(`canary check: ${(e as Error).message}`)
          return { result: 'unreachable' as const, recorded: 0 }
        })
        report.sync = c.result
        report.recorded = c.recorded
        if (c.result === 'synced') o.log.warn(`the controller lost its state (canary network missing): full sync recorded ${c.recorded} rows`)
        if (c.result !== 'unreachable') report.recovered = await recoverFailed({ db: o.db, client: o.client, reader, now: o.now })
      }
      if (report.reset || report.recorded || report.recovered) o.onRows?.()
      return report
    } finally {
      await this.#unlock()
    }
  }

  async #lock(force: boolean): Promise<boolean> {
    const now = this.o.now()
    // Free, or held by a server that died (processing past processing_timeout); and, unless
    // forced, not run by anyone within the last interval.
    const r = await this.o.db.run(
      `UPDATE opendaylight_periodic_task SET state = 'processing', lock_owner = ?, lock_updated = ?
       WHERE task = 'maintenance' AND ((state = 'pending' AND (? OR lock_updated <= ?)) OR (state = 'processing' AND lock_updated < ?))`,
      [this.o.owner, now, force, now - this.o.intervalSec * 1000 + 500, now - this.o.processingTimeoutSec * 1000],
    )
    return r.changes === 1
  }

  async #unlock(): Promise<void> {
    await this.o.db.run(`UPDATE opendaylight_periodic_task SET state = 'pending', lock_owner = NULL, lock_updated = ? WHERE task = 'maintenance' AND lock_owner = ?`, [this.o.now(), this.o.owner])
  }
}
