/**
 * OVS connection strings (ovsdb-server(1) "--remote", ovs-vsctl "--db"):
 *   active:  unix:PATH   tcp:HOST:PORT   ssl:HOST:PORT      (we dial)
 *   passive: punix:PATH  ptcp:PORT[:IP]  pssl:PORT[:IP]     (we listen; peers dial us,
 *            e.g. a switch configured with `ovs-vsctl set-manager tcp:IP:PORT`)
 * IPv6 addresses go in brackets: tcp:[::1]:6640, ptcp:6640:[::1].
 *
 * TLS follows OVS semantics: both ends present a certificate and each is checked against the CA
 * only; OVS certificates (ovs-pki) carry no host names, so host-name checking is off by default.
 */
import net from 'node:net'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'

export type ActiveEndpoint = { kind: 'unix'; path: string } | { kind: 'tcp' | 'ssl'; host: string; port: number }
export type PassiveEndpoint = { kind: 'punix'; path: string } | { kind: 'ptcp' | 'pssl'; host: string; port: number }
export type Endpoint = ActiveEndpoint | PassiveEndpoint

export interface TlsOptions {
  /** PEM private key, certificate and CA certificate (contents, not paths). */
  key: string | Buffer
  cert: string | Buffer
  ca: string | Buffer
  /** Check the peer's host name against its certificate (default false, like OVS). */
  checkHostname?: boolean
}

function unbracket(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h
}

function splitHostPort(rest: string, s: string): [string, number] {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(rest)
  if (!m) throw new Error(`bad endpoint ${JSON.stringify(s)}: expected HOST:PORT`)
  return [unbracket(m[1]!), Number(m[2])]
}

/** Parses an OVS connection string. */
export function parseEndpoint(s: string): Endpoint {
  const i = s.indexOf(':')
  const kind = i < 0 ? s : s.slice(0, i)
  const rest = i < 0 ? '' : s.slice(i + 1)
  switch (kind) {
    case 'unix':
    case 'punix':
      if (!rest) throw new Error(`bad endpoint ${JSON.stringify(s)}: missing path`)
      return { kind, path: rest }
    case 'tcp':
    case 'ssl': {
      const [host, port] = splitHostPort(rest, s)
      return { kind, host, port }
    }
    case 'ptcp':
    case 'pssl': {
      const m = /^(\d+)(?::(\[[^\]]+\]|[^:]+))?$/.exec(rest)
      if (!m) throw new Error(`bad endpoint ${JSON.stringify(s)}: expected PORT[:IP]`)
      return { kind, port: Number(m[1]), host: m[2] ? unbracket(m[2]) : '0.0.0.0' }
    }
    default:
      throw new Error(`bad endpoint ${JSON.stringify(s)}: unknown method ${JSON.stringify(kind)} (unix, tcp, ssl, punix, ptcp, pssl)`)
  }
}

export function formatEndpoint(e: Endpoint): string {
  if (e.kind === 'unix' || e.kind === 'punix') return `${e.kind}:${e.path}`
  const h = e.host.includes(':') ? `[${e.host}]` : e.host
  return e.kind === 'tcp' || e.kind === 'ssl' ? `${e.kind}:${h}:${e.port}` : `${e.kind}:${e.port}:${h}`
}

function tlsCommon(t: TlsOptions): tls.SecureContextOptions & { checkServerIdentity?: () => undefined } {
  return { key: t.key, cert: t.cert, ca: t.ca, ...(t.checkHostname ? {} : { checkServerIdentity: () => undefined }) }
}

/** Dials an active endpoint; resolves once connected (and, for ssl, the handshake is done). */
export function dial(endpoint: string | ActiveEndpoint, options: { tls?: TlsOptions; timeoutMs?: number } = {}): Promise<Duplex> {
  const ep = typeof endpoint === 'string' ? parseEndpoint(endpoint) : endpoint
  return new Promise((resolve, reject) => {
    let sock: net.Socket
    const event = ep.kind === 'ssl' ? 'secureConnect' : 'connect'
    if (ep.kind === 'unix') sock = net.connect({ path: ep.path })
    else if (ep.kind === 'tcp') sock = net.connect({ host: ep.host, port: ep.port })
    else if (ep.kind === 'ssl') {
      if (!options.tls) return reject(new Error('ssl: endpoint needs tls options (key, cert, ca)'))
      sock = tls.connect({ host: ep.host, port: ep.port, ...tlsCommon(options.tls) })
    } else return reject(new Error(`cannot dial passive endpoint ${formatEndpoint(ep as Endpoint)}`))
    const timer = options.timeoutMs ? setTimeout(() => sock.destroy(new Error(`connect to ${formatEndpoint(ep)} timed out`)), options.timeoutMs) : undefined
    sock.once(event, () => {
      if (timer) clearTimeout(timer)
      sock.removeAllListeners('error')
      if (ep.kind !== 'unix') sock.setNoDelay(true)
      resolve(sock)
    })
    sock.once('error', (e) => {
      if (timer) clearTimeout(timer)
      reject(e)
    })
  })
}

/**
 * Listens on a passive endpoint; `onConnection` receives each accepted stream (after the TLS
 * handshake for pssl, with the client certificate verified against the CA).
 */
export function listen(endpoint: string | PassiveEndpoint, onConnection: (s: Duplex) => void, options: { tls?: TlsOptions } = {}): Promise<net.Server> {
  const ep = typeof endpoint === 'string' ? parseEndpoint(endpoint) : endpoint
  let server: net.Server
  if (ep.kind === 'pssl') {
    if (!options.tls) return Promise.reject(new Error('pssl: endpoint needs tls options (key, cert, ca)'))
    server = tls.createServer({ ...tlsCommon(options.tls), requestCert: true, rejectUnauthorized: true }, (s) => {
      s.setNoDelay(true)
      onConnection(s)
    })
  } else if (ep.kind === 'ptcp' || ep.kind === 'punix') {
    server = net.createServer((s) => {
      if (ep.kind === 'ptcp') s.setNoDelay(true)
      onConnection(s)
    })
  } else return Promise.reject(new Error(`cannot listen on active endpoint ${formatEndpoint(ep as Endpoint)}`))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    const done = (): void => {
      server.removeListener('error', reject)
      resolve(server)
    }
    if (ep.kind === 'punix') server.listen(ep.path, done)
    else server.listen(ep.port, ep.host, done)
  })
}
