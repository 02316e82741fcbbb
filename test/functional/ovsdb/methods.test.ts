/** Every RFC 7047 method (and the OVS monitor extensions) against a real ovsdb-server. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { Aborted, Canceled, ConstraintViolation, DomainError, DuplicateUuidName, NotOwner, OvsdbOperationError, ReferentialIntegrityViolation, TimedOut } from '../../../src/ovsdb/errors.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import type { TableUpdates, TableUpdates2 } from '../../../src/ovsdb/monitor-types.js'
import { op, where } from '../../../src/ovsdb/operations.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])
const DB = 'Open_vSwitch'

function addBridgeOps(name: string) {
  return [
    op.insert('Interface', { name, type: 'internal' }, 'i'),
    op.insert('Port', { name, interfaces: ['named-uuid', 'i'] }, 'p'),
    op.insert('Bridge', { name, ports: ['named-uuid', 'p'] }, 'b'),
    op.mutate('Open_vSwitch', [], [['bridges', 'insert', ['set', [['named-uuid', 'b']]]]]),
  ]
}
const waitFor = <T>(reg: (f: (v: T) => void) => void) => new Promise<T>((r) => reg(r))

describe('RFC 7047 methods against ovsdb-server', { skip, timeout: 60_000 }, () => {
  let sb: OvsdbSandbox
  let c: OvsdbClient
  before(async () => {
    sb = await OvsdbSandbox.start({ remote: 'ptcp' })
    c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger, requestTimeoutMs: 10_000 })
  })
  after(async () => {
    c?.close()
    await sb?.stop()
  })

  it('list_dbs, get_schema, echo over unix and tcp', async () => {
    assert.ok((await c.listDbs()).includes('Open_vSwitch'))
    const s = await c.getSchema(DB)
    assert.equal(s.tables.Open_vSwitch!.isRoot, true)
    assert.deepEqual(await c.echo('hello'), ['hello'])
    const t = await OvsdbClient.connect(`tcp:127.0.0.1:${sb.port}`, { logger: silentLogger })
    assert.ok((await t.listDbs()).includes('Open_vSwitch'))
    t.close()
    await assert.rejects(c.getSchema('Nope'), (e: Error) => e instanceof OvsdbOperationError && e.error === 'unknown database')
  })

  it('transact: insert/select/update/mutate/delete/comment/commit, seen by ovs-vsctl', async () => {
    const r = await c.transact(DB, [...addBridgeOps('br0'), op.comment('functional test'), op.commit(false)])
    assert.equal(r.length, 6)
    assert.equal(sb.vsctl('list-br'), 'br0')
    await c.transact(DB, [op.update('Bridge', [where.eq('name', 'br0')], { fail_mode: 'secure' }), op.mutate('Bridge', [where.eq('name', 'br0')], [['external_ids', 'insert', ['map', [['k', 'v']]]]])])
    assert.equal(sb.vsctl('get-fail-mode', 'br0'), 'secure')
    assert.equal(sb.vsctl('br-get-external-id', 'br0', 'k'), 'v')
    const [sel] = await c.transact(DB, [op.select('Bridge', [where.eq('name', 'br0')], ['name', 'fail_mode'])])
    assert.deepEqual(sel!.rows, [{ name: 'br0', fail_mode: 'secure' }])
    // A Controller row referenced by nobody is garbage-collected at commit (non-root table).
    const [ins] = await c.transact(DB, [op.insert('Controller', { target: 'tcp:192.0.2.1:6653' })])
    assert.ok(ins!.uuid)
    const [none] = await c.transact(DB, [op.select('Controller', [])])
    assert.equal(none!.rows!.length, 0)
    // delete through the root reference.
    const [{ rows }] = (await c.transact(DB, [op.select('Bridge', [where.eq('name', 'br0')], ['_uuid'])])) as [{ rows: { _uuid: ['uuid', string] }[] }]
    const [del] = await c.transact(DB, [op.mutate('Open_vSwitch', [], [['bridges', 'delete', ['set', [rows[0]!._uuid]]]])])
    assert.equal(del!.count, 1)
    assert.equal(sb.vsctl('list-br'), '')
  })

  it('transact errors: one class per RFC error string, with the operation index', async () => {
    await c.transact(DB, addBridgeOps('brx'))
    await assert.rejects(c.transact(DB, addBridgeOps('brx')), (e: unknown) => e instanceof ConstraintViolation && e.isCommitError)
    await assert.rejects(c.transact(DB, [op.comment('x'), op.abort()]), (e: unknown) => e instanceof Aborted && e.opIndex === 1)
    await assert.rejects(c.transact(DB, [op.insert('Interface', { name: 'a' }, 'dup'), op.insert('Interface', { name: 'b' }, 'dup')]), DuplicateUuidName)
    await assert.rejects(c.transact(DB, [op.assert('nobody_holds_this')]), (e: unknown) => e instanceof NotOwner && e.opIndex === 0)
    await assert.rejects(c.transact(DB, [op.mutate('Bridge', [where.eq('name', 'brx')], [['flood_vlans', 'insert', ['set', [10]]]]), op.mutate('Bridge', [where.eq('name', 'brx')], [['flood_vlans', '/=', 0]])]), (e: unknown) => e instanceof DomainError && e.opIndex === 1)
    const [{ rows }] = (await c.transact(DB, [op.select('Bridge', [where.eq('name', 'brx')], ['_uuid'])])) as [{ rows: { _uuid: [string, string] }[] }]
    await assert.rejects(c.transact(DB, [op.delete('Bridge', [where.uuid(rows[0]!._uuid[1])])]), (e: unknown) => e instanceof ReferentialIntegrityViolation && e.isCommitError)
  })

  it('wait: satisfied, timed out, and released by a later commit; cancel', async () => {
    await c.transact(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['name'], [{ name: 'brx' }], '==', 0)])
    await assert.rejects(c.transact(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['fail_mode'], [{ fail_mode: 'secure' }], '==', 0)]), TimedOut)
    const blocked = c.transact(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['fail_mode'], [{ fail_mode: 'secure' }], '==', 5000)])
    await new Promise((r) => setTimeout(r, 50))
    sb.vsctl('set-fail-mode', 'brx', 'secure')
    await blocked
    // cancel (RFC 7047 §4.1.4): ovsdb-server 3.1 drops the trigger without replying; the
    // client fails the request locally.
    const ac = new AbortController()
    const p = c.transact(DB, [op.wait('Bridge', [where.eq('name', 'brx')], ['fail_mode'], [{ fail_mode: 'standalone' }], '==', 30_000)], { signal: ac.signal })
    await new Promise((r) => setTimeout(r, 50))
    const t0 = Date.now()
    ac.abort()
    await assert.rejects(p, Canceled)
    assert.ok(Date.now() - t0 < 1000)
    // The connection is still usable, and the canceled wait did not linger.
    sb.vsctl('set-fail-mode', 'brx', 'standalone')
    assert.deepEqual(await c.echo('still here'), ['still here'])
  })

  it('monitor / update, monitor_cond / update2, monitor_cond_since / update3, monitor_cancel', async () => {
    let u1!: (u: TableUpdates) => void
    const init1 = await c.monitor(DB, 'v1', { Bridge: { columns: ['name', 'fail_mode'] } }, (u) => u1(u))
    assert.ok(Object.values(init1.Bridge!).some((r) => r.new?.name === 'brx'))
    let u2!: (u: TableUpdates2) => void
    const init2 = await c.monitorCond(DB, 'v2', { Bridge: [{ columns: ['name', 'fail_mode', 'external_ids'], where: [['name', '==', 'brx']] }] }, (u) => u2(u))
    assert.deepEqual(Object.values(init2.Bridge!).map((r) => r.initial?.name), ['brx'])
    let u3!: (u: TableUpdates2, txn: string) => void
    const init3 = await c.monitorCondSince(DB, 'v3', { Bridge: [{ columns: ['name'] }] }, null, (u, t) => u3(u, t))
    assert.equal(init3.found, false)
    const g1 = waitFor<TableUpdates>((f) => (u1 = f))
    const g2 = waitFor<TableUpdates2>((f) => (u2 = f))
    sb.vsctl('set-fail-mode', 'brx', 'secure', '--', 'br-set-external-id', 'brx', 'a', 'b')
    const [n1, n2] = await Promise.all([g1, g2])
    const r1 = Object.values(n1.Bridge!)[0]!
    assert.deepEqual(r1.old, { fail_mode: 'standalone' })
    assert.equal(r1.new!.fail_mode, 'secure')
    assert.deepEqual(Object.values(n2.Bridge!)[0], { modify: { fail_mode: 'secure', external_ids: ['map', [['a', 'b']]] } })
    const g3 = waitFor<[TableUpdates2, string]>((f) => (u3 = (u, t) => f([u, t])))
    sb.vsctl('add-br', 'brnew')
    const [n3, txn] = await g3
    assert.deepEqual(Object.values(n3.Bridge!).map((r) => r.insert?.name), ['brnew'])
    assert.equal(typeof txn, 'string')
    for (const id of ['v1', 'v2', 'v3']) await c.monitorCancel(id)
    await assert.rejects(c.monitorCancel('v1'))
  })

  it('lock / steal / unlock with locked and stolen notifications; assert', async () => {
    const c2 = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
    try {
      assert.equal(await c.lock('neutrino'), true)
      await c.transact(DB, [op.assert('neutrino'), op.comment('holding the lock')])
      const granted = new Promise<string>((r) => c2.once('locked', r))
      assert.equal(await c2.lock('neutrino'), false)
      await c.unlock('neutrino')
      assert.equal(await granted, 'neutrino')
      await c2.transact(DB, [op.assert('neutrino')])
      const stolen = new Promise<string>((r) => c2.once('stolen', r))
      assert.equal(await c.steal('neutrino'), true)
      assert.equal(await stolen, 'neutrino')
      await assert.rejects(c2.transact(DB, [op.assert('neutrino')]), NotOwner)
      await c.unlock('neutrino')
    } finally {
      c2.close()
    }
  })
})
