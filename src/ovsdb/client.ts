/**
 * OVSDB client: one JSON-RPC session to one ovsdb-server (active mode, with reconnect) or one
 * accepted connection from a switch (passive mode, see manager.ts).
 *
 * Methods follow RFC 7047 §4.1 and the OVS extensions (monitor_cond, monitor_cond_since). Raw
 * monitors deliver wire-form table updates to the callback given when they were created; they
 * live as long as the session. Session handlers (`onSession`) run after every (re)connect, before
 * `connected` is emitted: that is where the Replica re-issues get_schema and its monitor. Locks
 * we asked for are requested again after a reconnect.
 */
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { ConnectionClosedError, NotConnectedError, checkOperationResults } from './errors.js'
import { JsonRpcConnection, RpcError, type JsonRpcOptions, type RpcId } from './jsonrpc.js'
import type { Operation, OperationResult } from './operations.js'
import { parseSchema, type DatabaseSchema } from './schema.js'
import { dial, formatEndpoint, parseEndpoint, type ActiveEndpoint, type TlsOptions } from './transport.js'
import type { MonitorRequests, MonitorCondRequests, TableUpdates, TableUpdates2 } from './monitor-types.js'

export interface ReconnectOptions {
  /** First delay in ms (default 100), doubled after each failed attempt up to maxMs (default 8000). */
  initialMs?: number
  maxMs?: number
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number
}

export interface ClientOptions extends JsonRpcOptions {
  tls?: TlsOptions
  /** Reconnect with exponential backoff when the connection drops (active mode only). */
  reconnect?: boolean | ReconnectOptions
  connectTimeoutMs?: number
}

export interface TransactOptions {
  timeoutMs?: number
  /** Aborting sends `cancel` for the pending request (RFC 7047 §4.1.4). */
  signal?: AbortSignal
}

type MonitorCallback = (method: 'update' | 'update2' | 'update3', updates: TableUpdates | TableUpdates2, lastTxnId?: string) => void
type SessionHandler = (client: OvsdbClient) => Promise<void> | void

interface ClientEvents {
  connected: []
  disconnected: [reason: string]
  reconnecting: [attempt: number, delayMs: number]
  locked: [lockId: string]
  stolen: [lockId: string]
  notification: [method: string, params: unknown[]]
  error: [error: Error]
}

export class OvsdbClient extends EventEmitter<ClientEvents> {
  readonly endpoint: ActiveEndpoint | undefined
  readonly options: ClientOptions
  #rpc: JsonRpcConnection | undefined
  #monitors = new Map<string, MonitorCallback>()
  #schemas = new Map<string, DatabaseSchema>()
  #sessionHandlers: SessionHandler[] = []
  #locks = new Set<string>()
  #closing = false
  #ready = false
  #reconnectTimer: NodeJS.Timeout | undefined
  #attempt = 0
  #readyWaiters: { resolve(): void; reject(e: Error): void }[] = []
  #monitorSeq = 0

  private constructor(endpoint: ActiveEndpoint | undefined, options: ClientOptions) {
    super()
    this.endpoint = endpoint
    this.options = options
  }

  /** Dials `unix:`, `tcp:` or `ssl:`; resolves once the session is up (first attempt must succeed). */
  static async connect(endpoint: string, options: ClientOptions = {}): Promise<OvsdbClient> {
    const ep = parseEndpoint(endpoint)
    if (ep.kind !== 'unix' && ep.kind !== 'tcp' && ep.kind !== 'ssl') throw new Error(`${endpoint}: not an active endpoint`)
    const c = new OvsdbClient(ep, { label: endpoint, ...options })
    const stream = await dial(ep, { ...(options.tls ? { tls: options.tls } : {}), timeoutMs: options.connectTimeoutMs ?? 10_000 })
    try {
      await c.#attach(stream)
    } catch (e) {
      c.close()
      throw e
    }
    return c
  }

