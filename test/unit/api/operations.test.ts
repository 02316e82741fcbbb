/**
 * What monitoring and operators read from a running API (in-process server on SQLite):
 * /healthcheck as oslo.middleware answers it, /metrics names and labels (its own registry per
 * app), and the INFO request log line in Neutron's wsgi format.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { HealthCheck, negotiate, type HealthResult } from '../../../src/api/healthcheck.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

async function raw(url: string, init: RequestInit = {}) {
  const r = await fetch(url, init)
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() }
}

describe('/healthcheck, /metrics and the request log of a running API', () => {
  let s: TestServer
  before(async () => {
    s = await startNeutrino()
  })
  after(() => s?.close())

  it('GET /healthcheck: 200 OK as text/plain, without credentials', async () => {
    const r = await raw(`${s.url}/healthcheck`)
    assert.deepEqual(r, { status: 200, type: 'text/plain; charset=UTF-8', text: 'OK' })
  })

  it('HEAD /healthcheck: 204, no body', async () => {
    const r = await raw(`${s.url}/healthcheck`, { method: 'HEAD' })
    assert.equal(r.status, 204)
    assert.equal(r.text, '')
  })

  it('Accept: application/json gives oslo\'s non-detailed JSON; text/html an HTML table', async () => {
    const j = await raw(`${s.url}/healthcheck`, { headers: { accept: 'application/json' } })
    assert.equal(j.type, 'application/json; charset=UTF-8')
    assert.deepEqual(JSON.parse(j.text), { detailed: false, reasons: ['OK'] })
    const h = await raw(`${s.url}/healthcheck`, { headers: { accept: 'text/html' } })
    assert.equal(h.type, 'text/html; charset=UTF-8')
    assert.match(h.text, /<TD>OK<\/TD>/)
  })

  it('every request is logged at INFO: client, request line, status, len, time', async () => {
    const r = await s.call('GET', '/v2.0/networks?fields=id')
    assert.equal(r.status, 200)
    const id = r.headers.get('x-openstack-request-id')!
    // The line is written when the response is done: poll briefly.
    let line: string | undefined
    for (let i = 0; i < 100 && !line; i++) {
      line = s.log.lines.find((l) => l.includes(' neutrino.wsgi ') && l.includes(id))
      if (!line) await new Promise((res) => setTimeout(res, 20))
    }
    assert.match(line!, new RegExp(`INFO neutrino\\.wsgi \\[${id}\\] 127\\.0\\.0\\.1 "GET /v2\\.0/networks\\?fields=id HTTP/1\\.1" status: 200  len: \\d+ time: \\d+\\.\\d{7}$`))
    const len = Number(/len: (\d+)/.exec(line!)![1])
    assert.equal(len, Buffer.byteLength(JSON.stringify(r.body)))
  })

  it('/metrics: request count and latency by resource, method and status; database figures', async () => {
    await s.call('POST', '/v2.0/networks', { network: { name: 'm1' } })
    await s.call('GET', '/v2.0/networks/nope')
    await s.call('GET', '/v2.0/security-groups')
    await s.call('GET', '/v2.0/no-such-thing/x')
    const m = await raw(`${s.url}/metrics`)
    assert.equal(m.status, 200)
    assert.match(m.type!, /^text\/plain; version=0\.0\.4/)
    for (const series of [
      'neutrino_api_requests_total{resource="networks",method="POST",status="201"} 1',
      'neutrino_api_requests_total{resource="networks",method="GET",status="404"} 1',
      'neutrino_api_requests_total{resource="security-groups",method="GET",status="200"} 1',
      'neutrino_api_requests_total{resource="other",method="GET",status="404"} 1',
      'neutrino_api_request_duration_seconds_count{resource="networks",method="POST",status="201"} 1',
      'neutrino_db_retries_total 0',
      'neutrino_db_startup_retries_total 0',
    ]) assert.ok(m.text.includes(`\n${series}\n`), `${series}\n${m.text.slice(0, 3000)}`)
    assert.match(m.text, /# TYPE neutrino_api_request_duration_seconds histogram/)
    // SQLite has no pool: no pool gauges (PostgreSQL's are checked in test/functional/api/healthcheck-outage.test.ts).
    assert.doesNotMatch(m.text, /neutrino_db_pool_connections/)
  })

  it('each app has its own registry (never prom-client\'s global one)', async () => {
    const other = await startNeutrino()
    try {
      assert.notEqual(other.app.registry, s.app.registry)
      const m = await raw(`${other.url}/metrics`)
      assert.doesNotMatch(m.text, /resource="networks",method="POST"/)
    } finally {
      await other.close()
    }
  })

  it('/metrics answers only GET and HEAD', async () => {
    assert.equal((await raw(`${s.url}/metrics`, { method: 'POST' })).status, 405)
  })
})

describe('[healthcheck] and [metrics] options', () => {
  it('paths are configurable; metrics can be switched off (then /metrics is an API 404)', async () => {
    const s = await startNeutrino({ ini: '[healthcheck]\npath = /hc\n[metrics]\nenabled = false\n' })
    try {
      assert.equal((await raw(`${s.url}/hc`)).text, 'OK')
      assert.equal((await raw(`${s.url}/healthcheck`)).status, 404)
      assert.equal((await raw(`${s.url}/metrics`)).status, 404)
    } finally {
      await s.close()
    }
  })
})

describe('HealthCheck (oslo.middleware semantics)', () => {
  const serve = async (checks: Array<() => Promise<HealthResult>>, detailed = false) => {
    const h = new HealthCheck({ path: '/healthcheck', detailed, checks, now: () => new Date('2026-12-07T00:00:00Z') })
    const srv = createServer((req, res) => {
      if (!h.intercept(req, res)) res.writeHead(418).end()
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`
    return { url, close: () => new Promise<void>((r) => srv.close(() => r())) }
  }
  const down: () => Promise<HealthResult> = async () => ({ available: false, reason: 'database unreachable', details: 'ECONNREFUSED', kind: 'DatabaseCheck' })
  const up: () => Promise<HealthResult> = async () => ({ available: true, reason: 'OK', details: 'sqlite', kind: 'DatabaseCheck' })

  it('a failing check: GET 503 with its reason, HEAD 503; other paths untouched', async () => {
    const s = await serve([down])
    try {
      assert.deepEqual(await raw(`${s.url}/healthcheck`), { status: 503, type: 'text/plain; charset=UTF-8', text: 'database unreachable' })
      assert.equal((await raw(`${s.url}/healthcheck`, { method: 'HEAD' })).status, 503)
      assert.equal((await raw(`${s.url}/healthcheckx`)).status, 418)
      assert.equal((await raw(`${s.url}/healthcheck?x=1`)).status, 503)
    } finally {
      await s.close()
    }
  })

  it('a check that throws counts as failed', async () => {
    const s = await serve([up, async () => { throw new Error('boom') }])
    try {
      const r = await raw(`${s.url}/healthcheck`)
      assert.equal(r.status, 503)
      assert.equal(r.text, 'OK\ncheck failed')
    } finally {
      await s.close()
    }
  })

  it('detailed = true: each reason with class and details in JSON, sorted keys', async () => {
    const s = await serve([up], true)
    try {
      const j = JSON.parse((await raw(`${s.url}/healthcheck`, { headers: { accept: 'application/json' } })).text)
      assert.deepEqual(Object.keys(j), ['detailed', 'now', 'platform', 'reasons', 'runtime_version'])
      assert.deepEqual(j.reasons, [{ class: 'DatabaseCheck', details: 'sqlite', reason: 'OK' }])
      assert.equal(j.now, '2026-12-07T00:00:00.000Z')
    } finally {
      await s.close()
    }
  })

  it('content negotiation: q-values, wildcards, text/plain when nothing matches', () => {
    assert.equal(negotiate(undefined), 'text/plain')
    assert.equal(negotiate('application/json'), 'application/json')
    assert.equal(negotiate('text/html;q=0.5, application/json;q=0.9'), 'application/json')
    assert.equal(negotiate('*/*'), 'text/plain')
    assert.equal(negotiate('text/*'), 'text/plain')
    assert.equal(negotiate('image/png'), 'text/plain')
    assert.equal(negotiate('application/json;q=0'), 'text/plain')
  })
})
