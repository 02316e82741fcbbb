/**
 * Two Neutrino servers on one PostgreSQL with the opendaylight driver and a real `neutrino
 * controller`, all processes. Server A is killed with SIGKILL while its sends hang (the controller
 * is SIGSTOPped): its rows stay `processing` under its name; server B's maintenance resets them
 * after processing_timeout and B delivers them. Whatever A's dead connections still deliver when
 * the controller resumes is harmless (create → 409 → update): the controller ends equal to the
 * servers' state, with no row pending or failed.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openDb } from '../../src/db/connect.js'
import type { Db } from '../../src/db/engine.js'
import { journalFigures, listRows } from '../../src/apps/server/journal-admin.js'
import { startControllerProcess, type ControllerProcess } from '../helpers/odl-controller-process.js'
import { pgSkipReason, startPostgres, type PgServer } from '../helpers/postgres.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const AUTH = 'Basic ' + Buffer.from('admin:admin').toString('base64')

async function until(f: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('opendaylight journal: two servers, one killed mid-send', { skip: pgSkipReason() }, () => {
  let pg: PgServer
  let db: Db
  let dir: string
  let ctl: ControllerProcess
  const servers: ServerProcess[] = []

  before(async () => {
    pg = startPostgres()
    db = openDb(pg.url)
    dir = mkdtempSync(join(tmpdir(), 'nod4-odl2-'))
    ctl = await startControllerProcess(dir, 0, { dbUrl: pg.createDatabase('controller') })
  })
  after(async () => {
    try { process.kill(ctl.pid, 'SIGCONT') } catch { /* gone */ }
    for (const s of servers) await s.stop()
    await ctl?.stop().catch(() => {})
    await db?.close()
    pg?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const ini = () => `[ml2]\nmechanism_drivers = opendaylight\n[ml2_odl]\nurl = ${ctl.url}\nusername = admin\npassword = admin\ntimeout = 60\nprocessing_timeout = 2\nmaintenance_interval = 1\n`

  it("recovers the rows of a server killed while sending; nothing lost, nothing applied twice", async () => {
    const a = await startServerProcess({ fromSources: true, dbUrl: pg.url, ini: ini(), startTimeoutMs: 60_000 })
    servers.push(a)
    // Let A's start-up full sync (canary) finish before the controller stops answering.
    await until(async () => (await fetch(`${ctl.url}/networks/bd8db3a8-2b30-4083-a8b3-b3fd46401142`, { headers: { Authorization: AUTH } })).status === 200, 'canary', 20_000).catch(async (e) => { throw new Error(`${e.message}: ${a.stderr().slice(-2000)} ${JSON.stringify(await db.all('SELECT * FROM opendaylight_periodic_task'))} ${JSON.stringify(await listRows(db))}`) })
    process.kill(ctl.pid, 'SIGSTOP')
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      const r = await a.call('POST', '/v2.0/networks', { network: { name: `n${i}` } })
      assert.equal(r.status, 201)
      ids.push(r.body.network.id)
    }
    await until(async () => (await listRows(db, { state: 'processing' })).length > 0, 'A sending')
    const stuck = await listRows(db, { state: 'processing' })
    process.kill(a.pid, 'SIGKILL')
    await a.stop()

    const b = await startServerProcess({ fromSources: true, dbUrl: pg.url, ini: ini(), startTimeoutMs: 60_000 })
    servers.push(b)
    process.kill(ctl.pid, 'SIGCONT')
    const net = (await b.call('POST', '/v2.0/networks', { network: { name: 'from-b' } })).body.network
    await b.call('PUT', `/v2.0/networks/${ids[0]}`, { network: { name: 'renamed-by-b' } })
    await until(async () => (await journalFigures(db, Date.now())).depth === 0, 'journal drained')
    const f = await journalFigures(db, Date.now())
    assert.equal(f.failed, 0, JSON.stringify(await listRows(db)))
    assert.ok(stuck.every((r) => r.lock_owner && r.lock_owner !== ''), 'rows were claimed by A')

    const mine = (await b.call('GET', '/v2.0/networks')).body.networks as any[]
    const theirs = ((await (await fetch(`${ctl.url}/networks`, { headers: { Authorization: AUTH } })).json()) as { networks: any[] }).networks
      .filter((n) => n.id !== 'bd8db3a8-2b30-4083-a8b3-b3fd46401142')
    assert.deepEqual(theirs.map((n) => n.id).sort(), mine.map((n) => n.id).sort())
    const byId = new Map(theirs.map((n) => [n.id, n]))
    for (const m of mine) assert.equal(byId.get(m.id).name, m.name, m.id)
    assert.equal(byId.get(ids[0]!).name, 'renamed-by-b')
    assert.ok(byId.has(net.id))
  })
})
