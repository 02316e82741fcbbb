/**
 * "Ensure" commands against a real ovsdb-server: one transaction brings an existing bridge or
 * port to the desired state, a second run writes nothing, Controller/Manager rows are reused.
 * ovs-vsctl checks what landed in the database.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { ValidationError } from '../../../src/ovsdb/errors.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { VswitchApi, VswitchError, cmd, ensure, type BridgeSpec } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])

const BR_INT: BridgeSpec = {
  datapathType: 'netdev',
  failMode: 'secure',
  protocols: ['OpenFlow13'],
  controllers: [{ target: 'tcp:127.0.0.1:16653', connectionMode: 'out-of-band' }],
  otherConfig: { 'disable-in-band': 'true' },
  externalIds: { 'neutrino-owned': 'true' },
}

describe('ensure commands against ovsdb-server', { skip, timeout: 60_000 }, () => {
  let sb: OvsdbSandbox
  let c: OvsdbClient
  let api: VswitchApi
  /** transact requests sent by the replica (what "one transaction" / "no write" is about). */
  let transacts = 0
  before(async () => {
    sb = await OvsdbSandbox.start()
    c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
    const orig = c.transactRaw.bind(c)
    c.transactRaw = (...a) => {
      transacts++
      return orig(...a)
    }
    api = await VswitchApi.create(c)
  })
  after(async () => {
    c?.close()
    await sb?.stop()
  })
  const sync = async (): Promise<void> => {
    // A change made with ovs-vsctl reaches the replica shortly after; an echo round trip orders it.
    await c.echo()
  }

  it('brings an existing default bridge to the desired state in ONE transaction', async () => {
    sb.vsctl('add-br', 'br-int', '--', 'set', 'Bridge', 'br-int', 'other_config:hwaddr=02:00:00:00:00:01')
    await sync()
    const ops = api.plan(ensure.bridge('br-int', BR_INT))
    assert.ok(ops.length > 0)
    const before = transacts
    await api.ensureBridge('br-int', BR_INT)
    assert.equal(transacts - before, 1)
    assert.equal(sb.vsctl('get-fail-mode', 'br-int'), 'secure')
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'protocols'), '[OpenFlow13]')
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'datapath_type'), 'netdev')
    assert.equal(sb.vsctl('get-controller', 'br-int'), 'tcp:127.0.0.1:16653')
    assert.equal(sb.vsctl('get', 'Controller', 'br-int', 'connection_mode'), 'out-of-band')
    // Keys we did not mention (hwaddr) are left alone.
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'other_config'), '{disable-in-band="true", hwaddr="02:00:00:00:00:01"}')
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'external_ids:neutrino-owned'), '"true"')
  })

  it('writes nothing when the bridge already is in that state', async () => {
    const controller = sb.vsctl('get', 'Bridge', 'br-int', 'controller')
    assert.deepEqual(api.plan(ensure.bridge('br-int', BR_INT)), [])
    assert.equal(api.wouldWrite(ensure.bridge('br-int', BR_INT)), false)
    const before = transacts
    await api.ensureBridge('br-int', BR_INT)
    await api.ensureBridge('br-int', { ...BR_INT, protocols: ['OpenFlow13'], controllers: ['tcp:127.0.0.1:16653'] })
    assert.equal(transacts - before, 0)
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'controller'), controller)
  })

  it('corrects drift made behind our back, reusing the Controller row', async () => {
    const ctlUuid = sb.vsctl('get', 'Bridge', 'br-int', 'controller')
    sb.vsctl('set-fail-mode', 'br-int', 'standalone', '--', 'set', 'Controller', 'br-int', 'connection_mode=in-band')
    await sync()
    assert.equal(api.wouldWrite(ensure.bridge('br-int', BR_INT)), true)
    await api.ensureBridge('br-int', BR_INT)
    assert.equal(sb.vsctl('get-fail-mode', 'br-int'), 'secure')
    assert.equal(sb.vsctl('get', 'Controller', 'br-int', 'connection_mode'), 'out-of-band')
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'controller'), ctlUuid)
    assert.equal(api.wouldWrite(ensure.bridge('br-int', BR_INT)), false)
  })

  it('adding a controller target keeps the existing row; removing one drops only it', async () => {
    const first = sb.vsctl('get', 'Bridge', 'br-int', 'controller').replace(/[[\]]/g, '')
    await api.ensureBridge('br-int', { controllers: ['tcp:127.0.0.1:16653', 'tcp:127.0.0.1:16654'] })
    const both = sb.vsctl('get', 'Bridge', 'br-int', 'controller')
    assert.ok(both.includes(first), `${both} should still hold ${first}`)
    assert.equal(sb.vsctl('--columns=target', 'list', 'Controller').split('\n').filter((l) => l.includes('target')).length, 2)
    await api.ensureBridge('br-int', { controllers: ['tcp:127.0.0.1:16653'] })
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'controller'), `[${first}]`)
  })

  it('setController twice reuses the Controller row (it used to insert one per call)', async () => {
    await api.setController('br-int', ['tcp:127.0.0.1:16655'])
    const u = sb.vsctl('get', 'Bridge', 'br-int', 'controller')
    const before = transacts
    await api.setController('br-int', ['tcp:127.0.0.1:16655'])
    assert.equal(transacts - before, 0)
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'controller'), u)
    await assert.rejects(api.setController('nope', ['tcp:127.0.0.1:1']), VswitchError)
  })

  it('tunnel ports: exact options, no write when right, stale keys removed', async () => {
    const spec = { type: 'vxlan', options: { remote_ip: '198.51.100.2', key: 'flow', local_ip: '198.51.100.1' }, externalIds: { 'neutrino-tunnel': 'hv2' } }
    await api.ensurePort('br-int', 'vxlan-c6336402', spec)
    assert.equal(sb.vsctl('get', 'Interface', 'vxlan-c6336402', 'type'), 'vxlan')
    assert.equal(sb.vsctl('get', 'Interface', 'vxlan-c6336402', 'options'), '{key=flow, local_ip="198.51.100.1", remote_ip="198.51.100.2"}')
    assert.equal(api.wouldWrite(ensure.port('br-int', 'vxlan-c6336402', spec)), false)
    await api.ensurePort('br-int', 'vxlan-c6336402', { ...spec, type: 'gre', options: { remote_ip: '198.51.100.3', key: 'flow' } })
    assert.equal(sb.vsctl('get', 'Interface', 'vxlan-c6336402', 'type'), 'gre')
    assert.equal(sb.vsctl('get', 'Interface', 'vxlan-c6336402', 'options'), '{key=flow, remote_ip="198.51.100.3"}')
    const iface = sb.vsctl('get', 'Port', 'vxlan-c6336402', 'interfaces')
    assert.equal(iface.split(',').length, 1, 'still one interface, updated in place')
  })

  it('patch ports between br-int and a provider bridge, one transaction with the new bridge', async () => {
    const before = transacts
    await api.run(ensure.bridge('br-phys', { datapathType: 'netdev', failMode: 'secure' }), ensure.patch('br-int', 'int-br-phys', 'br-phys', 'phy-br-int'))
    assert.equal(transacts - before, 1)
    assert.equal(sb.vsctl('get', 'Interface', 'int-br-phys', 'options:peer'), 'phy-br-int')
    assert.equal(sb.vsctl('get', 'Interface', 'phy-br-int', 'options:peer'), 'int-br-phys')
    assert.equal(sb.vsctl('port-to-br', 'phy-br-int'), 'br-phys')
    assert.equal(api.wouldWrite(ensure.bridge('br-phys', { datapathType: 'netdev', failMode: 'secure' }), ensure.patch('br-int', 'int-br-phys', 'br-phys', 'phy-br-int')), false)
  })

  it('Open_vSwitch other_config (local_ip) and managers, rows reused', async () => {
    await api.run(ensure.openVSwitch({ otherConfig: { local_ip: '198.51.100.1' }, managers: ['tcp:127.0.0.1:1'] }))
    assert.equal(sb.vsctl('get', 'Open_vSwitch', '.', 'other_config:local_ip'), '"198.51.100.1"')
    const m = sb.vsctl('get', 'Open_vSwitch', '.', 'manager_options')
    await api.setManager(['tcp:127.0.0.1:1'])
    assert.equal(sb.vsctl('get', 'Open_vSwitch', '.', 'manager_options'), m)
    await api.run(ensure.openVSwitch({ otherConfig: { local_ip: null }, managers: [] }))
    assert.equal(sb.vsctl('get', 'Open_vSwitch', '.', 'other_config'), '{}')
    assert.equal(sb.vsctl('get-manager'), '')
  })

  it('bad desired state: a clear error and nothing written', async () => {
    const snapshot = sb.vsctl('show')
    const before = transacts
    await assert.rejects(api.ensureBridge('br-int', { failMode: 'open' as 'secure' }), (e: Error) => e instanceof ValidationError && /fail_mode.*"open"/.test(e.message))
    await assert.rejects(api.ensureBridge('br-int', { controllers: ['tcp:127.0.0.1:1', 'tcp:127.0.0.1:1'] }), /given twice/)
    await assert.rejects(api.ensurePort('br-phys', 'int-br-phys'), /on bridge br-int, not on br-phys/)
    await assert.rejects(api.ensurePort('br-none', 'x'), /no bridge named br-none/)
    // The whole batch fails: the valid first command is not applied either.
    await assert.rejects(api.run(ensure.port('br-int', 'tap-ok'), cmd.addPort('br-int', 'int-br-phys')), /already exists/)
    assert.equal(transacts - before, 0)
    assert.equal(sb.vsctl('show'), snapshot)
  })
})
