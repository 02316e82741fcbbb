import { OvsdbClient } from './src/ovsdb/client.js'
import { silentLogger } from './src/ovsdb/logger.js'
import { VswitchApi } from './src/ovsdb/vswitch/vswitch-api.js'
import { OvsdbSandbox } from './test/helpers/ovs-sandbox.js'
const sb = await OvsdbSandbox.start(); sb.vsctl('add-br', 'br0')
const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
const api = await VswitchApi.create(c)
const t0 = performance.now()
for (let i = 0; i < 1000; i++) await api.addPort('br0', `p${i}`, { mayExist: true })
console.log('1000 seq', (performance.now() - t0).toFixed(0))
c.close(); await sb.stop()
