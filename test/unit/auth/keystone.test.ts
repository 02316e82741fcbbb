import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { describe, it } from 'node:test'
import {
  AuthHTTPError,
  KeystoneAuth,
  KeystoneConfigError,
  keystoneAuthFromConfig,
  parseKeystoneTime,
  parseTokenBody,
  type KeystoneAuthOptions,
} from '../../../src/auth/index.js'
import { toNeutronError } from '../../../src/api/faults.js'
import { memoryLogger } from '../../../src/common/log.js'
import { FakeKeystone } from './fake-keystone.js'

const T0 = Date.parse('2026-06-01T00:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z')

function setup(over: Partial<KeystoneAuthOptions> = {}) {
  const ks = new FakeKeystone()
  const clock = { now: T0 }
  const log = memoryLogger()
  const auth = new KeystoneAuth(
    {
      wwwAuthenticateUri: 'http://ks.example:5000/v3',
      authUrl: 'http://ks.example:5000',
      username: 'neutron',
      password: 'secret',
      projectName: 'service',
      tokenCacheTime: 300,
      now: () => clock.now,
      fetch: ks.fetch,
      ...over,
    },
    log,
  )
  ks.tokens.set('tok-demo', { userId: 'u1', projectId: 'p1', roles: ['member', 'reader'], expiresAt: iso(T0 + 3600_000) })
  ks.tokens.set('tok-admin', { userId: 'u0', projectId: 'p0', roles: ['admin', 'member'], expiresAt: iso(T0 + 3600_000) })
  return { ks, clock, log, auth }
}

const req = (headers: Record<string, string>) => ({ headers: lower(headers) }) as unknown as IncomingMessage
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))

async function rejects401(p: Promise<unknown>, uri = 'http://ks.example:5000/v3') {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AuthHTTPError, String(e))
    assert.equal(e.status, 401)
    assert.equal(e.headers['WWW-Authenticate'], `Keystone uri="${uri}"`)
    assert.deepEqual(e.responseBody, {
      error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
    })
    return true
  })
}

describe('KeystoneAuth: validation', () => {
  it('builds the context from a valid token: project, user, roles, not admin', async () => {
    const { auth, ks } = setup()
    const ctx = await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'req-1')
    assert.equal(ctx.projectId, 'p1')
    assert.equal(ctx.userId, 'u1')
    assert.deepEqual(ctx.roles, ['member', 'reader'])
    assert.equal(ctx.isAdmin, false)
    assert.equal(ctx.requestId, 'req-1')
    assert.equal(ctx.projectName, 'p-p1')
    assert.equal(ctx.userName, 'name-u1')
    const get = ks.calls.find((c) => c.method === 'GET')!
    assert.equal(get.url, 'http://ks.example:5000/v3/auth/tokens')
    assert.equal(get.headers['X-Subject-Token'], 'tok-demo')
    assert.ok(ks.serviceTokens.has(get.headers['X-Auth-Token']!), 'validated with the service token')
  })

  it('isAdmin is having the admin role', async () => {
    const { auth } = setup()
    const ctx = await auth.authenticate(req({ 'X-Auth-Token': 'tok-admin' }), 'r')
    assert.equal(ctx.isAdmin, true)
  })

  it('authenticates the service user once for many validations', async () => {
    const { auth, ks } = setup({ tokenCacheTime: -1 })
    for (let i = 0; i < 5; i++) await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    assert.equal(ks.serviceAuths, 1)
    assert.equal(ks.validations, 5, 'cache disabled: every request validates')
    const post = ks.calls.find((c) => c.method === 'POST')!
    assert.equal(post.url, 'http://ks.example:5000/v3/auth/tokens')
  })

  it('accepts an auth_url that already ends in /v3', async () => {
    const { auth, ks } = setup({ authUrl: 'http://ks.example:5000/v3/' })
    await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    assert.ok(ks.calls.every((c) => c.url === 'http://ks.example:5000/v3/auth/tokens'))
  })

  it('no token → 401 with WWW-Authenticate and keystonemiddleware body; nothing asked', async () => {
    const { auth, ks } = setup()
    await rejects401(auth.authenticate(req({}), 'r'))
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': '   ' }), 'r'))
    assert.equal(ks.calls.length, 0)
  })

  it('WWW-Authenticate falls back to auth_url when www_authenticate_uri is unset', async () => {
    const { auth } = setup({ wwwAuthenticateUri: null })
    await rejects401(auth.authenticate(req({}), 'r'), 'http://ks.example:5000')
  })

  it('the 401 maps to a NeutronError-compatible status for servers that ignore responseBody', () => {
    const { auth } = setup()
    const { status, body } = toNeutronError(auth.unauthorized())
    assert.equal(status, 401)
    assert.equal(body.NeutronError.type, 'HTTPUnauthorized')
  })

  it('unknown token (Keystone 404) → 401', async () => {
    const { auth } = setup()
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'nope' }), 'r'))
  })

  it('forged/malformed tokens → 401 without asking Keystone', async () => {
    const { auth, ks } = setup()
    for (const t of ['a b', 'tok\u00e9', 'x'.repeat(9000), 'tok\x01', '"quoted" token']) {
      await rejects401(auth.authenticate(req({ 'X-Auth-Token': t }), 'r'))
    }
    assert.equal(ks.calls.length, 0)
  })

  it('a malformed validation body (no user id) is an invalid token, not a crash', async () => {
    const { auth, log } = setup()
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'garbage-body' }), 'r'))
    assert.ok(log.lines.some((l) => /WARN .*invalid token contents/.test(l)))
  })

  it('expired token → 401', async () => {
    const { auth, ks } = setup()
    ks.tokens.set('old', { userId: 'u', projectId: 'p', roles: ['member'], expiresAt: iso(T0 - 1000) })
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'old' }), 'r'))
  })

  it('a token without project scope → 401', async () => {
    const { auth, ks } = setup()
    ks.tokens.set('unscoped', { userId: 'u', projectId: null, roles: [], expiresAt: iso(T0 + 3600_000) })
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'unscoped' }), 'r'))
  })

  it('X-Storage-Token is accepted as the user token', async () => {
    const { auth } = setup()
    const ctx = await auth.authenticate(req({ 'X-Storage-Token': 'tok-demo' }), 'r')
    assert.equal(ctx.projectId, 'p1')
  })

  it('an invalid X-Service-Token rejects the request; a valid one adds serviceRoles', async () => {
    const { auth } = setup()
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'tok-demo', 'X-Service-Token': 'bogus' }), 'r'))
    const ctx = await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo', 'X-Service-Token': 'tok-admin' }), 'r')
    assert.deepEqual(ctx.serviceRoles, ['admin', 'member'])
  })
})

