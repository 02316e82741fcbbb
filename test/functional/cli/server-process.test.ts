/**
 * The server process as a supervisor runs it (bin/neutrino.js → dist/: `npm run build` first):
 * SIGTERM with api_workers = 2 stops the primary and both workers within graceful_shutdown_timeout
 * (also when every process gets it, as systemd's control-group kill does); `npm start` stopped with
 * SIGTERM leaves no server behind; a log_file that cannot be opened refuses to start with one line;
 * log_file, use_stderr and the SIGHUP reopen; `debug = true` logs the options with secrets masked.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { builtSkipReason, makeTempDir, REPO, runNeutrino, startServerProcess, type ServerProcess } from '../../helpers/server-process.js'

const built = builtSkipReason()

/** Children of `pid` (all its threads), from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number))
  } catch {
    return []
  }
}

/** Running (not gone, not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

async function eventually<T>(what: string, fn: () => T | undefined | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = fn()
    if (v) return v
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** GET on a new connection each time (no keep-alive): node:cluster spreads them over the workers. */
function fresh(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, text }))
    }).on('error', reject)
  })
}

const portClosed = (port: number) =>
  new Promise<boolean>((res) => {
    const c = connect(port, '127.0.0.1')
    c.once('connect', () => (c.destroy(), res(false)))
    c.once('error', () => res(true))
  })

