import { OvsdbSandbox, makeCerts } from './test/helpers/ovs-sandbox.js'
const t0 = Date.now()
const c = makeCerts()
console.log('certs', Date.now() - t0)
const sb = await OvsdbSandbox.start({ remote: 'pssl', tls: c.server })
console.log(sb.port, sb.pid, sb.vsctl('get', 'Open_vSwitch', '.', '_uuid'))
await sb.kill(); await sb.restart(); console.log('restarted', sb.port, sb.pid, sb.vsctl('show').slice(0, 40))
await sb.stop(); c.cleanup()
