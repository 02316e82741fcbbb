import { rmSync } from 'node:fs'
import { oddFixture } from './test/fixtures/migration/fixtures.js'
import { loadFixture } from './test/fixtures/migration/load.js'
import { runMigrateToMl2 } from './src/cli/migrate.js'
import { startNeutrino } from './test/helpers/neutrino.js'
import { startMariaDb } from './test/fixtures/migration/mariadb.js'
rmSync('/tmp/mig/src.db', { force: true }); rmSync('/tmp/mig/tgt.db', { force: true }); rmSync('/tmp/mig/tgt.db-wal', { force: true })
const io = { stdout: process.stdout, stderr: process.stderr, isTTY: false }
const kind = process.argv[2] ?? 'sqlite'
let src = 'sqlite:////tmp/mig/src.db'
let m: any
if (kind === 'maria') { m = await startMariaDb(); src = m.url }
await loadFixture(src, oddFixture('openvswitch'))
console.log('rc', await runMigrateToMl2(['openvswitch', src, '--target', 'sqlite:////tmp/mig/tgt.db', '--tunnel-type', 'gre', '--dry-run'], io))
console.log('rc', await runMigrateToMl2(['openvswitch', src, '--target', 'sqlite:////tmp/mig/tgt.db', '--tunnel-type', 'gre'], io))
const s = await startNeutrino({ dbUrl: 'sqlite:////tmp/mig/tgt.db' })
const n = await s.call('GET', '/v2.0/networks')
console.log(n.status, JSON.stringify(n.body.networks?.slice(0, 2), null, 1))
const p = await s.call('GET', '/v2.0/ports')
console.log(p.status, JSON.stringify(p.body.ports?.slice(0, 2), null, 1))
const sn = await s.call('GET', '/v2.0/subnets')
console.log(sn.status, JSON.stringify(sn.body.subnets?.slice(0, 1), null, 1))
await s.close()
if (m) await m.stop()
