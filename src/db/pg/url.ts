/**
 * PostgreSQL connection URLs as libpq reads them (PostgreSQL docs §34.1.1, "Connection URIs"):
 *   postgresql://[user[:password]@][host][:port][/dbname][?param=value&…]
 * `host` (in the authority or as ?host=) that starts with '/' is a unix-socket directory; the
 * socket is `<dir>/.s.PGSQL.<port>`. Parameters used: host, port, user, password, dbname,
 * sslmode, sslrootcert, application_name, connect_timeout.
 */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'

export interface PgConnectOptions {
  /** A hostname or IP; a path (starting with '/') means a unix-socket directory. */
  host: string
  port: number
  user: string
  password?: string
  database: string
  sslmode: SslMode
  /** PEM file of the CA that signs the server's certificate (verify-ca / verify-full). */
  sslrootcert?: string
  applicationName: string
  /** Milliseconds to wait for the connection and authentication; 0 waits forever. */
  connectTimeoutMs: number
}

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']

export function parsePgUrl(url: string, env: NodeJS.ProcessEnv = {}): PgConnectOptions {
  const m = /^postgres(?:ql)?:\/\/(.*)$/i.exec(url)
  if (!m) throw new Error(`not a postgresql:// URL`)
  let rest = m[1]!
  let query = ''
  const q = rest.indexOf('?')
  if (q >= 0) {
    query = rest.slice(q + 1)
    rest = rest.slice(0, q)
  }
  const slash = rest.indexOf('/')
  const authority = slash >= 0 ? rest.slice(0, slash) : rest
  const path = slash >= 0 ? rest.slice(slash + 1) : ''
  const at = authority.lastIndexOf('@')
  const userinfo = at >= 0 ? authority.slice(0, at) : ''
  const hostport = at >= 0 ? authority.slice(at + 1) : authority
  const colon = userinfo.indexOf(':')
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s)
    } catch {
      throw new Error(`bad percent-encoding in '${s}'`)
    }
  }
  let user = dec(colon >= 0 ? userinfo.slice(0, colon) : userinfo)
  let password: string | undefined = colon >= 0 ? dec(userinfo.slice(colon + 1)) : undefined
  let host = ''
  let port = ''
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']')
    if (close < 0) throw new Error(`unterminated IPv6 address '${hostport}'`)
    host = hostport.slice(1, close)
    port = hostport.slice(close + 1).replace(/^:/, '')
  } else {
    const c = hostport.lastIndexOf(':')
    host = dec(c >= 0 ? hostport.slice(0, c) : hostport)
    port = c >= 0 ? hostport.slice(c + 1) : ''
  }
  let database = dec(path)
  let sslmode = ''
  let sslrootcert: string | undefined
  let applicationName = 'neutrino'
  let connectTimeout = ''
  for (const pair of query.split('&')) {
    if (!pair) continue
    const eq = pair.indexOf('=')
    const k = dec(eq >= 0 ? pair.slice(0, eq) : pair)
    // Percent-decoding only, as libpq: '+' is a plus sign, not a space (a password 'a+b' given
    // as ?password=a+b used to become 'a b').
    const v = dec(eq >= 0 ? pair.slice(eq + 1) : '')
    if (k === 'host') host = v
    else if (k === 'port') port = v
    else if (k === 'user') user = v
    else if (k === 'password') password = v
    else if (k === 'dbname') database = v
    else if (k === 'sslmode') sslmode = v
    else if (k === 'sslrootcert') sslrootcert = v
    else if (k === 'application_name') applicationName = v
    else if (k === 'connect_timeout') connectTimeout = v
    // libpq accepts many more; they do not change how this client talks, so they are ignored
  }
  host ||= env.PGHOST || '/var/run/postgresql'
  port ||= env.PGPORT || '5432'
  const portNum = Number(port)
  if (!/^\d+$/.test(port) || portNum < 1 || portNum > 65535) throw new Error(`invalid port '${port}'`)
  user ||= env.PGUSER || env.USER || 'postgres'
  password ??= env.PGPASSWORD
  database ||= env.PGDATABASE || user
  const mode = (sslmode || (host.startsWith('/') ? 'disable' : 'prefer')) as SslMode
  if (!SSL_MODES.includes(mode)) throw new Error(`invalid sslmode '${sslmode}' (one of ${SSL_MODES.join(', ')})`)
  const timeout = connectTimeout === '' ? 10 : Number(connectTimeout)
  if (!Number.isFinite(timeout) || timeout < 0) throw new Error(`invalid connect_timeout '${connectTimeout}'`)
  return { host, port: portNum, user, password, database, sslmode: mode, sslrootcert, applicationName, connectTimeoutMs: timeout * 1000 }
}
