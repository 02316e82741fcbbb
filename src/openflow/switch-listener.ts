/**
 * The listener side: accepts switch connections on TCP (default 6653, IANA), TLS and unix
 * sockets, runs the handshake and keeps a map of ready switches by datapath id. A switch that
 * reconnects with the same dpid replaces its old connection (the old one is closed).
 */
import { EventEmitter } from 'node:events'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import { OFP_DEFAULT_PORT } from './constants.js'
import { ConnectionClosedError } from './errors.js'
import { reportError, safeEmit } from './safe-emit.js'
import { checkConnectionOptions, type ConnectionOptions, SwitchConnection } from './switch-connection.js'

export interface ListenOptions {
  /** TCP port (0 = ephemeral); default 6653. Ignored when `path` is set. */
  readonly port?: number
  readonly host?: string
  /** Unix socket path. */
  readonly path?: string
  /** TLS server options (key, cert, ca, requestCert …); plain TCP when absent. */
  readonly tls?: TlsOptions
}

export interface SwitchListenerEvents {
  /** A switch finished the handshake. */
  switch: [SwitchConnection]
  /** A ready switch went away (closed, dead peer, replaced by a reconnect). */
  switch_disconnected: [SwitchConnection, Error | undefined]
  /** A connection failed before becoming ready (e.g. it cannot speak OpenFlow 1.3). */
  handshake_failed: [Error, string]
  /** A listener of another event threw or rejected (ListenerError); nothing else is affected. */
  error: [Error]
}

export class SwitchListener extends EventEmitter<SwitchListenerEvents> {
  readonly switches = new Map<bigint, SwitchConnection>()
  private readonly servers: Server[] = []
  private readonly connections = new Set<SwitchConnection>()
  /** Every accepted socket, also those still in a TLS handshake: close() must end them all. */
  private readonly sockets = new Set<Socket>()

  constructor(readonly connectionOptions: ConnectionOptions = {}) {
    super()
    checkConnectionOptions(connectionOptions) // fail here, not at the first switch
  }

  /** Starts a listener; resolves with the bound address (port for TCP/TLS, path for unix). */
  listen(opts: ListenOptions = {}): Promise<AddressInfo | string> {
    const onSocket = (s: Socket): void => this.accept(s)
    const server = opts.tls ? createTlsServer(opts.tls, onSocket) : createServer(onSocket)
    if (opts.tls) {
      server.on('tlsClientError', (e: Error, s: Socket) => safeEmit(this, 'handshake_failed', e, `${s.remoteAddress ?? 'tls'}`))
    }
    server.on('connection', (raw: Socket) => {
      this.sockets.add(raw)
      raw.once('close', () => this.sockets.delete(raw))
    })
    this.servers.push(server)
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      const done = (): void => {
        server.off('error', reject)
        resolve(server.address() as AddressInfo | string)
      }
      if (opts.path) server.listen(opts.path, done)
      else server.listen(opts.port ?? OFP_DEFAULT_PORT, opts.host ?? '127.0.0.1', done)
    })
  }

  private accept(socket: Socket): void {
    const remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unix'
    const conn = new SwitchConnection(socket, this.connectionOptions, remote)
    this.connections.add(conn)
    conn.on('error', (e) => reportError(this, e))
    conn.once('close', (reason) => {
      this.connections.delete(conn)
      if (this.switches.get(conn.datapathId) === conn) this.switches.delete(conn.datapathId)
      if (conn.features) safeEmit(this, 'switch_disconnected', conn, reason)
    })
    conn.ready.then(
      () => {
        const old = this.switches.get(conn.datapathId)
        this.switches.set(conn.datapathId, conn)
        if (old && old !== conn) old.destroy(new ConnectionClosedError(`dpid ${conn.dpidHex} reconnected from ${remote}`))
        safeEmit(this, 'switch', conn)
      },
      (e: Error) => safeEmit(this, 'handshake_failed', e, remote),
    )
  }

  /** The ready connection of `dpid`, waiting up to `timeout` ms for it to (re)connect. */
  waitForSwitch(dpid?: bigint, timeout = 10000): Promise<SwitchConnection> {
    if (dpid !== undefined) {
      const c = this.switches.get(dpid)
      if (c && c.state === 'ready') return Promise.resolve(c)
    } else if (this.switches.size > 0) {
      return Promise.resolve([...this.switches.values()][0]!)
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('switch', on)
        reject(new Error(`no switch ${dpid === undefined ? '' : dpid.toString(16) + ' '}connected within ${timeout} ms`))
      }, timeout)
      const on = (c: SwitchConnection): void => {
        if (dpid !== undefined && c.datapathId !== dpid) return
        clearTimeout(timer)
        this.off('switch', on)
        resolve(c)
      }
      this.on('switch', on)
    })
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close()
    // server.close() waits for open sockets; end the ones no SwitchConnection owns (half-done handshakes).
    for (const raw of this.sockets) raw.destroy()
    await Promise.all(this.servers.map((s) => new Promise<void>((res) => s.close(() => res()))))
    this.servers.length = 0
  }
}
