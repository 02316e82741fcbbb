/**
 * One switch connection: handshake (HELLO negotiation to 1.3, FEATURES, SET_CONFIG, PORT_DESC),
 * xid-keyed request promises, multipart reassembly, barriers that report the errors of the
 * messages before them, and ECHO keepalive with dead-peer detection.
 *
 * "Compute, then apply": callers build frozen message values, `sendAll()` encodes them into one
 * Buffer and one socket write, and `barrier()` confirms them (`apply()` does both).
 */
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { decodeMessage, encodeMessage } from './codec.js'
import { type ControllerRoleName, GROUP_ANY, MULTIPART_MORE, OFP_VERSION, Port, TABLE_ALL } from './constants.js'
import {
  BarrierError, ConnectionClosedError, DeadPeerError, errorCode, HandshakeError, MultipartLimitError, OpenFlowError,
  RequestTimeoutError,
} from './errors.js'
import { Framer } from './framer.js'
import { safeEmit } from './safe-emit.js'
import type {
  AggregateStats, Desc, FeaturesReply, FlowStats, FlowStatsRequestBody, GroupDesc, MultipartReply,
  MultipartReplyBody, MultipartRequestBody, OFMessage, PortInfo, PortStats, RoleMsg, TableStats,
} from './messages.js'
import { Writer } from './wire.js'

export interface ConnectionOptions {
  /** Send ECHO_REQUEST after this long without traffic (ms); 0 disables keepalive. Default 5000. */
  readonly echoInterval?: number
  /** Declare the peer dead after this long without traffic (ms). Default 3 × echoInterval. */
  readonly echoTimeout?: number
  /** miss_send_len for SET_CONFIG; default 0xffff (whole packet, no buffering). */
  readonly missSendLen?: number
  readonly handshakeTimeout?: number
  /** Timeout for request()/barrier() (ms). Default 60000. */
  readonly requestTimeout?: number
  /** Remember messages sent since the last barrier so errors name their request. Default true. */
  readonly trackRequests?: boolean
  /**
   * Bounds on one multipart reply (OF1.3 §7.3.5 lets a switch send any number of parts with
   * OFPMPF_REPLY_MORE): more parts or bytes than this fail that request with MultipartLimitError,
   * later parts of it are dropped, and the connection stays up. Defaults 65536 parts, 128 MiB.
   */
  readonly maxMultipartParts?: number
  readonly maxMultipartBytes?: number
}

interface Pending {
  readonly request: OFMessage
  resolve(m: OFMessage): void
  reject(e: Error): void
  timer?: NodeJS.Timeout
  parts?: MultipartReplyBody[]
  bytes?: number
}

/** Throws RangeError for options that cannot work (bounds below 1). */
export function checkConnectionOptions(opts: ConnectionOptions): void {
  for (const k of ['maxMultipartParts', 'maxMultipartBytes'] as const) {
    const v = opts[k]
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new RangeError(`${k} must be a positive integer, got ${String(v)}`)
  }
}

const VERSION_NAMES: Record<number, string> = { 1: '1.0', 2: '1.1', 3: '1.2', 4: '1.3', 5: '1.4', 6: '1.5' }
export function versionName(v: number): string {
  return VERSION_NAMES[v] ?? `0x${v.toString(16)}`
}

export type ConnectionState = 'handshake' | 'ready' | 'closed'

export interface SwitchConnectionEvents {
  ready: []
  message: [OFMessage]
  packet_in: [Extract<OFMessage, { type: 'packet_in' }>]
  port_status: [Extract<OFMessage, { type: 'port_status' }>]
  flow_removed: [Extract<OFMessage, { type: 'flow_removed' }>]
  /** An error not claimed by a pending request (it is also reported by the next barrier). */
  switch_error: [OpenFlowError]
  close: [Error | undefined]
  /** A listener of another event threw or rejected (ListenerError); the connection carries on. */
  error: [Error]
}

export class SwitchConnection extends EventEmitter<SwitchConnectionEvents> {
  state: ConnectionState = 'handshake'
  datapathId = 0n
  features: FeaturesReply | undefined
  readonly ports = new Map<number, PortInfo>()
  /** Resolves after the handshake; rejects with HandshakeError (or a close error). */
  readonly ready: Promise<void>
  closeReason: Error | undefined

