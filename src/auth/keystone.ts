/**
 * auth_strategy = keystone: validates X-Auth-Token the way keystonemiddleware's auth_token does
 * (keystonemiddleware/auth_token/__init__.py, _identity.py):
 * - the service authenticates itself with the password method (POST /v3/auth/tokens, scoped to
 *   its project) and renews that token before it expires;
 * - each user token is checked with GET /v3/auth/tokens (X-Auth-Token: service token,
 *   X-Subject-Token: user token); 404 means invalid, a 401 retries once with a fresh service token;
 * - results are cached in process until min(expires_at, now + token_cache_time); rejected tokens
 *   are remembered briefly (negative cache) so a client retrying a bad token does not hammer Keystone;
 * - concurrent requests carrying the same token share one validation call;
 * - missing, invalid, expired or malformed tokens → 401 with `WWW-Authenticate: Keystone uri="…"`;
 *   Keystone unreachable or failing → 503 and one clear log line, never a crash.
 * An X-Service-Token, when sent, must be valid too (service_token_roles_required = false).
 */
import type { IncomingMessage } from 'node:http'
import type { Authenticator } from './authenticator.js'
import type { RequestContext } from '../common/context.js'
import type { Logger } from '../common/log.js'
import { keystoneUnauthorized, keystoneUnavailable, type AuthHTTPError } from './auth-error.js'
import { TokenCache } from './token-cache.js'
import { MalformedTokenData, parseKeystoneTime, parseTokenBody, type TokenInfo } from './token-info.js'

/** The subset of WHATWG fetch used here (injectable for tests). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<FetchResponseLike>

export interface FetchResponseLike {
  readonly status: number
  readonly headers: { get(name: string): string | null }
  json(): Promise<unknown>
}

export interface KeystoneAuthOptions {
  /** Sent in WWW-Authenticate; defaults to authUrl. */
  wwwAuthenticateUri?: string | null
  /** Identity endpoint, with or without the /v3 suffix. */
  authUrl: string
  username: string
  password: string
  projectName: string
  userDomainName?: string
  projectDomainName?: string
  /** Seconds a validated token stays cached (default 300); <= 0 disables caching. */
  tokenCacheTime?: number
  /** Seconds a rejected token stays cached (default min(10, tokenCacheTime)). */
  negativeCacheTime?: number
  /** Maximum cached tokens (default 10000). */
  cacheSize?: number
  /** Per-request timeout towards Keystone (default 10 s). */
  httpTimeoutMs?: number
  /** [keystone_authtoken] http_request_max_retries: retries after a connection failure (default 3). */
  httpMaxRetries?: number
  /** Renew the service token this long before it expires (default 120 s). */
  serviceTokenRenewMs?: number
  now?: () => number | Date
  fetch?: FetchLike
  /** Decides RequestContext.isAdmin from the roles (default: has the `admin` role). */
  isAdmin?: (roles: readonly string[]) => boolean
}

/** What a Keystone-authenticated request knows beyond the noauth context. */
export interface KeystoneRequestContext extends RequestContext {
  readonly userName: string | null
  readonly projectName: string | null
  readonly userDomainId: string | null
  readonly projectDomainId: string | null
  /** Set when a valid X-Service-Token came with the request. */
  readonly serviceRoles?: readonly string[]
}

type Cached = { ok: true; info: TokenInfo } | { ok: false }

/** Keystone could not be asked (connection, timeout, 5xx, service credentials refused). */
class KeystoneFailure extends Error {
  constructor(message: string, readonly timedOut = false) {
    super(message)
  }
}

const MAX_TOKEN_LENGTH = 8192
// Visible ASCII only: anything else cannot be a Keystone token and must not reach a header.
const TOKEN_RE = /^[\x21-\x7e]+$/

export class KeystoneAuth implements Authenticator {
  readonly #v3: string
  readonly #wwwAuthenticate: string
  readonly #cache: TokenCache<Cached>
  readonly #inflight = new Map<string, Promise<TokenInfo | null>>()
  readonly #fetch: FetchLike
  readonly #now: () => number
  readonly #ttlMs: number
  readonly #negativeTtlMs: number
  readonly #timeoutMs: number
  readonly #maxRetries: number
  readonly #renewMs: number
  readonly #isAdmin: (roles: readonly string[]) => boolean
  #service: { token: string; renewAt: number } | null = null
  #serviceInflight: Promise<string> | null = null
  /** Counters for tests and debugging. */
  readonly stats = { validations: 0, serviceAuths: 0, cacheHits: 0 }