describe('KeystoneAuth: cache', () => {
  it('caches a valid token for token_cache_time, then validates again', async () => {
    const { auth, ks, clock } = setup({ tokenCacheTime: 300 })
    await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    clock.now += 299_000
    await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    assert.equal(ks.validations, 1)
    clock.now += 2_000
    await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    assert.equal(ks.validations, 2)
  })

  it('a cached token stops working at its own expires_at, before token_cache_time', async () => {
    const { auth, ks, clock } = setup({ tokenCacheTime: 300 })
    ks.tokens.set('short', { userId: 'u', projectId: 'p', roles: ['member'], expiresAt: iso(T0 + 60_000) })
    await auth.authenticate(req({ 'X-Auth-Token': 'short' }), 'r')
    clock.now += 59_000
    await auth.authenticate(req({ 'X-Auth-Token': 'short' }), 'r')
    assert.equal(ks.validations, 1)
    clock.now += 2_000
    ks.tokens.delete('short') // what Keystone does with an expired token: 404
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'short' }), 'r'))
  })

  it('revocation is seen once the cache entry expires', async () => {
    const { auth, ks, clock } = setup({ tokenCacheTime: 10 })
    await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    ks.tokens.delete('tok-demo')
    await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    clock.now += 11_000
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r'))
  })

  it('remembers invalid tokens briefly (negative cache)', async () => {
    const { auth, ks, clock } = setup({ tokenCacheTime: 300 })
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'later' }), 'r'))
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'later' }), 'r'))
    assert.equal(ks.validations, 1)
    ks.tokens.set('later', { userId: 'u', projectId: 'p', roles: ['member'], expiresAt: iso(T0 + 3600_000) })
    clock.now += 11_000
    const ctx = await auth.authenticate(req({ 'X-Auth-Token': 'later' }), 'r')
    assert.equal(ctx.projectId, 'p')
    assert.equal(ks.validations, 2)
  })

  it('is bounded: the least recently used token is evicted', async () => {
    const { auth, ks } = setup({ cacheSize: 2 })
    for (const t of ['a', 'b', 'c']) ks.tokens.set(t, { userId: t, projectId: 'p', roles: [], expiresAt: iso(T0 + 3600_000) })
    await auth.validate('a')
    await auth.validate('b')
    await auth.validate('a') // a is now the most recent
    await auth.validate('c') // evicts b
    assert.equal(ks.validations, 3)
    await auth.validate('a')
    assert.equal(ks.validations, 3)
    await auth.validate('b')
    assert.equal(ks.validations, 4)
  })

  it('token_cache_time = -1 disables caching, negative entries included', async () => {
    const { auth, ks } = setup({ tokenCacheTime: -1 })
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'x' }), 'r'))
    await rejects401(auth.authenticate(req({ 'X-Auth-Token': 'x' }), 'r'))
    assert.equal(ks.validations, 2)
  })
})