  private xid = 0x10000
  private readonly framer = new Framer()
  private readonly pending = new Map<number, Pending>()
  private readonly sent = new Map<number, OFMessage>()
  /** xids of multipart replies that went over the bounds: their remaining parts are dropped. */
  private readonly discarding = new Set<number>()
  private errorsSinceBarrier: OpenFlowError[] = []
  private readonly writer = new Writer(64 * 1024)
  private lastRx = Date.now()
  private keepalive: NodeJS.Timeout | undefined
  private readonly opts: Required<ConnectionOptions>
  private resolveReady!: () => void
  private rejectReady!: (e: Error) => void

  constructor(
    readonly socket: Duplex,
    opts: ConnectionOptions = {},
    /** A label for logs/errors (remote address). */
    readonly remote = 'switch',
  ) {
    super()
    const echoInterval = opts.echoInterval ?? 5000
    this.opts = {
      echoInterval,
      echoTimeout: opts.echoTimeout ?? echoInterval * 3,
      missSendLen: opts.missSendLen ?? 0xffff,
      handshakeTimeout: opts.handshakeTimeout ?? 10000,
      requestTimeout: opts.requestTimeout ?? 60000,
      trackRequests: opts.trackRequests ?? true,
      maxMultipartParts: opts.maxMultipartParts ?? 65536,
      maxMultipartBytes: opts.maxMultipartBytes ?? 128 * 1024 * 1024,
    }
    checkConnectionOptions(this.opts)
    this.ready = new Promise((res, rej) => {
      this.resolveReady = res
      this.rejectReady = rej
    })
    this.ready.catch(() => {})
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (e: Error) => this.destroy(new ConnectionClosedError(`connection to ${this.remote} closed (${e.message})`, { cause: e })))
    socket.on('close', () => this.destroy(new ConnectionClosedError(`connection to ${this.remote} closed`)))
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true)
    void this.handshake()
  }

  get dpidHex(): string {
    return this.datapathId.toString(16).padStart(16, '0')
  }

  private nextXid(): number {
    this.xid = this.xid >= 0xfffffff0 ? 1 : this.xid + 1
    return this.xid
  }

  // ---- handshake ---------------------------------------------------------------------------

  private helloWaiter: ((m: OFMessage) => void) | undefined

  private async handshake(): Promise<void> {
    const timer = setTimeout(
      () => this.destroy(new HandshakeError(`handshake with ${this.remote} timed out`)),
      this.opts.handshakeTimeout,
    )
    try {
      const peerHello = new Promise<OFMessage>((res) => (this.helloWaiter = res))
      this.writeNow({ type: 'hello', versions: [OFP_VERSION] }, this.nextXid())
      const hello = await Promise.race([peerHello, this.closedPromise()])
      if (hello.type !== 'hello') throw new HandshakeError(`${this.remote} sent ${hello.type} before HELLO`)
      const offers = hello.versions ?? (hello.version !== undefined && hello.version >= OFP_VERSION ? [OFP_VERSION] : [hello.version ?? 0])
      if (!offers.includes(OFP_VERSION)) {
        const text = `this controller speaks OpenFlow 1.3 only; switch offers ${offers.map(versionName).join(', ')}`
        const [t, c] = errorCode('HELLO_FAILED', 'INCOMPATIBLE')
        this.writeNow({ type: 'error', errorType: t, code: c, data: Buffer.from(text) }, hello.xid ?? 0)
        throw new HandshakeError(`${this.remote}: ${text}`)
      }
      const features = (await this.request({ type: 'features_request' })) as FeaturesReply
      this.features = features
      this.datapathId = features.datapathId
      this.send({ type: 'set_config', flags: 0, missSendLen: this.opts.missSendLen })
      for (const p of await this.portDesc()) this.ports.set(p.portNo, p)
      clearTimeout(timer)
      this.state = 'ready'
      this.startKeepalive()
      this.resolveReady()
      safeEmit(this, 'ready')
    } catch (e) {
      clearTimeout(timer)
      this.destroy(e as Error)
    }
  }

  private closedPromise(): Promise<never> {
    return new Promise((_, rej) => this.once('close', (e) => rej(e ?? new ConnectionClosedError('closed'))))
  }

  // ---- receive -----------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    try {
      this.framer.push(chunk, (frame) => this.onFrame(frame))
    } catch (e) {
      this.destroy(e as Error)
    }
  }

  private onFrame(frame: Buffer): void {
    if (this.state === 'closed') return
    // liveness counts whole messages, not bytes: a peer stuck in the middle of a frame (or
    // trickling one) is as dead as a silent one
    this.lastRx = Date.now()
    if (frame[0] !== OFP_VERSION && frame[1] !== 0 && frame[1] !== 1) {
      throw new HandshakeError(`${this.remote} sent OpenFlow version 0x${frame[0]!.toString(16)} after negotiating 1.3`)
    }
    const m = decodeMessage(frame)
    if (this.helloWaiter) {
      const w = this.helloWaiter
      this.helloWaiter = undefined
      if (m.type === 'error') {
        throw new HandshakeError(`${this.remote} refused the handshake: ${new OpenFlowError(m.errorType, m.code, m.xid).message}: ${m.data.toString('latin1').replace(/[^\x20-\x7e]/g, '')}`)
      }
      w(m)
      return
    }
    switch (m.type) {
      case 'echo_request':
        this.writeNow({ type: 'echo_reply', data: m.data }, m.xid)
        return
      case 'error':
        return this.onError(m.xid, m)
      case 'packet_in':
      case 'port_status':
      case 'flow_removed':
        if (m.type === 'port_status') {
          if (m.reason === 1) this.ports.delete(m.port.portNo)
          else this.ports.set(m.port.portNo, m.port)
        }
        safeEmit(this, m.type, m)
        safeEmit(this, 'message', m)
        return
      default:
    }
    const p = this.pending.get(m.xid)
    if (!p) {
      if (m.type === 'multipart_reply' && this.discarding.has(m.xid)) {
        if (!(m.flags & MULTIPART_MORE)) this.discarding.delete(m.xid)
        return
      }
      safeEmit(this, 'message', m)
      return
    }
    if (m.type === 'multipart_reply') {
      const parts = (p.parts ??= [])
      parts.push(m.body)
      p.bytes = (p.bytes ?? 0) + frame.length
      const more = (m.flags & MULTIPART_MORE) !== 0
      if (parts.length > this.opts.maxMultipartParts || p.bytes > this.opts.maxMultipartBytes) {
        this.settle(m.xid)
        if (more) this.discarding.add(m.xid)
        p.reject(new MultipartLimitError(`${m.body.kind} reply (xid ${m.xid}) from ${this.remote} exceeds ${parts.length > this.opts.maxMultipartParts
          ? `${this.opts.maxMultipartParts} parts` : `${this.opts.maxMultipartBytes} bytes`}; request abandoned`))
        return
      }
      if (more) return
      this.settle(m.xid)
      p.resolve({ ...m, body: mergeParts(p.parts) })
      return
    }
    if (m.type === 'barrier_reply') {
      this.settle(m.xid)
      this.forgetSentUpTo(m.xid)
      const errors = this.errorsSinceBarrier
      this.errorsSinceBarrier = []
      if (errors.length > 0) p.reject(new BarrierError(errors))
      else p.resolve(m)
      return
    }
    this.settle(m.xid)
    p.resolve(m)
  }

  private onError(xid: number, m: Extract<OFMessage, { type: 'error' }>): void {
    const p = this.pending.get(xid)
    const request = p?.request ?? this.sent.get(xid)
    const err = new OpenFlowError(m.errorType, m.code, xid, request, m.data)
    if (p) {
      // delivered to its own awaited request; the barrier reports only fire-and-forget failures
      this.settle(xid)
      p.reject(err)
    } else {
      this.errorsSinceBarrier.push(err)
      safeEmit(this, 'switch_error', err)
    }
  }

  private settle(xid: number): void {
    const p = this.pending.get(xid)
    if (p?.timer) clearTimeout(p.timer)
    this.pending.delete(xid)
  }

  private forgetSentUpTo(barrierXid: number): void {
    for (const k of this.sent.keys()) {
      this.sent.delete(k)
      if (k === barrierXid) break
    }
  }

  // ---- send --------------------------------------------------------------------------------

  private writeNow(m: OFMessage, xid: number): void {
    if (this.state === 'closed') throw this.closeReason ?? new ConnectionClosedError('connection closed')
    const w = this.writer
    w.reset()
    encodeMessage(m, w, xid)
    this.socket.write(w.toBuffer())
  }

  /** Sends one message (fire and forget); returns its xid. Errors surface on the next barrier. */
  send(m: OFMessage): number {
    const xid = m.xid ?? this.nextXid()
    if (this.opts.trackRequests) this.sent.set(xid, m)
    this.writeNow(m, xid)
    return xid
  }

  /**
   * Encodes all messages into one Buffer and writes it once (cork + one write). Returns the xids.
   * Resolves when the socket has accepted the bytes (backpressure), not when the switch applied them.
   */
  sendAll(msgs: Iterable<OFMessage>): Promise<number[]> {
    if (this.state === 'closed') return Promise.reject(this.closeReason ?? new ConnectionClosedError('connection closed'))
    // Encode into 4 MiB slabs and hand each slab to the socket as is (no copy): a slab is never
    // reused after write(), so 100k flow mods cost a handful of write() calls.
    let w = new Writer(4 << 20)
    const xids: number[] = []
    const flush = (): boolean => {
      const ok = this.socket.write(w.view())
      w = new Writer(4 << 20)
      return ok
    }
    let ok = true
    for (const m of msgs) {
      const xid = m.xid ?? this.nextXid()
      if (this.opts.trackRequests) this.sent.set(xid, m)
      encodeMessage(m, w, xid)
      xids.push(xid)
      if (w.pos >= (4 << 20) - 0x10000) ok = flush()
    }
    if (w.pos > 0) ok = flush()
    if (ok) return Promise.resolve(xids)
    return new Promise((res, rej) => {
      const onDrain = (): void => { this.off('close', onClose); res(xids) }
      const onClose = (e?: Error): void => { this.socket.off('drain', onDrain); rej(e ?? new ConnectionClosedError('closed')) }
      this.socket.once('drain', onDrain)
      this.once('close', onClose)
    })
  }

  /** Sends a request and resolves with its reply (multipart replies are merged). */
  request(m: OFMessage, timeout = this.opts.requestTimeout): Promise<OFMessage> {
    if (this.state === 'closed') return Promise.reject(this.closeReason ?? new ConnectionClosedError('connection closed'))
    const xid = m.xid ?? this.nextXid()
    return new Promise((resolve, reject) => {
      const p: Pending = { request: m, resolve, reject }
      if (timeout > 0) {
        p.timer = setTimeout(() => {
          this.pending.delete(xid)
          reject(new RequestTimeoutError(`${m.type} (xid ${xid}) to ${this.remote}: no reply within ${timeout} ms`))
        }, timeout)
      }
      this.pending.set(xid, p)
      if (this.opts.trackRequests) this.sent.set(xid, m)
      try {
        this.writeNow(m, xid)
      } catch (e) {
        this.settle(xid)
        reject(e as Error)
      }
    })
  }

  /**
   * Resolves once the switch has processed everything sent before it; rejects with BarrierError
   * listing the switch errors caused by the messages sent with send()/sendAll() before it
   * (OF1.3 §6.2: errors precede the barrier reply). Errors answering a request() reject that
   * request's own promise instead.
   */
  async barrier(): Promise<void> {
    await this.request({ type: 'barrier_request' })
  }

  /** sendAll + barrier: the "apply" half of compute-then-apply. */
  async apply(msgs: Iterable<OFMessage>): Promise<void> {
    await this.sendAll(msgs)
    await this.barrier()
  }

  async echo(data?: Buffer): Promise<number> {
    const t = process.hrtime.bigint()
    await this.request({ type: 'echo_request', data: data ?? Buffer.alloc(0) })
    return Number(process.hrtime.bigint() - t) / 1e6
  }

  // ---- multipart helpers --------------------------------------------------------------------

  async multipart(body: MultipartRequestBody): Promise<MultipartReplyBody> {
    const r = (await this.request({ type: 'multipart_request', flags: 0, body })) as MultipartReply
    return r.body
  }

  private async mp<K extends MultipartReplyBody['kind']>(
    kind: K,
    body: MultipartRequestBody,
  ): Promise<Extract<MultipartReplyBody, { kind: K }>> {
    const b = await this.multipart(body)
    if (b.kind !== kind) throw new Error(`${body.kind} request answered with a ${b.kind} reply`)
    return b as Extract<MultipartReplyBody, { kind: K }>
  }

  async desc(): Promise<Desc> {
    return (await this.mp('desc', { kind: 'desc' })).desc
  }

  async portDesc(): Promise<PortInfo[]> {
    return [...(await this.mp('port_desc', { kind: 'port_desc' })).ports]
  }

  async flowStats(filter: Partial<FlowStatsRequestBody> = {}): Promise<FlowStats[]> {
    return [...(await this.mp('flow', { kind: 'flow', ...statsFilter(filter) })).flows]
  }

  async aggregateStats(filter: Partial<FlowStatsRequestBody> = {}): Promise<AggregateStats> {
    return (await this.mp('aggregate', { kind: 'aggregate', ...statsFilter(filter) })).stats
  }

  async portStats(portNo: number = Port.ANY): Promise<PortStats[]> {
    return [...(await this.mp('port_stats', { kind: 'port_stats', portNo })).ports]
  }

  async groupDesc(): Promise<GroupDesc[]> {
    return [...(await this.mp('group_desc', { kind: 'group_desc' })).groups]
  }

  async tableStats(): Promise<TableStats[]> {
    return [...(await this.mp('table', { kind: 'table' })).tables]
  }

  /** ROLE_REQUEST; rejects with ROLE_REQUEST_FAILED/STALE for an old generation id. */
  async setRole(role: ControllerRoleName, generationId = 0n): Promise<RoleMsg> {
    return (await this.request({ type: 'role_request', role, generationId })) as RoleMsg
  }

  // ---- keepalive / close --------------------------------------------------------------------

  private startKeepalive(): void {
    const iv = this.opts.echoInterval
    if (iv <= 0) return
    this.keepalive = setInterval(() => {
      const idle = Date.now() - this.lastRx
      if (idle >= this.opts.echoTimeout) {
        this.destroy(new DeadPeerError(`${this.remote} (dpid ${this.dpidHex}) silent for ${idle} ms`))
      } else if (idle >= iv) {
        this.request({ type: 'echo_request', data: Buffer.alloc(0) }, this.opts.echoTimeout).catch(() => {})
      }
    }, Math.max(10, Math.min(iv, this.opts.echoTimeout) / 2))
    this.keepalive.unref()
  }

  /** Closes the connection; pending requests reject with `reason`. */
  destroy(reason?: Error): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.closeReason = reason ?? new ConnectionClosedError(`connection to ${this.remote} closed`)
    if (this.keepalive) clearInterval(this.keepalive)
    for (const [xid, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer)
      this.pending.delete(xid)
      p.reject(this.closeReason)
    }
    this.sent.clear()
    this.discarding.clear()
    this.rejectReady(this.closeReason)
    // end() first so a last message (HELLO_FAILED) still reaches the peer; then make sure
    this.socket.end()
    setTimeout(() => this.socket.destroy(), 200).unref()
    safeEmit(this, 'close', reason)
  }

  close(): void {
    this.destroy(new ConnectionClosedError(`closed by controller`))
  }
}

