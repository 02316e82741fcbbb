import { readFileSync } from 'node:fs'
import { OvsdbClient } from './src/ovsdb/client.js'
import { silentLogger } from './src/ovsdb/logger.js'
import { VswitchApi } from './src/ovsdb/vswitch/vswitch-api.js'
import { OvsdbSandbox } from './test/helpers/ovs-sandbox.js'
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10 }
const sb = await OvsdbSandbox.start(); sb.vsctl('add-br', 'br0')
const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
const api = await VswitchApi.create(c)
for (let k = 0; k < 4; k++) {
  const s0 = cpu(sb.pid), c0 = process.cpuUsage(), t0 = performance.now()
  for (let i = 0; i < 250; i++) await api.addPort('br0', `p${k}_${i}`, { mayExist: true })
  const u = process.cpuUsage(c0)
  console.log(`chunk ${k}: wall ${(performance.now() - t0).toFixed(0)} server ${cpu(sb.pid) - s0} node ${((u.user + u.system) / 1000).toFixed(0)}`)
}
let t0 = performance.now()
for (let i = 0; i < 250; i++) await c.transact('Open_vSwitch', [{ op: 'comment', comment: 'x' }])
console.log('250 empty', (performance.now() - t0).toFixed(0))
c.close(); await sb.stop()
