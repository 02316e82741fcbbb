/** Passive mode: switches configured with `ovs-vsctl set-manager tcp:IP:PORT` dial us. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { OvsdbManager } from '../../../src/ovsdb/manager.js'
import type { VswitchReplicaTables } from '../../../src/ovsdb/vswitch/vswitch-tables.js'
import { VSWITCH_TABLES, VswitchApi } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])

describe('OvsdbManager: many switches dialing us', { skip, timeout: 60_000 }, () => {
  let mgr: OvsdbManager<VswitchReplicaTables>
  const sbs: OvsdbSandbox[] = []
  before(async () => {
    mgr = await OvsdbManager.listen<VswitchReplicaTables>('ptcp:0:127.0.0.1', { logger: silentLogger, replica: { tables: VSWITCH_TABLES } })
    for (const id of ['hv1', 'hv2']) {
      const sb = await OvsdbSandbox.start()
      sb.vsctl('set', 'Open_vSwitch', '.', `external_ids:system-id=${id}`)
      sbs.push(sb)
    }
  })
  after(async () => {
    await mgr?.close()
    for (const sb of sbs) await sb.stop()
  })

  it('identifies each switch by Open_vSwitch uuid and system-id', async () => {
    for (const sb of sbs) sb.vsctl('set-manager', `tcp:127.0.0.1:${mgr.port}`)
    const [a, b] = await Promise.all(['hv1', 'hv2'].map((id) => mgr.waitForNode((s) => s.systemId === id)))
    assert.equal(a!.id, sbs[0]!.vsctl('get', 'Open_vSwitch', '.', '_uuid'))
    assert.equal(b!.id, sbs[1]!.vsctl('get', 'Open_vSwitch', '.', '_uuid'))
    assert.equal(mgr.nodes.size, 2)
    assert.equal(mgr.bySystemId('hv2'), b)
  })

  it('drives each switch independently through its connection', async () => {
    const api1 = new VswitchApi(mgr.bySystemId('hv1')!.replica!)
    const api2 = new VswitchApi(mgr.bySystemId('hv2')!.replica!)
    await Promise.all([api1.addBridge('br-hv1'), api2.addBridge('br-hv2')])
    await Promise.all([api1.addPort('br-hv1', 'p1'), api2.addPort('br-hv2', 'p2')])
    assert.equal(sbs[0]!.vsctl('list-ports', 'br-hv1'), 'p1')
    assert.equal(sbs[1]!.vsctl('list-ports', 'br-hv2'), 'p2')
    assert.equal(sbs[0]!.vsctl('list-br'), 'br-hv1')
  })

  it('answers the server\'s echo inactivity probes (connection stays up)', async () => {
    const sw = mgr.bySystemId('hv1')!
    // OVS rounds probe intervals up to 1 s; a peer that does not answer is dropped after 2 intervals.
    sbs[0]!.vsctl('set', 'Manager', '.', 'inactivity_probe=1000')
    let dropped = false
    sw.client.once('disconnected', () => (dropped = true))
    await new Promise((r) => setTimeout(r, 2600))
    assert.equal(dropped, false)
    assert.equal(mgr.bySystemId('hv1'), sw)
    assert.ok(sw.client.connected)
    assert.ok(sw.client.rpc!.echoesAnswered >= 1, `answered ${sw.client.rpc!.echoesAnswered} echo probes`)
    assert.deepEqual(await sw.client.echo('alive'), ['alive'])
  })

  it('sees a switch go away when its manager is removed', async () => {
    const gone = new Promise<string>((r) => mgr.once('down', (s) => r(s.systemId!)))
    sbs[1]!.vsctl('del-manager')
    assert.equal(await gone, 'hv2')
    assert.equal(mgr.bySystemId('hv2'), undefined)
    assert.ok(mgr.bySystemId('hv1'))
  })
})
