/**
 * In-process OVSDB server for unit tests (libovsdb's server/ + database/inmemory idea):
 * list_dbs, get_schema, transact (memory-db.ts), monitor/update, monitor_cond/update2,
 * monitor_cond_since/update3 (with a transaction history, so a reconnecting client gets only
 * the delta), monitor_cancel, cancel, echo, lock/steal/unlock with locked/stolen.
 *
 * As ovsdb-server does, monitor updates caused by a transaction are sent before its reply.
 */
import { randomUUID } from 'node:crypto'
import type net from 'node:net'
import type { Duplex } from 'node:stream'
import { JsonRpcConnection, NO_REPLY, type RpcId } from '../jsonrpc.js'
import { silentLogger, type Logger } from '../logger.js'
import { parseSchema, type DatabaseSchema } from '../schema.js'
import { listen, parseEndpoint } from '../transport.js'
import { MemoryDatabase, type Changes } from './memory-db.js'
import { composeInitial, composeUpdates, parseMonitorRequests, type MonitorSpec } from './monitor-compose.js'

interface Conn {
  rpc: JsonRpcConnection
  monitors: Map<string, MonitorSpec>
}
interface PendingTxn {
  conn: Conn
  id: RpcId
  db: MemoryDatabase
  ops: unknown[]
  startedAt: number
  timer: NodeJS.Timeout | undefined
}

export interface MemoryServerOptions {
  /** Schemas (get_schema JSON) of the databases to serve. */
  schemas: unknown[]
  logger?: Logger
  /** Inactivity probe of the server side (ms, 0 = off). */
  probeIntervalMs?: number
  /** Transactions kept for monitor_cond_since (default 100). */
  historySize?: number
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

export class MemoryOvsdbServer {
  readonly dbs = new Map<string, MemoryDatabase>()
  readonly conns = new Set<Conn>()
  readonly options: MemoryServerOptions
  server: net.Server | undefined
  /** Number of requests served, by method (tests assert on it). */
  readonly calls = new Map<string, number>()
  #locks = new Map<string, { owner: Conn | undefined; waiters: Conn[] }>()
  #pending: PendingTxn[] = []
  #history = new Map<string, { txnId: string; changes: Changes }[]>()
  #lastTxnId = new Map<string, string>()

  constructor(options: MemoryServerOptions) {
    this.options = options
    for (const s of options.schemas) {
      const schema: DatabaseSchema = parseSchema(s)
      this.dbs.set(schema.name, new MemoryDatabase(schema))
      this.#history.set(schema.name, [])
      this.#lastTxnId.set(schema.name, ZERO_UUID)
    }
  }

  /** Listens on a passive endpoint (default ptcp:0:127.0.0.1); returns the active endpoint to dial. */
  async listen(endpoint = 'ptcp:0:127.0.0.1'): Promise<string> {
    this.server = await listen(endpoint, (s) => this.serve(s))
    const ep = parseEndpoint(endpoint)
    if (ep.kind === 'punix') return `unix:${ep.path}`
    const a = this.server.address() as net.AddressInfo
    return `tcp:127.0.0.1:${a.port}`
  }

  /** Serves one stream (also usable with an in-memory duplex pair). */
  serve(stream: Duplex): JsonRpcConnection {
    const rpc = new JsonRpcConnection(stream, { logger: this.options.logger ?? silentLogger, label: 'memory-server', probeIntervalMs: this.options.probeIntervalMs ?? 0 })
    const conn: Conn = { rpc, monitors: new Map() }
    this.conns.add(conn)
    rpc.onRequest = (m, p, id) => this.#request(conn, m, p, id)
    rpc.onNotification = (m, p) => {
      if (m === 'cancel') this.#cancel(conn, p[0] as RpcId)
    }
    rpc.on('close', () => this.#dropConn(conn))
    return rpc
  }

  db(name = 'Open_vSwitch'): MemoryDatabase {
    const d = this.dbs.get(name)
    if (!d) throw new Error(`no database ${name}`)
    return d
  }

  /** Closes every client connection (to exercise reconnect). */
  dropConnections(): void {
    for (const c of [...this.conns]) c.rpc.close('dropped by test server')
  }

  async close(): Promise<void> {
    this.dropConnections()
    for (const p of this.#pending) if (p.timer) clearTimeout(p.timer)
    this.#pending = []
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()))
  }

