/**
 * In-memory replica of selected tables (the OVS IDL / libovsdb cache).
 *
 * Sync: get_schema, then monitor_cond_since (falling back to monitor_cond, then monitor). After a
 * reconnect the client's session hook runs the sync again: with monitor_cond_since and a known
 * txn id only the delta comes back; otherwise the full snapshot is diffed against the copy we
 * hold, so listeners see each change exactly once (no duplicate inserts, no lost deletes).
 *
 * Events are emitted after a whole update batch has been applied, so handlers always see a
 * consistent replica.
 */
import { EventEmitter } from 'node:events'
import type { OvsdbClient } from './client.js'
import { ConnectionClosedError, NotConnectedError, ProtocolError, TimedOut, TryAgainExhaustedError, ValidationError, checkOperationResults } from './errors.js'
import { consoleLogger, type Logger } from './logger.js'
import type { MonitorCondRequests, TableUpdates, TableUpdates2 } from './monitor-types.js'
import type { WireRow } from './notation.js'
import { applyColumnDiff, plainEqual } from './row-diff.js'
import { defaultValue, valueFromWire, type DatabaseSchema, type PlainValue, type TableSchema } from './schema.js'
import { ReplicaTxn } from './replica-txn.js'
import { checkIncomingObject, checkIncomingRowKey, checkIncomingSize, checkIncomingValue } from './incoming.js'

export interface Row {
  _uuid: string
  [column: string]: unknown
}

export interface ReplicaOptions {
  db: string
  /** Tables to replicate: table → column names, or `true` for every column. */
  tables: Record<string, readonly string[] | true>
  /** Bound on TRY_AGAIN retries of one transaction (default 20). */
  maxRetries?: number
  logger?: Logger
  /** Use these methods, in order of preference (default: since, cond, plain). */
  monitorMethods?: ('monitor_cond_since' | 'monitor_cond' | 'monitor')[]
}

export interface TxnResult<R> {
  result: R
  /** uuid-name → real uuid of every row inserted. */
  uuids: Record<string, string>
  /** Number of attempts it took (1 = no TRY_AGAIN). */
  attempts: number
}

type ChangeEvent = ['insert', string, Row] | ['update', string, Row, Row] | ['delete', string, Row]

interface ReplicaEvents<T> {
  insert: [table: keyof T & string, row: Row]
  update: [table: keyof T & string, row: Row, old: Row]
  delete: [table: keyof T & string, row: Row]
  /** After each applied batch (initial sync, resync, notification). */
  change: [seqno: number]
  synced: [method: string, found: boolean]
}

export class Replica<T extends Record<string, Row> = Record<string, Row>> extends EventEmitter<ReplicaEvents<T>> {
  readonly client: OvsdbClient
  readonly db: string
  readonly logger: Logger
  readonly maxRetries: number
  #schema: DatabaseSchema | undefined
  #tables = new Map<string, Map<string, Row>>()
  #columns = new Map<string, string[]>()
  #indexes = new Map<string, { table: string; column: string; map: Map<unknown, Row> }>()
  #lastTxnId: string | null = null
  #seqno = 0
  #method = ''
  #monitorId: unknown
  #synced = false
  #syncWaiters: (() => void)[] = []
  #options: ReplicaOptions
  #session = (c: OvsdbClient): Promise<void> => this.#sync(c)

  private constructor(client: OvsdbClient, options: ReplicaOptions) {
    super()
    this.client = client
    this.db = options.db
    this.logger = options.logger ?? client.options.logger ?? consoleLogger
    this.maxRetries = options.maxRetries ?? 20
    this.#options = options
    client.on('disconnected', () => {
      this.#synced = false
    })
  }

