/**
 * Type drivers and TypeManager under concurrent load, on a real PostgreSQL and on a SQLite file:
 * no id is handed out twice, exhaustion gives NoNetworkAvailable, release refills the pool, and
 * two database handles (two server processes) behave like one.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openDb } from '../../../../src/db/connect.js'
import type { Db, Tx } from '../../../../src/db/engine.js'
import { upgrade } from '../../../../src/db/migrations.js'
import { withRetries } from '../../../../src/db/retry.js'
import type { Segment } from '../../../../src/ml2/driver-api.js'
import { TypeManager } from '../../../../src/ml2/type-manager.js'
import { createTypeDrivers } from '../../../../src/ml2/types/registry.js'
import { pgSkipReason, startPostgres, type PgServer } from '../../../helpers/postgres.js'

const VNIS: [number, number] = [10001, 10300]
const VLANS: [number, number] = [1001, 1300]
const POOL = 600

function manager(): TypeManager {
  const registry = createTypeDrivers(['flat', 'vlan', 'vxlan'], {
    networkVlanRanges: new Map([['physnet1', [VLANS]]]),
    vniRanges: [VNIS],
  })
  return new TypeManager({ typeDrivers: ['flat', 'vlan', 'vxlan'], registry, tenantNetworkTypes: ['vxlan', 'vlan'] })
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
  /** Two handles on one fresh database (two "server processes"). */
  open(): Promise<[Db, Db]>
}

const pgSkip = pgSkipReason()
let pg: PgServer | undefined
const tmp = mkdtempSync(join(tmpdir(), 'neutrino-ml2-types-'))
let seq = 0
const engines: Engine[] = [
  {
    name: 'sqlite file',
    async open() {
      const path = join(tmp, `db${++seq}.sqlite`)
      const a = openDb(`sqlite:///${path}`)
      await upgrade(a)
      return [a, openDb(`sqlite:///${path}`)]
    },
  },
  {
    name: 'postgresql',
    skip: pgSkip,
    async open() {
      pg ??= startPostgres()
      const url = pg.createDatabase(`ml2types${++seq}`)
      const a = openDb(url)
      await upgrade(a)
      return [a, openDb(url)]
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
    let db2: Db
    const tm = manager()
    before(async () => {
      ;[db, db2] = await engine.open()
      // Both "processes" sync at once: advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite.
      await Promise.all([tm.initialize(db), manager().initialize(db2)])
    })
    after(async () => {
      await db?.close()
      await db2?.close()
    })

    it('initialize from two handles at once leaves exactly the configured pools', async () => {
      const vx = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vxlan_allocations')
      const vl = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vlan_allocations')
      assert.equal(Number(vx!.c), 300)
      assert.equal(Number(vl!.c), 300)
      assert.equal(await freeCount(db), POOL)
    })

    it('8 workers × 50 creates on one handle: no id twice; exhaustion → NoNetworkAvailable; release refills', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const mine: Array<{ id: string; segments: Segment[] }> = []
          for (let i = 0; i < 50; i++) mine.push(await createNetwork(db, tm))
          return mine
        }),
      )
      const nets = results.flat()
      assert.equal(nets.length, 400)
      const keys = nets.map((n) => key(n.segments[0]!))
      assert.equal(new Set(keys).size, 400, 'no segment handed out twice')
      assert.equal(nets.filter((n) => n.segments[0]!.network_type === 'vxlan').length, 300, 'vxlan first, then vlan')

      // Exhaust the rest concurrently; every worker ends on NoNetworkAvailable.
      const rest = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const mine: Array<{ id: string; segments: Segment[] }> = []
          for (;;) {
            try {
              mine.push(await createNetwork(db, tm))
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

      // Release everything concurrently.
      for (let i = 0; i < all.length; i += 8) {
        await Promise.all(all.slice(i, i + 8).map((n) => deleteNetwork(db, tm, n.id)))
      }
      assert.equal(await freeCount(db), POOL)
      const left = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_network_segments')
      assert.equal(Number(left!.c), 0)
    })

    it('two handles (two server processes) allocating at once never share an id', async () => {
      const worker = async (h: Db) => {
        const mine: Segment[] = []
        for (let i = 0; i < 40; i++) mine.push((await createNetwork(h, tm)).segments[0]!)
        return mine
      }
      const got = (await Promise.all([db, db, db, db, db2, db2, db2, db2].map(worker))).flat()
      assert.equal(got.length, 320)
      assert.equal(new Set(got.map(key)).size, 320)
      const allocated = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vxlan_allocations WHERE allocated = TRUE')
      const allocatedVlan = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vlan_allocations WHERE allocated = TRUE')
      assert.equal(Number(allocated!.c) + Number(allocatedVlan!.c), 320)
      const ids = (await db.all<{ network_id: string }>('SELECT network_id FROM ml2_network_segments')).map((r) => r.network_id)
      for (let i = 0; i < ids.length; i += 8) {
        await Promise.all(ids.slice(i, i + 8).map((id, j) => deleteNetwork(j % 2 ? db2 : db, tm, id)))
      }
      assert.equal(await freeCount(db), POOL)
    })

    it('racing provider reservations of one id: exactly one wins, the rest get the InUse error', async () => {
      const cases: Array<[Segment, string]> = [
        [{ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 1100 }, 'VlanIdInUse'], // in pool
        [{ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 3000 }, 'VlanIdInUse'], // outside: insert race
        [{ network_type: 'vxlan', physical_network: null, segmentation_id: 777777 }, 'TunnelIdInUse'],
        [{ network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }, 'FlatNetworkInUse'],
      ]
      for (const [seg, errType] of cases) {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => createNetwork(i % 2 ? db2 : db, tm, [seg])),
        )
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
