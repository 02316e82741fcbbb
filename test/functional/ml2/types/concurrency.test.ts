/**
 * Type drivers and TypeManager under concurrent load, on a real PostgreSQL and on a SQLite file:
 * no id is handed out twice, exhaustion gives NoNetworkAvailable, release refills the pool, and
 * two database handles (two server processes) behave like one.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { openDb } from '../../../../src/db/connect.js'
import type { Db, Tx } from '../../../../src/db/engine.js'
import { upgrade } from '../../../../src/db/migrations.js'
import { withRetries } from '../../../../src/db/retry.js'
import type { Segment } from '../../../../src/ml2/driver-api.js'
import type { TypeManager } from '../../../../src/ml2/type-manager.js'
import { pgSkipReason, startPostgres, type PgServer } from '../../../helpers/postgres.js'
import { manager, POOL } from './fixtures.js'

const here = dirname(fileURLToPath(import.meta.url))
const run = promisify(execFile)

/** Runs alloc-worker.ts as a separate process (a second server on the same database). */
async function workerProcess(url: string, count: number, parallel: number): Promise<Array<Segment & { net: string }>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(here, 'alloc-worker.ts'), url, String(count), String(parallel)], {
    cwd: join(here, '../../../..'),
    maxBuffer: 64 * 1024 * 1024,
  })
  return JSON.parse(stdout)
}

async function addNetwork(tx: Tx): Promise<string> {
  const id = randomUUID()
  const now = '2026-01-01T00:00:00Z'
  await tx.run(
    'INSERT INTO networks (id, project_id, status, admin_state_up, mtu, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, 'p', 'ACTIVE', true, 1500, now, now],
  )
  return id
}

/** One API "create network" request: its own transaction, retried as a whole. */
function createNetwork(db: Db, tm: TypeManager, requested: Segment[] | null = null) {
  return withRetries(() =>
    db.transaction(async (tx) => {
      const id = await addNetwork(tx)
      return { id, segments: await tm.createNetworkSegments(tx, id, requested) }
    }),
  )
}

function deleteNetwork(db: Db, tm: TypeManager, id: string) {
  return withRetries(() =>
    db.transaction(async (tx) => {
      await tm.releaseNetworkSegments(tx, id)
      await tx.run('DELETE FROM networks WHERE id = ?', [id])
    }),
  )
}

const key = (s: Segment) => `${s.network_type}:${s.physical_network ?? ''}:${s.segmentation_id}`

async function freeCount(db: Db): Promise<number> {
  const a = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vxlan_allocations WHERE allocated = FALSE')
  const b = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vlan_allocations WHERE allocated = FALSE')
  return Number(a!.c) + Number(b!.c)
}

interface Engine {
  name: string
  skip?: string
  /** URL of a fresh, migrated database. */
  fresh(): Promise<string>
  /** True when several handles in this process can run transactions at once (not synchronous SQLite). */
  inProcessHandles: boolean
}

const pgSkip = pgSkipReason()
let pg: PgServer | undefined
const tmp = mkdtempSync(join(tmpdir(), 'neutrino-ml2-types-'))
let seq = 0
async function migrated(url: string): Promise<string> {
  const db = openDb(url)
  await upgrade(db)
  await db.close()
  return url
}
const engines: Engine[] = [
  {
    name: 'sqlite file',
    inProcessHandles: false,
    fresh: () => migrated(`sqlite:///${join(tmp, `db${++seq}.sqlite`)}`),
  },
  {
    name: 'postgresql',
    skip: pgSkip,
    inProcessHandles: true,
    fresh: () => {
      pg ??= startPostgres()
      return migrated(pg.createDatabase(`ml2types${++seq}`))
    },
  },
]

after(() => {
  pg?.stop()
  rmSync(tmp, { recursive: true, force: true })
})