  constructor(
    private readonly opts: KeystoneAuthOptions,
    private readonly log: Logger,
  ) {
    const base = opts.authUrl.replace(/\/+$/, '')
    this.#v3 = /\/v3$/.test(base) ? base : `${base}/v3`
    this.#wwwAuthenticate = opts.wwwAuthenticateUri || opts.authUrl
    const now = opts.now ?? Date.now
    this.#now = () => +now()
    const ttl = opts.tokenCacheTime ?? 300
    this.#ttlMs = ttl > 0 ? ttl * 1000 : 0
    const neg = opts.negativeCacheTime ?? Math.min(10, Math.max(ttl, 0))
    this.#negativeTtlMs = this.#ttlMs > 0 && neg > 0 ? neg * 1000 : 0
    this.#cache = new TokenCache<Cached>(this.#ttlMs > 0 ? (opts.cacheSize ?? 10_000) : 0, this.#now)
    this.#fetch = opts.fetch ?? ((url, init) => fetch(url, init))
    this.#timeoutMs = opts.httpTimeoutMs ?? 10_000
    this.#maxRetries = opts.httpMaxRetries ?? 3
    this.#renewMs = opts.serviceTokenRenewMs ?? 120_000
    this.#isAdmin = opts.isAdmin ?? ((roles) => roles.some((r) => r.toLowerCase() === 'admin'))
  }

  async authenticate(req: IncomingMessage, requestId: string): Promise<KeystoneRequestContext> {
    const h = req.headers
    const userToken = header(h['x-auth-token']) ?? header(h['x-storage-token'])
    if (userToken === undefined) {
      this.log.info(`${requestId} rejecting request: no X-Auth-Token`)
      throw this.unauthorized()
    }
    let serviceRoles: readonly string[] | undefined
    const serviceToken = header(h['x-service-token'])
    if (serviceToken !== undefined) {
      const s = await this.validate(serviceToken)
      if (!s) {
        this.log.info(`${requestId} rejecting request: invalid X-Service-Token`)
        throw this.unauthorized()
      }
      serviceRoles = s.roles
    }
    const info = await this.validate(userToken)
    if (!info) {
      this.log.info(`${requestId} rejecting request: invalid user token`)
      throw this.unauthorized()
    }
    if (!info.projectId) {
      // Neutron resources belong to projects; a domain/system/unscoped token has no owner to act as.
      this.log.info(`${requestId} rejecting request: token of user ${info.userId} is not project-scoped`)
      throw this.unauthorized()
    }
    return {
      projectId: info.projectId,
      userId: info.userId,
      roles: info.roles,
      isAdmin: this.#isAdmin(info.roles),
      requestId,
      userName: info.userName,
      projectName: info.projectName,
      userDomainId: info.userDomainId,
      projectDomainId: info.projectDomainId,
      ...(serviceRoles ? { serviceRoles } : {}),
    }
  }