function statsFilter(f: Partial<FlowStatsRequestBody>): FlowStatsRequestBody {
  return {
    table: f.table ?? TABLE_ALL,
    outPort: f.outPort ?? Port.ANY,
    outGroup: f.outGroup ?? GROUP_ANY,
    cookie: f.cookie ?? 0n,
    cookieMask: f.cookieMask ?? 0n,
    match: f.match ?? {},
  }
}

/** Concatenates the entries of a multi-message reply (OF1.3 §7.3.5, OFPMPF_REPLY_MORE). */
export function mergeParts(parts: MultipartReplyBody[]): MultipartReplyBody {
  const first = parts[0]!
  if (parts.length === 1) return first
  switch (first.kind) {
    case 'flow': return { kind: 'flow', flows: parts.flatMap((p) => (p as typeof first).flows) }
    case 'port_stats': return { kind: 'port_stats', ports: parts.flatMap((p) => (p as typeof first).ports) }
    case 'port_desc': return { kind: 'port_desc', ports: parts.flatMap((p) => (p as typeof first).ports) }
    case 'group_desc': return { kind: 'group_desc', groups: parts.flatMap((p) => (p as typeof first).groups) }
    case 'table': return { kind: 'table', tables: parts.flatMap((p) => (p as typeof first).tables) }
    case 'raw': return { kind: 'raw', mpType: first.mpType, data: Buffer.concat(parts.map((p) => (p as typeof first).data)) }
    default: return first
  }
}