describe('neutrino server: api_workers and SIGTERM', { skip: built }, () => {
  for (const how of ['to the primary', 'to every process (systemd control group)'] as const) {
    it(`api_workers = 2: SIGTERM ${how} stops the primary and both workers within graceful_shutdown_timeout`, async () => {
      const s = await startServerProcess({ ini: '[DEFAULT]\napi_workers = 2\ngraceful_shutdown_timeout = 60\n', startTimeoutMs: 90_000 })
      try {
        const workers = await eventually('two workers', () => (childrenOf(s.pid).length === 2 ? childrenOf(s.pid) : undefined))
        for (let i = 0; i < 4; i++) assert.equal((await fresh(s.port, '/v2.0/networks')).status, 200)
        // Every scrape, whichever worker answers it, counts the requests of both workers.
        for (let i = 0; i < 3; i++) {
          const m = await fresh(s.port, '/metrics')
          assert.equal(m.status, 200)
          assert.match(m.text, /\nneutrino_api_requests_total\{resource="networks",method="GET",status="200"\} 4\n/)
          assert.match(m.text, /\nneutrino_process_resident_memory_bytes \d+/)
        }
        const t0 = Date.now()
        for (const pid of how === 'to the primary' ? [s.pid] : [s.pid, ...workers]) process.kill(pid, 'SIGTERM')
        await eventually('primary and workers gone', () => ![s.pid, ...workers].some(alive), 70_000)
        // Stopped by the graceful path, not by the timeout's SIGKILL.
        assert.ok(Date.now() - t0 < 60_000)
        assert.ok(await portClosed(s.port), 'nothing listens any more')
        assert.match(s.stderr(), /neutrino\.primary SIGTERM: stopping \d API workers/)
        assert.doesNotMatch(s.stderr(), /exited \(SIGKILL\)|killing them/)
      } finally {
        await s.stop()
      }
    })
  }

  it('SIGTERM lets a request in flight finish, then exits', async () => {
    const s = await startServerProcess({ ini: '[DEFAULT]\ngraceful_shutdown_timeout = 60\n', startTimeoutMs: 90_000 })
    try {
      const body = JSON.stringify({ network: { name: 'in-flight' } })
      const sock = connect(s.port, '127.0.0.1')
      let answer = ''
      sock.setEncoding('utf8').on('data', (c: string) => (answer += c))
      await new Promise<void>((r) => sock.once('connect', () => r()))
      // Headers only, asking for 100-continue: node answers it when it hands the request to the
      // server, so once it arrives the request is in flight (it waits for its body).
      sock.write(`POST /v2.0/networks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`)
      await eventually('100 Continue', () => answer.startsWith('HTTP/1.1 100 Continue\r\n\r\n'))
      process.kill(s.pid, 'SIGTERM')
      await eventually('shutting down', () => /SIGTERM: shutting down/.test(s.stderr()))
      assert.ok(alive(s.pid), 'still running while the request is in flight')
      sock.write(body)
      await eventually('answered', () => /\r\n\r\n\{"network"/.test(answer))
      assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 Created\r\n/)
      // The connection, idle now, is closed by the server, which then exits.
      await eventually('exited', () => !alive(s.pid))
      sock.destroy()
    } finally {
      await s.stop()
    }
  })

  it('SIGTERM while still waiting for the database stops at once (not after max_retries)', async () => {
    const dir = makeTempDir('nop-wait-')
    const conf = join(dir, 'n.conf')
    // Port 1 on loopback: connection refused, retried forever.
    writeFileSync(conf, `[DEFAULT]\nbind_port = 0\nstate_path = ${dir}\n[database]\nconnection = postgresql://u:p@127.0.0.1:1/db\nmax_retries = -1\nretry_interval = 1\n`)
    const child = spawn(process.execPath, [join(REPO, 'bin', 'neutrino.js'), 'server', '--config-file', conf], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c))
    child.stdout!.resume()
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    try {
      await eventually('retrying', () => /not reachable .*retrying/.test(err))
      process.kill(child.pid!, 'SIGTERM')
      // max_retries = -1: without the early stop it would never exit.
      const code = await Promise.race([exited, new Promise<'slow'>((r) => setTimeout(() => r('slow'), 60_000))])
      assert.equal(code, 0, err)
      assert.match(err, /stopped before the server was ready/)
    } finally {
      if (alive(child.pid!)) process.kill(child.pid!, 'SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('npm start, stopped with SIGTERM as a supervisor does: the server goes too', { skip: needComponent('npm', ['npm']) }, async () => {
    const dir = makeTempDir('nop-npm-')
    const conf = join(dir, 'n.conf')
    writeFileSync(conf, `[DEFAULT]\nbind_port = 0\nstate_path = ${dir}\n[database]\nconnection = sqlite:///${join(dir, 'n.sqlite')}\n`)
    const npm = spawn('npm', ['start', '--silent', '--', '--config-file', conf], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' } })
    let out = ''
    npm.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c))
    npm.stderr!.resume()
    let server: number[] = []
    try {
      const port = Number((await eventually('listening', () => /listening on http:\/\/[^:]+:(\d+)/.exec(out) ?? undefined, 90_000))[1])
      server = childrenOf(npm.pid!)
      assert.ok(server.length >= 1)
      process.kill(npm.pid!, 'SIGTERM')
      await eventually('npm and the server gone', () => !alive(npm.pid!) && !server.some(alive) && ![...server.flatMap(childrenOf)].some(alive))
      assert.ok(await portClosed(port))
    } finally {
      for (const pid of [npm.pid!, ...server]) if (alive(pid)) process.kill(pid, 'SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('neutrino server: logging', { skip: built }, () => {
  let dir: string
  before(() => {
    dir = makeTempDir('nop-log-')
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('a log_file that cannot be opened: exit 2 before listening, one line naming the option and the file', async () => {
    const bad = join(dir, 'no', 'such', 'dir', 'neutrino.log')
    const f = join(dir, 'bad-log.conf')
    writeFileSync(f, `[DEFAULT]\nbind_port = 0\nstate_path = ${dir}\nlog_file = ${bad}\n[database]\nconnection = sqlite:///${join(dir, 'bad.sqlite')}\n`)
    const r = await runNeutrino(['server', '--config-file', f], { cwd: dir, timeoutMs: 90_000 })
    assert.equal(r.code, 2, r.stderr)
    assert.equal(r.stdout, '')
    assert.deepEqual(r.stderr.split('\n').filter(Boolean), [`neutrino: [DEFAULT] log_file: cannot open '${bad}' for writing (ENOENT)`])
    assert.ok(!existsSync(join(dir, 'bad.sqlite')), 'nothing was started')
  })

  it('log_file gets the log (request lines at INFO), stderr none; SIGHUP reopens it after a rotation', async () => {
    const log = join(dir, 'neutrino.log')
    const s: ServerProcess = await startServerProcess({ ini: `[DEFAULT]\nlog_file = ${log}\n`, startTimeoutMs: 90_000 })
    try {
      assert.equal((await s.call('GET', '/v2.0/networks?before=rotate')).status, 200)
      await eventually('request line in the log file', () => /INFO neutrino\.wsgi \[req-[^\]]+\] 127\.0\.0\.1 "GET \/v2\.0\/networks\?before=rotate HTTP\/1\.1" status: 200  len: \d+ time: /.test(readFileSync(log, 'utf8')))
      assert.doesNotMatch(s.stderr(), / INFO /)
      renameSync(log, `${log}.1`)
      process.kill(s.pid, 'SIGHUP')
      await eventually('log file reopened', () => existsSync(log) && /reopened log file/.test(readFileSync(log, 'utf8')))
      assert.equal((await s.call('GET', '/v2.0/networks?after=rotate')).status, 200)
      await eventually('request line in the new file', () => readFileSync(log, 'utf8').includes('after=rotate'))
      assert.doesNotMatch(readFileSync(`${log}.1`, 'utf8'), /after=rotate/)
    } finally {
      await s.stop()
    }
  })

  it('use_stderr = true: the lines go to stderr as well as to log_file', async () => {
    const log = join(dir, 'both.log')
    const s = await startServerProcess({ ini: `[DEFAULT]\nlog_file = ${log}\nuse_stderr = true\n`, startTimeoutMs: 90_000 })
    try {
      assert.equal((await s.call('GET', '/v2.0/ports?x=both')).status, 200)
      // One process: its own figures are on /metrics too ([metrics] process_metrics).
      assert.match((await fresh(s.port, '/metrics')).text, /\nneutrino_process_resident_memory_bytes \d+/)
      await eventually('line in both', () => s.stderr().includes('x=both') && readFileSync(log, 'utf8').includes('x=both'))
    } finally {
      await s.stop()
    }
  })

  it('debug = true logs the effective options at start, passwords masked', async () => {
    const f = join(dir, 'debug.conf')
    writeFileSync(f, `[DEFAULT]\ndebug = true\nbind_port = 0\nstate_path = ${dir}\n[database]\nconnection = postgresql://neutron:hunter2@127.0.0.1:1/neutron\nmax_retries = 0\n[keystone_authtoken]\npassword = s3cr3t\n`)
    const r = await runNeutrino(['server', '--config-file', f], { cwd: dir, timeoutMs: 90_000 })
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /DEBUG neutrino \[database\] connection = postgresql:\/\/neutron:\*\*\*\*@127\.0\.0\.1:1\/neutron\n/)
    assert.match(r.stderr, /DEBUG neutrino \[keystone_authtoken\] password = \*\*\*\*\n/)
    assert.match(r.stderr, /DEBUG neutrino \[DEFAULT\] api_workers = 1\n/)
    assert.doesNotMatch(r.stderr, /hunter2|s3cr3t/)
  })
})
