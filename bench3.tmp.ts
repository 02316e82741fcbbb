import { readFileSync } from 'node:fs'
import { OvsdbClient } from './src/ovsdb/client.js'
import { silentLogger } from './src/ovsdb/logger.js'
import { VswitchApi, cmd } from './src/ovsdb/vswitch/vswitch-api.js'
import { OvsdbSandbox } from './test/helpers/ovs-sandbox.js'
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10 }
const sb = await OvsdbSandbox.start(); sb.vsctl('add-br', 'br0')
const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
const api = await VswitchApi.create(c)
let s0 = cpu(sb.pid), c0 = process.cpuUsage(), t0 = performance.now()
for (let i = 0; i < 500; i++) await api.addPort('br0', `p${i}`, { mayExist: true })
let wall = performance.now() - t0
console.log('seq 500: wall', wall.toFixed(0), 'server cpu', cpu(sb.pid) - s0, 'node cpu', ((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000).toFixed(0))
s0 = cpu(sb.pid); c0 = process.cpuUsage(); t0 = performance.now()
await Promise.all(Array.from({ length: 500 }, (_, i) => api.addPort('br0', `q${i}`, { mayExist: true })))
wall = performance.now() - t0
console.log('concurrent 500: wall', wall.toFixed(0), 'server cpu', cpu(sb.pid) - s0, 'node cpu', ((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000).toFixed(0))
s0 = cpu(sb.pid); c0 = process.cpuUsage(); t0 = performance.now()
await api.run(...Array.from({ length: 5000 }, (_, i) => cmd.addPort('br0', `r${i}`)))
wall = performance.now() - t0
console.log('batch 5000: wall', wall.toFixed(0), 'server cpu', cpu(sb.pid) - s0, 'node cpu', ((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000).toFixed(0))
c.close(); await sb.stop()