  #dropConn(conn: Conn): void {
    this.conns.delete(conn)
    this.#pending = this.#pending.filter((p) => {
      if (p.conn !== conn) return true
      if (p.timer) clearTimeout(p.timer)
      return false
    })
    for (const [id, l] of this.#locks) {
      l.waiters = l.waiters.filter((c) => c !== conn)
      if (l.owner === conn) this.#grantNext(id, l)
    }
  }

  #grantNext(id: string, l: { owner: Conn | undefined; waiters: Conn[] }): void {
    l.owner = l.waiters.shift()
    if (l.owner) l.owner.rpc.notify('locked', [id])
    else this.#locks.delete(id)
  }

  #request(conn: Conn, method: string, params: unknown[], id: RpcId): unknown {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1)
    const dbOf = (name: unknown): MemoryDatabase => {
      const d = this.dbs.get(name as string)
      if (!d) throw { error: 'unknown database', details: `${String(name)} is not a valid database name` }
      return d
    }
    switch (method) {
      case 'list_dbs':
        return [...this.dbs.keys()]
      case 'get_schema':
        return dbOf(params[0]).schema.json
      case 'transact': {
        const db = dbOf(params[0])
        const p: PendingTxn = { conn, id, db, ops: params.slice(1), startedAt: Date.now(), timer: undefined }
        this.#tryTxn(p)
        return NO_REPLY
      }
      case 'monitor':
      case 'monitor_cond':
      case 'monitor_cond_since': {
        const db = dbOf(params[0])
        const key = JSON.stringify(params[1])
        if (conn.monitors.has(key)) throw { error: 'duplicate monitor ID', details: key }
        const version = method === 'monitor' ? 1 : method === 'monitor_cond' ? 2 : 3
        const spec = parseMonitorRequests(db, params[1], params[2], version)
        conn.monitors.set(key, spec)
        if (version < 3) return composeInitial(db, spec)
        const since = params[3] as string | undefined
        const hist = this.#history.get(db.schema.name)!
        const at = since ? hist.findIndex((h) => h.txnId === since) : -1
        const last = this.#lastTxnId.get(db.schema.name)!
        if (since === last && last !== ZERO_UUID) return [true, last, {}]
        if (at >= 0) {
          const merged: Changes = new Map()
          for (const h of hist.slice(at + 1)) {
            for (const [t, m] of h.changes) {
              let mt = merged.get(t)
              if (!mt) merged.set(t, (mt = new Map()))
              for (const [u, c] of m) {
                const prev = mt.get(u)
                mt.set(u, { old: prev ? prev.old : c.old, new: c.new })
              }
            }
          }
          return [true, last, composeUpdates(db, spec, merged) ?? {}]
        }
        return [false, last, composeInitial(db, spec)]
      }
      case 'monitor_cancel': {
        const key = JSON.stringify(params[0])
        if (!conn.monitors.delete(key)) throw { error: 'unknown monitor', details: key }
        return {}
      }
      case 'lock':
      case 'steal': {
        const lid = String(params[0])
        let l = this.#locks.get(lid)
        if (!l) this.#locks.set(lid, (l = { owner: undefined, waiters: [] }))
        if (method === 'steal') {
          if (l.owner && l.owner !== conn) l.owner.rpc.notify('stolen', [lid])
          l.waiters = l.waiters.filter((c) => c !== conn)
          l.owner = conn
          return { locked: true }
        }
        if (!l.owner || l.owner === conn) {
          l.owner = conn
          return { locked: true }
        }
        if (!l.waiters.includes(conn)) l.waiters.push(conn)
        return { locked: false }
      }
      case 'unlock': {
        const lid = String(params[0])
        const l = this.#locks.get(lid)
        if (l) {
          l.waiters = l.waiters.filter((c) => c !== conn)
          if (l.owner === conn) this.#grantNext(lid, l)
        }
        return {}
      }
      default:
        throw { error: 'unknown method', details: method }
    }
  }

  /** Runs a transaction; returns false when it blocks in a `wait` (kept pending). */
  #tryTxn(p: PendingTxn): boolean {
    const lid = (id: string): boolean => this.#locks.get(id)?.owner === p.conn
    const r = p.db.execute(p.ops, { ownsLock: lid }, Date.now(), p.startedAt)
    if (r.blockedUntil !== undefined) {
      if (!this.#pending.includes(p)) {
        this.#pending.push(p)
        if (r.blockedUntil !== Infinity) p.timer = setTimeout(() => this.#retry(p), Math.max(0, r.blockedUntil - Date.now()) + 1)
      }
      return false
    }
    this.#pending = this.#pending.filter((x) => x !== p)
    if (p.timer) clearTimeout(p.timer)
    if (r.changes) this.#publish(p.db, r.changes)
    p.conn.rpc.respond(p.id, r.results)
    if (r.changes) for (const q of [...this.#pending]) if (q.db === p.db) this.#retry(q)
    return true
  }

  #retry(p: PendingTxn): void {
    if (this.#pending.includes(p)) this.#tryTxn(p)
  }

  #cancel(conn: Conn, id: RpcId): void {
    const p = this.#pending.find((x) => x.conn === conn && x.id === id)
    if (!p) return
    if (p.timer) clearTimeout(p.timer)
    this.#pending = this.#pending.filter((x) => x !== p)
    conn.rpc.respond(id, null, 'canceled')
  }

  /** Sends update/update2/update3 to every monitor, before the committer's reply. */
  #publish(db: MemoryDatabase, changes: Changes): void {
    const name = db.schema.name
    const txnId = randomUUID()
    const hist = this.#history.get(name)!
    hist.push({ txnId, changes })
    if (hist.length > (this.options.historySize ?? 100)) hist.shift()
    this.#lastTxnId.set(name, txnId)
    for (const c of this.conns) {
      for (const spec of c.monitors.values()) {
        if (spec.db !== db) continue
        const u = composeUpdates(db, spec, changes)
        if (!u) continue
        if (spec.version === 1) c.rpc.notify('update', [spec.id, u])
        else if (spec.version === 2) c.rpc.notify('update2', [spec.id, u])
        else c.rpc.notify('update3', [spec.id, txnId, u])
      }
    }
  }
}
