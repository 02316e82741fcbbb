/**
 * The Transport over RabbitMQ (oslo_messaging/_drivers/amqpdriver.py + impl_rabbit.py):
 * casts to the topic or fanout exchange, calls with one reply queue per transport
 * (`reply_<uuid4hex>`, x-expires) and a timeout that always ends the call (MessagingTimeout, also
 * while the broker is down), and RPC servers. Created at once; connects in the background.
 */
import type { ConfirmChannel, ConsumeMessage } from 'amqplib'
import { AmqpConnection, type ChannelSetup } from './amqp-connection.js'
import { decodeEnvelope, encodeEnvelope, requestMessage, uuidHex } from './envelope.js'
import { MessagingTimeout, TransportClosed } from './errors.js'
import { deserializeFailure } from './failure.js'
import type { MessagingLogger } from './logger.js'
import { AmqpRpcServer } from './rpc-server.js'
import { TRANSPORT_DEFAULTS, tlsSocketOptions, type TransportOptions } from './transport-options.js'
import { parseTransportUrl, type TransportUrl } from './transport-url.js'
import type { ContextDict, RpcServer, RpcServerOptions, Target, Transport } from './types.js'
import { UniqueIdCache } from './unique-id-cache.js'
import { declareFanoutExchange, declareTopicExchange, declareTransientQueue, messageProps, route } from './wire.js'

interface PendingCall {
  resolve(v: unknown): void
  reject(e: Error): void
}

export class AmqpTransport implements Transport {
  readonly url: TransportUrl
  readonly replyQueue = `reply_${uuidHex()}`
  readonly #conn: AmqpConnection
  readonly #log: MessagingLogger
  readonly #controlExchange: string
  readonly #timeoutMs: number
  readonly #ttlMs: number
  readonly #mandatory: boolean
  readonly #dedupeCapacity: number
  readonly #pending = new Map<string, PendingCall>()
  readonly #replySeen: UniqueIdCache
  readonly #servers = new Set<AmqpRpcServer>()
  /** Topic exchange declarations per channel (a new channel declares again). */
  readonly #declared = new WeakMap<ConfirmChannel, Map<string, Promise<unknown>>>()
  #replySetup: Promise<void> | null = null
  #closed = false

