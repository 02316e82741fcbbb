import { connect } from 'node:net'
const s = connect(process.argv[2]!)
s.on('data', (d) => console.log('rx', d.toString()))
s.write(JSON.stringify({ method: 'transact', params: ['Open_vSwitch', { op: 'wait', table: 'Bridge', where: [], columns: ['name'], until: '==', rows: [{ name: 'zzz' }], timeout: 30000 }], id: 7 }))
setTimeout(() => { console.log('cancel'); s.write(JSON.stringify({ method: 'cancel', params: [7], id: null })) }, 300)
setTimeout(() => s.destroy(), 1500)
