import { OvsdbClient } from './src/ovsdb/client.js'
import { silentLogger } from './src/ovsdb/logger.js'
import { VswitchApi, cmd } from './src/ovsdb/vswitch/vswitch-api.js'
import { OvsdbSandbox } from './test/helpers/ovs-sandbox.js'
const sb = await OvsdbSandbox.start(); sb.vsctl('add-br', 'br0')
const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
const api = await VswitchApi.create(c)
let t0 = performance.now()
for (let i = 0; i < 200; i++) await api.addPort('br0', `p${i}`)
console.log('single 200', performance.now() - t0)
t0 = performance.now()
await api.run(...Array.from({ length: 2000 }, (_, i) => cmd.addPort('br0', `q${i}`)))
console.log('batch 2000', performance.now() - t0)
c.close(); await sb.stop()
