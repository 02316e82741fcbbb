/**
 * The journal on both engines (SQLite; a private PostgreSQL): dependency ordering, one claimer per
 * row under concurrency, the sender's outcomes against a scripted northbound on 127.0.0.1:0
 * (2xx, 409-on-create, 404-on-delete, 5xx and connection failure back off without spending the
 * retry budget, 4xx spends it and ends failed), maintenance (stuck rows reset, one server at a time).
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { memoryLogger } from '../../../src/common/log.js'
import { openDb } from '../../../src/db/connect.js'
import type { Db } from '../../../src/db/engine.js'
import { upgrade } from '../../../src/db/migrations.js'
import { claimNext, getRow, journalFigures, listRows, markCompleted, recordEntry, type NewEntry } from '../../../src/ml2/mech/opendaylight/journal-store.js'
import { JournalSender } from '../../../src/ml2/mech/opendaylight/journal-sender.js'
import { JournalMaintenance } from '../../../src/ml2/mech/opendaylight/journal-maintenance.js'
import { OdlClient } from '../../../src/ml2/mech/opendaylight/odl-client.js'
import { parentIds } from '../../../src/ml2/mech/opendaylight/dependencies.js'
import { ENGINES } from '../../helpers/api-engines.js'
import { startPostgres, type PgServer } from '../../helpers/postgres.js'

const net = (id: string) => ({ id, tenant_id: 't', name: id })
const sub = (id: string, n: string) => ({ id, network_id: n, tenant_id: 't', cidr: '192.0.2.0/24' })
const port = (id: string, n: string, s: string) => ({ id, network_id: n, tenant_id: 't', fixed_ips: [{ subnet_id: s, ip_address: '192.0.2.5' }] })

function entry(type: NewEntry['type'], op: NewEntry['op'], obj: Record<string, unknown>): NewEntry {
  const parents = parentIds(type, obj)
  return { type, uuid: String(obj.id), op, data: op === 'delete' ? parents : obj, parents }
}

/** A northbound that answers from a script: `answers` maps "METHOD path" to status codes in turn (default 201/200/204). */
class ScriptedNorthbound {
  server!: Server
  url = ''
  log: string[] = []
  answers = new Map<string, number[]>()
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        const key = `${req.method} ${req.url!.replace('/controller/nb/v2/neutron/', '')}`
        this.log.push(key)
        const q = this.answers.get(key)
        const status = q?.length ? q.shift()! : req.method === 'POST' ? 201 : req.method === 'DELETE' ? 204 : 200
        res.writeHead(status, { 'content-type': 'application/json' }).end(status === 204 ? undefined : body || '{}')
      })
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/controller/nb/v2/neutron`
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()))
  }
}

for (const engine of ENGINES) {
  describe(`opendaylight journal on ${engine.name}`, { skip: engine.skip }, () => {
    let pg: PgServer | undefined
    let db: Db
    let nb: ScriptedNorthbound
    let n = 0
    let clock = 1_000_000
    const now = () => clock

    before(async () => {
      if (engine.name === 'postgres') pg = startPostgres()
      db = openDb(pg ? pg.url : 'sqlite://', { poolSize: 8 })
      await upgrade(db)
      nb = new ScriptedNorthbound()
      await nb.start()
    })
    after(async () => {
      await db?.close()
      pg?.stop()
      await nb?.stop()
    })

    const fresh = async () => {
      await db.run('DELETE FROM opendaylightjournal')
      await db.run('DELETE FROM opendaylight_journal_deps')
      nb.log = []
      nb.answers.clear()
      n++
    }
    const record = (e: NewEntry) => db.transaction((tx) => recordEntry(tx, e, now()))
    const sender = (o: Partial<ConstructorParameters<typeof JournalSender>[0]> = {}) =>
      new JournalSender({ db, client: new OdlClient({ url: nb.url, username: 'admin', password: 'admin', timeoutMs: 5000 }), log: memoryLogger(), owner: 'me', now, retryCount: 2, completedRowsRetention: 0, idlePollMs: 50, backoffMinMs: 10, backoffMaxMs: 20, ...o })

    it('orders rows by dependency: one per chain, chains in parallel, children deleted before parents', async () => {
      await fresh()
      const [a, b, s, p] = [`a${n}`, `b${n}`, `s${n}`, `p${n}`]
      await record(entry('network', 'create', net(a)))
      await record(entry('subnet', 'create', sub(s, a)))
      await record(entry('port', 'create', port(p, a, s)))
      await record(entry('port', 'update', { ...port(p, a, s), name: 'x' }))
      await record(entry('network', 'create', net(b)))
      await record(entry('port', 'delete', port(p, a, s)))
      await record(entry('subnet', 'delete', sub(s, a)))
      await record(entry('network', 'delete', net(a)))
      const order: string[] = []
      for (;;) {
        const ready: Array<{ seqnum: number; op: string; uuid: string }> = []
        for (let r = await claimNext(db, 'me', now()); r; r = await claimNext(db, 'me', now())) ready.push({ seqnum: r.seqnum, op: r.operation, uuid: r.object_uuid })
        if (!ready.length) break
        order.push(ready.map((r) => `${r.op} ${r.uuid}`).join(' + '))
        for (const r of ready) await markCompleted(db, r.seqnum, 0, now())
      }
      assert.deepEqual(order, [
        `create ${a} + create ${b}`,
        `create ${s}`,
        `create ${p}`,
        `update ${p}`,
        `delete ${p}`,
        `delete ${s}`,
        `delete ${a}`,
      ])
      assert.equal((await journalFigures(db, now())).depth, 0)
    })

    it('gives each row to exactly one of many concurrent claimers', async () => {
      await fresh()
      for (let i = 0; i < 40; i++) await record(entry('network', 'create', net(`c${n}-${i}`)))
      const got: number[] = []
      await Promise.all(Array.from({ length: 8 }, async (_, w) => {
        for (let r = await claimNext(db, `w${w}`, now()); r; r = await claimNext(db, `w${w}`, now())) got.push(r.seqnum)
      }))
      assert.equal(got.length, 40)
      assert.equal(new Set(got).size, 40)
    })

    it('sends in order and handles 2xx, 409 on create, 404 on delete', async () => {
      await fresh()
      const a = `d${n}`
      nb.answers.set('POST networks', [409])
      await record(entry('network', 'create', net(a)))
      await record(entry('network', 'update', { ...net(a), name: 'new' }))
      await record(entry('network', 'delete', net(a)))
      nb.answers.set(`DELETE networks/${a}`, [404])
      const s = sender()
      s.start()
      try {
        await until(async () => (await journalFigures(db, now())).depth === 0)
      } finally {
        await s.stop()
      }
      assert.deepEqual(nb.log, ['POST networks', `PUT networks/${a}`, `PUT networks/${a}`, `DELETE networks/${a}`])
    })

    it('backs off on 5xx and connection failures without spending retries; 4xx ends failed after retry_count', async () => {
      await fresh()
      const a = `e${n}`
      const f = `f${n}`
      nb.answers.set('POST networks', [503, 503])
      await record(entry('network', 'create', net(a)))
      const s = sender()
      assert.equal(await s.sendRow((await claimNext(db, 'me', now()))!), 'backoff')
      let row = (await getRow(db, (await listRows(db))[0]!.seqnum))!
      assert.equal(row.state, 'pending')
      assert.equal(row.retry_count, 0)
      assert.ok(row.next_attempt > now(), 'not retried before its backoff')
      assert.equal(await claimNext(db, 'me', now()), null)
      clock += 1000
      assert.equal(await s.sendRow((await claimNext(db, 'me', now()))!), 'backoff')
      clock += 1000
      assert.equal(await s.sendRow((await claimNext(db, 'me', now()))!), 'completed')

      await record(entry('network', 'create', net(f)))
      nb.answers.set('POST networks', [400, 400, 400, 400])
      const outcomes = []
      for (let i = 0; i < 3; i++) outcomes.push(await s.sendRow((await claimNext(db, 'me', now()))!))
      assert.deepEqual(outcomes, ['refused', 'refused', 'failed'])
      row = (await listRows(db, { state: 'failed' }))[0]!
      assert.equal(row.object_uuid, f)
      assert.equal(row.retry_count, 2)
      assert.match(row.last_error ?? '', /HTTP 400/)
      assert.equal((await journalFigures(db, now())).failed, 1)

      // The controller gone entirely: a connection failure is a backoff too.
      await record(entry('network', 'create', net(`g${n}`)))
      const dead = new JournalSender({ db, client: new OdlClient({ url: 'http://127.0.0.1:9/x', username: '', password: '', timeoutMs: 2000 }), log: memoryLogger(), owner: 'me', now, retryCount: 2, completedRowsRetention: 0 })
      clock += 1000
      assert.equal(await dead.sendRow((await claimNext(db, 'me', now()))!), 'backoff')
      assert.equal((await listRows(db, { state: 'pending' })).length, 1)
    })

    it('maintenance resets rows a dead server left in processing, on one server at a time', async () => {
      await fresh()
      await record(entry('network', 'create', net(`h${n}`)))
      const claimed = await claimNext(db, 'dead-server', now())
      assert.ok(claimed)
      const client = new OdlClient({ url: nb.url, username: 'admin', password: 'admin', timeoutMs: 5000 })
      const mk = (owner: string) => new JournalMaintenance({ db, client, log: memoryLogger(), owner, now, reader: () => undefined, processingTimeoutSec: 100, completedRowsRetentionSec: 0, intervalSec: 300 })
      clock += 50_000
      assert.equal((await mk('m1').runOnce(true)).reset, 0, 'not before processing_timeout')
      clock += 400_000 // past processing_timeout and the forced run's maintenance_interval
      const [r1, r2] = await Promise.all([mk('m1').runOnce(), mk('m2').runOnce()])
      assert.equal(Number(r1.ran) + Number(r2.ran), 1, 'exactly one server runs maintenance')
      assert.equal(r1.reset + r2.reset, 1)
      assert.equal((await listRows(db))[0]!.state, 'pending')
      assert.equal((await mk('m3').runOnce()).ran, false, 'not again within maintenance_interval')
    })
  })
}

async function until(f: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await f())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}
