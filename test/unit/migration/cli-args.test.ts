/** Argument parsing of `neutrino db migrate-to-ml2` and the progress bar (no database). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseMigrateArgs } from '../../../src/cli/migrate.js'
import { UsageError } from '../../../src/migration/errors.js'
import { ProgressBar, renderBar } from '../../../src/migration/progress.js'
import { classifyUrl, mysqlOptions, redact } from '../../../src/migration/source.js'
import { checkSchemaVersion } from '../../../src/migration/source-schema.js'

test('options, both spellings', () => {
  assert.deepEqual(parseMigrateArgs(['openvswitch', 'mysql://u:p@h/neutron', '--target=sqlite:///n.db', '--tunnel-type', 'vxlan', '--vxlan-udp-port=8472', '--dry-run', '--save-tables', '--force', '--release', 'icehouse']), {
    plugin: 'openvswitch', source: 'mysql://u:p@h/neutron', target: 'sqlite:///n.db', tunnelType: 'vxlan', vxlanUdpPort: 8472, dryRun: true, saveTables: true, force: true,
  })
  assert.equal(parseMigrateArgs(['-h']), 'help')
})

test('usage errors', () => {
  const bad = (args: string[], m: RegExp) => assert.throws(() => parseMigrateArgs(args), (e: any) => e instanceof UsageError && m.test(e.message))
  bad(['linuxbridge', 'sqlite:///x', '--tunnel-type', 'vxlan'], /^Tunnel args \(tunnel-type and vxlan-udp-port\) are not valid for the linuxbridge plugin$/)
  bad(['openvswitch', 'sqlite:///x', '--vxlan-udp-port', '70000'], /invalid port/)
  bad(['openvswitch', 'sqlite:///x', '--vxlan-udp-port', '4789'], /needs --tunnel-type vxlan/)
  bad(['openvswitch', 'sqlite:///x', '--release', 'juno'], /invalid choice: 'juno'/)
  bad(['openvswitch', 'sqlite:///x', '--bogus'], /unrecognized arguments: --bogus/)
  bad(['openvswitch', 'sqlite:///x', 'extra'], /unrecognized arguments: extra/)
  bad(['openvswitch', 'sqlite:///x', '--target'], /expected one argument/)
})

test('SQLAlchemy MySQL URLs', () => {
  assert.deepEqual(mysqlOptions('mysql+pymysql://neutron:s%40cret@db.example:3307/neutron?charset=utf8'), {
    user: 'neutron', password: 's@cret', database: 'neutron', charset: 'utf8mb4', supportBigNumbers: true, bigNumberStrings: false, dateStrings: true, host: 'db.example', port: 3307,
  })
  assert.equal(mysqlOptions('mysql://root@/neutron?unix_socket=/run/mysqld/mysqld.sock').socketPath, '/run/mysqld/mysqld.sock')
  assert.equal(classifyUrl('mysql+pymysql://x@y/z').scheme, 'mysql')
  assert.equal(classifyUrl('postgresql+psycopg2://x@y/z').scheme, 'postgres')
  assert.equal(redact('mysql://neutron:secret@db/neutron'), 'mysql://neutron:***@db/neutron')
  assert.throws(() => classifyUrl('oracle://x@y/z'), /unsupported database 'oracle'/)
})

test('alembic_version check: the original messages', async () => {
  const conn = (rows: string[]) => ({ dialect: 'sqlite' as const, all: async () => rows.map((v) => ({ version_num: v })), tables: async () => new Set<string>(), columns: async () => new Set<string>() })
  const t = new Set(['alembic_version'])
  await assert.rejects(checkSchemaVersion(conn([]), t), /^MigrationError: Missing version in alembic_versions table$/)
  await assert.rejects(checkSchemaVersion(conn(['a', 'b']), t), /Multiple versions in alembic_versions table: \['a', 'b'\]/)
  await assert.rejects(checkSchemaVersion(conn(['juno']), t), /Unsupported database schema juno\. Please migrate your database to one of following versions: icehouse, 5ac1c354a051, havana, 40b0aff0302e/)
  assert.equal(await checkSchemaVersion(conn(['icehouse']), t), 'icehouse')
})

test('progress bar: drawn only on a terminal, throttled, cleared at the end', () => {
  assert.equal(renderBar('writing', 50, 200, 10), 'writing [###-------]  25%  50/200 rows')
  let out = ''
  let now = 0
  const bar = new ProgressBar({ write: (s: string) => (out += s) }, true, 10, () => now)
  bar.start('writing', 100)
  bar.tick(10) // throttled: same instant
  now += 150
  bar.tick(10)
  bar.tick(80) // done: always drawn
  bar.end()
  assert.equal(out.split('\r\x1b[2K').filter((s) => s).join('|'), 'writing [----------]   0%  0/100 rows|writing [##--------]  20%  20/100 rows|writing [##########] 100%  100/100 rows')
  let silent = ''
  const off = new ProgressBar({ write: (s: string) => (silent += s) }, false)
  off.start('x', 10)
  off.tick(10)
  off.end()
  assert.equal(silent, '')
})
