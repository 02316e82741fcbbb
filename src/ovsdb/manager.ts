/**
 * Passive mode: we listen (ptcp:/pssl:/punix:) and switches dial us, as configured with
 * `ovs-vsctl set-manager tcp:IP:PORT` (ovsdb-server then connects out to the manager and serves
 * its databases over that connection). One connection per switch; each becomes an `OvsdbNode`
 * (node.ts), identified by its Open_vSwitch row uuid and external_ids:system-id as soon as it
 * connects, and announced with `up`. Switch connections never redial (the switch does).
 *
 * Defaults chosen for a listener that anyone on the network can reach: the inactivity probe is
 * on (5 s, as OVS), a message is at most 32 MiB (framing.ts), and a connection claiming the
 * identity of a live node is refused unless `duplicates: 'replace'` (node.ts). With pssl: the
 * peer must present a certificate signed by our CA, and `node.peerCertificate` says who it is.
 */
import { EventEmitter } from 'node:events'
import type net from 'node:net'
import type { Duplex } from 'node:stream'
import { OvsdbClient } from './client.js'
import { consoleLogger } from './logger.js'
import { DEFAULT_NODE_PROBE_MS, NodeTable, identifyNode, peerCertificate, waitForNode, type NodeOptions, type OvsdbNode, type OvsdbNodeEvents } from './node.js'
import type { Row } from './replica.js'
import { listen, parseEndpoint } from './transport.js'

export type ManagerOptions = NodeOptions
/** @deprecated the node type shared with OvsdbDialer; use OvsdbNode. */
export type SwitchConnection<T extends Record<string, Row> = Record<string, Row>> = OvsdbNode<T>

export class OvsdbManager<T extends Record<string, Row> = Record<string, Row>> extends EventEmitter<OvsdbNodeEvents<T>> {
  readonly server: net.Server
  readonly options: ManagerOptions
  readonly #nodes: NodeTable<T>
  #pending = new Set<Duplex>()

  private constructor(server: net.Server, options: ManagerOptions) {
    super()
    this.server = server
    this.options = options
    this.#nodes = new NodeTable<T>(options, options.logger ?? consoleLogger)
  }

  /** Listens on `ptcp:PORT[:IP]`, `pssl:PORT[:IP]` or `punix:PATH` (port 0 = ephemeral). */
  static async listen<T extends Record<string, Row> = Record<string, Row>>(endpoint: string, options: ManagerOptions = {}): Promise<OvsdbManager<T>> {
    const ep = parseEndpoint(endpoint)
    let mgr: OvsdbManager<T> | undefined
    const server = await listen(ep as Parameters<typeof listen>[0], (s) => (mgr ? void mgr.#accept(s) : s.destroy()), options.tls ? { tls: options.tls } : {})
    mgr = new OvsdbManager<T>(server, options)
    return mgr
  }

  /** The bound TCP port (for ptcp:0). */
  get port(): number {
    const a = this.server.address()
    return a && typeof a === 'object' ? a.port : 0
  }

  /** Connected nodes by Open_vSwitch uuid. */
  get nodes(): ReadonlyMap<string, OvsdbNode<T>> {
    return this.#nodes.map
  }
  /** @deprecated same as `nodes`. */
  get switches(): ReadonlyMap<string, OvsdbNode<T>> {
    return this.#nodes.map
  }

  bySystemId(systemId: string): OvsdbNode<T> | undefined {
    return this.#nodes.bySystemId(systemId)
  }

  /** Resolves with the first node matching `pred` (already connected or arriving later). */
  waitForNode(pred: (n: OvsdbNode<T>) => boolean = () => true, timeoutMs = 10_000): Promise<OvsdbNode<T>> {
    return waitForNode(this, this.#nodes.map, pred, timeoutMs)
  }
  /** @deprecated same as `waitForNode`. */
  waitForSwitch(pred: (n: OvsdbNode<T>) => boolean = () => true, timeoutMs = 10_000): Promise<OvsdbNode<T>> {
    return this.waitForNode(pred, timeoutMs)
  }

  async #accept(stream: Duplex): Promise<void> {
    const sock = stream as net.Socket
    const remote = sock.remoteAddress ? `${sock.remoteAddress}:${sock.remotePort}` : 'unix'
    const logger = this.options.logger ?? consoleLogger
    this.#pending.add(stream)
    let client: OvsdbClient | undefined
    try {
      client = await OvsdbClient.fromStream(stream, { ...this.options, probeIntervalMs: this.options.probeIntervalMs ?? DEFAULT_NODE_PROBE_MS, label: `switch ${remote}` })
      const { id, systemId, replica } = await identifyNode<T>(client, this.options)
      const node: OvsdbNode<T> = { id, systemId, mode: 'passive', remote, peerCertificate: peerCertificate(stream), client, replica }
      const verdict = await this.#nodes.admit(node)
      if (!verdict.ok) {
        logger.warn(`manager: refusing connection from ${remote}: ${verdict.reason}`)
        client.close()
        this.emit('rejected', remote, verdict.reason)
        return
      }
      client.rpc!.on('close', (reason) => {
        this.#nodes.remove(node)
        this.emit('down', node, reason)
      })
      if (client.rpc!.closed) return
      this.emit('up', node)
    } catch (e) {
      logger.warn(`manager: dropping connection from ${remote}: ${(e as Error).message}`)
      client?.close()
      stream.destroy()
    } finally {
      this.#pending.delete(stream)
    }
  }

  /** Stops listening and closes every node connection. */
  async close(): Promise<void> {
    this.#nodes.closeAll()
    for (const s of this.#pending) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
