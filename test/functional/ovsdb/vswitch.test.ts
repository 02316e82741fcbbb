/** Typed Open_vSwitch helpers against a real ovsdb-server; ovs-vsctl checks both directions. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { VswitchApi, cmd } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])
const until = async (f: () => boolean, ms = 3000) => {
  const t = Date.now()
  while (!f()) {
    if (Date.now() - t > ms) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('VswitchApi against ovsdb-server, checked with ovs-vsctl', { skip, timeout: 60_000 }, () => {
  let sb: OvsdbSandbox
  let c: OvsdbClient
  let api: VswitchApi
  before(async () => {
    sb = await OvsdbSandbox.start()
    c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
    api = await VswitchApi.create(c)
  })
  after(async () => {
    c?.close()
    await sb?.stop()
  })

  it('add-br / add-port written by us are what ovs-vsctl shows', async () => {
    await api.addBridge('br-int', { datapathType: 'netdev', failMode: 'secure', protocols: ['OpenFlow13'] })
    await api.addPort('br-int', 'tap0', { externalIds: { 'iface-id': 'port-1' }, tag: 10 })
    await api.addPort('br-int', 'vx0', { type: 'vxlan', options: { remote_ip: '198.51.100.2', key: 'flow' } })
    assert.equal(sb.vsctl('list-br'), 'br-int')
    assert.equal(sb.vsctl('list-ports', 'br-int'), 'tap0\nvx0')
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'datapath_type'), 'netdev')
    assert.equal(sb.vsctl('get-fail-mode', 'br-int'), 'secure')
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'protocols'), '[OpenFlow13]')
    assert.equal(sb.vsctl('get', 'Port', 'tap0', 'tag'), '10')
    assert.equal(sb.vsctl('get', 'Port', 'tap0', 'external_ids:iface-id'), 'port-1')
    assert.equal(sb.vsctl('get', 'Interface', 'vx0', 'type'), 'vxlan')
    assert.equal(sb.vsctl('get', 'Interface', 'vx0', 'options:remote_ip'), '"198.51.100.2"')
    assert.equal(sb.vsctl('port-to-br', 'vx0'), 'br-int')
  })

  it('idempotent adds and deletes behave like --may-exist / --if-exists', async () => {
    await api.addBridge('br-int', { mayExist: true })
    await api.addPort('br-int', 'tap0', { mayExist: true })
    await assert.rejects(api.addPort('br-int', 'tap0'), /already exists/)
    await api.delPort('nothere', { ifExists: true })
    await api.delBridge('nothere', { ifExists: true })
    assert.equal(sb.vsctl('list-ports', 'br-int'), 'tap0\nvx0')
  })

  it('one transaction adds a bridge and ports to it (named-uuid in the mutate condition)', async () => {
    await api.run(cmd.addBridge('br-ex'), cmd.addPort('br-ex', 'eth1'), cmd.addPort('br-ex', 'eth2'))
    assert.equal(sb.vsctl('list-ports', 'br-ex'), 'eth1\neth2')
  })

  it('set-controller / set-manager / fail_mode / protocols / interface options and external_ids', async () => {
    await api.setController('br-int', ['tcp:127.0.0.1:16653'])
    assert.equal(sb.vsctl('get-controller', 'br-int'), 'tcp:127.0.0.1:16653')
    await api.setManager(['ptcp:16640:127.0.0.1'])
    assert.equal(sb.vsctl('get-manager'), 'ptcp:16640:127.0.0.1')
    await api.delManager()
    assert.equal(sb.vsctl('get-manager'), '')
    await api.setFailMode('br-int', 'standalone')
    assert.equal(sb.vsctl('get-fail-mode', 'br-int'), 'standalone')
    await api.setProtocols('br-int', ['OpenFlow13', 'OpenFlow15'])
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'protocols'), '[OpenFlow13, OpenFlow15]')
    await api.setInterfaceOptions('vx0', { local_ip: '198.51.100.1' })
    assert.equal(sb.vsctl('get', 'Interface', 'vx0', 'options'), '{key=flow, local_ip="198.51.100.1", remote_ip="198.51.100.2"}')
    await api.setInterfaceExternalIds('tap0', { 'attached-mac': 'fa:16:3e:00:00:01' })
    assert.equal(sb.vsctl('get', 'Interface', 'tap0', 'external_ids:attached-mac'), '"fa:16:3e:00:00:01"')
    await api.delController('br-int')
    assert.equal(sb.vsctl('get-controller', 'br-int'), '')
  })

  it('changes made with ovs-vsctl show up in the replica', async () => {
    sb.vsctl('add-port', 'br-int', 'from-vsctl', '--', 'set', 'Interface', 'from-vsctl', 'type=internal')
    await until(() => !!api.port('from-vsctl'))
    assert.equal(api.iface('from-vsctl')!.type, 'internal')
    assert.deepEqual(api.listPorts('br-int'), ['from-vsctl', 'tap0', 'vx0'])
    sb.vsctl('set-fail-mode', 'br-int', 'secure')
    await until(() => api.bridge('br-int')!.fail_mode === 'secure')
    sb.vsctl('del-br', 'br-ex')
    await until(() => !api.bridge('br-ex'))
    assert.equal(api.port('eth1'), undefined)
  })

  it('del-port and del-br, seen by ovs-vsctl', async () => {
    await api.delPort('tap0')
    assert.equal(sb.vsctl('list-ports', 'br-int'), 'from-vsctl\nvx0')
    await api.delBridge('br-int')
    assert.equal(sb.vsctl('list-br'), '')
    assert.equal(sb.vsctl('--columns=name', 'list', 'Interface'), '')
  })
})
