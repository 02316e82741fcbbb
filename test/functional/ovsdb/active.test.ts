/**
 * Active mode: OvsdbDialer dials switches that listen, retrying from the very first attempt
 * (the switch may not be up yet), redialing after a loss, with the node events of passive mode.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { until } from '../../helpers/until.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'
import { OvsdbDialer } from '../../../src/ovsdb/dialer.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import type { OvsdbNode } from '../../../src/ovsdb/node.js'
import { VSWITCH_TABLES, type VswitchReplicaTables } from '../../../src/ovsdb/vswitch/vswitch-tables.js'
import { VswitchApi } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])

describe('OvsdbDialer: we dial the switches', { skip, timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nod-ovsdb-active-'))
  let sb: OvsdbSandbox | undefined
  let tcp: OvsdbSandbox | undefined
  let dialer: OvsdbDialer<VswitchReplicaTables>
  const events: string[] = []
  const retries: string[] = []
  const delays: number[] = []
  before(() => {
    dialer = new OvsdbDialer<VswitchReplicaTables>([`unix:${join(dir, 'db.sock')}`], { logger: silentLogger, replica: { tables: VSWITCH_TABLES }, backoff: { initialMs: 20, maxMs: 200 } })
    dialer.on('up', (n) => events.push(`up ${n.systemId ?? n.id}`))
    dialer.on('down', (n) => events.push(`down ${n.systemId ?? n.id}`))
    dialer.on('retry', (_t, _a, delay, reason) => {
      retries.push(reason)
      delays.push(delay)
    })
  })
  after(async () => {
    dialer?.close()
    await sb?.stop()
    await tcp?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps retrying a switch that is not up yet, then identifies it', async () => {
    await until(() => retries.length >= 3, 'retries before the server exists')
    assert.match(retries[0]!, /ENOENT|ECONNREFUSED/)
    // Exponential backoff from the first failure: 20, 40, 80 … capped at 200 ms.
    assert.deepEqual(delays.slice(0, 3), [20, 40, 80])
    // The server comes up with an empty database: identification fails and is retried too.
    sb = await OvsdbSandbox.start({ dir })
    const before = retries.length
    await until(() => retries.length > before + 1, 'retries while the database has no Open_vSwitch row')
    assert.ok(retries.slice(before).some((r) => /Open_vSwitch row/.test(r)), retries.slice(before).join('\n'))
    assert.ok(delays.every((d) => d <= 200))
    sb.vsctl('init')
    sb.vsctl('set', 'Open_vSwitch', '.', 'external_ids:system-id=hv-active')
    const node = await dialer.waitForNode((n) => n.systemId === 'hv-active')
    assert.equal(node.mode, 'active')
    assert.equal(node.remote, `unix:${join(dir, 'db.sock')}`)
    assert.equal(node.id, sb.vsctl('get', 'Open_vSwitch', '.', '_uuid'))
    assert.equal(node.peerCertificate, undefined)
    // The node's replica drives the switch like a passive node's does.
    const api = new VswitchApi(node.replica!)
    await api.ensureBridge('br-int', { failMode: 'secure', datapathType: 'netdev' })
    assert.equal(sb.vsctl('get-fail-mode', 'br-int'), 'secure')
  })

  it('reports the loss and redials: a new node for the same switch', async () => {
    const old = dialer.bySystemId('hv-active')!
    const down = new Promise<string>((r) => dialer.once('down', (_n, reason) => r(reason)))
    await sb!.kill()
    assert.ok(await down)
    assert.equal(dialer.nodes.size, 0)
    await sb!.restart()
    const again = await dialer.waitForNode((n) => n.systemId === 'hv-active' && n !== old)
    assert.equal(again.id, old.id)
    assert.ok(again.replica!.rows('Bridge').size === 1)
    assert.deepEqual(events, ['up hv-active', 'down hv-active', 'up hv-active'])
  })

  it('a second target reaching an already-connected switch is refused, not swapped in', async () => {
    tcp = await OvsdbSandbox.start({ remote: 'ptcp' })
    tcp.vsctl('set', 'Open_vSwitch', '.', 'external_ids:system-id=hv-active') // claims hv-active's identity
    const rejected = new Promise<[string, string]>((r) => dialer.once('rejected', (t, why) => r([t, why])))
    dialer.addTarget(`tcp:127.0.0.1:${tcp.port}`)
    const [target, why] = await rejected
    assert.equal(target, `tcp:127.0.0.1:${tcp.port}`)
    assert.match(why, /system-id hv-active is already connected from unix:/)
    const n = dialer.bySystemId('hv-active')!
    assert.equal(n.remote, `unix:${join(dir, 'db.sock')}`)
    assert.ok(n.client.connected)
    // Once it has an identity of its own it is admitted on a later attempt.
    tcp.vsctl('set', 'Open_vSwitch', '.', 'external_ids:system-id=hv-tcp')
    const other: OvsdbNode<VswitchReplicaTables> = await dialer.waitForNode((x) => x.systemId === 'hv-tcp')
    assert.equal(other.remote, `tcp:127.0.0.1:${tcp.port}`)
    assert.equal(dialer.nodes.size, 2)
    dialer.removeTarget(`tcp:127.0.0.1:${tcp.port}`)
    await until(() => dialer.nodes.size === 1, 'removed target closed')
    assert.deepEqual(dialer.targets, [`unix:${join(dir, 'db.sock')}`])
  })

  it('refuses bad targets with a clear error', () => {
    assert.throws(() => dialer.addTarget('ptcp:6640'), /not an active endpoint/)
    assert.throws(() => dialer.addTarget('ssl:127.0.0.1:1'), /needs the tls option/)
    assert.throws(() => dialer.addTarget('tcp:nowhere'), /expected HOST:PORT/)
    assert.throws(() => dialer.addTarget(`unix:${join(dir, 'db.sock')}`), /already a target/)
  })
})
