/**
 * `neutrino journal`: lists, shows, retries and purges journal rows of the database the config
 * names; bad input is one line and exit 2, and changes nothing.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { runJournal } from '../../../src/cli/journal.js'
import { openDb } from '../../../src/db/connect.js'
import type { Db } from '../../../src/db/engine.js'
import { upgrade } from '../../../src/db/migrations.js'
import { claimNext, listRows, markRefused, recordEntry } from '../../../src/ml2/mech/opendaylight/journal-store.js'

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough()
  const err = new PassThrough()
  let o = ''
  let e = ''
  out.on('data', (b) => (o += b))
  err.on('data', (b) => (e += b))
  const code = await runJournal(args, out, err)
  return { code, out: o, err: e }
}

describe('neutrino journal', () => {
  let dir: string
  let conf: string
  let db: Db
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nod4-journal-cli-'))
    conf = join(dir, 'neutron.conf')
    writeFileSync(conf, `[database]\nconnection = sqlite:///${join(dir, 'n.sqlite')}\n`)
    db = openDb(`sqlite:///${join(dir, 'n.sqlite')}`)
    await upgrade(db)
    for (const id of ['n1', 'n2']) await db.transaction((tx) => recordEntry(tx, { type: 'network', uuid: id, op: 'create', data: { id, name: id }, parents: [] }, Date.now()))
    const r = (await claimNext(db, 'x', Date.now()))!
    assert.equal(await markRefused(db, r.seqnum, 0, 'HTTP 400 bad', Date.now()), 'failed')
  })
  after(async () => {
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('lists rows with the operator figures', async () => {
    const r = await cli(['list', '--config-file', conf])
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /^depth 1 {2}failed 1 {2}oldest pending \d+\.\d s$/m)
    assert.match(r.out, /^1 +failed +create +network +n1 .*HTTP 400 bad$/m)
    const j = JSON.parse((await cli(['list', '--state', 'pending', '--json', '--config-file', conf])).out)
    assert.deepEqual(j.rows.map((x: { object_uuid: string }) => x.object_uuid), ['n2'])
  })

  it('shows, retries and purges', async () => {
    const show = await cli(['show', '1', '--config-file', conf])
    assert.equal(show.code, 0)
    assert.match(show.out, /"name": "n1"/)
    assert.equal((await cli(['retry', '1', '--config-file', conf])).code, 0)
    assert.deepEqual((await listRows(db)).map((x) => [x.seqnum, x.state, x.retry_count]), [[1, 'pending', 0], [2, 'pending', 0]])
    assert.equal((await cli(['purge', '2', '--config-file', conf])).code, 0)
    assert.deepEqual((await listRows(db)).map((x) => x.seqnum), [1])
  })

  it('refuses bad input with one line and exit 2, changing nothing', async () => {
    for (const args of [['list', '--state', 'weird'], ['list', '--limit', '0'], ['show', 'abc'], ['retry'], ['retry', '99'], ['purge'], ['purge', '1', '--completed'], ['frob'], ['list', '--bogus']]) {
      const r = await cli([...args, '--config-file', conf])
      assert.equal(r.code, 2, args.join(' '))
      assert.match(r.err.split('\n')[0]!, /^neutrino journal: \S/)
    }
    assert.deepEqual((await listRows(db)).map((x) => x.seqnum), [1])
  })
})
