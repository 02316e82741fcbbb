/**
 * Bad input from a peer affects only that connection: a manager with a real switch attached
 * gets garbage, truncated and oversized JSON, a peer that stops mid-message, bad rows in
 * update notifications and a node that disconnects mid-transaction from raw-socket peers; each
 * of those connections is dropped with a logged reason, the replica is not corrupted, and the
 * real switch keeps working throughout.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { until } from '../../helpers/until.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'
import { RawOvsdbPeer } from '../../helpers/ovsdb-raw-peer.js'
import { ConnectionClosedError } from '../../../src/ovsdb/errors.js'
import { OvsdbManager } from '../../../src/ovsdb/manager.js'
import { VSWITCH_TABLES, type VswitchReplicaTables } from '../../../src/ovsdb/vswitch/vswitch-tables.js'
import { VswitchApi } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])
const MAX = 1024 * 1024
const PROBE_MS = 400
const IDENTIFY_MS = 3000

describe('bad peers affect only their own connection', { skip, timeout: 90_000 }, () => {
  let mgr: OvsdbManager<VswitchReplicaTables>
  let sb: OvsdbSandbox
  const warnings: string[] = []
  let bridges = 0
  before(async () => {
    const logger = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) }
    mgr = await OvsdbManager.listen<VswitchReplicaTables>('ptcp:0:127.0.0.1', { logger, replica: { tables: VSWITCH_TABLES }, maxMessageBytes: MAX, probeIntervalMs: PROBE_MS, identifyTimeoutMs: IDENTIFY_MS })
    sb = await OvsdbSandbox.start()
    sb.vsctl('set', 'Open_vSwitch', '.', 'external_ids:system-id=hv-good')
    sb.vsctl('set-manager', `tcp:127.0.0.1:${mgr.port}`)
    await mgr.waitForNode((n) => n.systemId === 'hv-good')
  })
  after(async () => {
    await mgr?.close()
    await sb?.stop()
  })

  /** The real switch is still up, the same node, and takes writes. */
  async function goodSwitchUnharmed(): Promise<void> {
    const n = mgr.bySystemId('hv-good')!
    assert.ok(n.client.connected, 'real switch still connected')
    await new VswitchApi(n.replica!).ensureBridge(`br-ok${++bridges}`)
    assert.ok(sb.vsctl('list-br').split('\n').includes(`br-ok${bridges}`))
  }
  const warned = (re: RegExp): boolean => warnings.some((w) => re.test(w))

  it('garbage bytes', async () => {
    const s = await RawOvsdbPeer.raw(mgr.port)
    s.write(Buffer.from([0x00, 0xff, 0x41, 0x0a]))
    await new Promise((r) => s.once('close', r))
    assert.ok(warned(/unexpected byte 0x00 between JSON texts/), warnings.join('\n'))
    await goodSwitchUnharmed()
  })

  it('truncated JSON, then the peer closes', async () => {
    const s = await RawOvsdbPeer.raw(mgr.port)
    s.end('{"id":1,"result":[{"rows":[{"_uuid":["uuid",')
    await new Promise((r) => s.once('close', r))
    assert.ok(warned(/stream ended inside a JSON text|connection closed by peer/), warnings.join('\n'))
    await goodSwitchUnharmed()
  })

  it('an oversized message is cut off at the bound, without buffering it all', async () => {
    const s = await RawOvsdbPeer.raw(mgr.port)
    const before = process.memoryUsage().rss
    const chunk = Buffer.alloc(64 * 1024, 'x')
    s.write('{"id":1,"result":"')
    let sent = 0
    while (!s.destroyed && sent < 8 * MAX) {
      const ok = s.write(chunk)
      sent += chunk.length
      if (!ok) await Promise.race([new Promise((r) => s.once('drain', r)), new Promise((r) => s.once('close', r))])
    }
    await new Promise((r) => (s.destroyed ? r(undefined) : s.once('close', r)))
    assert.ok(sent <= 8 * MAX)
    assert.ok(warned(new RegExp(`exceeds the maximum message size of ${MAX} bytes`)), warnings.join('\n'))
    assert.ok(process.memoryUsage().rss - before < 64 * MAX, 'memory stayed bounded')
    await goodSwitchUnharmed()
  })

  it('a peer that stops mid-message is dropped by the inactivity probe', async () => {
    const s = await RawOvsdbPeer.raw(mgr.port)
    const t0 = Date.now()
    s.write('{"method":"echo","params":[')
    await new Promise((r) => s.once('close', r))
    const took = Date.now() - t0
    assert.ok(took >= PROBE_MS, `closed after ${took} ms`)
    assert.ok(warned(/no response to inactivity probe/), warnings.join('\n'))
    await goodSwitchUnharmed()
  })

  it('a peer that answers echoes but never finishes identifying is dropped', async () => {
    const peer = await RawOvsdbPeer.open(mgr.port, 'hv-stalls', ['get_schema'])
    const t0 = Date.now()
    await peer.closed
    assert.ok(Date.now() - t0 >= IDENTIFY_MS - 100, `closed after ${Date.now() - t0} ms`)
    assert.ok(warned(/dropping connection .*did not identify itself within 3000 ms/), warnings.join('\n'))
    assert.equal(mgr.bySystemId('hv-stalls'), undefined)
    await goodSwitchUnharmed()
  })

  it('a bad row in an update notification: batch not applied, that connection dropped', async () => {
    const peer = await RawOvsdbPeer.open(mgr.port, 'hv-bad-row')
    const node = await mgr.waitForNode((n) => n.systemId === 'hv-bad-row')
    // A good update first: it is applied.
    const br1 = randomUUID()
    peer.update3({ Bridge: { [br1]: { insert: { name: 'br-a', fail_mode: 'secure' } } } })
    await until(() => node.replica!.rows('Bridge').size === 1, 'good update applied')
    const down = new Promise<string>((r) => mgr.once('down', (n, reason) => n === node && r(reason)))
    // One good row and one bad row in the same batch: neither is applied.
    peer.update3({ Bridge: { [randomUUID()]: { insert: { name: 'br-b' } }, [randomUUID()]: { insert: { name: 'br-c', fail_mode: 'open' } } } })
    assert.match(await down, /Bridge\.fail_mode: value "open": not one of "standalone", "secure"/)
    assert.deepEqual([...node.replica!.rows('Bridge').values()].map((b) => b.name), ['br-a'])
    await peer.closed
    await goodSwitchUnharmed()
  })

  it('malformed values of each kind are refused the same way', async () => {
    const cases: [string, unknown][] = [
      ['reference that is not a UUID', { Open_vSwitch: { ROOT: { modify: { bridges: ['set', [['uuid', 'not-a-uuid']]] } } } }],
      ['map that is not a map', { Bridge: { [randomUUID()]: { insert: { name: 'x', other_config: 'abc' } } } }],
      ['integer out of range', { Port: { [randomUUID()]: { insert: { name: 'p', tag: 5000 } } } }],
      ['row key that is not a UUID', { Bridge: { 'not-a-uuid': { insert: { name: 'y' } } } }],
      ['table update that is not an object', { Bridge: [1, 2] }],
    ]
    for (const [what, upd] of cases) {
      const peer = await RawOvsdbPeer.open(mgr.port, `hv-${what.replace(/\W/g, '-')}`)
      const node = await mgr.waitForNode((n) => n.systemId === peer.systemId)
      const down = new Promise<string>((r) => mgr.once('down', (n, reason) => n === node && r(reason)))
      peer.update3(JSON.parse(JSON.stringify(upd).replace('ROOT', peer.rootUuid)))
      assert.match(await down, /from peer/, what)
      assert.equal(node.replica!.rows('Bridge').size, 0, what)
      assert.equal(node.replica!.rows('Port').size, 0, what)
    }
    await goodSwitchUnharmed()
  })

  it('a node that disconnects mid-transaction fails that transaction only', async () => {
    const peer = await RawOvsdbPeer.open(mgr.port, 'hv-mid-txn')
    const node = await mgr.waitForNode((n) => n.systemId === 'hv-mid-txn')
    peer.onTransact = () => peer.sock.destroy()
    const api = new VswitchApi(node.replica!)
    const good = new VswitchApi(mgr.bySystemId('hv-good')!.replica!)
    const [lost, fine] = await Promise.allSettled([api.ensureBridge('br-lost'), good.ensureBridge('br-concurrent')])
    assert.equal(lost.status, 'rejected')
    assert.ok((lost as PromiseRejectedResult).reason instanceof ConnectionClosedError, String((lost as PromiseRejectedResult).reason))
    assert.equal(fine.status, 'fulfilled')
    assert.equal(mgr.bySystemId('hv-mid-txn'), undefined)
    await goodSwitchUnharmed()
  })
})
