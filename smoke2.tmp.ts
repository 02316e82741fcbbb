import { OvsdbClient } from './src/ovsdb/client.js'
const D = process.argv[2]
const c = await OvsdbClient.connect(`unix:${D}/db.sock`)
const init = await c.monitorCondSince('Open_vSwitch', 'm', { Bridge: [{ columns: ['fail_mode', 'external_ids', 'name', 'ports'] }] }, null, (u, t) => console.log('upd3', t, JSON.stringify(u)))
console.log(JSON.stringify(init))
for (const fm of [['set', ['secure']], 'standalone', ['set', []], 'secure']) {
  const r = await c.transact('Open_vSwitch', [{ op: 'update', table: 'Bridge', where: [['name', '==', 'br0']], row: { fail_mode: fm as any } }])
  console.log('reply', JSON.stringify(r))
}
c.close()
