import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { Aborted, Canceled, ConstraintViolation, DomainError, DuplicateUuidName, NotOwner, OvsdbRangeError, ReferentialIntegrityViolation, RequestTimeoutError, TimedOut, NotConnectedError } from '../../../src/ovsdb/errors.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { op, where } from '../../../src/ovsdb/operations.js'
import type { TableUpdates, TableUpdates2 } from '../../../src/ovsdb/monitor-types.js'
import { startFakeVswitch, type FakeVswitch } from '../../fakes/ovsdb-fake.js'

const DB = 'Open_vSwitch'
let fake: FakeVswitch
let c: OvsdbClient
let rootUuid: string

/** Ops adding bridge `name` with its internal port (the minimal valid bridge). */
function addBridgeOps(name: string) {
  return [
    op.insert('Interface', { name, type: 'internal' }, 'i'),
    op.insert('Port', { name, interfaces: ['named-uuid', 'i'] }, 'p'),
    op.insert('Bridge', { name, ports: ['named-uuid', 'p'] }, 'b'),
    op.mutate('Open_vSwitch', [], [['bridges', 'insert', ['set', [['named-uuid', 'b']]]]]),
  ]
}

function nextNotification<T>(register: (cb: (u: T) => void) => void): Promise<T> {
  return new Promise((resolve) => register(resolve))
}

