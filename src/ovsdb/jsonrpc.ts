/**
 * JSON-RPC 1.0 peer over one byte stream (RFC 7047 §4: both ends send requests, responses and
 * notifications). Used by the client and by the in-process test server.
 *
 * - Requests carry a numeric id; responses are matched by id, in any order.
 * - `echo` requests from the peer are answered here (§4.1.11); other requests go to `onRequest`.
 * - Inactivity probe (as in OVS's reconnect.c): after `probeIntervalMs` with nothing received we
 *   send an `echo`; if still nothing arrives for another interval, the connection is dropped.
 * - `cancel` (§4.1.4) is a notification naming an outstanding request id.
 */
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { ConnectionClosedError, FramingError, OvsdbError, ProtocolError, RequestTimeoutError, operationError } from './errors.js'
import { JsonStreamParser, type JsonStreamParserOptions } from './framing.js'
import { consoleLogger, type Logger } from './logger.js'

export type RpcId = string | number

export interface JsonRpcOptions extends JsonStreamParserOptions {
  /** Default timeout for our requests in ms (0 = none). */
  requestTimeoutMs?: number
  /** Inactivity probe interval in ms (0 = disabled; OVS defaults to 5000). */
  probeIntervalMs?: number
  logger?: Logger
  /** Name used in log lines (e.g. the endpoint). */
  label?: string
}

export type RequestHandler = (method: string, params: unknown[], id: RpcId) => unknown | Promise<unknown>
export type NotificationHandler = (method: string, params: unknown[]) => void

interface Pending {
  method: string
  resolve(v: unknown): void
  reject(e: Error): void
  timer: NodeJS.Timeout | undefined
}

/** Error member of a JSON-RPC response that is not an OVSDB operation error. */
export class RpcError extends OvsdbError {
  override readonly name = 'RpcError'
  constructor(readonly method: string, readonly error: unknown) {
    super(`${method}: ${typeof error === 'string' ? error : JSON.stringify(error)}`)
  }
}

export class JsonRpcConnection extends EventEmitter<{ close: [reason: string] }> {
  readonly stream: Duplex
  readonly label: string
  readonly logger: Logger
  onRequest: RequestHandler | undefined
  onNotification: NotificationHandler | undefined
  #parser: JsonStreamParser
  #pending = new Map<RpcId, Pending>()
  #nextId = 1
  #closed = false
  #closeReason = ''
  #requestTimeoutMs: number
  #probeIntervalMs: number
  #probeTimer: NodeJS.Timeout | undefined
  #lastRx = Date.now()
  #probeSent = false

