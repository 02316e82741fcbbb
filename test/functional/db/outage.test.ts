/**
 * PostgreSQL going away under a running server (the real server process and a real PostgreSQL):
 * while it is down, requests get a 503 Neutron error (no stack trace, no hang, nothing half
 * written); when it is back, the same server serves again without a restart — pooled connections
 * the restart killed are replaced.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'
import { builtSkipReason, startServerProcess, type ServerProcess } from '../../helpers/server-process.js'

const skip = pgSkipReason() ?? builtSkipReason()

describe('PostgreSQL outage under a running server', { skip }, () => {
  let pg: PgServer
  let srv: ServerProcess
  before(async () => {
    pg = startPostgres()
    srv = await startServerProcess({ dbUrl: pg.url, ini: '[database]\nmax_pool_size = 4\n' })
  })
  after(async () => {
    await srv?.stop()
    pg?.stop()
  })

  const listNames = async () => {
    const r = await srv.call('GET', '/v2.0/networks')
    assert.equal(r.status, 200)
    return r.body.networks.map((n: { name: string }) => n.name).sort()
  }

  it('serves, answers 503 while the database is down, and serves again after it restarts', async () => {
    // Fill the pool with connections the restart will kill.
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => srv.call('POST', '/v2.0/networks', { network: { name: `before-${n}` } })))
    assert.deepEqual(await listNames(), ['before-a', 'before-b', 'before-c', 'before-d'])

    pg.halt()
    try {
      for (const [method, path, body] of [
        ['GET', '/v2.0/networks', undefined],
        ['POST', '/v2.0/networks', { network: { name: 'while-down' } }],
      ] as const) {
        const r = await srv.call(method, path, body)
        assert.equal(r.status, 503, `${method} ${path}: ${JSON.stringify(r.body)}`)
        assert.equal(r.body.NeutronError.type, 'ServiceUnavailable')
        assert.match(r.body.NeutronError.message, /database/i)
        assert.doesNotMatch(JSON.stringify(r.body), /at .*\.js|ECONN|ENOENT/)
      }
    } finally {
      pg.resume()
    }

    // The first requests after the restart find only dead pooled connections; they must not fail.
    const created = await Promise.all(['e', 'f', 'g', 'h', 'i', 'j'].map((n) => srv.call('POST', '/v2.0/networks', { network: { name: `after-${n}` } })))
    for (const r of created) assert.equal(r.status, 201, JSON.stringify(r.body))
    assert.deepEqual(await listNames(), ['after-e', 'after-f', 'after-g', 'after-h', 'after-i', 'after-j', 'before-a', 'before-b', 'before-c', 'before-d'])
    assert.doesNotMatch(srv.stdout() + srv.stderr(), /TypeError|ReferenceError|unhandled/i)
  })
})