describe('KeystoneAuth: concurrency', () => {
  it('concurrent requests with one token share one validation', async () => {
    const { auth, ks } = setup()
    ks.validateDelayMs = 20
    const ctxs = await Promise.all(Array.from({ length: 10 }, (_, i) => auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), `r${i}`)))
    assert.equal(ks.validations, 1)
    assert.equal(ks.serviceAuths, 1, 'the service token is fetched once too')
    assert.deepEqual(ctxs.map((c) => c.requestId), Array.from({ length: 10 }, (_, i) => `r${i}`))
  })

  it('concurrent requests with one invalid token share one rejection', async () => {
    const { auth, ks } = setup({ tokenCacheTime: -1 })
    ks.validateDelayMs = 20
    const rs = await Promise.allSettled(Array.from({ length: 5 }, () => auth.authenticate(req({ 'X-Auth-Token': 'bad' }), 'r')))
    assert.ok(rs.every((r) => r.status === 'rejected' && (r.reason as AuthHTTPError).status === 401))
    assert.equal(ks.validations, 1)
  })

  it('different tokens are validated separately', async () => {
    const { auth, ks } = setup()
    ks.validateDelayMs = 10
    await Promise.all([auth.validate('tok-demo'), auth.validate('tok-admin'), auth.validate('tok-demo')])
    assert.equal(ks.validations, 2)
  })
})

