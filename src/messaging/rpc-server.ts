/**
 * An RPC server (oslo_messaging/rpc/server.py over the rabbit driver): consumes `T`, `T.<host>`
 * and, with fanout, `T_fanout_<uuid4hex>`; acks on receipt (as oslo does before dispatching),
 * de-duplicates by `_unique_id`, dispatches, and answers every call it can address — with the
 * result, or a failure reply (NoSuchMethod, UnsupportedVersion, the handler's RemoteFailure,
 * a generic error, or a builtins error for a malformed request). Bad input is logged and never
 * stops the consumer.
 */
import type { ConfirmChannel, ConsumeMessage } from 'amqplib'
import type { AmqpConnection, ChannelSetup } from './amqp-connection.js'
import { dispatch } from './dispatcher.js'
import { decodeEnvelope, encodeEnvelope, replyMessage, unpackContext, uuidHex } from './envelope.js'
import { failureDict, serializeFailure, type FailureDict } from './failure.js'
import type { MessagingLogger } from './logger.js'
import { RemoteFailure, type ContextDict, type RpcEndpoint, type RpcServer, type RpcServerOptions } from './types.js'
import { UniqueIdCache } from './unique-id-cache.js'
import { declareFanoutExchange, declareServerQueue, declareTopicExchange, declareTransientQueue, fanoutExchange, messageProps } from './wire.js'

export interface RpcServerDeps {
  readonly conn: AmqpConnection
  readonly controlExchange: string
  readonly transientQueuesTtlMs: number
  readonly directMandatoryFlag: boolean
  readonly dedupeCapacity: number
  readonly log: MessagingLogger
}

interface ReplyAddress { replyQ: string; msgId: string }

/** `_reply_q`/`_msg_id` salvaged from text that is not JSON, so that even a garbled call is answered. */
function salvageReplyAddress(text: string): ReplyAddress | undefined {
  const q = /\\*"_reply_q\\*"\s*:\s*\\*"(reply_[0-9A-Za-z_-]+)\\*"/.exec(text)
  const id = /\\*"_msg_id\\*"\s*:\s*\\*"([0-9A-Za-z_-]+)\\*"/.exec(text)
  return q && id ? { replyQ: q[1]!, msgId: id[1]! } : undefined
}

export class AmqpRpcServer implements RpcServer {
  readonly #d: RpcServerDeps
  readonly #o: RpcServerOptions
  readonly #endpoints: readonly RpcEndpoint[]
  readonly #fanoutQueue: string
  readonly #seen: UniqueIdCache
  readonly #inFlight = new Set<Promise<void>>()
  #consumers: { ch: ConfirmChannel; tags: string[] } | null = null
  #started = false
  readonly #setup: ChannelSetup

  constructor(deps: RpcServerDeps, o: RpcServerOptions) {
    if (!o.target.topic) throw new TypeError('RPC server target needs a topic')
    if (!o.target.server) throw new TypeError('RPC server target needs a server (host) name')
    this.#d = deps
    this.#o = o
    this.#endpoints = [...o.endpoints]
    this.#fanoutQueue = `${o.target.topic}_fanout_${uuidHex()}`
    this.#seen = new UniqueIdCache(deps.dedupeCapacity)
    this.#setup = (ch) => this.#declareAndConsume(ch)
  }

  /** Queue names this server consumes (for logs and tests). */
  get queues(): string[] {
    const { topic, server } = this.#o.target
    return this.#o.fanout ? [topic, `${topic}.${server}`, this.#fanoutQueue] : [topic, `${topic}.${server}`]
  }

