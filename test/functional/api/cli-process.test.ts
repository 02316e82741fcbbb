/**
 * The `neutrino` command as operators run it (child processes of bin/neutrino.js): `db upgrade`
 * and `db current` on SQLite and on a private PostgreSQL, and config errors — exit code 2 and
 * exactly one stderr line naming file, section and option, never a stack trace.
 */
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'
import { builtSkipReason, makeTempDir, runNeutrino, startServerProcess } from '../../helpers/server-process.js'

const built = builtSkipReason()

describe('neutrino db upgrade / db current', { skip: built }, () => {
  let dir: string
  let pg: PgServer | undefined
  const pgSkip = pgSkipReason()
  before(() => {
    dir = makeTempDir('neutrino-cli-')
    if (!pgSkip) pg = startPostgres()
  })
  after(() => {
    pg?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const conf = (name: string, url: string) => {
    const f = join(dir, `${name}.conf`)
    writeFileSync(f, `[database]\nconnection = ${url}\n`)
    return f
  }

  async function upgradeTwice(file: string) {
    const first = await runNeutrino(['db', 'upgrade', '--config-file', file])
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stdout, /^applied migrations 1\b.* to /)
    assert.equal(first.stderr, '')
    const second = await runNeutrino(['db', 'upgrade', '--config-file', file])
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stdout, /is up to date/)
    const cur = await runNeutrino(['db', 'current', '--config-file', file])
    assert.equal(cur.code, 0, cur.stderr)
    assert.match(cur.stdout.trim(), /^[1-9]\d* \(.+\)$/)
  }

  it('upgrades a new SQLite file (directories created), then is up to date', async () => {
    const file = conf('sqlite', `sqlite:///${join(dir, 'sub', 'dir', 'n.sqlite')}`)
    await upgradeTwice(file)
  })

  it('upgrades a PostgreSQL database, and a server starts on it without migrating again', { skip: pgSkip }, async () => {
    await upgradeTwice(conf('pg', pg!.url))
    const s = await startServerProcess({ dbUrl: pg!.url })
    try {
      assert.doesNotMatch(s.stderr(), /applied schema migrations/)
      assert.equal((await s.call('POST', '/v2.0/networks', { network: { name: 'after-upgrade' } })).status, 201)
    } finally {
      await s.stop()
    }
  })

  it('two concurrent upgrades of one PostgreSQL database apply the schema once', { skip: pgSkip }, async () => {
    const url = pg!.createDatabase('race')
    const file = conf('race', url)
    const rs = await Promise.all([1, 2, 3].map(() => runNeutrino(['db', 'upgrade', '--config-file', file])))
    for (const r of rs) assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`)
    assert.equal(rs.filter((r) => /^applied migrations/.test(r.stdout)).length, 1, rs.map((r) => r.stdout).join(''))
  })
})

describe('config errors through the CLI process', { skip: built }, () => {
  let dir: string
  before(() => {
    dir = makeTempDir('neutrino-badconf-')
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  const cases: Array<{ name: string; text: string; line: RegExp; cmd: string[] }> = [
    { name: 'bad-port.conf', text: '[DEFAULT]\nbind_port = abc\n', line: /bad-port\.conf:2: \[DEFAULT\] bind_port: .*abc/, cmd: ['server'] },
    {
      name: 'bad-vni.conf',
      text: '[DEFAULT]\n# comment\n[ml2_type_vxlan]\nvni_ranges = 5:1\n',
      line: /bad-vni\.conf:4: \[ml2_type_vxlan\] vni_ranges: .*5:1/,
      cmd: ['server'],
    },
    { name: 'bad-bool.conf', text: '[DEFAULT]\ndebug = maybe\n', line: /bad-bool\.conf:2: \[DEFAULT\] debug: .*maybe/, cmd: ['db', 'upgrade'] },
    { name: 'bad-int.conf', text: '[DEFAULT]\napi_workers = 0\n', line: /bad-int\.conf:2: \[DEFAULT\] api_workers: /, cmd: ['server'] },
    { name: 'bad-header.conf', text: '[DEFAULT\nfoo = 1\n', line: /bad-header\.conf:1: .*section/, cmd: ['server'] },
  ]
  for (const c of cases) {
    it(`${c.cmd.join(' ')} with ${c.name}: exit 2, one line naming file, section, option`, async () => {
      const f = join(dir, c.name)
      writeFileSync(f, c.text)
      const r = await runNeutrino([...c.cmd, '--config-file', f], { cwd: dir })
      assert.equal(r.code, 2, `stdout: ${r.stdout} stderr: ${r.stderr}`)
      assert.equal(r.stdout, '')
      const lines = r.stderr.split('\n').filter((l) => l !== '')
      assert.equal(lines.length, 1, r.stderr)
      assert.match(lines[0]!, /^neutrino: /)
      assert.match(lines[0]!, c.line)
      assert.doesNotMatch(r.stderr, /\n\s+at |Error:/)
    })
  }

  it('a missing config file: exit 2, one line naming the file', async () => {
    const f = join(dir, 'nope.conf')
    const r = await runNeutrino(['server', '--config-file', f], { cwd: dir })
    assert.equal(r.code, 2)
    assert.equal(r.stderr.trim().split('\n').length, 1)
    assert.ok(r.stderr.includes(f), r.stderr)
  })

  it('an unsupported database URL names [database] connection', async () => {
    const f = join(dir, 'bad-db.conf')
    writeFileSync(f, '[database]\nconnection = mysql://u@h/db\n')
    const r = await runNeutrino(['db', 'upgrade', '--config-file', f], { cwd: dir })
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /bad-db\.conf:2: \[database\] connection: /)
  })
})