  constructor(stream: Duplex, options: JsonRpcOptions = {}) {
    super()
    this.stream = stream
    this.label = options.label ?? 'ovsdb'
    this.logger = options.logger ?? consoleLogger
    this.#parser = new JsonStreamParser(options)
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 0
    this.#probeIntervalMs = options.probeIntervalMs ?? 0
    stream.on('data', (chunk: Buffer) => this.#onData(chunk))
    stream.on('end', () => {
      try {
        this.#parser.end()
        this.close('connection closed by peer')
      } catch (e) {
        this.close(`connection closed by peer: ${(e as Error).message}`)
      }
    })
    stream.on('error', (e) => this.close(`stream error: ${e.message}`))
    stream.on('close', () => this.close('connection closed'))
    if (this.#probeIntervalMs > 0) this.#armProbe()
  }

  get closed(): boolean {
    return this.#closed
  }
  get closeReason(): string {
    return this.#closeReason
  }
  get pendingCount(): number {
    return this.#pending.size
  }

  /** Sends a request and resolves with its result; rejects with the `error` member. */
  request(method: string, params: unknown[], options: { timeoutMs?: number; onId?: (id: RpcId) => void } = {}): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError(`${method}: ${this.#closeReason}`))
    const id = this.#nextId++
    options.onId?.(id)
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs
      const p: Pending = { method, resolve, reject, timer: undefined }
      if (timeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.#pending.delete(id)
          reject(new RequestTimeoutError(method, timeoutMs))
        }, timeoutMs)
      }
      this.#pending.set(id, p)
      this.#send({ method, params, id })
    })
  }

  notify(method: string, params: unknown[]): void {
    if (!this.#closed) this.#send({ method, params, id: null })
  }

  /**
   * RFC 7047 §4.1.4: asks the peer to abandon an outstanding request of ours, and fails it
   * locally with Canceled. The RFC says the server answers "canceled", but ovsdb-server 3.1
   * silently drops the pending trigger and never replies; any late reply is ignored.
   */
  cancel(id: RpcId): void {
    this.notify('cancel', [id])
    const p = this.#pending.get(id)
    if (!p) return
    this.#pending.delete(id)
    if (p.timer) clearTimeout(p.timer)
    p.reject(operationError('canceled', -1))
  }

  respond(id: RpcId, result: unknown, error: unknown = null): void {
    if (!this.#closed) this.#send({ id, result: error == null ? result : null, error })
  }

  /** Closes the stream and fails every outstanding request. Idempotent. */
  close(reason = 'closed by us'): void {
    if (this.#closed) return
    this.#closed = true
    this.#closeReason = reason
    if (this.#probeTimer) clearTimeout(this.#probeTimer)
    for (const [, p] of this.#pending) {
      if (p.timer) clearTimeout(p.timer)
      p.reject(new ConnectionClosedError(`${p.method}: ${reason}`))
    }
    this.#pending.clear()
    this.#flush()
    this.stream.destroy()
    this.emit('close', reason)
  }

  #send(msg: object): void {
    // Messages sent in the same tick go out in one write (one syscall, one wakeup of the
    // peer): pipelined transactions cost far less than one write each.
    const text = JSON.stringify(msg)
    if (this.#outQueue.length === 0) queueMicrotask(this.#flush)
    this.#outQueue.push(text)
  }

  #outQueue: string[] = []
  #flush = (): void => {
    const q = this.#outQueue
    if (q.length === 0 || this.stream.destroyed) {
      q.length = 0
      return
    }
    this.#outQueue = []
    this.stream.write(q.length === 1 ? q[0]! : q.join(''))
  }

  #armProbe(): void {
    this.#probeTimer = setTimeout(() => this.#probe(), this.#probeIntervalMs)
    this.#probeTimer.unref()
  }

  #probe(): void {
    if (this.#closed) return
    const idle = Date.now() - this.#lastRx
    if (idle < this.#probeIntervalMs) {
      this.#probeTimer = setTimeout(() => this.#probe(), this.#probeIntervalMs - idle)
      this.#probeTimer.unref()
      return
    }
    if (this.#probeSent) {
      const reason = `no response to inactivity probe after ${Math.round(idle / 1000)} s, disconnecting`
      this.logger.warn(`${this.label}: ${reason}`)
      this.close(reason)
      return
    }
    this.#probeSent = true
    this.request('echo', [], { timeoutMs: 0 }).catch(() => {})
    this.#probeTimer = setTimeout(() => this.#probe(), this.#probeIntervalMs)
    this.#probeTimer.unref()
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return
    this.#lastRx = Date.now()
    this.#probeSent = false
    try {
      this.#parser.push(chunk, (msg) => this.#dispatch(msg))
    } catch (e) {
      const reason = e instanceof FramingError || e instanceof ProtocolError ? e.message : `internal error: ${(e as Error).stack}`
      this.logger.warn(`${this.label}: dropping connection: ${reason}`)
      this.close(reason)
    }
  }

  #dispatch(msg: unknown): void {
    if (this.#closed) return
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      throw new ProtocolError(`JSON-RPC message is not an object: ${JSON.stringify(msg).slice(0, 100)}`)
    }
    const m = msg as { method?: unknown; params?: unknown; id?: unknown; result?: unknown; error?: unknown }
    if (m.method !== undefined) {
      if (typeof m.method !== 'string') throw new ProtocolError('JSON-RPC "method" is not a string')
      const params = Array.isArray(m.params) ? m.params : []
      if (m.id === null || m.id === undefined) {
        // A throwing listener is a bug in the caller, not a protocol error: log, keep going.
        try {
          this.onNotification?.(m.method, params)
        } catch (e) {
          this.logger.error(`${this.label}: ${m.method} handler threw: ${(e as Error).stack}`)
        }
        return
      }
      if (typeof m.id !== 'string' && typeof m.id !== 'number') throw new ProtocolError('JSON-RPC request id must be a string or number')
      this.#handleRequest(m.method, params, m.id)
      return
    }
    if (!('result' in m) && !('error' in m)) throw new ProtocolError(`JSON-RPC message is neither request nor response: ${JSON.stringify(msg).slice(0, 100)}`)
    const p = this.#pending.get(m.id as RpcId)
    if (!p) {
      this.logger.debug(`${this.label}: response for unknown id ${JSON.stringify(m.id)}`)
      return
    }
    this.#pending.delete(m.id as RpcId)
    if (p.timer) clearTimeout(p.timer)
    if (m.error != null) {
      // ovsdb-server reports some request-level failures ("unknown database", "canceled")
      // as {"error": "...", "details": "..."}; give those the RFC error classes too.
      if (typeof m.error === 'object' && m.error !== null && typeof (m.error as { error?: unknown }).error === 'string') {
        p.reject(operationError(m.error))
      } else if (m.error === 'canceled') p.reject(operationError('canceled'))
      else p.reject(new RpcError(p.method, m.error))
    } else p.resolve(m.result)
  }

  /** Number of `echo` requests from the peer we answered (its inactivity probes). */
  echoesAnswered = 0

  #handleRequest(method: string, params: unknown[], id: RpcId): void {
    if (method === 'echo') {
      this.echoesAnswered++
      this.respond(id, params)
      return
    }
    if (!this.onRequest) {
      this.respond(id, null, { error: 'unknown method', details: method })
      return
    }
    let r: unknown
    try {
      r = this.onRequest(method, params, id)
    } catch (e) {
      this.respond(id, null, errorToWire(e))
      return
    }
    if (r instanceof Promise) {
      r.then((v) => this.respond(id, v), (e) => this.respond(id, null, errorToWire(e)))
    } else if (r !== NO_REPLY) this.respond(id, r)
  }
}

/** Returned by an onRequest handler that will call respond() itself later. */
export const NO_REPLY: unique symbol = Symbol('NO_REPLY')

function errorToWire(e: unknown): unknown {
  if (e && typeof e === 'object' && 'error' in e && typeof (e as { error: unknown }).error === 'string') {
    const o = e as { error: string; details?: unknown }
    return { error: o.error, details: o.details }
  }
  return { error: 'internal error', details: (e as Error)?.message ?? String(e) }
}
