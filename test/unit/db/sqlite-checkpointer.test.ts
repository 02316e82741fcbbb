/**
 * WAL checkpoints run in a worker thread, not inside the server's COMMITs: after writes the log
 * is copied into the database file by the worker (nobody else checkpoints here: 300 frames stay
 * under SQLite's 1000-page automatic threshold), and close() stops the worker and leaves no WAL.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { SqliteDb } from '../../../src/db/sqlite-engine.js'

describe('SQLite background checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neutrino-ckpt-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('copies the WAL into the database file off the writer and cleans up on close', async () => {
    const path = join(dir, 'a.sqlite')
    const db = new SqliteDb(path)
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
    for (let i = 0; i < 300; i++) await db.transaction((tx) => tx.run('INSERT INTO t (v) VALUES (?)', ['x'.repeat(3000)]))
    const want = 300 * 3000
    let size = 0
    for (let i = 0; i < 50 && size < want; i++) {
      await new Promise((r) => setTimeout(r, 100))
      size = statSync(path).size
    }
    assert.ok(size >= want, `database file holds the rows (${size} bytes)`)
    assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n, 300)
    await db.close()
    assert.equal(existsSync(`${path}-wal`), false, 'the last connection removed the WAL')
  })

  it('needs no worker for an in-memory database', async () => {
    const mem = new SqliteDb(':memory:')
    await mem.exec('CREATE TABLE t (id INTEGER)')
    await mem.transaction((tx) => tx.run('INSERT INTO t VALUES (1)'))
    assert.equal((await mem.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n, 1)
    await mem.close()
  })
})
