import { OvsdbClient } from './src/ovsdb/client.js'
import { VswitchApi } from './src/ovsdb/vswitch/vswitch-api.js'
import { startFakeVswitch } from './test/fakes/ovsdb-fake.js'
const f = await startFakeVswitch()
const c = await OvsdbClient.connect(f.endpoint)
const api = await VswitchApi.create(c)
await api.addBridge('br0')
await api.addPort('br0', 'p1', { type: 'internal' })
await api.run(...['a','b','c'].map(n => (ctx: any) => undefined))
console.log(api.listPorts('br0'), api.replica.method)
await api.delPort('p1')
console.log(api.listPorts('br0'), [...api.replica.rows('Interface').values()].map(i => i.name))
c.close(); await f.close()
