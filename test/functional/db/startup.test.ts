/**
 * A server started before its database is reachable waits for it ([database] max_retries /
 * retry_interval), and connection_debug logs statements — against the real server process and a
 * real PostgreSQL. The database "appears" when a symlink to the private server's unix socket is
 * created in the directory the server was told to use.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'
import { builtSkipReason, startServerProcess } from '../../helpers/server-process.js'

const skip = pgSkipReason() ?? builtSkipReason()

/** The same database URL with another unix-socket directory. */
const withSocketDir = (url: string, dir: string) => url.replace(/([?&]host=)[^&]+/, `$1${encodeURIComponent(dir)}`)

describe('server start against PostgreSQL', { skip }, () => {
  let pg: PgServer
  const dirs: string[] = []
  before(() => {
    pg = startPostgres()
  })
  after(() => {
    pg?.stop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('waits for an unreachable database, then serves', async () => {
    const realDir = decodeURIComponent(/[?&]host=([^&]+)/.exec(pg.url)![1]!)
    const port = /[?&]port=(\d+)/.exec(pg.url)![1]!
    const lateDir = mkdtempSync(join(tmpdir(), 'neutrino-late-pg-'))
    dirs.push(lateDir)
    const starting = startServerProcess({
      dbUrl: withSocketDir(pg.url, lateDir),
      ini: '[database]\nmax_retries = 30\nretry_interval = 1\n',
      startTimeoutMs: 40_000,
    })
    // Let it fail at least once, then make the socket appear.
    await new Promise((r) => setTimeout(r, 1500))
    symlinkSync(join(realDir, `.s.PGSQL.${port}`), join(lateDir, `.s.PGSQL.${port}`))
    const srv = await starting
    try {
      const logs = srv.stdout() + srv.stderr()
      assert.match(logs, /not reachable .*retrying in 1 s \(attempt 1 of 30\)/)
      const r = await srv.call('POST', '/v2.0/networks', { network: { name: 'after-wait' } })
      assert.equal(r.status, 201)
    } finally {
      await srv.stop()
    }
  })

  it('gives up after max_retries with a clear line', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'neutrino-no-pg-'))
    dirs.push(emptyDir)
    await assert.rejects(
      startServerProcess({ dbUrl: withSocketDir(pg.url, emptyDir), ini: '[database]\nmax_retries = 1\nretry_interval = 0\n', startTimeoutMs: 20_000 }),
      (e: Error) => /server exited/.test(e.message) && /cannot connect to PostgreSQL/.test(e.message),
    )
  })

  it('connection_debug = 50 logs every statement, without parameters', async () => {
    const srv = await startServerProcess({ dbUrl: pg.createDatabase('debuglog'), ini: '[database]\nconnection_debug = 50\n' })
    try {
      const r = await srv.call('POST', '/v2.0/networks', { network: { name: 'logged-name' } })
      assert.equal(r.status, 201)
      const logs = srv.stdout() + srv.stderr()
      assert.match(logs, /INSERT INTO networks/)
      assert.match(logs, /COMMIT/)
      const sqlLines = logs.split('\n').filter((l) => l.includes(' neutrino.sql '))
      assert.ok(sqlLines.some((l) => l.includes('INSERT INTO networks')))
      assert.ok(!sqlLines.some((l) => l.includes('logged-name')), 'parameters are logged only at 100')
    } finally {
      await srv.stop()
    }
  })
})
