/**
 * `neutrino controller` as a process (bin/neutrino.js → dist/): starts from a config file, serves
 * the northbound, keeps what it was told across a SIGTERM and a restart, and refuses a bad config
 * or an unknown option with one line and exit 2.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BIN, builtSkipReason } from '../../helpers/server-process.js'

const AUTH = 'Basic ' + Buffer.from('ctl:s3cret').toString('base64')

function startController(configFile: string): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'controller', '--config-file', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let errText = ''
  child.stderr.on('data', (b: Buffer) => { errText += b.toString() })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`controller did not start: ${errText}`)) }, 30_000)
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`controller exited ${code}: ${errText}`)) })
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      const m = /northbound listening on (http:\/\/\S+)/.exec(out)
      if (!m) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({
        url: m[1]!,
        stop: () => new Promise((res) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
          child.once('exit', (code) => { clearTimeout(kill); res(code) })
          child.kill('SIGTERM')
        }),
      })
    })
  })
}

describe('neutrino controller process', { skip: builtSkipReason() }, () => {
  let dir: string
  let conf: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nctl-proc-'))
    conf = join(dir, 'controller.conf')
    writeFileSync(conf, `[DEFAULT]\nstate_path = ${dir}\n\n[controller]\nnorthbound_port = 0\nopenflow_listen = ptcp:0:127.0.0.1\nusername = ctl\npassword = s3cret\n`)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('serves the northbound and keeps what it was told across a restart', async () => {
    const net = { network: { id: 'd0000000-0000-0000-0000-000000000001', name: 'kept', tenant_id: 'p1' } }
    let c = await startController(conf)
    try {
      const post = await fetch(`${c.url}/networks`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify(net) })
      assert.equal(post.status, 201)
      const noAuth = await fetch(`${c.url}/networks`)
      assert.equal(noAuth.status, 401)
    } finally {
      assert.equal(await c.stop(), 0)
    }
    c = await startController(conf)
    try {
      const got = await fetch(`${c.url}/networks/${net.network.id}`, { headers: { Authorization: AUTH } })
      assert.equal(got.status, 200)
      assert.deepEqual(await got.json(), net)
    } finally {
      assert.equal(await c.stop(), 0)
    }
  })

  it('refuses a bad config and unknown options with one line and exit 2; --help exits 0', () => {
    const bad = join(dir, 'bad.conf')
    writeFileSync(bad, '[controller]\novsdb_listen = tcp:6640\n')
    const r = spawnSync(process.execPath, [BIN, 'controller', '--config-file', bad], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /bad\.conf:2: \[controller\] ovsdb_listen: 'tcp:6640' is not ptcp:PORT\[:IP\], pssl:PORT\[:IP\] or punix:PATH/)
    assert.equal(r.stderr.trim().split('\n').length, 1)
    const u = spawnSync(process.execPath, [BIN, 'controller', '--config_file', conf], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(u.status, 2)
    assert.match(u.stderr, /unknown option '--config_file'/)
    const h = spawnSync(process.execPath, [BIN, 'controller', '--help'], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(h.status, 0)
    assert.match(h.stdout, /usage: neutrino controller/)
  })
})
