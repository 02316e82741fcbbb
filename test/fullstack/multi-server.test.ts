/**
 * Several `neutrino server` processes on one database, the way an operator scales the API out:
 * two processes on one PostgreSQL database (started at the same moment on a fresh database, so
 * schema upgrade and pool sync race too) and two on one SQLite file. Clients hammer both; no
 * segmentation id, IP or MAC is ever handed out twice, and deleting everything through either
 * server leaves the pools full (scenario in test/functional/api/load.ts).
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pgSkipReason, startPostgres, type PgServer } from '../helpers/postgres.js'
import { builtSkipReason, httpCall, makeTempDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { assertPoolsFull, hammerMixed, hammerNetworks, hammerPorts, LOAD_INI } from '../functional/api/load.js'
import { openDb } from '../../src/db/connect.js'
import { rmSync } from 'node:fs'

const built = builtSkipReason()

for (const engine of ['postgres', 'sqlite'] as const) {
  describe(`two server processes on one ${engine} database`, { skip: built ?? (engine === 'postgres' ? pgSkipReason() : undefined) }, () => {
    let pg: PgServer | undefined
    let shared: string | undefined
    let servers: ServerProcess[] = []
    let dbUrl: string
    before(async () => {
      if (engine === 'postgres') {
        pg = startPostgres()
        dbUrl = pg.url
      } else {
        shared = makeTempDir('neutrino-shared-sqlite-')
        dbUrl = `sqlite:///${join(shared, 'neutrino.sqlite')}`
      }
      // both at once, on a database neither has seen
      const started = await Promise.allSettled([0, 1].map(() => startServerProcess({ ini: LOAD_INI, dbUrl })))
      servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
      const failed = started.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined
      if (failed) throw failed.reason
    })
    after(async () => {
      await Promise.all(servers.map((s) => s.stop()))
      pg?.stop()
      if (shared) rmSync(shared, { recursive: true, force: true })
    })

    it('both started cleanly and see the same, full pools', async () => {
      assert.notEqual(servers[0]!.pid, servers[1]!.pid)
      assert.notEqual(servers[0]!.port, servers[1]!.port)
      const db = openDb(dbUrl)
      try {
        await assertPoolsFull(db)
      } finally {
        await db.close()
      }
      // a network made through one server is visible through the other
      const n = await httpCall(servers[0]!.url, 'POST', '/v2.0/networks', { network: { name: 'shared' } })
      assert.equal(n.status, 201)
      const seen = await httpCall(servers[1]!.url, 'GET', `/v2.0/networks/${n.body.network.id}`)
      assert.equal(seen.status, 200)
      assert.equal(seen.body.network['provider:segmentation_id'], n.body.network['provider:segmentation_id'])
      assert.equal((await httpCall(servers[1]!.url, 'DELETE', `/v2.0/networks/${n.body.network.id}`)).status, 204)
    })

    it('networks: 8 clients over both servers never get one segmentation id twice', () => hammerNetworks(servers.map((s) => s.url), dbUrl))
    it('ports: 8 clients over both servers fill a /24 with no IP/MAC twice; reusable', () => hammerPorts(servers.map((s) => s.url), dbUrl))
    it('networks and ports at once over both servers', () => hammerMixed(servers.map((s) => s.url), dbUrl))

    it('neither server logged an internal error', () => {
      for (const s of servers) assert.doesNotMatch(s.stderr(), /ERROR neutrino\.api/)
    })
  })
}
