/**
 * An in-process stand-in for Keystone's /v3/auth/tokens, answering through an injected fetch:
 * password auth for the service user, token validation from a table, and knobs for outages,
 * delays and revoked service tokens.
 */
import type { FetchLike, FetchResponseLike } from '../../../src/auth/index.js'

export interface FakeToken {
  userId: string
  projectId?: string | null
  roles: string[]
  expiresAt: string
}

export class FakeKeystone {
  readonly tokens = new Map<string, FakeToken>()
  readonly calls: Array<{ method: string; url: string; headers: Record<string, string> }> = []
  serviceTokens = new Set<string>()
  down: Error | null = null
  /** Fail this many more requests with `down`, then answer again (a Keystone restarting). */
  downFor = Infinity
  status5xx = 0
  validateDelayMs = 0
  hang = false
  servicePassword = 'secret'
  serviceExpiresAt = '2030-01-01T00:00:00.000000Z'
  #n = 0

  get validations(): number {
    return this.calls.filter((c) => c.method === 'GET').length
  }
  get serviceAuths(): number {
    return this.calls.filter((c) => c.method === 'POST').length
  }

  fetch: FetchLike = async (url, init) => {
    this.calls.push({ method: init.method, url, headers: init.headers })
    if (this.hang) {
      return new Promise<FetchResponseLike>((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal!.reason))
      })
    }
    if (this.down && this.downFor > 0) {
      this.downFor--
      throw this.down
    }
    if (this.status5xx) return respond(this.status5xx, { error: 'boom' })
    if (init.method === 'POST' && url.endsWith('/v3/auth/tokens')) {
      const body = JSON.parse(init.body!)
      const pw = body.auth.identity.password.user
      if (pw.name !== 'neutron' || pw.password !== this.servicePassword) return respond(401, { error: { code: 401 } })
      const tok = `svc-${++this.#n}`
      this.serviceTokens.add(tok)
      return respond(201, { token: { expires_at: this.serviceExpiresAt, user: { id: 'svc' } } }, { 'x-subject-token': tok })
    }
    if (init.method === 'GET' && url.endsWith('/v3/auth/tokens')) {
      if (this.validateDelayMs) await new Promise((r) => setTimeout(r, this.validateDelayMs))
      if (!this.serviceTokens.has(init.headers['X-Auth-Token']!)) return respond(401, { error: { code: 401 } })
      const subject = init.headers['X-Subject-Token']!
      if (subject === 'garbage-body') return respond(200, { token: { user: {} } })
      const t = this.tokens.get(subject)
      if (!t) return respond(404, { error: { code: 404, message: 'Could not find token' } })
      return respond(200, {
        token: {
          methods: ['password'],
          user: { id: t.userId, name: `name-${t.userId}`, domain: { id: 'default', name: 'Default' } },
          ...(t.projectId ? { project: { id: t.projectId, name: `p-${t.projectId}`, domain: { id: 'default', name: 'Default' } } } : {}),
          roles: t.roles.map((name, i) => ({ id: `r${i}`, name })),
          expires_at: t.expiresAt,
          issued_at: '2026-01-01T00:00:00.000000Z',
          is_domain: false,
        },
      })
    }
    return respond(404, {})
  }
}

function respond(status: number, body: unknown, headers: Record<string, string> = {}): FetchResponseLike {
  return {
    status,
    headers: { get: (n: string) => headers[n.toLowerCase()] ?? null },
    json: async () => body,
  }
}