  /** Creates the replica and waits for the initial sync. */
  static async create<T extends Record<string, Row> = Record<string, Row>>(client: OvsdbClient, options: ReplicaOptions): Promise<Replica<T>> {
    const r = new Replica<T>(client, options)
    await client.onSession(r.#session)
    return r
  }

  /** Stops following the server (the client stays open): no resync, and the monitor is cancelled. */
  async close(): Promise<void> {
    this.client.offSession(this.#session)
    const id = this.#monitorId
    this.#monitorId = undefined
    if (id !== undefined && this.client.connected) await this.client.monitorCancel(id).catch(() => {})
  }

  get schema(): DatabaseSchema {
    if (!this.#schema) throw new NotConnectedError('replica not synced yet')
    return this.#schema
  }
  /** Bumped after every applied batch (OVS IDL change_seqno). */
  get seqno(): number {
    return this.#seqno
  }
  get synced(): boolean {
    return this.#synced
  }
  /** Monitor method in use: monitor_cond_since, monitor_cond or monitor. */
  get method(): string {
    return this.#method
  }
  get lastTxnId(): string | null {
    return this.#lastTxnId
  }

  whenSynced(): Promise<void> {
    if (this.#synced && this.client.connected) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.#syncWaiters.push(resolve)
      this.client.whenConnected().catch(reject)
    })
  }

  /** All rows of a replicated table, by uuid. */
  rows<K extends keyof T & string>(table: K): ReadonlyMap<string, T[K]> {
    const m = this.#tables.get(table)
    if (!m) throw new ValidationError(table, undefined, 'table is not replicated')
    return m as Map<string, T[K]>
  }

  get<K extends keyof T & string>(table: K, uuid: string): T[K] | undefined {
    return this.#tables.get(table)?.get(uuid) as T[K] | undefined
  }

  /** Row whose `column` equals `value` (an index built on first use and maintained after). */
  lookup<K extends keyof T & string>(table: K, column: string, value: unknown): T[K] | undefined {
    const key = `${table}\0${column}`
    let idx = this.#indexes.get(key)
    if (!idx) {
      idx = { table, column, map: new Map() }
      for (const row of this.rows(table).values()) idx.map.set(row[column], row)
      this.#indexes.set(key, idx)
    }
    return idx.map.get(value) as T[K] | undefined
  }

  /** Monitored columns of a table. */
  columns(table: string): readonly string[] {
    return this.#columns.get(table) ?? []
  }

  // ---- sync --------------------------------------------------------------------------------

  async #sync(client: OvsdbClient): Promise<void> {
    const schema = await client.getSchema(this.db)
    const requests: MonitorCondRequests = {}
    for (const [table, cols] of Object.entries(this.#options.tables)) {
      const ts = schema.tables[table]
      if (!ts) throw new ValidationError(table, undefined, `no table ${table} in ${this.db}`)
      const names = cols === true ? Object.keys(ts.columns).filter((c) => c[0] !== '_') : [...cols]
      for (const c of names) if (!ts.columns[c]) throw new ValidationError(table, c, `no column ${c} in table ${table}`)
      this.#columns.set(table, names)
      requests[table] = [{ columns: names }]
    }
    const schemaChanged = this.#schema !== undefined && this.#schema.version !== schema.version
    this.#schema = schema
    if (schemaChanged) this.#lastTxnId = null
    const monitorId = client.nextMonitorId('replica', this.db)
    this.#monitorId = monitorId
    const methods = this.#options.monitorMethods ?? ['monitor_cond_since', 'monitor_cond', 'monitor']
    let lastErr: unknown
    for (const method of methods) {
      try {
        if (method === 'monitor_cond_since') {
          const r = await client.monitorCondSince(this.db, monitorId, requests, this.#lastTxnId, (u, txn) => this.#onUpdate2(u, txn))
          if (r.found) this.#applyBatch(this.#changes2(r.updates))
          else this.#applySnapshot2(r.updates)
          this.#lastTxnId = r.lastTxnId
          this.#finishSync(method, r.found)
        } else if (method === 'monitor_cond') {
          const r = await client.monitorCond(this.db, monitorId, requests, (u) => this.#onUpdate2(u))
          this.#applySnapshot2(r)
          this.#finishSync(method, false)
        } else {
          const plain = Object.fromEntries(Object.entries(requests).map(([t, r]) => [t, { columns: (r as { columns: string[] }[])[0]!.columns }]))
          const r = await client.monitor(this.db, monitorId, plain, (u) => this.#guard(client, () => this.#applyBatch(this.#changes1(u))))
          this.#applySnapshot(this.#snapshotFrom1(r))
          this.#finishSync(method, false)
        }
        return
      } catch (e) {
        if (!(e instanceof Error) || !isUnknownMethod(e)) throw e
        lastErr = e
      }
    }
    throw lastErr
  }

  #finishSync(method: string, found: boolean): void {
    this.#method = method
    this.#synced = true
    this.logger.debug(`${this.client.label}: replica of ${this.db} synced with ${method}${found ? ' (delta)' : ''}`)
    this.emit('synced', method, found)
    for (const w of this.#syncWaiters.splice(0)) w()
  }

  #onUpdate2(u: TableUpdates2, lastTxnId?: string): void {
    this.#guard(this.client, () => {
      const changes = this.#changes2(u)
      if (lastTxnId) this.#lastTxnId = lastTxnId
      this.#applyBatch(changes)
    })
  }

  /**
   * Runs the handling of one notification: a batch that does not fit the schema is not applied
   * at all, and the connection that sent it is closed (a reconnecting client resyncs from a
   * full snapshot); nothing is thrown into the JSON-RPC layer.
   */
  #guard(client: OvsdbClient, apply: () => void): void {
    try {
      apply()
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e
      this.logger.warn(`${client.label}: ${e.message}; closing the connection`)
      this.#synced = false
      client.rpc?.close(e.message)
    }
  }

  /** A full row from the peer, checked against the schema (monitored columns only). */
  #fullRow(ts: TableSchema, uuid: string, wire: unknown): Row {
    checkIncomingRowKey(ts.name, uuid, wire)
    const row: Row = { _uuid: uuid }
    const cols = this.#columns.get(ts.name) ?? []
    for (const c of cols) row[c] = defaultValue(ts.columns[c]!)
    const w = wire as WireRow
    for (const c of cols) {
      if (!(c in w)) continue
      const col = ts.columns[c]!
      checkIncomingValue(ts.name, col, w[c])
      row[c] = valueFromWire(col, w[c]!)
    }
    return row
  }