  constructor(o: TransportOptions) {
    this.url = typeof o.url === 'string' ? parseTransportUrl(o.url) : o.url
    this.#log = o.log
    this.#controlExchange = o.controlExchange ?? TRANSPORT_DEFAULTS.controlExchange
    this.#timeoutMs = o.rpcResponseTimeoutMs ?? TRANSPORT_DEFAULTS.rpcResponseTimeoutMs
    this.#ttlMs = o.transientQueuesTtlMs ?? TRANSPORT_DEFAULTS.transientQueuesTtlMs
    this.#mandatory = o.directMandatoryFlag ?? TRANSPORT_DEFAULTS.directMandatoryFlag
    this.#dedupeCapacity = o.dedupeCapacity ?? TRANSPORT_DEFAULTS.dedupeCapacity
    this.#replySeen = new UniqueIdCache(this.#dedupeCapacity)
    this.#conn = new AmqpConnection({
      hosts: this.url.hosts,
      vhost: this.url.vhost,
      heartbeatSeconds: o.heartbeatTimeoutThreshold ?? TRANSPORT_DEFAULTS.heartbeatTimeoutThreshold,
      tls: tlsSocketOptions(o.ssl),
      retry: { ...TRANSPORT_DEFAULTS.retry, ...o.retry },
      connectTimeoutMs: o.connectTimeoutMs ?? TRANSPORT_DEFAULTS.connectTimeoutMs,
      log: o.log,
    })
    this.#conn.start()
  }

  get connected(): boolean {
    return this.#conn.connected
  }

  /** Resolves once connected (tests and readiness checks). */
  async waitConnected(): Promise<void> {
    await this.#conn.channel()
  }

  rpcServer(o: RpcServerOptions): RpcServer {
    const server = new AmqpRpcServer({
      conn: this.#conn,
      controlExchange: this.#controlExchange,
      transientQueuesTtlMs: this.#ttlMs,
      directMandatoryFlag: this.#mandatory,
      dedupeCapacity: this.#dedupeCapacity,
      log: this.#log,
    }, o)
    this.#servers.add(server)
    return server
  }

  async cast(target: Target, method: string, args: Record<string, unknown>, ctx: ContextDict = {}): Promise<void> {
    const msg = requestMessage({ method, args, namespace: target.namespace, version: target.version, uniqueId: uuidHex(), ctx })
    await this.#send(target, encodeEnvelope(msg), undefined)
  }

  call(target: Target, method: string, args: Record<string, unknown>, o: { ctx?: ContextDict; timeoutMs?: number } = {}): Promise<unknown> {
    if (this.#closed) return Promise.reject(new TransportClosed(`call ${method}`))
    if (target.fanout) return Promise.reject(new TypeError(`call ${method}: a call cannot go to a fanout target (topic ${target.topic})`))
    const timeoutMs = o.timeoutMs ?? this.#timeoutMs
    const msgId = uuidHex()
    const msg = requestMessage({
      method, args, namespace: target.namespace, version: target.version,
      reply: { msgId, replyQ: this.replyQueue, timeout: null },
      uniqueId: uuidHex(), ctx: o.ctx ?? {},
    })
    const body = encodeEnvelope(msg)
    return new Promise<unknown>((resolve, reject) => {
      // The clock starts now: a broker outage counts against the call, which then times out.
      const timer = setTimeout(() => {
        this.#pending.delete(msgId)
        reject(new MessagingTimeout(method, timeoutMs, msgId))
      }, timeoutMs)
      const settle = <A>(f: (a: A) => void) => (a: A) => {
        if (!this.#pending.delete(msgId)) return
        clearTimeout(timer)
        f(a)
      }
      this.#pending.set(msgId, { resolve: settle(resolve), reject: settle(reject) })
      this.#ensureReplyConsumer()
        .then(() => this.#send(target, body, timeoutMs))
        .catch((e: Error) => this.#pending.get(msgId)?.reject(e))
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.allSettled([...this.#servers].map((s) => s.stop()))
    for (const p of [...this.#pending.values()]) p.reject(new TransportClosed('the call'))
    await this.#conn.close()
  }

  async #send(target: Target, body: Buffer, expirationMs: number | undefined): Promise<void> {
    const r = route(target, this.#controlExchange)
    for (;;) {
      const ch = await this.#conn.channel()
      try {
        await this.#declareExchange(ch, r.exchange, r.fanout ? target.topic : undefined)
      } catch (e) {
        if (this.#closed) throw new TransportClosed('publishing')
        this.#log.warn(`declaring exchange ${r.exchange} failed: ${(e as Error).message}; retrying`)
        await new Promise((res) => setImmediate(res)) // let the connection notice a dead channel
        continue
      }
      return this.#conn.publish(r.exchange, r.routingKey, body, messageProps({ expirationMs }))
    }
  }

  /**
   * Declares the exchange before publishing, so that it exists (kombu's maybe_declare). The topic
   * exchange once per channel, shared by concurrent senders; a fanout exchange every time, since
   * it is auto_delete (the broker drops it with its last queue) and publishing to a vanished
   * exchange would close the channel.
   */
  #declareExchange(ch: ConfirmChannel, exchange: string, fanoutTopic: string | undefined): Promise<unknown> {
    if (fanoutTopic !== undefined) return declareFanoutExchange(ch, fanoutTopic)
    let declared = this.#declared.get(ch)
    if (declared === undefined) this.#declared.set(ch, (declared = new Map()))
    let p = declared.get(exchange)
    if (p === undefined) {
      p = declareTopicExchange(ch, exchange)
      declared.set(exchange, p)
      p.catch(() => declared.delete(exchange))
    }
    return p
  }

  /** The reply queue and its consumer, declared at the first call and after every reconnect. */
  #ensureReplyConsumer(): Promise<void> {
    if (this.#replySetup === null) {
      const setup: ChannelSetup = async (ch) => {
        await declareTransientQueue(ch, this.replyQueue, this.#ttlMs)
        await ch.consume(this.replyQueue, (m) => this.#onReply(ch, m), { noAck: false })
      }
      this.#replySetup = this.#conn.addSetup(setup).catch((e: Error) => {
        // Re-run on the next connection anyway (the setup stays registered).
        this.#log.warn(`reply queue ${this.replyQueue} not ready yet: ${e.message}`)
      })
    }
    return this.#replySetup
  }

  #onReply(ch: ConfirmChannel, m: ConsumeMessage | null): void {
    if (m === null) {
      this.#log.warn(`reply consumer of ${this.replyQueue} cancelled by the broker`)
      return
    }
    ch.ack(m)
    let msg: Record<string, unknown>
    try {
      msg = decodeEnvelope(m.content)
    } catch (e) {
      this.#log.error(`Malformed reply on ${this.replyQueue} dropped: ${(e as Error).message}`)
      return
    }
    const msgId = msg._msg_id
    if (typeof msgId !== 'string') {
      this.#log.error(`Reply without '_msg_id' on ${this.replyQueue} dropped`)
      return
    }
    if (typeof msg._unique_id === 'string' && this.#replySeen.seen(msg._unique_id)) return
    const pending = this.#pending.get(msgId)
    if (pending === undefined) {
      this.#log.info(`No calling threads waiting for msg_id : ${msgId}`)
      return
    }
    if (msg.failure !== null && msg.failure !== undefined) {
      pending.reject(deserializeFailure(msg.failure))
      return
    }
    // A heartbeat (ending false, no result) only proves the server is alive; 2.0 replies end at once.
    if (msg.ending === false && msg.result === null) return
    pending.resolve(msg.result ?? null)
  }
}

export function createTransport(o: TransportOptions): AmqpTransport {
  return new AmqpTransport(o)
}