describe('OvsdbClient against the in-process server', () => {
  before(async () => {
    fake = await startFakeVswitch({ unix: true })
    c = await OvsdbClient.connect(fake.endpoint, { logger: silentLogger })
    const [r] = await c.transact(DB, [op.select('Open_vSwitch', [], ['_uuid'])])
    rootUuid = (r!.rows![0]!._uuid as [string, string])[1]
  })
  after(async () => {
    c.close()
    await fake.close()
  })

  it('list_dbs and get_schema', async () => {
    assert.deepEqual(await c.listDbs(), ['Open_vSwitch'])
    const s = await c.getSchema(DB)
    assert.equal(s.name, 'Open_vSwitch')
    assert.ok(s.tables.Bridge)
    assert.equal(await c.getSchema(DB), s, 'cached per session')
  })

  it('echo both ways', async () => {
    assert.deepEqual(await c.echo('a', 1), ['a', 1])
    const conn = [...fake.server.conns][0]!
    assert.deepEqual(await conn.rpc.request('echo', ['from-server']), ['from-server'])
  })

  it('transact: insert with uuid-name, select, update, mutate, delete, comment, commit', async () => {
    const res = await c.transact(DB, [...addBridgeOps('br0'), op.comment('unit test'), op.commit(false)])
    assert.equal(res.length, 6)
    const bridgeUuid = res[2]!.uuid![1]
    const [sel] = await c.transact(DB, [op.select('Bridge', [where.eq('name', 'br0')], ['name', 'ports'])])
    assert.equal(sel!.rows!.length, 1)
    assert.deepEqual(sel!.rows![0]!.name, 'br0')
    const [upd] = await c.transact(DB, [op.update('Bridge', [where.uuid(bridgeUuid)], { fail_mode: 'secure' })])
    assert.equal(upd!.count, 1)
    const [mut] = await c.transact(DB, [op.mutate('Bridge', [where.uuid(bridgeUuid)], [['external_ids', 'insert', ['map', [['k', 'v']]]]])])
    assert.equal(mut!.count, 1)
    const [check] = await c.transact(DB, [op.select('Bridge', [where.eq('name', 'br0')], ['fail_mode', 'external_ids'])])
    assert.deepEqual(check!.rows![0], { fail_mode: 'secure', external_ids: ['map', [['k', 'v']]] })
    // Delete by dropping the reference: Bridge, Port and Interface are garbage-collected.
    await c.transact(DB, [op.mutate('Open_vSwitch', [], [['bridges', 'delete', ['set', [['uuid', bridgeUuid]]]]])])
    const [gone] = await c.transact(DB, [op.select('Interface', [where.eq('name', 'br0')])])
    assert.equal(gone!.rows!.length, 0)
  })

  it('transact errors carry the failing operation (one class per RFC error)', async () => {
    await c.transact(DB, addBridgeOps('brx'))
    await assert.rejects(c.transact(DB, addBridgeOps('brx')), (e: unknown) => e instanceof ConstraintViolation && e.isCommitError)
    await assert.rejects(c.transact(DB, [op.comment('x'), op.abort()]), (e: unknown) => e instanceof Aborted && e.opIndex === 1)
    await assert.rejects(
      c.transact(DB, [op.insert('Interface', { name: 'a' }, 'dup'), op.insert('Interface', { name: 'b' }, 'dup')]),
      (e: unknown) => e instanceof DuplicateUuidName,
    )
    await assert.rejects(c.transact(DB, [op.assert('no-such-lock')]), (e: unknown) => e instanceof NotOwner && e.opIndex === 0)
    await assert.rejects(
      c.transact(DB, [op.mutate('Bridge', [where.eq('name', 'brx')], [['flood_vlans', 'insert', ['set', [4000]]]]), op.mutate('Bridge', [where.eq('name', 'brx')], [['flood_vlans', '+=', 100]])]),
      (e: unknown) => e instanceof OvsdbRangeError && e.opIndex === 1,
    )
    await assert.rejects(
      c.transact(DB, [op.mutate('Bridge', [where.eq('name', 'brx')], [['flood_vlans', 'insert', ['set', [10]]]]), op.mutate('Bridge', [where.eq('name', 'brx')], [['flood_vlans', '/=', 0]])]),
      (e: unknown) => e instanceof DomainError && e.opIndex === 1,
    )
    const [{ rows }] = (await c.transact(DB, [op.select('Bridge', [where.eq('name', 'brx')], ['_uuid'])])) as [{ rows: { _uuid: [string, string] }[] }]
    // Deleting a still-referenced row: referential integrity violation at commit.
    await assert.rejects(c.transact(DB, [op.delete('Bridge', [where.uuid(rows[0]!._uuid[1])])]), (e: unknown) => e instanceof ReferentialIntegrityViolation && e.isCommitError)
  })

  it('wait: satisfied, timed out, and blocked then released by another commit', async () => {
    await c.transact(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['name'], [{ name: 'brx' }], '==', 0)])
    await assert.rejects(c.transact(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['fail_mode'], [{ fail_mode: 'secure' }], '==', 0)]), TimedOut)
    const blocked = c.transact(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['fail_mode'], [{ fail_mode: 'secure' }], '==', 5000)])
    await new Promise((r) => setTimeout(r, 20))
    await c.transact(DB, [op.update('Bridge', [where.eq('name', 'brx')], { fail_mode: 'secure' })])
    await blocked
  })

  it('cancel: aborting the signal cancels a blocked transact', async () => {
    const ac = new AbortController()
    const p = c.transact(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['fail_mode'], [{ fail_mode: 'standalone' }])], { signal: ac.signal })
    await new Promise((r) => setTimeout(r, 20))
    ac.abort()
    await assert.rejects(p, Canceled)
  })

  it('request timeout', async () => {
    await assert.rejects(
      c.transactRaw(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['fail_mode'], [{ fail_mode: 'standalone' }], '==', 10_000)], { timeoutMs: 50 }),
      RequestTimeoutError,
    )
  })

  it('monitor / update (RFC 7047 §4.1.5)', async () => {
    let cb!: (u: TableUpdates) => void
    const initial = await c.monitor(DB, 'm1', { Bridge: { columns: ['name', 'fail_mode'] } }, (u) => cb(u))
    assert.ok(Object.values(initial.Bridge!).some((r) => r.new?.name === 'brx'))
    const got = nextNotification<TableUpdates>((f) => (cb = f))
    await c.transact(DB, [op.update('Bridge', [where.eq('name', 'brx')], { fail_mode: 'standalone' })])
    const u = await got
    const row = Object.values(u.Bridge!)[0]!
    assert.deepEqual(row.old, { fail_mode: 'secure' })
    assert.deepEqual(row.new, { name: 'brx', fail_mode: 'standalone' })
    await c.monitorCancel('m1')
  })

  it('monitor_cond / update2 with a where condition', async () => {
    await c.transact(DB, addBridgeOps('bry'))
    const seen: TableUpdates2[] = []
    const initial = await c.monitorCond(DB, ['m', 2], { Bridge: [{ columns: ['name', 'external_ids'], where: [['name', '==', 'bry']] }] }, (u) => seen.push(u))
    assert.deepEqual(Object.values(initial.Bridge!).map((r) => r.initial?.name), ['bry'])
    await c.transact(DB, [op.mutate('Bridge', [], [['external_ids', 'insert', ['map', [['x', '1']]]]])])
    await new Promise((r) => setTimeout(r, 10))
    assert.equal(seen.length, 1, 'brx changed too, but only bry is monitored')
    assert.deepEqual(Object.values(seen[0]!.Bridge!)[0], { modify: { external_ids: ['map', [['x', '1']]] } })
    await c.monitorCancel(['m', 2])
  })

  it('monitor_cond_since / update3: found=true with the delta after a known txn id', async () => {
    const got: string[] = []
    const r1 = await c.monitorCondSince(DB, 'm3', { Bridge: [{ columns: ['name'] }] }, null, (_u, t) => got.push(t))
    assert.equal(r1.found, false)
    await c.transact(DB, addBridgeOps('brz'))
    await new Promise((r) => setTimeout(r, 10))
    assert.equal(got.length, 1)
    await c.monitorCancel('m3')
    await c.transact(DB, addBridgeOps('brw'))
    const r2 = await c.monitorCondSince(DB, 'm4', { Bridge: [{ columns: ['name'] }] }, got[0]!, () => {})
    assert.equal(r2.found, true)
    assert.deepEqual(Object.values(r2.updates.Bridge!).map((r) => r.insert?.name), ['brw'])
    await c.monitorCancel('m4')
  })

  it('lock / steal / unlock with locked and stolen notifications', async () => {
    const c2 = await OvsdbClient.connect(fake.endpoint, { logger: silentLogger })
    try {
      assert.equal(await c.lock('L'), true)
      await c.transact(DB, [op.assert('L')])
      const lockedLater = new Promise<string>((r) => c2.once('locked', r))
      assert.equal(await c2.lock('L'), false)
      await c.unlock('L')
      assert.equal(await lockedLater, 'L')
      const stolen = new Promise<string>((r) => c2.once('stolen', r))
      assert.equal(await c.steal('L'), true)
      assert.equal(await stolen, 'L')
      await assert.rejects(c2.transact(DB, [op.assert('L')]), NotOwner)
    } finally {
      c2.close()
    }
  })

  it('inactivity probe drops a silent peer; reconnect restores the session', async () => {
    const probing = await OvsdbClient.connect(fake.endpoint, { logger: silentLogger, probeIntervalMs: 60, reconnect: { initialMs: 20, maxMs: 100 } })
    try {
      const conn = [...fake.server.conns].at(-1)!
      // Make the server deaf and mute on that connection.
      conn.rpc.stream.pause()
      conn.rpc.onRequest = () => new Promise(() => {})
      const reason = await new Promise<string>((r) => probing.once('disconnected', r))
      assert.match(reason, /inactivity probe/)
      await new Promise<void>((r) => probing.once('connected', () => r()))
      assert.deepEqual(await probing.echo(1), [1])
    } finally {
      probing.close()
    }
  })

  it('requests fail fast while disconnected', async () => {
    const d = await OvsdbClient.connect(fake.endpoint, { logger: silentLogger })
    d.close()
    await assert.rejects(d.listDbs(), NotConnectedError)
  })
})
