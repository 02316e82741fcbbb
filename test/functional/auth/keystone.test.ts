/**
 * KeystoneAuth against a real Keystone (Debian python3-keystone under uwsgi, SQLite), brought up
 * by scripts/tempest/keystone-up.sh in a temp dir and killed by PID afterwards.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { IncomingMessage } from 'node:http'
import { AuthHTTPError, KeystoneAuth, type KeystoneAuthOptions } from '../../../src/auth/index.js'
import { ApiServer } from '../../../src/api/server.js'
import { memoryLogger } from '../../../src/common/log.js'
import { needComponent } from '../../helpers/components.js'

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..')
const skip = needComponent('Keystone (python3-keystone, uwsgi-plugin-python3)', [
  'keystone-manage', 'uwsgi', '/usr/lib/uwsgi/plugins/python3_plugin.so', '/usr/bin/keystone-wsgi-public',
])

let dir = ''
let env: Record<string, string> = {}

async function token(user: string, password: string, project: string): Promise<string> {
  const res = await fetch(`${env.KEYSTONE_URL}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
      scope: { project: { name: project, domain: { id: 'default' } } } } }),
  })
  assert.equal(res.status, 201)
  return res.headers.get('x-subject-token')!
}

function auth(over: Partial<KeystoneAuthOptions> = {}) {
  const log = memoryLogger()
  const a = new KeystoneAuth({
    wwwAuthenticateUri: `${env.KEYSTONE_URL}/v3`,
    authUrl: env.KEYSTONE_URL!,
    username: 'neutron',
    password: env.SERVICE_PASSWORD!,
    projectName: 'service',
    tokenCacheTime: 300,
    ...over,
  }, log)
  return { a, log }
}

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => res(p))
    })
  })
}

describe('KeystoneAuth with a real Keystone', { skip, timeout: 240_000 }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'neutrino-ks-'))
    execFileSync('bash', [join(REPO, 'scripts/tempest/keystone-up.sh'), dir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 200_000 })
    env = Object.fromEntries(readFileSync(join(dir, 'keystone.env'), 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => {
      const i = l.indexOf('=')
      return [l.slice(0, i), l.slice(i + 1)]
    }))
  })

  after(() => {
    if (dir) {
      execFileSync('bash', [join(REPO, 'scripts/tempest/keystone-down.sh'), dir])
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a member token gives the project, user and roles; not admin', async () => {
    const t = await token('demo', env.DEMO_PASSWORD!, 'demo')
    const { a } = auth()
    const ctx = await a.authenticate(req({ 'x-auth-token': t }), 'req-1')
    assert.equal(ctx.projectId, env.DEMO_PROJECT_ID)
    assert.equal(ctx.userId, env.DEMO_USER_ID)
    assert.deepEqual([...ctx.roles].sort(), ['member', 'reader'])
    assert.equal(ctx.isAdmin, false)
    assert.equal(ctx.projectName, 'demo')
  })

  it('an admin token is admin', async () => {
    const t = await token('admin', env.ADMIN_PASSWORD!, 'admin')
    const ctx = await auth().a.authenticate(req({ 'x-auth-token': t }), 'r')
    assert.equal(ctx.isAdmin, true)
    assert.equal(ctx.projectId, env.ADMIN_PROJECT_ID)
  })

  it('garbage and forged fernet-looking tokens → 401 with WWW-Authenticate', async () => {
    const { a } = auth()
    const forged = 'gAAAAAB' + Buffer.alloc(150, 7).toString('base64url')
    for (const t of ['garbage', forged, 'x'.repeat(300)]) {
      await assert.rejects(a.authenticate(req({ 'x-auth-token': t }), 'r'), (e: AuthHTTPError) => {
        assert.equal(e.status, 401, t)
        assert.equal(e.headers['WWW-Authenticate'], `Keystone uri="${env.KEYSTONE_URL}/v3"`)
        return true
      })
    }
  })

  it('a revoked token is rejected once it is not cached', async () => {
    const t = await token('demo', env.DEMO_PASSWORD!, 'demo')
    const { a } = auth({ tokenCacheTime: -1 })
    await a.authenticate(req({ 'x-auth-token': t }), 'r')
    const res = await fetch(`${env.KEYSTONE_URL}/v3/auth/tokens`, { method: 'DELETE', headers: { 'X-Auth-Token': t, 'X-Subject-Token': t } })
    assert.equal(res.status, 204)
    await assert.rejects(a.authenticate(req({ 'x-auth-token': t }), 'r'), (e: AuthHTTPError) => e.status === 401)
  })

  it('20 concurrent requests with one token make one validation call', async () => {
    const t = await token('demo', env.DEMO_PASSWORD!, 'demo')
    const { a } = auth()
    const ctxs = await Promise.all(Array.from({ length: 20 }, (_, i) => a.authenticate(req({ 'x-auth-token': t }), `r${i}`)))
    assert.ok(ctxs.every((c) => c.projectId === env.DEMO_PROJECT_ID))
    assert.equal(a.stats.validations, 1)
    assert.equal(a.stats.serviceAuths, 1)
  })

  it('wrong service password → 503 and a clear log line', async () => {
    const t = await token('demo', env.DEMO_PASSWORD!, 'demo')
    const { a, log } = auth({ password: 'wrong' })
    await assert.rejects(a.authenticate(req({ 'x-auth-token': t }), 'r'), (e: AuthHTTPError) => e.status === 503)
    assert.ok(log.lines.some((l) => /ERROR .*rejected the service credentials \(401\)/.test(l)), log.lines.join('\n'))
  })

  it('Keystone unreachable → 503, no crash', async () => {
    const port = await freePort()
    const { a, log } = auth({ authUrl: `http://127.0.0.1:${port}`, httpTimeoutMs: 2000 })
    await assert.rejects(a.authenticate(req({ 'x-auth-token': 'whatever-token' }), 'r'), (e: AuthHTTPError) => e.status === 503)
    assert.ok(log.lines.some((l) => /ERROR .*Unable to validate token: Keystone at http:\/\/127\.0\.0\.1:\d+\/v3 unavailable: .*ECONNREFUSED/.test(l)), log.lines.join('\n'))
  })

  it('through the API server: 200 with a token, 401 without', async () => {
    const t = await token('demo', env.DEMO_PASSWORD!, 'demo')
    const { a, log } = auth()
    const api = new ApiServer({ maxRequestBodySize: 1 << 20, log: memoryLogger(), auth: a, controllers: [] })
    const { port } = await api.listen(0, '127.0.0.1')
    try {
      const ok = await fetch(`http://127.0.0.1:${port}/v2.0/extensions`, { headers: { 'X-Auth-Token': t } })
      assert.equal(ok.status, 200, log.lines.join('\n'))
      const no = await fetch(`http://127.0.0.1:${port}/v2.0/extensions`)
      assert.equal(no.status, 401)
      await no.text()
    } finally {
      await api.close()
    }
  })
})
