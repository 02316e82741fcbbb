/**
 * /healthcheck and the database metrics with a real PostgreSQL that goes away (pg_ctl stop -m
 * fast) and comes back: 200 OK, then 503 with the reason while it is down (GET and HEAD), then 200
 * again without a restart; the pool gauges and retry counters are on /metrics.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

const skip = pgSkipReason()

async function health(url: string, method = 'GET') {
  const r = await fetch(`${url}/healthcheck`, { method })
  return { status: r.status, text: await r.text() }
}

/** Polls `fn` until it returns true (generous: a loaded CI machine). */
async function eventually(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`${what}: not within ${ms} ms`)
}

describe('/healthcheck during a PostgreSQL outage', { skip }, () => {
  let pg: PgServer
  let s: TestServer
  before(async () => {
    pg = startPostgres()
    s = await startNeutrino({ dbUrl: pg.url, ini: '[database]\nmax_pool_size = 3\n[healthcheck]\ntimeout = 5\n' })
  })
  after(async () => {
    await s?.close()
    pg?.stop()
  })

  it('200 OK, 503 while the database is down, 200 again once it is back', async () => {
    assert.deepEqual(await health(s.url), { status: 200, text: 'OK' })
    assert.equal((await health(s.url, 'HEAD')).status, 204)
    pg.halt()
    try {
      const down = await health(s.url)
      assert.deepEqual(down, { status: 503, text: 'database unreachable' })
      assert.equal((await health(s.url, 'HEAD')).status, 503)
      // The details (the driver's error) only with [healthcheck] detailed; never by default.
      const j = await fetch(`${s.url}/healthcheck`, { headers: { accept: 'application/json' } })
      assert.equal(j.status, 503)
      assert.deepEqual(await j.json(), { detailed: false, reasons: ['database unreachable'] })
    } finally {
      pg.resume()
    }
    await eventually('healthcheck back to 200', async () => (await health(s.url)).status === 200)
    assert.equal((await s.call('POST', '/v2.0/networks', { network: { name: 'after' } })).status, 201)
  })

  it('/metrics shows the PostgreSQL pool and the retry counters', async () => {
    const text = await (await fetch(`${s.url}/metrics`)).text()
    assert.match(text, /\nneutrino_db_pool_connections\{state="open"\} [0-3]\n/)
    assert.match(text, /\nneutrino_db_pool_connections\{state="idle"\} [0-3]\n/)
    assert.match(text, /\nneutrino_db_pool_connections\{state="waiting"\} 0\n/)
    assert.match(text, /\nneutrino_db_pool_max_connections 3\n/)
    assert.match(text, /\nneutrino_db_retries_total \d+\n/)
    assert.match(text, /\nneutrino_api_requests_total\{resource="healthcheck",method="GET",status="503"\} [1-9]/)
  })
})
