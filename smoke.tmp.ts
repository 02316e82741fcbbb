import { OvsdbClient } from './src/ovsdb/client.js'
import { Replica } from './src/ovsdb/replica.js'
const D = process.argv[2]
const c = await OvsdbClient.connect(`unix:${D}/db.sock`)
console.log(await c.listDbs())
const log: string[] = []
const r = await Replica.create(c, { db: 'Open_vSwitch', tables: { Open_vSwitch: true, Bridge: true } })
console.log(r.method, r.lastTxnId, r.rows('Open_vSwitch').size)
r.on('insert', (t, row) => log.push(`insert ${t} ${row.name ?? ''}`))
r.on('update', (t, row, old) => log.push(`update ${t} ${JSON.stringify(old.fail_mode)}->${JSON.stringify(row.fail_mode)} ${JSON.stringify(row.external_ids)}`))
const ovs = [...r.rows('Open_vSwitch').values()][0]!
const res = await r.transact((txn) => {
  const b = txn.insert('Bridge', { name: 'br0', fail_mode: 'secure', external_ids: { a: '1' } })
  txn.addToSet('Open_vSwitch', ovs._uuid, 'bridges', [b])
})
console.log(res, 'inreplica', r.get('Bridge', res.uuids[Object.keys(res.uuids)[0]!]!) !== undefined)
const br = r.lookup('Bridge', 'name', 'br0')!
await r.transact((txn) => { txn.update('Bridge', br._uuid, { fail_mode: 'standalone' }); txn.setMapKeys('Bridge', br._uuid, 'external_ids', { a: '2', b: '3' }) })
await r.transact((txn) => { txn.update('Bridge', br._uuid, { fail_mode: null }) })
console.log(log)
c.close()
