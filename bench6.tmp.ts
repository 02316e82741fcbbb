import { OvsdbClient } from './src/ovsdb/client.js'
import { silentLogger } from './src/ovsdb/logger.js'
import { VswitchApi } from './src/ovsdb/vswitch/vswitch-api.js'
import { OvsdbSandbox } from './test/helpers/ovs-sandbox.js'
for (const mode of ['raw-nomonitor', 'raw-monitor', 'api']) {
  const sb = await OvsdbSandbox.start(); sb.vsctl('add-br', 'br0')
  const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
  const brUuid = sb.vsctl('get', 'Bridge', 'br0', '_uuid')
  let api: VswitchApi | undefined
  if (mode !== 'raw-nomonitor') api = await VswitchApi.create(c)
  const t0 = performance.now()
  for (let i = 0; i < 1000; i++) {
    if (mode === 'api') await api!.addPort('br0', `p${i}`, { mayExist: true })
    else await c.transact('Open_vSwitch', [
      { op: 'insert', table: 'Interface', row: { name: `p${i}` }, 'uuid-name': 'i' },
      { op: 'insert', table: 'Port', row: { name: `p${i}`, interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
      { op: 'mutate', table: 'Bridge', where: [['_uuid', '==', ['uuid', brUuid]]], mutations: [['ports', 'insert', ['set', [['named-uuid', 'p']]]]] },
    ])
  }
  console.log(mode, (performance.now() - t0).toFixed(0))
  c.close(); await sb.stop()
}
