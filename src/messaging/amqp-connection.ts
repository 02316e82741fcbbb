/**
 * One AMQP connection kept alive over amqplib: connects in the background, tries the broker
 * hosts in turn with a growing delay (oslo's rabbit_retry_interval / rabbit_retry_backoff /
 * rabbit_interval_max), and on every (re)connect re-runs the registered setups (exchange,
 * queue and consumer declarations) before anyone may publish. Publishes wait while
 * disconnected and go through a confirm channel, so a publish resolves once the broker has
 * it; one lost to a dropped connection is retried on the next connection (receivers
 * de-duplicate by `_unique_id`).
 */
import * as amqp from 'amqplib'
import type { ConfirmChannel, ChannelModel, Options } from 'amqplib'
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls'
import { TransportClosed } from './errors.js'
import type { MessagingLogger } from './logger.js'
import type { BrokerHost } from './transport-url.js'

export interface RetryPolicy {
  /** First delay after a failed attempt (oslo rabbit_retry_interval). */
  readonly intervalMs: number
  /** Added per further failed attempt (oslo rabbit_retry_backoff). */
  readonly backoffMs: number
  /** Upper bound (oslo rabbit_interval_max). */
  readonly maxMs: number
}

export interface AmqpConnectionOptions {
  readonly hosts: readonly BrokerHost[]
  readonly vhost: string
  /** AMQP heartbeat negotiated with the broker, seconds; 0 disables it. */
  readonly heartbeatSeconds: number
  /** TLS socket options (amqps://) or undefined for plain TCP. */
  readonly tls?: TlsConnectionOptions
  readonly retry: RetryPolicy
  /** Bound on one TCP/AMQP connection attempt. */
  readonly connectTimeoutMs: number
  readonly log: MessagingLogger
}

/** Runs on a fresh channel after each connect; throwing fails that connection attempt. */
export type ChannelSetup = (ch: ConfirmChannel) => Promise<void>

export class AmqpConnection {
  readonly #o: AmqpConnectionOptions
  #model: ChannelModel | null = null
  #ch: ConfirmChannel | null = null
  #waiters: Array<{ resolve: (ch: ConfirmChannel) => void; reject: (e: Error) => void }> = []
  readonly #setups = new Set<ChannelSetup>()
  #running = false
  #closed = false
  #wake: (() => void) | null = null
  #loop: Promise<void> | null = null

  constructor(o: AmqpConnectionOptions) {
    this.#o = o
  }

  get connected(): boolean {
    return this.#ch !== null
  }