  /** The token's data, or null when Keystone says (or we can tell) it is not valid now. */
  async validate(rawToken: string): Promise<TokenInfo | null> {
    const token = rawToken.trim()
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !TOKEN_RE.test(token)) return null
    const key = TokenCache.keyOf(token)
    const cached = this.#cache.get(key)
    if (cached) {
      this.stats.cacheHits++
      if (!cached.ok) return null
      return cached.info.expiresAt > this.#now() ? cached.info : null
    }
    const pending = this.#inflight.get(key)
    if (pending) return pending
    const p = this.#fetchToken(token, key).finally(() => this.#inflight.delete(key))
    this.#inflight.set(key, p)
    return p
  }

  /** Forgets cached tokens and the service token (e.g. on SIGHUP). */
  reset(): void {
    this.#cache.clear()
    this.#service = null
  }

  unauthorized(): AuthHTTPError {
    return keystoneUnauthorized(this.#wwwAuthenticate)
  }

  async #fetchToken(token: string, key: string): Promise<TokenInfo | null> {
    try {
      let res = await this.#validateWith(await this.#serviceToken(), token)
      if (res.status === 401) {
        drain(res)
        // Our own token may have been revoked or expired early: authenticate again, once.
        this.#service = null
        res = await this.#validateWith(await this.#serviceToken(), token)
        if (res.status === 401) throw new KeystoneFailure('Keystone refused the service token while validating a token (401)')
      }
      if (res.status !== 200) drain(res)
      if (res.status === 404 || res.status === 400) {
        this.#rejected(key)
        return null
      }
      if (res.status === 403) {
        throw new KeystoneFailure(
          `the service user ${this.opts.username} may not validate tokens (403): give it the admin or service role in ${this.opts.projectName}`,
        )
      }
      if (res.status !== 200) throw new KeystoneFailure(`unexpected status ${res.status} from GET ${this.#v3}/auth/tokens`)
      let info: TokenInfo
      try {
        info = parseTokenBody(await res.json())
      } catch (e) {
        if (!(e instanceof MalformedTokenData) && !(e instanceof SyntaxError)) throw e
        this.log.warn(`invalid token contents from Keystone: ${e.message}`)
        this.#rejected(key)
        return null
      }
      const now = this.#now()
      if (info.expiresAt <= now) {
        this.#rejected(key)
        return null
      }
      if (this.#ttlMs > 0) this.#cache.set(key, { ok: true, info }, Math.min(info.expiresAt, now + this.#ttlMs))
      return info
    } catch (e) {
      if (e instanceof KeystoneFailure) {
        this.log.error(`Unable to validate token: Keystone at ${this.#v3} unavailable: ${e.message}`)
        throw keystoneUnavailable()
      }
      throw e
    }
  }

  #rejected(key: string): void {
    if (this.#negativeTtlMs > 0) this.#cache.set(key, { ok: false }, this.#now() + this.#negativeTtlMs)
  }

  #validateWith(serviceToken: string, token: string): Promise<FetchResponseLike> {
    this.stats.validations++
    return this.#http('GET', `${this.#v3}/auth/tokens`, { 'X-Auth-Token': serviceToken, 'X-Subject-Token': token })
  }

  async #serviceToken(): Promise<string> {
    const s = this.#service
    if (s && s.renewAt > this.#now()) return s.token
    if (this.#serviceInflight) return this.#serviceInflight
    this.#serviceInflight = this.#authenticateService().finally(() => (this.#serviceInflight = null))
    return this.#serviceInflight
  }

  async #authenticateService(): Promise<string> {
    this.stats.serviceAuths++
    const o = this.opts
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: o.username, domain: { name: o.userDomainName ?? 'Default' }, password: o.password } },
        },
        scope: { project: { name: o.projectName, domain: { name: o.projectDomainName ?? 'Default' } } },
      },
    }
    const res = await this.#http('POST', `${this.#v3}/auth/tokens`, { 'Content-Type': 'application/json' }, JSON.stringify(body))
    if (res.status !== 201 && res.status !== 200) drain(res)
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      throw new KeystoneFailure(
        `Keystone rejected the service credentials (${res.status}) of [keystone_authtoken] username=${o.username} project_name=${o.projectName}`,
      )
    }
    if (res.status !== 201 && res.status !== 200) throw new KeystoneFailure(`unexpected status ${res.status} from POST ${this.#v3}/auth/tokens`)
    const token = res.headers.get('x-subject-token')
    let expiresAt = NaN
    try {
      const b = (await res.json()) as { token?: { expires_at?: unknown } }
      if (typeof b?.token?.expires_at === 'string') expiresAt = parseKeystoneTime(b.token.expires_at)
    } catch {
      // handled below
    }
    if (!token || !Number.isFinite(expiresAt)) throw new KeystoneFailure('service token response without X-Subject-Token or expires_at')
    const now = this.#now()
    this.#service = { token, renewAt: expiresAt - Math.min(this.#renewMs, Math.max(0, (expiresAt - now) / 2)) }
    this.log.debug(`obtained service token for ${o.username}, expires ${new Date(expiresAt).toISOString()}`)
    return token
  }

  /**
   * keystonemiddleware's http_request_max_retries: a connection refused or reset (a Keystone
   * restarting, a full listen queue under load) is tried again after 100, 200, 400 ms; a timeout
   * or any HTTP answer is final.
   */
  async #http(method: string, url: string, headers: Record<string, string>, body?: string): Promise<FetchResponseLike> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#httpOnce(method, url, headers, body)
      } catch (e) {
        if (!(e instanceof KeystoneFailure) || e.timedOut || attempt >= this.#maxRetries) throw e
        this.log.warn(`${e.message}; retrying (${attempt + 1} of ${this.#maxRetries})`)
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt))
      }
    }
  }

  async #httpOnce(method: string, url: string, headers: Record<string, string>, body?: string): Promise<FetchResponseLike> {
    // A plain (ref'd) timer rather than AbortSignal.timeout(), whose unref'd timer would let a
    // process with nothing else to do exit while a request to Keystone hangs.
    const ac = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      ac.abort()
    }, this.#timeoutMs)
    try {
      return await this.#fetch(url, {
        method,
        headers: { Accept: 'application/json', ...headers },
        ...(body !== undefined ? { body } : {}),
        signal: ac.signal,
      })
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } }
      const why = timedOut ? `timed out after ${this.#timeoutMs} ms` : (err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e))
      throw new KeystoneFailure(`${method} ${url}: ${why}`, timedOut)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Reads and drops a body we do not use, so the keep-alive connection is released. */
function drain(res: FetchResponseLike): void {
  res.json().catch(() => {})
}

function header(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v
  return s !== undefined && s.trim() !== '' ? s : undefined
}