  async start(): Promise<void> {
    if (this.#started) return
    this.#started = true
    await this.#d.conn.addSetup(this.#setup)
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    this.#d.conn.removeSetup(this.#setup)
    const c = this.#consumers
    this.#consumers = null
    if (c !== null) for (const tag of c.tags) await c.ch.cancel(tag).catch(() => undefined)
    await Promise.allSettled([...this.#inFlight])
  }

  async #declareAndConsume(ch: ConfirmChannel): Promise<void> {
    const { topic, server } = this.#o.target
    const ex = this.#d.controlExchange
    await declareTopicExchange(ch, ex)
    const tags: string[] = []
    for (const q of [topic, `${topic}.${server}`]) {
      await declareServerQueue(ch, q)
      await ch.bindQueue(q, ex, q)
    }
    if (this.#o.fanout) {
      await declareFanoutExchange(ch, topic)
      await declareTransientQueue(ch, this.#fanoutQueue, this.#d.transientQueuesTtlMs)
      await ch.bindQueue(this.#fanoutQueue, fanoutExchange(topic), topic)
    }
    for (const q of this.queues) {
      const { consumerTag } = await ch.consume(q, (m) => this.#onDelivery(ch, q, m), { noAck: false })
      tags.push(consumerTag)
    }
    this.#consumers = { ch, tags }
  }

  #onDelivery(ch: ConfirmChannel, queue: string, m: ConsumeMessage | null): void {
    if (m === null) {
      this.#d.log.warn(`RPC consumer of ${queue} cancelled by the broker`)
      return
    }
    ch.ack(m)
    const p = this.#handle(queue, m.content).catch((e: unknown) => {
      this.#d.log.error(`RPC server on ${queue}: unexpected error handling a message: ${(e as Error).stack ?? String(e)}`)
    })
    this.#inFlight.add(p)
    void p.finally(() => this.#inFlight.delete(p))
  }

  async #handle(queue: string, body: Buffer): Promise<void> {
    const log = this.#d.log
    let msg: Record<string, unknown>
    try {
      msg = decodeEnvelope(body)
    } catch (e) {
      const addr = salvageReplyAddress(body.toString('utf8'))
      log.error(`Malformed message on ${queue} dropped: ${(e as Error).message}${addr ? `; failure sent to ${addr.replyQ}` : ''}`)
      if (addr) await this.#reply(addr, undefined, failureDict('ValueError', 'builtins', `Malformed RPC message: ${(e as Error).message}`))
      return
    }
    const { ctx, rest } = unpackContext(msg)
    const uniqueId = rest._unique_id
    if (typeof uniqueId === 'string' && this.#seen.seen(uniqueId)) {
      log.info(`Duplicate message ${uniqueId} on ${queue} ignored`)
      return
    }
    const addr = this.#replyAddress(queue, rest)
    const d = dispatch(rest, this.#endpoints)
    if (d.kind === 'fail') {
      log.warn(`RPC ${d.method ?? '(no method)'} on ${queue} refused: ${d.failure.module}.${d.failure.class}: ${d.failure.message}`)
      if (addr) await this.#reply(addr, undefined, d.failure)
      return
    }
    let result: unknown
    try {
      result = await d.handler(ctx, d.args)
    } catch (e) {
      const failure = this.#failureOf(d.method, ctx, e)
      if (addr) await this.#reply(addr, undefined, failure)
      return
    }
    if (addr) await this.#reply(addr, result, null, d.method)
  }

  /** Where a call's reply goes; undefined for a cast. A call that cannot be answered is logged. */
  #replyAddress(queue: string, rest: Record<string, unknown>): ReplyAddress | undefined {
    const { _reply_q: replyQ, _msg_id: msgId } = rest
    if (replyQ === undefined && msgId === undefined) return undefined
    if (typeof replyQ === 'string' && replyQ !== '' && typeof msgId === 'string' && msgId !== '') return { replyQ, msgId }
    this.#d.log.error(`Call ${String(rest.method)} on ${queue} cannot be answered: ${typeof msgId === 'string' ? "no '_reply_q'" : "no '_msg_id'"} in the message`)
    return undefined
  }

  #failureOf(method: string, ctx: ContextDict, e: unknown): FailureDict {
    if (e instanceof RemoteFailure) {
      // A failure the endpoint chose to send (oslo's ExpectedException): the endpoint logs it in
      // its own terms (agent-rpc: one WARNING line), so the transport adds only a debug line.
      this.#d.log.debug(`RPC ${method} raised ${e.excModule}.${e.excClass}: ${e.message}`)
      return failureDict(e.excClass, e.excModule, e.message, e.excArgs, e.excKwargs)
    }
    const req = typeof ctx.request_id === 'string' ? ` (request ${ctx.request_id})` : ''
    this.#d.log.error(`RPC ${method}${req} failed: ${(e as Error)?.stack ?? String(e)}`)
    // Internals stay in the log; the caller gets a generic, rebuildable builtins exception.
    return failureDict('Exception', 'builtins', `Unexpected error in RPC method ${method}${req}; see the server log`)
  }

  async #reply(addr: ReplyAddress, result: unknown, failure: FailureDict | null, method?: string): Promise<void> {
    let body: Buffer
    try {
      body = encodeEnvelope(replyMessage(addr.msgId, result, failure === null ? null : serializeFailure(failure), uuidHex()))
    } catch (e) {
      this.#d.log.error(`RPC ${method ?? ''} result is not serialisable: ${(e as Error).message}`)
      const f = failureDict('Exception', 'builtins', `RPC method ${method ?? ''} returned a value that cannot be serialised`)
      body = encodeEnvelope(replyMessage(addr.msgId, null, serializeFailure(f), uuidHex()))
    }
    try {
      await this.#d.conn.publish('', addr.replyQ, body, messageProps({ mandatory: this.#d.directMandatoryFlag }))
    } catch (e) {
      this.#d.log.error(`Reply to ${addr.replyQ} (message ${addr.msgId}) not sent: ${(e as Error).message}`)
    }
  }
}
