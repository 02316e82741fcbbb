/**
 * Passive mode: we listen (ptcp:/pssl:/punix:) and switches dial us, as configured with
 * `ovs-vsctl set-manager tcp:IP:PORT` (ovsdb-server then connects out to the manager and serves
 * its databases over that connection). One connection per switch; each is identified by its
 * Open_vSwitch row uuid and external_ids:system-id, read as soon as it connects.
 *
 * A controller holds many switches at once: `switches` is keyed by the Open_vSwitch uuid; when a
 * switch reconnects the new connection replaces the old one. Switch connections never redial
 * (the switch does).
 */
import { EventEmitter } from 'node:events'
import type net from 'node:net'
import type { Duplex } from 'node:stream'
import { OvsdbClient, type ClientOptions } from './client.js'
import { consoleLogger } from './logger.js'
import { Replica, type ReplicaOptions } from './replica.js'
import { listen, parseEndpoint, type TlsOptions } from './transport.js'

export interface SwitchConnection {
  /** Open_vSwitch row uuid. */
  id: string
  /** external_ids:system-id, when set. */
  systemId: string | undefined
  client: OvsdbClient
  /** Present when ManagerOptions.replica was given. */
  replica: Replica | undefined
  /** Peer address (ip:port) or "unix". */
  remote: string
}

export interface ManagerOptions extends ClientOptions {
  tls?: TlsOptions
  /** Build a replica of each switch (e.g. VSWITCH_TABLES) before announcing it. */
  replica?: Omit<ReplicaOptions, 'db'> & { db?: string }
  /** Time allowed for a new connection to identify itself (default 10 s). */
  identifyTimeoutMs?: number
}

export class OvsdbManager extends EventEmitter<{
  switch: [sw: SwitchConnection]
  disconnect: [sw: SwitchConnection, reason: string]
  error: [err: Error]
}> {
  readonly server: net.Server
  readonly options: ManagerOptions
  #switches = new Map<string, SwitchConnection>()
  #pending = new Set<Duplex>()

  private constructor(server: net.Server, options: ManagerOptions) {
    super()
    this.server = server
    this.options = options
  }

  /** Listens on `ptcp:PORT[:IP]`, `pssl:PORT[:IP]` or `punix:PATH` (port 0 = ephemeral). */
  static async listen(endpoint: string, options: ManagerOptions = {}): Promise<OvsdbManager> {
    const ep = parseEndpoint(endpoint)
    let mgr: OvsdbManager | undefined
    const server = await listen(ep as Parameters<typeof listen>[0], (s) => (mgr ? void mgr.#accept(s) : s.destroy()), options.tls ? { tls: options.tls } : {})
    mgr = new OvsdbManager(server, options)
    return mgr
  }

  /** The bound TCP port (for ptcp:0). */
  get port(): number {
    const a = this.server.address()
    return a && typeof a === 'object' ? a.port : 0
  }

  get switches(): ReadonlyMap<string, SwitchConnection> {
    return this.#switches
  }

  bySystemId(systemId: string): SwitchConnection | undefined {
    for (const s of this.#switches.values()) if (s.systemId === systemId) return s
    return undefined
  }

  /** Resolves with the first switch matching `pred` (already connected or arriving later). */
  waitForSwitch(pred: (s: SwitchConnection) => boolean = () => true, timeoutMs = 10_000): Promise<SwitchConnection> {
    for (const s of this.#switches.values()) if (pred(s)) return Promise.resolve(s)
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('switch', on)
        reject(new Error(`no matching switch connected within ${timeoutMs} ms`))
      }, timeoutMs)
      const on = (s: SwitchConnection): void => {
        if (!pred(s)) return
        clearTimeout(t)
        this.off('switch', on)
        resolve(s)
      }
      this.on('switch', on)
    })
  }

  async #accept(stream: Duplex): Promise<void> {
    const sock = stream as net.Socket
    const remote = sock.remoteAddress ? `${sock.remoteAddress}:${sock.remotePort}` : 'unix'
    const logger = this.options.logger ?? consoleLogger
    this.#pending.add(stream)
    let client: OvsdbClient | undefined
    try {
      client = await OvsdbClient.fromStream(stream, { ...this.options, label: `switch ${remote}` })
      const timeoutMs = this.options.identifyTimeoutMs ?? 10_000
      const [res] = (await client.transact('Open_vSwitch', [{ op: 'select', table: 'Open_vSwitch', where: [], columns: ['_uuid', 'external_ids'] }], { timeoutMs })) as [
        { rows: { _uuid: ['uuid', string]; external_ids: ['map', [string, string][]] }[] },
      ]
      const row = res.rows[0]
      if (!row) throw new Error('switch database has no Open_vSwitch row')
      const systemId = row.external_ids[1].find(([k]) => k === 'system-id')?.[1]
      const replica = this.options.replica ? await Replica.create(client, { db: 'Open_vSwitch', ...this.options.replica }) : undefined
      const sw: SwitchConnection = { id: row._uuid[1], systemId, client, replica, remote }
      const old = this.#switches.get(sw.id)
      if (old) old.client.close()
      this.#switches.set(sw.id, sw)
      client.rpc!.on('close', (reason) => {
        if (this.#switches.get(sw.id) === sw) this.#switches.delete(sw.id)
        this.emit('disconnect', sw, reason)
      })
      if (client.rpc!.closed) return
      this.emit('switch', sw)
    } catch (e) {
      logger.warn(`manager: dropping connection from ${remote}: ${(e as Error).message}`)
      client?.close()
      stream.destroy()
    } finally {
      this.#pending.delete(stream)
    }
  }

  /** Stops listening and closes every switch connection. */
  async close(): Promise<void> {
    for (const s of this.#switches.values()) s.client.close()
    for (const s of this.#pending) s.destroy()
    this.#switches.clear()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
