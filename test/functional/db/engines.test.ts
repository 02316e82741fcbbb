import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { RetryRequest } from '../../../src/common/exceptions.js'
import { openDb } from '../../../src/db/connect.js'
import type { Db } from '../../../src/db/engine.js'
import { currentVersion, MIGRATIONS, upgrade } from '../../../src/db/migrations.js'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'

const skip = pgSkipReason()

describe('database engines', { skip }, () => {
  let pg: PgServer
  const dbs: Array<[string, Db]> = []
  before(() => {
    pg = startPostgres()
    dbs.push(['sqlite', openDb('sqlite://')], ['postgres', openDb(pg.url)])
  })
  after(async () => {
    for (const [, db] of dbs) await db.close()
    pg?.stop()
  })

  it('upgrade creates the schema once, on both engines', async () => {
    for (const [name, db] of dbs) {
      assert.deepEqual(await upgrade(db), MIGRATIONS.map((m) => m.version), name)
      assert.deepEqual(await upgrade(db), [], name)
      assert.equal(await currentVersion(db), MIGRATIONS.at(-1)!.version)
    }
  })

  it('rolls back on error and maps duplicate keys to RetryRequest', async () => {
    for (const [name, db] of dbs) {
      await db.run('INSERT INTO ml2_gre_allocations (gre_id, allocated) VALUES (?, ?)', [4000000000, false])
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run('UPDATE ml2_gre_allocations SET allocated = ? WHERE gre_id = ?', [true, 4000000000])
          throw new Error('boom')
        }),
        /boom/,
      )
      const row = await db.get('SELECT gre_id, allocated FROM ml2_gre_allocations WHERE gre_id = ?', [4000000000])
      assert.equal(row!.gre_id, 4000000000, name)
      assert.equal(!!row!.allocated, false, name)
      await assert.rejects(
        db.transaction((tx) => tx.run('INSERT INTO ml2_gre_allocations (gre_id, allocated) VALUES (?, ?)', [4000000000, true])),
        RetryRequest,
      )
    }
  })
})