  /**
   * Like connect, but returns at once and dials in the background with backoff from the very
   * first attempt (a server that is not up yet is simply tried again), then reconnects after
   * every loss. Wait with `whenConnected()`; `reconnecting` events report failed attempts.
   * (For many switches with identities and up/down events, use OvsdbDialer.)
   */
  static open(endpoint: string, options: ClientOptions = {}): OvsdbClient {
    const ep = parseEndpoint(endpoint)
    if (ep.kind !== 'unix' && ep.kind !== 'tcp' && ep.kind !== 'ssl') throw new Error(`${endpoint}: not an active endpoint`)
    if (ep.kind === 'ssl' && !options.tls) throw new Error(`${endpoint}: ssl: needs the tls option (key, cert, ca)`)
    const c = new OvsdbClient(ep, { label: endpoint, ...options, reconnect: options.reconnect || true })
    c.#scheduleReconnect(0)
    return c
  }

  /** Wraps an accepted stream (passive mode); it never reconnects. */
  static async fromStream(stream: Duplex, options: ClientOptions = {}): Promise<OvsdbClient> {
    const c = new OvsdbClient(undefined, { ...options, reconnect: false })
    await c.#attach(stream)
    return c
  }

  get connected(): boolean {
    return this.#ready && !!this.#rpc && !this.#rpc.closed
  }
  get label(): string {
    return this.options.label ?? (this.endpoint ? formatEndpoint(this.endpoint) : 'ovsdb')
  }
  get rpc(): JsonRpcConnection | undefined {
    return this.#rpc
  }

  /** Runs after every (re)connect; the first run happens now if already connected. */
  async onSession(handler: SessionHandler): Promise<void> {
    this.#sessionHandlers.push(handler)
    if (this.connected) await handler(this)
  }
  offSession(handler: SessionHandler): void {
    this.#sessionHandlers = this.#sessionHandlers.filter((h) => h !== handler)
  }

