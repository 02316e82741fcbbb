import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { TryAgainExhaustedError, ValidationError } from '../../../src/ovsdb/errors.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { Replica, type Row } from '../../../src/ovsdb/replica.js'
import type { VswitchTables } from '../../../src/ovsdb/vswitch/model.js'
import { startFakeVswitch, type FakeVswitch } from '../../fakes/ovsdb-fake.js'

const TABLES = { Open_vSwitch: ['bridges', 'external_ids'], Bridge: ['name', 'ports', 'external_ids', 'fail_mode'], Port: ['name', 'interfaces'], Interface: ['name'] } as const

let fake: FakeVswitch
const clients: OvsdbClient[] = []
async function client(reconnect = false): Promise<OvsdbClient> {
  const c = await OvsdbClient.connect(fake.endpoint, { logger: silentLogger, ...(reconnect ? { reconnect: { initialMs: 10, maxMs: 50 } } : {}) })
  clients.push(c)
  return c
}
async function replica(c: OvsdbClient, monitorMethods?: ('monitor_cond_since' | 'monitor_cond' | 'monitor')[]): Promise<Replica<VswitchTables>> {
  return Replica.create<VswitchTables>(c, { db: 'Open_vSwitch', tables: TABLES, ...(monitorMethods ? { monitorMethods } : {}) })
}
function root(r: Replica<VswitchTables>) {
  return [...r.rows('Open_vSwitch').values()][0]!
}
async function addBridge(r: Replica<VswitchTables>, name: string, ext: Record<string, string> = {}) {
  return r.transact((t) => {
    const i = t.insert('Interface', { name, type: 'internal' })
    const p = t.insert('Port', { name, interfaces: [i] })
    const b = t.insert('Bridge', { name, ports: [p], external_ids: ext })
    t.addToSet('Open_vSwitch', root(r)._uuid, 'bridges', [b])
    return b
  })
}
function record(r: Replica<any>): string[] {
  const log: string[] = []
  r.on('insert', (t, row: Row) => log.push(`+${t}:${String(row.name ?? row._uuid)}`))
  r.on('update', (t, row: Row) => log.push(`~${t}:${String(row.name ?? row._uuid)}`))
  r.on('delete', (t, row: Row) => log.push(`-${t}:${String(row.name ?? row._uuid)}`))
  return log
}
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms))

