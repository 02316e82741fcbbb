/**
 * Active mode: we dial switches whose ovsdb-server listens (`ovs-vsctl set-manager ptcp:6640`,
 * or `--remote=ptcp:…`), the counterpart of OvsdbManager with the same node events (node.ts).
 *
 * Each target (`tcp:IP:PORT`, `ssl:IP:PORT`, `unix:PATH`) is dialed with exponential backoff
 * from the very first attempt — a switch that is not up yet when we start is simply tried
 * again, as OVS's reconnect.c does — and redialed the same way after its connection drops. Every
 * successful connection becomes a new `OvsdbNode` with a fresh replica, announced with `up`
 * once identified; its end is a `down`. Targets can be added and removed at run time.
 */
import { EventEmitter } from 'node:events'
import { OvsdbClient, type ReconnectOptions } from './client.js'
import { consoleLogger } from './logger.js'
import { DEFAULT_NODE_PROBE_MS, NodeTable, identifyNode, peerCertificate, waitForNode, type NodeOptions, type OvsdbNode, type OvsdbNodeEvents } from './node.js'
import type { Row } from './replica.js'
import { dial, formatEndpoint, parseEndpoint, type ActiveEndpoint } from './transport.js'

export interface DialerOptions extends NodeOptions {
  /** Backoff between attempts to one target: first delay (default 100 ms), doubled up to maxMs (default 8000 ms). */
  backoff?: Omit<ReconnectOptions, 'maxAttempts'>
}

export interface DialerEvents<T extends Record<string, Row>> extends OvsdbNodeEvents<T> {
  /** An attempt to reach `target` failed; the next one starts after `delayMs`. */
  retry: [target: string, attempt: number, delayMs: number, reason: string]
}

interface TargetState {
  endpoint: ActiveEndpoint
  attempt: number
  timer: NodeJS.Timeout | undefined
  client: OvsdbClient | undefined
  removed: boolean
}

export class OvsdbDialer<T extends Record<string, Row> = Record<string, Row>> extends EventEmitter<DialerEvents<T>> {
  readonly options: DialerOptions
  readonly #nodes: NodeTable<T>
  readonly #targets = new Map<string, TargetState>()
  #closed = false

  /** Starts dialing `targets` (returns at once; nodes arrive as `up` events). */
  constructor(targets: readonly string[] = [], options: DialerOptions = {}) {
    super()
    this.options = options
    this.#nodes = new NodeTable<T>(options, options.logger ?? consoleLogger)
    for (const t of targets) this.addTarget(t)
  }

  /** Dials one more target; throws on a malformed or passive endpoint, or a duplicate. */
  addTarget(target: string): void {
    if (this.#closed) throw new Error('dialer is closed')
    const ep = parseEndpoint(target)
    if (ep.kind !== 'tcp' && ep.kind !== 'ssl' && ep.kind !== 'unix') throw new Error(`${target}: not an active endpoint (tcp:IP:PORT, ssl:IP:PORT, unix:PATH)`)
    if (ep.kind === 'ssl' && !this.options.tls) throw new Error(`${target}: ssl: needs the tls option (key, cert, ca)`)
    const key = formatEndpoint(ep)
    if (this.#targets.has(key)) throw new Error(`${target}: already a target`)
    const st: TargetState = { endpoint: ep, attempt: 0, timer: undefined, client: undefined, removed: false }
    this.#targets.set(key, st)
    void this.#connect(key, st)
  }

  /** Stops dialing a target and closes its connection (a `down` follows if it was up). */
  removeTarget(target: string): void {
    const key = formatEndpoint(parseEndpoint(target))
    const st = this.#targets.get(key)
    if (!st) return
    st.removed = true
    this.#targets.delete(key)
    if (st.timer) clearTimeout(st.timer)
    st.client?.close()
  }

  get targets(): string[] {
    return [...this.#targets.keys()]
  }

  /** Connected nodes by Open_vSwitch uuid. */
  get nodes(): ReadonlyMap<string, OvsdbNode<T>> {
    return this.#nodes.map
  }

  bySystemId(systemId: string): OvsdbNode<T> | undefined {
    return this.#nodes.bySystemId(systemId)
  }

  waitForNode(pred: (n: OvsdbNode<T>) => boolean = () => true, timeoutMs = 10_000): Promise<OvsdbNode<T>> {
    return waitForNode(this, this.#nodes.map, pred, timeoutMs)
  }

  #retry(key: string, st: TargetState, reason: string): void {
    if (this.#closed || st.removed) return
    const initial = this.options.backoff?.initialMs ?? 100
    const max = this.options.backoff?.maxMs ?? 8000
    const delay = Math.min(max, initial * 2 ** Math.min(st.attempt, 30))
    st.attempt++
    this.emit('retry', key, st.attempt, delay, reason)
    st.timer = setTimeout(() => {
      st.timer = undefined
      void this.#connect(key, st)
    }, delay)
  }

  async #connect(key: string, st: TargetState): Promise<void> {
    if (this.#closed || st.removed) return
    const logger = this.options.logger ?? consoleLogger
    let client: OvsdbClient | undefined
    try {
      const stream = await dial(st.endpoint, { ...(this.options.tls ? { tls: this.options.tls } : {}), timeoutMs: this.options.connectTimeoutMs ?? 10_000 })
      if (this.#closed || st.removed) {
        stream.destroy()
        return
      }
      client = await OvsdbClient.fromStream(stream, { ...this.options, probeIntervalMs: this.options.probeIntervalMs ?? DEFAULT_NODE_PROBE_MS, label: key })
      st.client = client
      const { id, systemId, replica } = await identifyNode<T>(client, this.options)
      const node: OvsdbNode<T> = { id, systemId, mode: 'active', remote: key, peerCertificate: peerCertificate(stream), client, replica }
      const verdict = await this.#nodes.admit(node)
      if (!verdict.ok) {
        logger.warn(`dialer: refusing ${key}: ${verdict.reason}`)
        client.close()
        this.emit('rejected', key, verdict.reason)
        this.#retry(key, st, verdict.reason)
        return
      }
      st.attempt = 0
      client.rpc!.on('close', (reason) => {
        this.#nodes.remove(node)
        this.emit('down', node, reason)
        this.#retry(key, st, reason)
      })
      if (client.rpc!.closed) return
      this.emit('up', node)
    } catch (e) {
      const reason = (e as Error).message
      logger.debug(`dialer: ${key}: ${reason}`)
      client?.close()
      this.#retry(key, st, reason)
    }
  }

  /** Stops dialing and closes every connection. */
  close(): void {
    this.#closed = true
    for (const st of this.#targets.values()) {
      if (st.timer) clearTimeout(st.timer)
      st.client?.close()
    }
    this.#targets.clear()
    this.#nodes.closeAll()
  }
}
