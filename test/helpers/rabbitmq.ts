/**
 * A private RabbitMQ node per test file, started and stopped by PID (shared/spec/agents-rpc.md §1):
 * `/usr/lib/rabbitmq/bin/rabbitmq-server` run directly (the sbin wrapper `su`s to rabbitmq), with
 * HOME, node name `nmq<random>@localhost`, mnesia/log/config in a temp dir, AMQP on
 * 127.0.0.1:<free port>, its own distribution port and its own epmd (started here, in the
 * foreground, on a free port of 127.0.0.1) so parallel nodes never share one. `await_startup`
 * fails at once while the node boots, so it is retried. `restart()` stops and starts the node on
 * the same ports (outage tests); `halt()`/`resume()` split it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { needComponent } from './components.js'

const RMQ_BIN = '/usr/lib/rabbitmq/bin'
const SERVER = `${RMQ_BIN}/rabbitmq-server`
const CTL = `${RMQ_BIN}/rabbitmqctl`
const EPMD = '/usr/bin/epmd'

export function rabbitSkipReason(): string | undefined {
  return needComponent('rabbitmq', [SERVER, CTL, EPMD])
}

/** A free TCP port on 127.0.0.1 (bound then released; the node binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))))
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function alive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitExit(pid: number | undefined, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (alive(pid)) {
    if (Date.now() > end) return false
    await sleep(100)
  }
  return true
}

export interface RabbitNode {
  readonly nodeName: string
  readonly port: number
  /** With `tls`: the amqps port on 127.0.0.1. */
  readonly tlsPort?: number
  readonly dir: string
  /** `rabbit://guest:guest@127.0.0.1:<port>/` */
  readonly url: string
  /** PID of the node's beam.smp (e.g. to SIGSTOP it: a broker that hangs without closing sockets). */
  beamPid(): number | undefined
  /** `rabbitmqctl <args>` against this node; returns stdout (throws on failure). */
  ctl(...args: string[]): string
  /** Stop the node (keeps its data and ports). */
  halt(): Promise<void>
  /** Start a halted node again on the same ports. */
  resume(): Promise<void>
  restart(): Promise<void>
  stop(): Promise<void>
}

export interface RabbitOptions {
  /** Milliseconds to wait for the node to boot (default 90 s: a loaded 2-core machine). */
  bootTimeoutMs?: number
  /** AMQP port on 127.0.0.1 (default: a free one), e.g. one a client already retries. */
  port?: number
  /** Also an amqps listener (`tlsPort`) with this server certificate, requiring client certificates signed by `ca`. */
  tls?: { ca: string; cert: string; key: string }
}

export async function startRabbit(o: RabbitOptions = {}): Promise<RabbitNode> {
  const dir = mkdtempSync(join(tmpdir(), 'nmq-rabbit-'))
  const nodeName = `nmq${randomBytes(4).toString('hex')}@localhost`
  const [port, distPort, epmdPort] = [o.port ?? await freePort(), await freePort(), await freePort()]
  const tlsPort = o.tls ? await freePort() : undefined
  for (const d of ['home', 'mnesia', 'log']) mkdirSync(join(dir, d), { recursive: true })
  const tlsConf = o.tls ? [
    `listeners.ssl.default = 127.0.0.1:${tlsPort}`,
    `ssl_options.cacertfile = ${o.tls.ca}`,
    `ssl_options.certfile = ${o.tls.cert}`,
    `ssl_options.keyfile = ${o.tls.key}`,
    'ssl_options.verify = verify_peer',
    'ssl_options.fail_if_no_peer_cert = true',
  ] : []
  writeFileSync(join(dir, 'rabbitmq.conf'), [
    `listeners.tcp.default = 127.0.0.1:${port}`,
    ...tlsConf,
    'loopback_users = none',
    'log.console = false',
    'log.file.level = info',
    // The test machine's disk may be nearly full; a disk alarm would block every publisher.
    'disk_free_limit.absolute = 1',
    '',
  ].join('\n'))
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n')
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    HOME: join(dir, 'home'),
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  }
  const bootTimeoutMs = o.bootTimeoutMs ?? 90_000
  let epmd: ChildProcess | undefined
  let server: ChildProcess | undefined

  const ctlRaw = (args: string[], timeoutMs = 60_000) =>
    spawnSync(CTL, ['-n', nodeName, ...args], { env, encoding: 'utf8', timeout: timeoutMs })
  const ctl = (...args: string[]): string => {
    const r = ctlRaw(args)
    if (r.status !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`)
    return r.stdout
  }
  const beamPid = (): number | undefined => {
    const f = join(dir, 'rabbit.pid')
    if (!existsSync(f)) return undefined
    const n = Number(readFileSync(f, 'utf8').trim())
    return Number.isInteger(n) && n > 0 ? n : undefined
  }

  const boot = async (): Promise<void> => {
    if (epmd === undefined || !alive(epmd.pid)) {
      // Our own epmd, in the foreground, so that we hold its PID (the node would daemonize one).
      epmd = spawn(EPMD, ['-port', String(epmdPort), '-address', '127.0.0.1'], { env, stdio: 'ignore' })
      await sleep(200)
    }
    const out = openSync(join(dir, 'log', 'stdout.log'), 'a')
    server = spawn(SERVER, [], { env, stdio: ['ignore', out, out], detached: false })
    closeSync(out)
    const end = Date.now() + bootTimeoutMs
    for (;;) {
      const r = ctlRaw(['await_startup', '--timeout', '10'], 20_000)
      if (r.status === 0) return
      if (server.exitCode !== null || Date.now() > end) {
        const log = (() => { try { return readFileSync(join(dir, 'log', 'stdout.log'), 'utf8').slice(-2000) } catch { return '' } })()
        throw new Error(`RabbitMQ node ${nodeName} did not start (exit ${server.exitCode}): ${r.stderr}\n${log}`)
      }
      await sleep(500)
    }
  }

  const halt = async (): Promise<void> => {
    const beam = beamPid()
    ctlRaw(['stop'], 60_000)
    if (!(await waitExit(beam, 30_000)) && beam) process.kill(beam, 'SIGKILL')
    if (server?.pid && !(await waitExit(server.pid, 10_000))) process.kill(server.pid, 'SIGKILL')
    await waitExit(beam, 5000)
    rmSync(join(dir, 'rabbit.pid'), { force: true })
  }

  const node: RabbitNode = {
    nodeName,
    port,
    tlsPort,
    dir,
    url: `rabbit://guest:guest@127.0.0.1:${port}/`,
    beamPid,
    ctl,
    halt,
    resume: boot,
    async restart() {
      await halt()
      await boot()
    },
    async stop() {
      try {
        await halt()
      } finally {
        if (epmd?.pid && alive(epmd.pid)) {
          process.kill(epmd.pid, 'SIGTERM')
          if (!(await waitExit(epmd.pid, 5000))) process.kill(epmd.pid, 'SIGKILL')
        }
        if (!process.env.KEEP_RABBIT) rmSync(dir, { recursive: true, force: true })
      }
    },
  }
  try {
    await boot()
  } catch (e) {
    await node.stop().catch(() => undefined)
    throw e
  }
  return node
}