describe('Replica (IDL) against the in-process server', () => {
  before(async () => {
    fake = await startFakeVswitch()
  })
  after(async () => {
    for (const c of clients) c.close()
    await fake.close()
  })

  it('syncs with monitor_cond_since and holds typed rows', async () => {
    const r = await replica(await client())
    assert.equal(r.method, 'monitor_cond_since')
    assert.equal(r.rows('Open_vSwitch').size, 1)
    assert.deepEqual(root(r).bridges, [])
    assert.throws(() => r.rows('Mirror' as never), ValidationError)
  })

  it('reflects our own change when transact resolves, with real uuids for uuid-names', async () => {
    const r = await replica(await client())
    const log = record(r)
    const res = await addBridge(r, 'br0', { owner: 'test' })
    const uuid = res.uuids[res.result]!
    const br = r.get('Bridge', uuid)!
    assert.equal(br.name, 'br0')
    assert.deepEqual(br.external_ids, { owner: 'test' })
    assert.equal(br.fail_mode, null)
    assert.deepEqual(root(r).bridges, [uuid])
    assert.equal(r.lookup('Port', 'name', 'br0')?.name, 'br0')
    assert.deepEqual(log.sort(), ['+Bridge:br0', '+Interface:br0', '+Port:br0', `~Open_vSwitch:${root(r)._uuid}`].sort())
  })

  it('sees other clients\' changes as update events with old rows', async () => {
    const a = await replica(await client())
    const b = await replica(await client())
    const changes: [unknown, unknown][] = []
    b.on('update', (t, row, old) => t === 'Bridge' && changes.push([old.fail_mode, row.fail_mode]))
    const br = a.lookup('Bridge', 'name', 'br0')!
    await a.transact((t) => t.update('Bridge', br._uuid, { fail_mode: 'secure' }))
    await tick()
    assert.deepEqual(changes, [[null, 'secure']])
    assert.equal(b.lookup('Bridge', 'name', 'br0')!.fail_mode, 'secure')
  })

  it('validates rows against the schema before sending', async () => {
    const r = await replica(await client())
    const before = fake.server.calls.get('transact') ?? 0
    await assert.rejects(r.transact((t) => t.update('Bridge', r.lookup('Bridge', 'name', 'br0')!._uuid, { fail_mode: 'open' })), /Bridge\.fail_mode: value "open": not one of/)
    assert.equal(fake.server.calls.get('transact') ?? 0, before, 'nothing sent')
  })

  it('verify → wait prerequisite; a conflicting change makes it TRY_AGAIN and rebuild', async () => {
    const a = await replica(await client())
    const b = await replica(await client())
    const br = () => a.lookup('Bridge', 'name', 'br0')!
    let builds = 0
    const res = await a.transact(async (t) => {
      builds++
      const n = Number(br().external_ids.counter ?? '0')
      t.verify('Bridge', br()._uuid, ['external_ids'])
      if (builds === 1) {
        // Another client bumps the counter between our read and our commit.
        await b.transact((tb) => tb.setMapKeys('Bridge', br()._uuid, 'external_ids', { counter: String(n + 10) }))
      }
      t.setMapKeys('Bridge', br()._uuid, 'external_ids', { counter: String(n + 1) })
      return n + 1
    })
    assert.equal(res.attempts, 2)
    assert.equal(res.result, 11)
    assert.equal(br().external_ids.counter, '11')
  })

  it('gives up after maxRetries with TryAgainExhaustedError', async () => {
    const a = await replica(await client())
    const b = await replica(await client())
    const br = () => a.lookup('Bridge', 'name', 'br0')!
    let n = 0
    await assert.rejects(
      a.transact(
        async (t) => {
          t.verify('Bridge', br()._uuid, ['external_ids'])
          await b.transact((tb) => tb.setMapKeys('Bridge', br()._uuid, 'external_ids', { spin: String(++n) }))
          t.comment('never commits')
        },
        { maxRetries: 2 },
      ),
      TryAgainExhaustedError,
    )
    assert.equal(n, 3)
  })

  for (const method of ['monitor_cond_since', 'monitor_cond', 'monitor'] as const) {
    it(`resyncs after reconnect with ${method}: no duplicate or lost events`, async () => {
      const other = await replica(await client())
      const c = await client(true)
      const r = await replica(c, [method])
      assert.equal(r.method, method)
      await addBridge(other, `keep-${method}`)
      await addBridge(other, `gone-${method}`)
      await tick()
      const log = record(r)
      const sinceCalls = fake.server.calls.get(method) ?? 0
      // Drop only this replica's connection, change things while it is away.
      const synced = new Promise<boolean>((res) => r.once('synced', (_m, found) => res(found)))
      const conn = [...fake.server.conns].at(-1)!
      conn.rpc.close('test drop')
      await new Promise((res) => c.once('disconnected', res))
      await other.transact((t) => t.removeFromSet('Open_vSwitch', root(other)._uuid, 'bridges', [other.lookup('Bridge', 'name', `gone-${method}`)!._uuid]))
      await addBridge(other, `new-${method}`)
      assert.equal(await synced, method === 'monitor_cond_since', 'only monitor_cond_since gets a delta')
      await tick()
      assert.equal(fake.server.calls.get(method), sinceCalls + 1)
      const names = (p: string) => log.filter((l) => l.includes(method) || l.startsWith(p)).sort()
      assert.deepEqual(
        names('~Open').filter((l) => l.includes('Bridge') || l.includes('Port') || l.includes('Interface')),
        [`+Bridge:new-${method}`, `+Interface:new-${method}`, `+Port:new-${method}`, `-Bridge:gone-${method}`, `-Interface:gone-${method}`, `-Port:gone-${method}`].sort(),
      )
      assert.equal(log.filter((l) => l.startsWith('~Open_vSwitch')).length, 1, 'one root update, not one per batch')
      assert.ok(r.lookup('Bridge', 'name', `keep-${method}`))
      assert.equal(r.lookup('Bridge', 'name', `gone-${method}`), undefined)
      // And it keeps following changes.
      await addBridge(r, `after-${method}`)
      assert.ok(other.lookup('Bridge', 'name', `after-${method}`) ?? (await tick(), other.lookup('Bridge', 'name', `after-${method}`)))
    })
  }

  it('a transaction interrupted by a disconnect is retried after resync', async () => {
    const c = await client(true)
    const r = await replica(c)
    const conn = [...fake.server.conns].at(-1)!
    let builds = 0
    const res = await r.transact((t) => {
      if (++builds === 1) setImmediate(() => conn.rpc.close('drop mid-transaction'))
      t.setMapKeys('Open_vSwitch', root(r)._uuid, 'external_ids', { retried: String(builds) })
      // first attempt: the request is written, then the connection drops before the reply
    })
    assert.ok(res.attempts >= 1)
    assert.equal(root(r).external_ids.retried, String(builds))
  })
})