for (const engine of engines) {
  describe(`ML2 type allocation under concurrency (${engine.name})`, { skip: engine.skip }, () => {
    let db: Db
    /** A second handle on the same database: another "server" (PostgreSQL), else the same handle. */
    let db2: Db
    const tm = manager()
    before(async () => {
      const url = await engine.fresh()
      db = openDb(url)
      db2 = engine.inProcessHandles ? openDb(url) : db
      await Promise.all([tm.initialize(db), manager().initialize(db2)])
    })
    after(async () => {
      await db?.close()
      if (db2 !== db) await db2?.close()
    })

    it('two server processes starting at once on a fresh database: pools synced once, no id shared', async () => {
      const url = await engine.fresh()
      const [a, b] = await Promise.all([workerProcess(url, 150, 4), workerProcess(url, 150, 4)])
      assert.equal(a.length + b.length, 300)
      assert.equal(new Set([...a, ...b].map(key)).size, 300, 'no segment handed out twice')
      const check = openDb(url)
      try {
        const vx = await check.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vxlan_allocations')
        const vl = await check.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vlan_allocations')
        assert.equal(Number(vx!.c), 300)
        assert.equal(Number(vl!.c), 300)
        assert.equal(await freeCount(check), POOL - 300)
        const segs = await check.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_network_segments')
        assert.equal(Number(segs!.c), 300)
      } finally {
        await check.close()
      }
    })

    it('initialize from two handles at once leaves exactly the configured pools', async () => {
      const vx = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vxlan_allocations')
      const vl = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vlan_allocations')
      assert.equal(Number(vx!.c), 300)
      assert.equal(Number(vl!.c), 300)
      assert.equal(await freeCount(db), POOL)
    })

    it('8 workers × 50 creates: no id twice; exhaustion → NoNetworkAvailable; release refills', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          const mine: Array<{ id: string; segments: Segment[] }> = []
          for (let i = 0; i < 50; i++) mine.push(await createNetwork(w % 2 ? db2 : db, tm))
          return mine
        }),
      )
      const nets = results.flat()
      assert.equal(nets.length, 400)
      assert.equal(new Set(nets.map((n) => key(n.segments[0]!))).size, 400, 'no segment handed out twice')
      assert.equal(nets.filter((n) => n.segments[0]!.network_type === 'vxlan').length, 300, 'vxlan first, then vlan')

      // Exhaust the rest concurrently; every worker ends on NoNetworkAvailable.
      const rest = await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          const mine: Array<{ id: string; segments: Segment[] }> = []
          for (;;) {
            try {
              mine.push(await createNetwork(w % 2 ? db2 : db, tm))
            } catch (e: any) {
              assert.equal(e.type, 'NoNetworkAvailable', String(e))
              return mine
            }
          }
        }),
      )
      const all = [...nets, ...rest.flat()]
      assert.equal(all.length, POOL)
      assert.equal(new Set(all.map((n) => key(n.segments[0]!))).size, POOL)
      assert.equal(await freeCount(db), 0)
      const rows = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_network_segments')
      assert.equal(Number(rows!.c), POOL)

      for (let i = 0; i < all.length; i += 8) {
        await Promise.all(all.slice(i, i + 8).map((n, j) => deleteNetwork(j % 2 ? db2 : db, tm, n.id)))
      }
      assert.equal(await freeCount(db), POOL)
      const left = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_network_segments')
      assert.equal(Number(left!.c), 0)
    })

    it('racing provider reservations of one id: exactly one wins, the rest get the InUse error', async () => {
      const cases: Array<[Segment, string]> = [
        [{ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 1100 }, 'VlanIdInUse'], // in the pool
        [{ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 3000 }, 'VlanIdInUse'], // outside: insert race
        [{ network_type: 'vxlan', physical_network: null, segmentation_id: 777777 }, 'TunnelIdInUse'],
        [{ network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }, 'FlatNetworkInUse'],
      ]
      for (const [seg, errType] of cases) {
        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => createNetwork(i % 2 ? db2 : db, tm, [seg])))
        const won = outcomes.filter((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>[]
        const lost = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[]
        assert.equal(won.length, 1, `${key(seg)}: one winner`)
        for (const l of lost) assert.equal(l.reason?.type, errType, String(l.reason))
        await deleteNetwork(db, tm, won[0]!.value.id)
      }
      assert.equal(await freeCount(db), POOL)
      const outside = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vlan_allocations WHERE vlan_id = 3000')
      assert.equal(Number(outside!.c), 0)
    })
  })
}
