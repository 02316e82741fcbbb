/**
 * `transport_url` parsing, oslo.messaging syntax (oslo_messaging/transport.py TransportURL.parse):
 * `rabbit://user:pass@host1:port1,user:pass@host2:port2/vhost?query`. Every host carries its own
 * credentials (missing ones default to guest/guest as the rabbit driver does); user names,
 * passwords and the virtual host are percent-decoded; `[v6addr]:port` is accepted.
 */
import { InvalidTransportURL } from './errors.js'

export interface BrokerHost {
  readonly hostname: string
  readonly port: number
  readonly username: string
  readonly password: string
}

export interface TransportUrl {
  readonly scheme: 'rabbit'
  /** Tried in turn on (re)connect. */
  readonly hosts: readonly BrokerHost[]
  /** AMQP virtual host; an empty path means `/`. */
  readonly vhost: string
  readonly query: Readonly<Record<string, string>>
}

export const DEFAULT_AMQP_PORT = 5672
const SCHEMES = new Set(['rabbit', 'kombu'])

function decode(url: string, what: string, s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    throw new InvalidTransportURL(redact(url), `bad percent-encoding in ${what}`)
  }
}

/** The URL with passwords replaced by `***`, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/([/,][^:/@,]*:)[^@/,]*@/g, '$1***@')
}

function parseHost(url: string, spec: string, index: number): BrokerHost {
  const where = `host #${index + 1}`
  let creds = ''
  let hostPort = spec
  const at = spec.lastIndexOf('@')
  if (at >= 0) {
    creds = spec.slice(0, at)
    hostPort = spec.slice(at + 1)
  }
  let username = 'guest'
  let password = 'guest'
  if (at >= 0) {
    const colon = creds.indexOf(':')
    username = decode(url, `the user name of ${where}`, colon >= 0 ? creds.slice(0, colon) : creds)
    password = colon >= 0 ? decode(url, `the password of ${where}`, creds.slice(colon + 1)) : ''
    if (username === '') throw new InvalidTransportURL(redact(url), `empty user name in ${where}`)
  }
  let hostname: string
  let portText: string | undefined
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']')
    if (end < 0) throw new InvalidTransportURL(redact(url), `unterminated IPv6 address in ${where}`)
    hostname = hostPort.slice(1, end)
    const rest = hostPort.slice(end + 1)
    if (rest !== '' && !rest.startsWith(':')) throw new InvalidTransportURL(redact(url), `unexpected '${rest}' after the IPv6 address of ${where}`)
    portText = rest === '' ? undefined : rest.slice(1)
  } else {
    const colon = hostPort.indexOf(':')
    hostname = colon >= 0 ? hostPort.slice(0, colon) : hostPort
    portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined
  }
  if (hostname === '') throw new InvalidTransportURL(redact(url), `empty host name in ${where}`)
  let port = DEFAULT_AMQP_PORT
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new InvalidTransportURL(redact(url), `invalid port '${portText}' in ${where} (expected 1-65535)`)
    }
    port = Number(portText)
  }
  return { hostname, port, username, password }
}

export function parseTransportUrl(url: string): TransportUrl {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/.exec(url.trim())
  if (m === null) throw new InvalidTransportURL(redact(url), "expected 'rabbit://user:pass@host:port[,user:pass@host:port...]/vhost'")
  const [, scheme, netloc, path, query] = m as unknown as [string, string, string, string | undefined, string | undefined]
  if (!SCHEMES.has(scheme.toLowerCase())) {
    throw new InvalidTransportURL(redact(url), `unsupported scheme '${scheme}' (only rabbit:// is implemented)`)
  }
  const specs = netloc.split(',')
  if (specs.every((s) => s === '')) throw new InvalidTransportURL(redact(url), 'no host')
  const hosts = specs.map((s, i) => {
    if (s === '') throw new InvalidTransportURL(redact(url), `empty host #${i + 1} in the host list`)
    return parseHost(url, s, i)
  })
  const vhostRaw = path === undefined || path === '/' ? '' : path.slice(1)
  const vhost = vhostRaw === '' ? '/' : decode(url, 'the virtual host', vhostRaw)
  const q: Record<string, string> = {}
  if (query !== undefined && query.length > 1) {
    for (const pair of query.slice(1).split('&')) {
      if (pair === '') continue
      const eq = pair.indexOf('=')
      const k = decode(url, 'the query', eq >= 0 ? pair.slice(0, eq) : pair)
      q[k] = decode(url, `query parameter '${k}'`, eq >= 0 ? pair.slice(eq + 1) : '')
    }
  }
  return { scheme: 'rabbit', hosts, vhost, query: q }
}
