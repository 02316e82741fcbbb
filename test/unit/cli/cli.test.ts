/**
 * The `neutrino` command line in-process (main(argv, io)): strict options, --help and --version
 * for every command and subcommand, one-line usage errors (exit 2), config warnings, driver names
 * as config errors from every command, and db current/history/check/upgrade on a SQLite file.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { main } from '../../../src/cli/main.js'
import { MIGRATIONS } from '../../../src/db/migrations.js'

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version

async function run(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {} })
  return { code, stdout, stderr, errLines: stderr.split('\n').filter((l) => l !== '') }
}

const COMMANDS = [['server'], ['genconfig'], ['db', 'upgrade'], ['db', 'current'], ['db', 'history'], ['db', 'check'], ['db', 'migrate-to-ml2']]

describe('neutrino CLI: help, version, strict options', () => {
  for (const cmd of COMMANDS) {
    const name = cmd.join(' ')
    it(`${name} --help: what it does, its options and an example; does nothing else`, async () => {
      const r = await run(...cmd, '--help')
      assert.equal(r.code, 0)
      assert.equal(r.stderr, '')
      assert.match(r.stdout, new RegExp(`^usage: neutrino ${name} `))
      assert.match(r.stdout, /\noptions:\n/)
      assert.match(r.stdout, /--help/)
      assert.match(r.stdout, /--version/)
      assert.match(r.stdout, new RegExp(`\\nexample:\\n  neutrino ${name}`))
      assert.ok(!existsSync('--help'), 'genconfig --help must not create a directory')
    })

    it(`${name} --version`, async () => {
      const r = await run(...cmd, '--version')
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, `neutrino ${VERSION}\n`, ''])
    })

    it(`${name} with an unknown option: exit 2, one line`, async () => {
      const r = await run(...cmd, '--config_file', 'my.conf')
      assert.equal(r.code, 2)
      assert.equal(r.stdout, '')
      assert.equal(r.errLines.length, 1, r.stderr)
      assert.match(r.errLines[0]!, new RegExp(`^neutrino ${name}: .*'?--config_file'?.*--help`))
    })
  }

  it('-h works as --help', async () => {
    assert.match((await run('server', '-h')).stdout, /^usage: neutrino server /)
  })

  it('neutrino --help / --version / db --help', async () => {
    const top = await run('--help')
    assert.equal(top.code, 0)
    for (const c of ['server', 'db upgrade', 'db current', 'db history', 'db check', 'db migrate-to-ml2', 'genconfig']) assert.match(top.stdout, new RegExp(`\\n  ${c} `))
    assert.deepEqual((await run('--version')).stdout, `neutrino ${VERSION}\n`)
    const db = await run('db', '--help')
    assert.equal(db.code, 0)
    assert.match(db.stdout, /^usage: neutrino db <subcommand>/)
    for (const c of ['upgrade', 'current', 'history', 'check', 'migrate-to-ml2']) assert.match(db.stdout, new RegExp(`\\n  ${c} `))
  })

  it('no command, an unknown command or subcommand: exit 2', async () => {
    assert.equal((await run()).code, 2)
    const bad = await run('serve')
    assert.deepEqual([bad.code, bad.errLines], [2, ["neutrino: unknown command 'serve' (see 'neutrino --help')"]])
    const sub = await run('db', 'downgrade')
    assert.equal(sub.code, 2)
    assert.match(sub.errLines[0]!, /unknown subcommand 'downgrade' \(one of: upgrade, current, history, check, migrate-to-ml2/)
    assert.equal((await run('db')).code, 2)
    const opt = await run('--bogus')
    assert.deepEqual([opt.code, opt.errLines], [2, ["neutrino: unknown option '--bogus' (see 'neutrino --help')"]])
    const dbOpt = await run('db', '--bogus')
    assert.equal(dbOpt.code, 2)
    assert.match(dbOpt.errLines[0]!, /^neutrino db: unknown option '--bogus'/)
    assert.equal(dbOpt.errLines.length, 1)
  })

  it('a missing option value, extra arguments: exit 2, one line', async () => {
    const r = await run('db', 'upgrade', '--config-file')
    assert.deepEqual([r.code, r.errLines], [2, ["neutrino db upgrade: option '--config-file' needs a value (see 'neutrino db upgrade --help')"]])
    const g = await run('genconfig', 'a', 'b')
    assert.deepEqual([g.code, g.errLines], [2, ["neutrino genconfig: unexpected argument 'b' (see 'neutrino genconfig --help')"]])
    const s = await run('server', 'extra')
    assert.equal(s.code, 2)
  })
})

describe('neutrino CLI: config files', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nop-cli-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))
  const conf = (name: string, text: string) => {
    const f = join(dir, name)
    writeFileSync(f, text)
    return f
  }
  const db = () => `[database]\nconnection = sqlite:///${join(dir, 'n.sqlite')}\n`

  for (const [what, text, line] of [
    ['an unknown type driver', '[ml2]\nproject_network_types = vxlan\ntype_drivers = vxlan,geneve\n', /types\.conf:3: \[ml2\] type_drivers: unknown type driver 'geneve' \(available: local, flat, vlan, gre, vxlan\)$/],
    ['an unknown mechanism driver', '[ml2]\n\nmechanism_drivers = logger,openvswich\n', /types\.conf:3: \[ml2\] mechanism_drivers: unknown mechanism driver 'openvswich' \(available: [a-z0-9_, ]*openvswitch[a-z0-9_, ]*\)$/],
  ] as const) {
    for (const cmd of [['server'], ['db', 'upgrade'], ['db', 'current'], ['db', 'history'], ['db', 'check']]) {
      it(`${cmd.join(' ')} with ${what}: exit 2, one line naming file:line, section, option`, async () => {
        const f = conf('types.conf', db() + text.replace('[ml2]', '[ml2]'))
        // Lines shift by the [database] header: point the check at the driver line.
        const want = new RegExp(line.source.replace(':3:', `:${db().split('\n').length - 1 + 3}:`))
        const r = await run(...cmd, '--config-file', f)
        assert.equal(r.code, 2, r.stderr)
        assert.equal(r.errLines.length, 1, r.stderr)
        assert.match(r.errLines[0]!, /^neutrino: /)
        assert.match(r.errLines[0]!, want)
      })
    }
  }

  it('unknown sections and options: one warning line each with file:line and the nearest name; the command still runs', async () => {
    const f = conf('typo.conf', `${db()}[ml2_typo]\ntype_drivers = flat\n[ml2]\nmechanism_driver = logger\n`)
    const r = await run('db', 'upgrade', '--config-file', f)
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.errLines, [
      `neutrino: warning: ${f}:4: [ml2_typo]: unknown section, ignored (did you mean [ml2]?)`,
      `neutrino: warning: ${f}:6: [ml2] mechanism_driver: unknown option, ignored (did you mean mechanism_drivers?)`,
    ])
  })

  it('--config-file and --config-dir in command-line order, later wins', async () => {
    const d = join(dir, 'conf.d')
    rmSync(d, { recursive: true, force: true })
    writeFileSync(conf('first.conf', '[database]\nconnection = sqlite:///nowhere/x.sqlite\n'), '[database]\nconnection = sqlite:///nowhere/x.sqlite\n')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(d)
    writeFileSync(join(d, '10-db.conf'), db())
    const r = await run('db', 'history', '--config-file', join(dir, 'first.conf'), '--config-dir', d)
    assert.equal(r.code, 0, r.stderr)
  })

  it('db check / current / history / upgrade on a new SQLite database', async () => {
    const f = conf('db.conf', db().replace('n.sqlite', 'fresh.sqlite'))
    const head = MIGRATIONS.at(-1)!
    const before = await run('db', 'check', '--config-file', f)
    assert.equal(before.code, 1, before.stderr)
    assert.match(before.stdout, new RegExp(`^${MIGRATIONS.length} migration\\(s\\) pending \\(database at 0 \\(empty: no schema yet\\)\\):\\n  1  core resources`))
    const cur0 = await run('db', 'current', '--config-file', f)
    assert.equal(cur0.stdout, '0 (empty: no schema yet)\n')
    const hist0 = await run('db', 'history', '--config-file', f)
    assert.match(hist0.stdout, /^1  core resources and ML2 tables  pending\n/)
    const up = await run('db', 'upgrade', '--config-file', f)
    assert.equal(up.code, 0, up.stderr)
    assert.match(up.stdout, new RegExp(`^applied migrations 1, .*, ${head.version} to .*; now at ${head.version} \\(`))
    const after = await run('db', 'check', '--config-file', f)
    assert.deepEqual([after.code, after.stdout], [0, `up to date at ${head.version} (${head.name})\n`])
    assert.equal((await run('db', 'current', '--config-file', f)).stdout, `${head.version} (${head.name})\n`)
    const hist = await run('db', 'history', '--config-file', f)
    const lines = hist.stdout.trim().split('\n')
    assert.equal(lines.length, MIGRATIONS.length)
    assert.match(lines.at(-1)!, new RegExp(`^${head.version}  ${head.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  applied \\d{4}-\\d\\d-\\d\\dT.* \\(current\\)$`))
    assert.ok(lines.slice(0, -1).every((l) => / applied /.test(l) && !/current/.test(l)))
  })

  it('genconfig DIR writes the samples there', async () => {
    const r = await run('genconfig', join(dir, 'samples'))
    assert.equal(r.code, 0)
    assert.ok(existsSync(join(dir, 'samples', 'neutron.conf.sample')))
    assert.ok(existsSync(join(dir, 'samples', 'ml2_conf.ini.sample')))
  })
})
