/**
 * One server process, many concurrent HTTP clients, on a SQLite file and on a private
 * PostgreSQL: no segmentation id, IP or MAC twice; pools exactly exhausted; everything deleted
 * leaves the allocation tables full again (scenario in ./load.ts).
 */
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'
import { builtSkipReason, startServerProcess, type ServerProcess } from '../../helpers/server-process.js'
import { hammerMixed, hammerNetworks, hammerPorts, LOAD_INI } from './load.js'

const built = builtSkipReason()

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`concurrent clients, one server, ${engine}`, { skip: built ?? (engine === 'postgres' ? pgSkipReason() : undefined) }, () => {
    let pg: PgServer | undefined
    let s: ServerProcess
    let dbUrl: string
    before(async () => {
      if (engine === 'postgres') pg = startPostgres()
      s = await startServerProcess({ ini: LOAD_INI, dbUrl: pg?.url })
      dbUrl = pg?.url ?? `sqlite:///${join(s.dir, 'neutrino.sqlite')}`
    })
    after(async () => {
      await s?.stop()
      pg?.stop()
    })

    it('8 clients fill every tenant segment exactly once, twice over; pools full after delete', () => hammerNetworks([s.url], dbUrl))
    it('8 clients fill a /24 with ports exactly, no IP/MAC twice; addresses reusable after delete', () => hammerPorts([s.url], dbUrl))
    it('networks and ports created and deleted at once', () => hammerMixed([s.url], dbUrl))
  })
}