describe('KeystoneAuth: service token', () => {
  it('is renewed before it expires', async () => {
    const { auth, ks, clock } = setup({ tokenCacheTime: -1, serviceTokenRenewMs: 120_000 })
    ks.serviceExpiresAt = iso(T0 + 600_000)
    await auth.validate('tok-demo')
    clock.now += 470_000
    await auth.validate('tok-demo')
    assert.equal(ks.serviceAuths, 1)
    clock.now += 20_000 // 110 s left: inside the renewal window
    await auth.validate('tok-demo')
    assert.equal(ks.serviceAuths, 2)
  })

  it('a revoked service token (401 on validation) is replaced and the validation retried once', async () => {
    const { auth, ks } = setup({ tokenCacheTime: -1 })
    await auth.validate('tok-demo')
    ks.serviceTokens.clear()
    const info = await auth.validate('tok-demo')
    assert.equal(info?.projectId, 'p1')
    assert.equal(ks.serviceAuths, 2)
  })

  it('wrong service credentials → 503 with a clear log line', async () => {
    const { auth, log } = setup({ password: 'wrong' })
    await assert.rejects(auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r'), (e: AuthHTTPError) => e.status === 503)
    assert.ok(log.lines.some((l) => /ERROR .*Unable to validate token: .*rejected the service credentials \(401\).*username=neutron/.test(l)), log.lines.join('\n'))
  })
})

describe('KeystoneAuth: Keystone unreachable', () => {
  it('connection refused → 503, one clear log line, nothing cached, recovers', async () => {
    const { auth, ks, log } = setup()
    ks.down = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
    await assert.rejects(auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r'), (e: AuthHTTPError) => {
      assert.equal(e.status, 503)
      assert.equal(e.message, 'The Keystone service is temporarily unavailable.')
      const { status, body } = toNeutronError(e)
      assert.equal(status, 503)
      assert.equal(body.NeutronError.type, 'HTTPServiceUnavailable')
      return true
    })
    const errs = log.lines.filter((l) => / ERROR /.test(l))
    assert.equal(errs.length, 1)
    assert.match(errs[0]!, /Unable to validate token: Keystone at http:\/\/ks\.example:5000\/v3 unavailable: POST .* ECONNREFUSED/)
    ks.down = null
    const ctx = await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    assert.equal(ctx.projectId, 'p1')
  })

  it('a connection reset is retried (http_request_max_retries), a lasting failure is not hidden', async () => {
    const { auth, ks, log } = setup({ httpMaxRetries: 3 })
    ks.down = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
    ks.downFor = 2
    const ctx = await auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')
    assert.equal(ctx.projectId, 'p1')
    assert.equal(log.lines.filter((l) => / WARN .*ECONNRESET; retrying \(\d of 3\)/.test(l)).length, 2)
    const again = setup({ httpMaxRetries: 1 })
    again.ks.down = ks.down
    await assert.rejects(again.auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r'), (e: AuthHTTPError) => e.status === 503)
  })

  it('Keystone 5xx → 503', async () => {
    const { auth, ks } = setup()
    ks.status5xx = 500
    await assert.rejects(auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r'), (e: AuthHTTPError) => e.status === 503)
  })

  it('a hung Keystone times out → 503', async () => {
    const { auth, ks, log } = setup({ httpTimeoutMs: 50 })
    ks.hang = true
    await assert.rejects(auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r'), (e: AuthHTTPError) => e.status === 503)
    assert.ok(log.lines.some((l) => /timed out after 50 ms/.test(l)))
  })

  it('concurrent requests during an outage all get 503 and nothing is left pending', async () => {
    const { auth, ks } = setup()
    ks.down = new Error('connect ECONNREFUSED')
    const rs = await Promise.allSettled(Array.from({ length: 5 }, () => auth.authenticate(req({ 'X-Auth-Token': 'tok-demo' }), 'r')))
    assert.ok(rs.every((r) => r.status === 'rejected' && (r.reason as AuthHTTPError).status === 503))
    ks.down = null
    assert.equal((await auth.validate('tok-demo'))?.userId, 'u1')
  })
})

describe('token body parsing', () => {
  it('reads the reference Keystone v3 validation response', () => {
    const body = JSON.parse(readFileSync('/work/shared/reference/keystone-token-validate.json', 'utf8'))
    const t = parseTokenBody(body)
    assert.equal(t.userId, '74927700e36a4806b747d2d7bad3dba8')
    assert.equal(t.projectId, 'a83b8fb16e8d45aab57f338c3206673a')
    assert.deepEqual(t.roles, ['member', 'reader'])
    assert.equal(t.expiresAt, Date.parse('2026-11-25T12:02:01Z'))
  })

  it('parses Keystone times with microseconds and offsets', () => {
    assert.equal(parseKeystoneTime('2026-11-25T12:02:01.123456Z'), Date.parse('2026-11-25T12:02:01.123Z'))
    assert.equal(parseKeystoneTime('2026-11-25T12:02:01+00:00'), Date.parse('2026-11-25T12:02:01Z'))
    assert.ok(Number.isNaN(parseKeystoneTime('tomorrow')))
  })

  it('rejects bodies without user, expiry or with nameless roles', () => {
    const ok = { token: { user: { id: 'u' }, expires_at: '2026-01-01T00:00:00Z', roles: [] } }
    assert.doesNotThrow(() => parseTokenBody(ok))
    assert.throws(() => parseTokenBody({}))
    assert.throws(() => parseTokenBody({ token: { ...ok.token, user: {} } }))
    assert.throws(() => parseTokenBody({ token: { ...ok.token, expires_at: 'x' } }))
    assert.throws(() => parseTokenBody({ token: { ...ok.token, roles: [{ id: 'r' }] } }))
  })
})

describe('keystoneAuthFromConfig', () => {
  const base = {
    www_authenticate_uri: null, auth_url: 'http://ks:5000', auth_type: 'password', username: 'neutron',
    password: 'x', project_name: 'service', user_domain_name: 'Default', project_domain_name: 'Default', token_cache_time: 300,
  }
  it('builds a KeystoneAuth', () => {
    assert.ok(keystoneAuthFromConfig(base, memoryLogger()) instanceof KeystoneAuth)
  })
  it('names every missing option', () => {
    assert.throws(() => keystoneAuthFromConfig({ ...base, auth_url: null, password: null }, memoryLogger()), (e: Error) =>
      e instanceof KeystoneConfigError && /\[keystone_authtoken\] auth_url, password/.test(e.message))
  })
  it('refuses other auth plugins', () => {
    assert.throws(() => keystoneAuthFromConfig({ ...base, auth_type: 'v3token' }, memoryLogger()), /auth_type = v3token/)
  })
})
