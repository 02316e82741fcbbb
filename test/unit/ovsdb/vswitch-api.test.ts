import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { VswitchApi, VswitchError, cmd } from '../../../src/ovsdb/vswitch/vswitch-api.js'
import { startFakeVswitch, type FakeVswitch } from '../../fakes/ovsdb-fake.js'

let fake: FakeVswitch
let c: OvsdbClient
let api: VswitchApi
let txns = 0
const transacts = () => (fake.server.calls.get('transact') ?? 0) - txns

describe('VswitchApi (ovs-vsctl-like helpers) against the in-process server', () => {
  before(async () => {
    fake = await startFakeVswitch()
    c = await OvsdbClient.connect(fake.endpoint, { logger: silentLogger })
    api = await VswitchApi.create(c)
  })
  after(async () => {
    c.close()
    await fake.close()
  })
  beforeEach(() => {
    txns = fake.server.calls.get('transact') ?? 0
  })

  it('add-br creates Interface + Port + Bridge and links it from Open_vSwitch in one transaction', async () => {
    await api.addBridge('br-int', { datapathType: 'netdev', failMode: 'secure', protocols: ['OpenFlow13'] })
    assert.equal(transacts(), 1)
    const br = api.bridge('br-int')!
    assert.equal(br.datapath_type, 'netdev')
    assert.equal(br.fail_mode, 'secure')
    assert.deepEqual(br.protocols, ['OpenFlow13'])
    assert.equal(api.iface('br-int')!.type, 'internal')
    assert.deepEqual([...api.replica.rows('Open_vSwitch').values()][0]!.bridges, [br._uuid])
  })

  it('add-br is idempotent with mayExist and an error without', async () => {
    await api.addBridge('br-int', { mayExist: true })
    assert.equal(transacts(), 0, 'nothing to do, nothing sent')
    await assert.rejects(api.addBridge('br-int'), (e: Error) => e instanceof VswitchError && /already exists/.test(e.message))
  })

  it('add-port: one transaction, idempotent with mayExist, refuses another bridge', async () => {
    await api.addPort('br-int', 'tap1', { externalIds: { 'iface-id': 'p1' }, tag: 5 })
    assert.equal(transacts(), 1)
    assert.deepEqual(api.listPorts('br-int'), ['tap1'])
    assert.equal(api.port('tap1')!.tag, 5)
    await api.addPort('br-int', 'tap1', { mayExist: true })
    assert.equal(transacts(), 1)
    await assert.rejects(api.addPort('br-int', 'tap1'), /already exists/)
    await api.addBridge('br-ex')
    await assert.rejects(api.addPort('br-ex', 'tap1', { mayExist: true }), /on another bridge/)
    await assert.rejects(api.addPort('nobr', 'x'), /no bridge named nobr/)
  })

  it('batches commands in one transaction, merging the Bridge.ports mutation', async () => {
    await api.run(cmd.addBridge('br-batch'), ...Array.from({ length: 50 }, (_, i) => cmd.addPort('br-batch', `b${i}`)))
    assert.equal(transacts(), 1)
    assert.equal(api.listPorts('br-batch').length, 50)
  })

  it('set controller / fail_mode / protocols / manager, one transaction each', async () => {
    await api.setController('br-int', ['tcp:127.0.0.1:6653', 'unix:/tmp/x.sock'])
    await api.setFailMode('br-int', 'standalone')
    await api.setProtocols('br-int', ['OpenFlow13', 'OpenFlow14'])
    await api.setManager(['ptcp:6640:127.0.0.1'])
    assert.equal(transacts(), 4)
    const br = api.bridge('br-int')!
    assert.deepEqual(br.controller.map((u) => api.replica.get('Controller', u)!.target).sort(), ['tcp:127.0.0.1:6653', 'unix:/tmp/x.sock'])
    assert.equal(br.fail_mode, 'standalone')
    assert.deepEqual([...br.protocols].sort(), ['OpenFlow13', 'OpenFlow14'])
    const root = [...api.replica.rows('Open_vSwitch').values()][0]!
    assert.deepEqual(root.manager_options.map((u) => api.replica.get('Manager', u)!.target), ['ptcp:6640:127.0.0.1'])
    await api.setController('br-int', ['tcp:127.0.0.1:6654'])
    assert.equal(api.replica.rows('Controller').size, 1, 'old controllers garbage-collected')
    await api.delController('br-int')
    await api.delManager()
    assert.equal(api.replica.rows('Controller').size, 0)
    assert.equal(api.replica.rows('Manager').size, 0)
    await api.setFailMode('br-int', null)
    assert.equal(api.bridge('br-int')!.fail_mode, null)
  })

  it('set interface options and external_ids keeps other keys', async () => {
    await api.addPort('br-int', 'vx0', { type: 'vxlan', options: { remote_ip: '198.51.100.2', key: '100' } })
    await api.setInterfaceOptions('vx0', { key: 'flow', local_ip: '198.51.100.1' })
    await api.setInterfaceExternalIds('vx0', { 'attached-mac': '02:00:00:00:00:01' })
    assert.deepEqual(api.iface('vx0')!.options, { remote_ip: '198.51.100.2', key: 'flow', local_ip: '198.51.100.1' })
    assert.deepEqual(api.iface('vx0')!.external_ids, { 'attached-mac': '02:00:00:00:00:01' })
    await assert.rejects(api.setInterfaceOptions('nope', {}), /no interface named nope/)
  })

  it('del-port and del-br, idempotent with ifExists; dependents are garbage-collected', async () => {
    await api.delPort('tap1')
    assert.equal(api.port('tap1'), undefined)
    assert.equal(api.iface('tap1'), undefined)
    await api.delPort('tap1', { ifExists: true })
    await assert.rejects(api.delPort('tap1'), /no port named tap1/)
    await api.delBridge('br-batch')
    assert.equal(api.bridge('br-batch'), undefined)
    assert.equal(api.port('b7'), undefined)
    await api.delBridge('br-batch', { ifExists: true })
    await assert.rejects(api.delBridge('br-batch'), /no bridge named br-batch/)
  })
})
