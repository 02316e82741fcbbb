/**
 * Against a real ovs-vswitchd (netdev datapath, own namespace): the columns VSWITCH_TABLES
 * promises that only ovs-vswitchd writes — Bridge.datapath_id, Interface.ofport,
 * Interface.error, Controller.is_connected — reach the replica, and an ensure that finds the
 * bridge right writes nothing and leaves ovs-vswitchd's controller connection alone.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { until } from '../../helpers/until.js'
import { OvsSwitch, uniqueName } from '../../helpers/ovs-switch.js'
import { SwitchListener } from '../../../src/openflow/index.js'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { VswitchApi, ensure, type BridgeSpec } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovs-vswitchd', ['ovs-vswitchd', 'ovsdb-server', 'ovs-vsctl', 'ip'])

describe('vswitch replica against ovs-vswitchd', { skip, timeout: 90_000 }, () => {
  let ovs: OvsSwitch
  let c: OvsdbClient
  let api: VswitchApi
  let ctl: SwitchListener
  let spec: BridgeSpec
  const br = uniqueName('nodbr')
  let connections = 0
  let transacts = 0
  before(async () => {
    ovs = OvsSwitch.start('nod')
    ctl = new SwitchListener({ echoInterval: 1000 })
    const path = ovs.unixPath('nod-of.sock')
    await ctl.listen({ path })
    ctl.on('switch', () => connections++)
    c = await OvsdbClient.connect(`unix:${ovs.dir}/db.sock`, { logger: silentLogger })
    const orig = c.transactRaw.bind(c)
    c.transactRaw = (...a) => {
      transacts++
      return orig(...a)
    }
    api = await VswitchApi.create(c)
    spec = {
      datapathType: 'netdev',
      failMode: 'secure',
      protocols: ['OpenFlow13'],
      controllers: [{ target: `unix:${path}`, connectionMode: 'out-of-band' }],
      otherConfig: { 'datapath-id': '00000000000d0d01' },
    }
  })
  after(async () => {
    c?.close()
    await ctl?.close()
    ovs?.stop()
  })

  it('Bridge.datapath_id and Controller.is_connected, written by ovs-vswitchd, reach the replica', async () => {
    await api.ensureBridge(br, spec)
    await until(() => api.bridge(br)?.datapath_id === '00000000000d0d01', 'datapath_id in the replica', 20_000)
    const ctlUuid = api.bridge(br)!.controller[0]!
    await until(() => api.replica.get('Controller', ctlUuid)?.is_connected === true, 'is_connected in the replica', 20_000)
    assert.equal(connections, 1)
  })

  it('Interface.ofport and Interface.error reach the replica', async () => {
    const internal = uniqueName('nodi')
    const missing = uniqueName('nodm')
    await api.run(ensure.port(br, internal, { type: 'internal' }), ensure.port(br, missing))
    await until(() => typeof api.iface(internal)?.ofport === 'number' && api.iface(internal)!.ofport! > 0, 'ofport of the internal port', 20_000)
    await until(() => !!api.iface(missing)?.error, 'error of the port without a device', 20_000)
    assert.match(api.iface(missing)!.error!, /No such device/)
    assert.equal(api.iface(internal)!.error, null)
  })

  it('ensure on a bridge already right writes nothing; the controller connection stays up', async () => {
    assert.equal(api.wouldWrite(ensure.bridge(br, spec)), false)
    const before = transacts
    await api.ensureBridge(br, spec)
    assert.equal(transacts, before, 'no transaction sent')
    const ctlUuid = api.bridge(br)!.controller[0]!
    assert.equal(api.replica.get('Controller', ctlUuid)!.is_connected, true)
    assert.equal(connections, 1)
  })
})