  /** update2 batch → change events (not yet applied). */
  #changes2(u: TableUpdates2): ChangeEvent[] {
    const out: ChangeEvent[] = []
    checkIncomingObject('table-updates2', u)
    for (const table in u) {
      const ts = this.#schema!.tables[table]
      const rows = this.#tables.get(table)
      if (!ts || !rows) continue
      const tu = u[table]!
      checkIncomingObject(`update2 of table ${table}`, tu)
      for (const uuid in tu) {
        const ru = tu[uuid]!
        checkIncomingRowKey(table, uuid, ru)
        const full = ru.initial ?? ru.insert
        const old = rows.get(uuid)
        if (full) {
          const row = this.#fullRow(ts, uuid, full)
          out.push(old ? ['update', table, row, old] : ['insert', table, row])
        } else if (ru.modify) {
          if (!old) {
            this.logger.warn(`${this.client.label}: modify of unknown ${table} row ${uuid}`)
            continue
          }
          const row: Row = { ...old }
          checkIncomingObject(`modify of ${table} row ${uuid}`, ru.modify)
          for (const c in ru.modify) {
            const col = ts.columns[c]
            if (!col || !rows || !(c in old)) continue
            checkIncomingValue(table, col, ru.modify[c], true)
            row[c] = applyColumnDiff(col, old[c] as PlainValue, ru.modify[c]!)
            checkIncomingSize(table, col, row[c] as PlainValue)
          }
          out.push(['update', table, row, old])
        } else if ('delete' in ru && old) out.push(['delete', table, old])
      }
    }
    return out
  }

  /** `update` (RFC 7047 §4.1.6) batch → change events. */
  #changes1(u: TableUpdates): ChangeEvent[] {
    const out: ChangeEvent[] = []
    checkIncomingObject('table-updates', u)
    for (const table in u) {
      const ts = this.#schema!.tables[table]
      const rows = this.#tables.get(table)
      if (!ts || !rows) continue
      checkIncomingObject(`update of table ${table}`, u[table])
      for (const uuid in u[table]) {
        const ru = u[table]![uuid]!
        checkIncomingRowKey(table, uuid, ru)
        const old = rows.get(uuid)
        // `new` holds the changed columns only for a modify (RFC 7047 §4.1.6): merge onto the old row.
        if (ru.new) out.push(old ? ['update', table, { ...old, ...this.#fullRowPartial(ts, uuid, ru.new) }, old] : ['insert', table, this.#fullRow(ts, uuid, ru.new)])
        else if (old) out.push(['delete', table, old])
      }
    }
    return out
  }

  /** Only the columns present in `wire`, checked as in #fullRow. */
  #fullRowPartial(ts: TableSchema, uuid: string, wire: unknown): Row {
    const full = this.#fullRow(ts, uuid, wire)
    const out: Row = { _uuid: uuid }
    for (const c in wire as object) if (c in full) out[c] = full[c]
    return out
  }

  #snapshotFrom1(u: TableUpdates): Map<string, Map<string, Row>> {
    const snap = new Map<string, Map<string, Row>>()
    checkIncomingObject('monitor reply', u)
    for (const table of this.#columns.keys()) {
      const ts = this.#schema!.tables[table]!
      const m = new Map<string, Row>()
      for (const [uuid, ru] of Object.entries(u[table] ?? {})) {
        checkIncomingRowKey(table, uuid, ru)
        if (ru.new) m.set(uuid, this.#fullRow(ts, uuid, ru.new))
      }
      snap.set(table, m)
    }
    return snap
  }

  #applySnapshot2(u: TableUpdates2): void {
    const snap = new Map<string, Map<string, Row>>()
    checkIncomingObject('monitor reply', u)
    for (const table of this.#columns.keys()) {
      const ts = this.#schema!.tables[table]!
      const m = new Map<string, Row>()
      const tu = u[table] ?? {}
      checkIncomingObject(`table ${table} of the monitor reply`, tu)
      for (const uuid in tu) {
        checkIncomingRowKey(table, uuid, tu[uuid])
        const w = tu[uuid]!.initial ?? tu[uuid]!.insert
        if (w) m.set(uuid, this.#fullRow(ts, uuid, w))
      }
      snap.set(table, m)
    }
    this.#applySnapshot(snap)
  }

  /** Replaces the replica by a full snapshot, emitting only real differences. */
  #applySnapshot(snap: Map<string, Map<string, Row>>): void {
    const events: ChangeEvent[] = []
    for (const [table, fresh] of snap) {
      const old = this.#tables.get(table)
      if (!old || old.size === 0) {
        for (const row of fresh.values()) events.push(['insert', table, row])
        continue
      }
      const cols = this.#columns.get(table)!
      for (const [uuid, row] of fresh) {
        const o = old.get(uuid)
        if (!o) events.push(['insert', table, row])
        else if (!cols.every((c) => plainEqual(o[c], row[c]))) events.push(['update', table, row, o])
      }
      for (const [uuid, o] of old) if (!fresh.has(uuid)) events.push(['delete', table, o])
    }
    for (const table of snap.keys()) if (!this.#tables.has(table)) this.#tables.set(table, new Map())
    // Tables no longer replicated (options changed) are dropped silently.
    this.#applyBatch(events)
  }

  #applyBatch(events: ChangeEvent[]): void {
    for (const ev of events) {
      const rows = this.#tables.get(ev[1])!
      if (ev[0] === 'delete') rows.delete(ev[2]._uuid)
      else rows.set(ev[2]._uuid, ev[2])
      if (this.#indexes.size) this.#reindex(ev)
    }
    this.#seqno++
    for (const ev of events) {
      try {
        if (ev[0] === 'update') this.emit('update', ev[1] as keyof T & string, ev[2], ev[3])
        else this.emit(ev[0], ev[1] as keyof T & string, ev[2])
      } catch (e) {
        this.logger.error(`replica ${ev[0]} listener threw: ${(e as Error).stack}`)
      }
    }
    this.emit('change', this.#seqno)
  }

  #reindex(ev: ChangeEvent): void {
    const table = ev[1]
    for (const { table: t, column: col, map: m } of this.#indexes.values()) {
      if (t !== table) continue
      if (ev[0] !== 'insert') {
        const old = ev[0] === 'update' ? ev[3] : ev[2]
        if (m.get(old[col]) === old) m.delete(old[col])
      }
      if (ev[0] !== 'delete') m.set(ev[2][col], ev[2])
    }
  }

  // ---- transactions ------------------------------------------------------------------------

  /**
   * Runs an optimistic transaction (OVS IDL semantics). `build` reads the replica and adds
   * operations to the txn; `txn.verify()` turns the values it read into `wait` prerequisites.
   * If a prerequisite failed (TRY_AGAIN) or the connection dropped, `build` runs again on the
   * updated replica, at most `maxRetries` times. When this resolves the replica already holds
   * the change (ovsdb-server sends the update before the transact reply).
   */
  async transact<R>(build: (txn: ReplicaTxn) => R | Promise<R>, options: { maxRetries?: number; timeoutMs?: number } = {}): Promise<TxnResult<R>> {
    const max = options.maxRetries ?? this.maxRetries
    for (let attempt = 1; ; attempt++) {
      if (!this.#synced || !this.client.connected) await this.whenSynced()
      const txn = new ReplicaTxn(this)
      const built = build(txn)
      const result = built instanceof Promise ? await built : built
      if (txn.operations.length === 0) return { result, uuids: {}, attempts: attempt }
      let results
      try {
        results = await this.client.transactRaw(this.db, txn.operations, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {})
      } catch (e) {
        if ((e instanceof ConnectionClosedError || e instanceof NotConnectedError) && this.client.options.reconnect && attempt <= max) continue
        throw e
      }
      const err = checkOperationResults(results, txn.operations)
      if (err) {
        if (err instanceof TimedOut && txn.isVerify(err.opIndex) && attempt <= max) {
          this.logger.debug(`${this.client.label}: transaction prerequisite failed, trying again (attempt ${attempt})`)
          continue
        }
        if (err instanceof TimedOut && txn.isVerify(err.opIndex)) throw new TryAgainExhaustedError(`transaction still conflicting after ${attempt} attempts`)
        throw err
      }
      const uuids: Record<string, string> = {}
      for (const [i, name] of txn.insertNames()) {
        const u = results[i]?.uuid
        if (u) uuids[name] = u[1]
      }
      if (!this.#hasInserts(txn, uuids)) await this.#waitForInserts(txn, uuids)
      return { result, uuids, attempts: attempt }
    }
  }

  #hasInserts(txn: ReplicaTxn, uuids: Record<string, string>): boolean {
    for (const [name, table] of txn.insertTables()) {
      const rows = this.#tables.get(table)
      if (rows && uuids[name] && !rows.has(uuids[name]!)) return false
    }
    return true
  }

  /** Safety net: if the server replied before sending our update, wait for it (bounded). */
  async #waitForInserts(txn: ReplicaTxn, uuids: Record<string, string>): Promise<void> {
    const missing = txn.insertTables().filter(([name, table]) => this.#tables.has(table) && uuids[name] && !this.#tables.get(table)!.has(uuids[name]!))
    if (missing.length === 0) return
    const deadline = Date.now() + 2000
    while (Date.now() < deadline && missing.some(([name, table]) => !this.#tables.get(table)!.has(uuids[name]!))) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50)
        this.once('change', () => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  /** Converts a plain value of `table.column` (for callers building wire operations). */
  fromWire(table: string, column: string, v: unknown): PlainValue {
    return valueFromWire(this.schema.tables[table]!.columns[column]!, v as WireRow[string])
  }
}

function isUnknownMethod(e: Error): boolean {
  return /unknown method/i.test(e.message) || /unknown method/i.test(JSON.stringify((e as { error?: unknown }).error ?? ''))
}