  /** Starts the background connect loop (idempotent). */
  start(): void {
    if (this.#running || this.#closed) return
    this.#running = true
    this.#loop = this.#run()
  }

  /** The current channel, once connected and set up; waits while disconnected. */
  channel(): Promise<ConfirmChannel> {
    if (this.#closed) return Promise.reject(new TransportClosed('waiting for a connection'))
    this.start()
    if (this.#ch !== null) return Promise.resolve(this.#ch)
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  /** Registers a setup for every future connection and runs it now if connected. */
  async addSetup(setup: ChannelSetup): Promise<void> {
    this.#setups.add(setup)
    this.start()
    const ch = this.#ch
    if (ch !== null) {
      try {
        await setup(ch)
      } catch (e) {
        // The channel is unusable after a failed declaration: reconnect, which re-runs it.
        this.#o.log.error(`AMQP setup failed on the live connection: ${(e as Error).message}; reconnecting`)
        this.#drop()
        throw e
      }
    }
  }

  removeSetup(setup: ChannelSetup): void {
    this.#setups.delete(setup)
  }

  /** Publishes with a broker confirm; retried across reconnects until confirmed or closed. */
  async publish(exchange: string, routingKey: string, body: Buffer, props: Options.Publish): Promise<void> {
    for (;;) {
      const ch = await this.channel()
      try {
        await new Promise<void>((resolve, reject) => {
          ch.publish(exchange, routingKey, body, props, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()))
        })
        return
      } catch (e) {
        // amqplib fails pending confirms inside the channel's 'close' event, before the connect
        // loop has noticed: let it catch up before telling a lost channel from a nack.
        await new Promise((r) => setImmediate(r))
        if (this.#closed) throw new TransportClosed(`publishing to ${exchange || '(default)'}/${routingKey}`)
        if (ch === this.#ch) throw e // nacked by a live broker: not a connection problem
        this.#o.log.debug(`publish to ${exchange || '(default)'}/${routingKey} lost with the connection (${(e as Error).message}); retrying after reconnect`)
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const err = new TransportClosed('waiting for a connection')
    for (const w of this.#waiters.splice(0)) w.reject(err)
    this.#wake?.()
    const model = this.#model
    this.#ch = null
    this.#model = null
    if (model !== null) await model.close().catch(() => undefined)
    await this.#loop
  }

  #drop(): void {
    const model = this.#model
    this.#ch = null
    if (model !== null) void model.close().catch(() => undefined)
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.#wake = null; resolve() }, ms)
      this.#wake = () => { clearTimeout(t); this.#wake = null; resolve() }
    })
  }

  async #run(): Promise<void> {
    const { hosts, retry, log } = this.#o
    let failures = 0
    let next = 0
    while (!this.#closed) {
      const host = hosts[next % hosts.length]!
      next++
      const where = `${host.hostname}:${host.port}`
      let model: ChannelModel | null = null
      try {
        model = await this.#connect(host)
        if (this.#closed) { await model.close().catch(() => undefined); break }
        this.#model = model
        const ch = await model.createConfirmChannel()
        ch.on('error', (e: Error) => log.warn(`AMQP channel error on ${where}: ${e.message}`))
        ch.on('return', (m: amqp.Message) => {
          log.warn(`AMQP message to ${m.fields.exchange || '(default)'}/${m.fields.routingKey} returned unroutable (its queue is gone)`)
        })
        const lost = new Promise<void>((resolve) => {
          model!.once('close', () => resolve())
          ch.once('close', () => resolve())
        })
        // Until every registered setup ran on this channel: one added while these run (and the
        // channel is not yet published) would otherwise be missed on this connection.
        const done = new Set<ChannelSetup>()
        for (let todo = [...this.#setups]; todo.length > 0; todo = [...this.#setups].filter((s) => !done.has(s))) {
          for (const setup of todo) {
            done.add(setup)
            if (this.#setups.has(setup)) await setup(ch) // not if removed meanwhile (a stopped server)
          }
        }
        if (this.#closed) { await model.close().catch(() => undefined); break }
        this.#ch = ch
        failures = 0
        next-- // stay on this host after a later drop, as kombu does
        log.info(`Connected to AMQP server on ${where} (vhost ${this.#o.vhost})`)
        for (const w of this.#waiters.splice(0)) w.resolve(ch)
        await lost
        if (this.#closed) break
        this.#ch = null
        log.error(`AMQP server on ${where} is unreachable: connection lost. Trying to reconnect.`)
        void model.close().catch(() => undefined)
        this.#model = null
      } catch (e) {
        this.#ch = null
        this.#model = null
        if (model !== null) void model.close().catch(() => undefined)
        if (this.#closed) break
        const delay = Math.min(retry.intervalMs + retry.backoffMs * failures, retry.maxMs)
        failures++
        log.error(`AMQP server on ${where} is unreachable: ${(e as Error).message}. Trying again in ${delay} ms.`)
        await this.#sleep(delay)
        continue
      }
      // A connection that was up and dropped: first retry after the base interval.
      await this.#sleep(retry.intervalMs)
    }
    this.#running = false
  }

  async #connect(host: BrokerHost): Promise<ChannelModel> {
    const o = this.#o
    const url: Options.Connect = {
      protocol: o.tls ? 'amqps' : 'amqp',
      hostname: host.hostname,
      port: host.port,
      username: host.username,
      password: host.password,
      vhost: o.vhost,
      heartbeat: o.heartbeatSeconds,
      locale: 'en_US',
    }
    const model = await amqp.connect(url, {
      ...(o.tls ?? {}),
      timeout: o.connectTimeoutMs,
      // Without TCP_NODELAY, Nagle + delayed ACK put ~40 ms on every request/reply round trip.
      noDelay: true,
      // oslo logs in with AMQPLAIN (py-amqp's default); RabbitMQ accepts both.
      credentials: amqp.credentials.amqplain(host.username, host.password),
      clientProperties: { product: 'neutrino', information: 'oslo.messaging-compatible transport' },
    })
    // Without a listener an 'error' event would throw; the 'close' that follows is what we act on.
    model.on('error', (e: Error) => o.log.warn(`AMQP connection error on ${host.hostname}:${host.port}: ${e.message}`))
    model.on('blocked', (reason: string) => o.log.warn(`AMQP connection blocked by the broker: ${reason}`))
    return model
  }
}
