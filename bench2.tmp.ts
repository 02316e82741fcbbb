import { OvsdbClient } from './src/ovsdb/client.js'
import { silentLogger } from './src/ovsdb/logger.js'
import { VswitchApi, cmd } from './src/ovsdb/vswitch/vswitch-api.js'
import { OvsdbSandbox } from './test/helpers/ovs-sandbox.js'
const sb = await OvsdbSandbox.start(); sb.vsctl('add-br', 'br0')
const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
let t0 = performance.now()
for (let i = 0; i < 200; i++) await c.echo(i)
console.log('echo 200', performance.now() - t0)
t0 = performance.now()
for (let i = 0; i < 200; i++) await c.transact('Open_vSwitch', [{op:'comment', comment:'x'}])
console.log('empty txn 200', performance.now() - t0)
const api = await VswitchApi.create(c)
t0 = performance.now()
for (let i = 0; i < 200; i++) await c.transact('Open_vSwitch', [{op:'mutate', table:'Open_vSwitch', where:[], mutations:[['next_cfg','+=',1]]}])
console.log('mutate txn 200 (with monitor)', performance.now() - t0)
t0 = performance.now()
for (let i = 0; i < 200; i++) await api.addPort('br0', `p${i}`)
console.log('addPort 200', performance.now() - t0)
c.close(); await sb.stop()