  /** Resolves when connected (immediately if so); rejects if the client is closed. */
  whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve()
    if (this.#closing) return Promise.reject(new ConnectionClosedError('client closed'))
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }))
  }

  async #attach(stream: Duplex): Promise<void> {
    const rpc = new JsonRpcConnection(stream, this.options)
    this.#rpc = rpc
    this.#schemas.clear()
    this.#monitors.clear()
    rpc.onNotification = (m, p) => this.#onNotification(m, p)
    rpc.on('close', (reason) => this.#onClose(rpc, reason))
    try {
      for (const l of this.#locks) await this.#request('lock', [l]).then((r) => (r as { locked?: boolean }).locked && this.emit('locked', l))
      for (const h of this.#sessionHandlers) await h(this)
    } catch (e) {
      rpc.close(`session setup failed: ${(e as Error).message}`)
      throw e
    }
    if (rpc.closed) throw new ConnectionClosedError(`${this.label}: ${rpc.closeReason}`)
    this.#ready = true
    this.#attempt = 0
    for (const w of this.#readyWaiters.splice(0)) w.resolve()
    this.emit('connected')
  }

  #onClose(rpc: JsonRpcConnection, reason: string): void {
    if (rpc !== this.#rpc) return
    const wasReady = this.#ready
    this.#ready = false
    if (wasReady) this.emit('disconnected', reason)
    if (!this.#closing && this.endpoint && this.options.reconnect) this.#scheduleReconnect()
    else if (!this.#closing) {
      for (const w of this.#readyWaiters.splice(0)) w.reject(new ConnectionClosedError(reason))
    }
  }

  #scheduleReconnect(firstDelayMs?: number): void {
    if (this.#reconnectTimer || this.#closing) return
    const r: ReconnectOptions = typeof this.options.reconnect === 'object' ? this.options.reconnect : {}
    const initial = r.initialMs ?? 100
    const max = r.maxMs ?? 8000
    if (r.maxAttempts !== undefined && this.#attempt >= r.maxAttempts) {
      const e = new ConnectionClosedError(`${this.label}: gave up after ${this.#attempt} reconnect attempts`)
      for (const w of this.#readyWaiters.splice(0)) w.reject(e)
      this.emit('disconnected', e.message)
      return
    }
    const delay = firstDelayMs ?? Math.min(max, initial * 2 ** this.#attempt)
    if (firstDelayMs === undefined) {
      this.#attempt++
      this.emit('reconnecting', this.#attempt, delay)
    }
    this.#reconnectTimer = setTimeout(async () => {
      this.#reconnectTimer = undefined
      if (this.#closing) return
      try {
        const stream = await dial(this.endpoint!, { ...(this.options.tls ? { tls: this.options.tls } : {}), timeoutMs: this.options.connectTimeoutMs ?? 10_000 })
        if (this.#closing) {
          stream.destroy()
          return
        }
        await this.#attach(stream)
      } catch (e) {
        this.options.logger?.debug(`${this.label}: reconnect attempt ${this.#attempt} failed: ${(e as Error).message}`)
        if (this.#rpc && !this.#rpc.closed) this.#rpc.close('session setup failed')
        this.#scheduleReconnect()
      }
    }, delay)
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.#closing = true
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = undefined
    this.#ready = false
    this.#rpc?.close('closed by client')
    for (const w of this.#readyWaiters.splice(0)) w.reject(new ConnectionClosedError('client closed'))
  }

  #request(method: string, params: unknown[], options: { timeoutMs?: number; onId?: (id: RpcId) => void } = {}): Promise<unknown> {
    const rpc = this.#rpc
    if (!rpc || rpc.closed) return Promise.reject(new NotConnectedError(`${method}: not connected to ${this.label}`))
    return rpc.request(method, params, options)
  }

  /** Any JSON-RPC method (escape hatch for extensions not wrapped here). */
  request(method: string, params: unknown[], options: { timeoutMs?: number } = {}): Promise<unknown> {
    return this.#request(method, params, options)
  }

  #onNotification(method: string, params: unknown[]): void {
    switch (method) {
      case 'update':
      case 'update2': {
        const cb = this.#monitors.get(JSON.stringify(params[0]))
        cb?.(method, params[1] as TableUpdates)
        return
      }
      case 'update3': {
        const cb = this.#monitors.get(JSON.stringify(params[0]))
        cb?.(method, params[2] as TableUpdates2, params[1] as string)
        return
      }
      case 'locked':
      case 'stolen':
        this.emit(method, String(params[0]))
        return
      default:
        this.emit('notification', method, params)
    }
  }

  // ---- RFC 7047 §4.1 methods ----------------------------------------------------------------

  async listDbs(): Promise<string[]> {
    return (await this.#request('list_dbs', [])) as string[]
  }

  /** get_schema, cached for the session. */
  async getSchema(db: string): Promise<DatabaseSchema> {
    const cached = this.#schemas.get(db)
    if (cached) return cached
    const s = parseSchema(await this.#request('get_schema', [db]))
    this.#schemas.set(db, s)
    return s
  }

  /** The schema fetched in this session, if any. */
  cachedSchema(db: string): DatabaseSchema | undefined {
    return this.#schemas.get(db)
  }

  /** transact; returns the raw results without checking them for errors. */
  async transactRaw(db: string, ops: readonly Operation[], options: TransactOptions = {}): Promise<OperationResult[]> {
    let id: RpcId | undefined
    const onAbort = (): void => {
      if (id !== undefined) this.#rpc?.cancel(id)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return (await this.#request('transact', [db, ...ops], { ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), onId: (i) => (id = i) })) as OperationResult[]
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  /** transact; throws the RFC error class of the first failing operation (or the commit error). */
  async transact(db: string, ops: readonly Operation[], options: TransactOptions = {}): Promise<OperationResult[]> {
    const results = await this.transactRaw(db, ops, options)
    const err = checkOperationResults(results, ops)
    if (err) throw err
    return results
  }

  /** RFC 7047 §4.1.5 monitor; `onUpdate` gets later `update` notifications. Returns the initial rows. */
  async monitor(db: string, monitorId: unknown, requests: MonitorRequests, onUpdate: (u: TableUpdates) => void): Promise<TableUpdates> {
    return this.#monitor('monitor', [db, monitorId, requests], monitorId, (_m, u) => onUpdate(u as TableUpdates)) as Promise<TableUpdates>
  }

  /** OVS monitor_cond (update2 notifications, modify rows are diffs). */
  async monitorCond(db: string, monitorId: unknown, requests: MonitorCondRequests, onUpdate: (u: TableUpdates2) => void): Promise<TableUpdates2> {
    return this.#monitor('monitor_cond', [db, monitorId, requests], monitorId, (_m, u) => onUpdate(u as TableUpdates2)) as Promise<TableUpdates2>
  }

  /** OVS monitor_cond_since (2.12+): `found` says whether only the changes since `lastTxnId` were sent. */
  async monitorCondSince(
    db: string,
    monitorId: unknown,
    requests: MonitorCondRequests,
    lastTxnId: string | null,
    onUpdate: (u: TableUpdates2, lastTxnId: string) => void,
  ): Promise<{ found: boolean; lastTxnId: string; updates: TableUpdates2 }> {
    const zero = '00000000-0000-0000-0000-000000000000'
    const r = (await this.#monitor('monitor_cond_since', [db, monitorId, requests, lastTxnId ?? zero], monitorId, (_m, u, t) => onUpdate(u as TableUpdates2, t ?? zero))) as [boolean, string, TableUpdates2]
    return { found: r[0], lastTxnId: r[1], updates: r[2] }
  }

  async #monitor(method: string, params: unknown[], monitorId: unknown, cb: MonitorCallback): Promise<unknown> {
    const key = JSON.stringify(monitorId)
    if (this.#monitors.has(key)) throw new Error(`monitor id ${key} already in use`)
    // Register before sending: updates may follow the reply in the same read, before the
    // caller has seen the initial rows. Queue them and deliver them after the caller's
    // continuation has run (setImmediate runs after pending promise reactions).
    const queue: Parameters<MonitorCallback>[] = []
    let live = false
    this.#monitors.set(key, (...a) => (live ? cb(...a) : queue.push(a)))
    let r: unknown
    try {
      r = await this.#request(method, params)
    } catch (e) {
      this.#monitors.delete(key)
      throw e
    }
    setImmediate(() => {
      for (const a of queue) cb(...a)
      queue.length = 0
      live = true
    })
    return r
  }

  /**
   * A monitor id no other monitor of this client uses (RFC 7047 §4.1.5: ids are chosen by the
   * client and must be unique within the session). Replicas take theirs from here, so several
   * replicas of one database on one client do not collide.
   */
  nextMonitorId(...prefix: (string | number)[]): (string | number)[] {
    return [...prefix, ++this.#monitorSeq]
  }

  async monitorCancel(monitorId: unknown): Promise<void> {
    await this.#request('monitor_cancel', [monitorId])
    this.#monitors.delete(JSON.stringify(monitorId))
  }

  /** RFC 7047 §4.1.8: true if granted now; otherwise a `locked` event follows when it is. */
  async lock(lockId: string): Promise<boolean> {
    this.#locks.add(lockId)
    return ((await this.#request('lock', [lockId])) as { locked: boolean }).locked
  }
  async steal(lockId: string): Promise<boolean> {
    this.#locks.add(lockId)
    return ((await this.#request('steal', [lockId])) as { locked: boolean }).locked
  }
  async unlock(lockId: string): Promise<void> {
    this.#locks.delete(lockId)
    await this.#request('unlock', [lockId])
  }

  async echo(...args: unknown[]): Promise<unknown[]> {
    return (await this.#request('echo', args)) as unknown[]
  }

  /** True if `err` means the method is not implemented by the server (for fallbacks). */
  static isUnknownMethod(err: unknown): boolean {
    if (err instanceof RpcError) return /unknown method/i.test(JSON.stringify(err.error))
    return err instanceof Error && 'error' in err && /unknown method/i.test(String((err as { error: unknown }).error))
  }
}
