/**
 * The `neutrino server` process: logging (log-output.ts), the effective options at debug level,
 * one API process or a primary with `api_workers` workers (node:cluster, sharing the listening
 * socket), and the signals a supervisor sends:
 *  - SIGTERM/SIGINT: stop accepting, let requests in flight finish, close, exit 0; with workers the primary passes SIGTERM on and
 *    waits for them, killing any still running after `graceful_shutdown_timeout` (oslo.service's
 *    ProcessLauncher does the same). A repeated SIGTERM is ignored (systemd signals the whole
 *    control group, so workers get it twice); a second SIGINT (Ctrl-C) exits at once.
 *  - SIGHUP: reopen log_file (logrotate); the primary passes it on to the workers.
 * With workers, /metrics merges every worker's registry through the primary (cluster-metrics.ts).
 */
import cluster, { type Worker } from 'node:cluster'
import type { Server } from 'node:http'
import { collectDefaultMetrics } from 'prom-client'
import { formatConfigForLog, type NeutrinoConfig } from '../../conf/index.js'
import type { Logger } from '../../common/log.js'
import { buildApp } from './app.js'
import { serveClusterMetrics, workerMetrics } from './cluster-metrics.js'
import { openLogOutput } from './log-output.js'

export interface ServeOptions {
  config: NeutrinoConfig
  configFiles: readonly string[]
  configDirs: readonly string[]
  /** Where the `listening on http://HOST:PORT` line goes (supervisors and tests read it). */
  stdout: { write(s: string): unknown }
}

export async function serve(o: ServeOptions): Promise<number> {
  const cfg = o.config
  const workers = cluster.isPrimary ? cfg.DEFAULT.api_workers : 1
  const name = cluster.isWorker ? `neutrino.worker${process.env.NEUTRINO_WORKER ?? ''}` : workers > 1 ? 'neutrino.primary' : 'neutrino'
  // Opened before anything else: a log_file that cannot be opened stops the server here (ConfigError).
  const out = openLogOutput(cfg.DEFAULT, name)
  const log = out.log
  if (cfg.DEFAULT.debug && cluster.isPrimary) {
    log.debug('Full set of CONF:')
    for (const line of formatConfigForLog(cfg)) log.debug(line)
  }
  process.on('SIGHUP', () => {
    out.reopen()
    if (cluster.isPrimary) for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP')
  })
  const stop = stopSignal()
  try {
    if (workers > 1) return await primary(o, log, stop)
    return await single(o, log, stop)
  } finally {
    out.close()
  }
}

interface StopSignal {
  readonly stopped: Promise<string>
}

function stopSignal(): StopSignal {
  let resolve!: (s: string) => void
  const stopped = new Promise<string>((r) => (resolve = r))
  let got: string | undefined
  const on = (sig: string) => () => {
    if (got === undefined) {
      got = sig
      resolve(sig)
    } else if (sig === 'SIGINT') process.exit(130)
  }
  process.on('SIGTERM', on('SIGTERM'))
  process.on('SIGINT', on('SIGINT'))
  return { stopped }
}

const graceMs = (cfg: NeutrinoConfig) => (cfg.DEFAULT.graceful_shutdown_timeout > 0 ? cfg.DEFAULT.graceful_shutdown_timeout * 1000 : Infinity)

async function single(o: ServeOptions, log: Logger, stop: StopSignal): Promise<number> {
  const cfg = o.config
  const collectMetrics = cluster.isWorker ? workerMetrics : undefined
  // An API worker only notifies the changes it makes; the primary consumes the agents' RPC.
  const app = await beforeStop(stop, buildApp({ config: cfg, log, skipInit: cluster.isWorker, configFiles: o.configFiles, configDirs: o.configDirs, collectMetrics, consumeAgentRpc: !cluster.isWorker }))
  if (app === null) return stoppedEarly(log)
  // The process's own figures belong to the process, not to each app a test builds.
  if (cfg.metrics.enabled && cfg.metrics.process_metrics) collectDefaultMetrics({ register: app.registry, prefix: 'neutrino_' })
  const addr = await app.api.listen(cfg.DEFAULT.bind_port, cfg.DEFAULT.bind_host)
  log.info(`Neutrino API listening on http://${addr.address}:${addr.port} (database ${app.db.description})`)
  // Tests start the server on port 0 and read the chosen port from this line on stdout.
  if (cluster.isPrimary) o.stdout.write(`listening on http://${addr.address}:${addr.port}\n`)
  const sig = await stop.stopped
  log.info(`${sig}: shutting down`)
  // Stop accepting and let requests in flight finish (idle keep-alive connections are closed at
  // once, busy ones after their response), up to graceful_shutdown_timeout; then close the rest.
  const drained = await within(drain(app.api.server), graceMs(cfg))
  if (!drained) log.warn(`requests still in flight after graceful_shutdown_timeout (${cfg.DEFAULT.graceful_shutdown_timeout} s): closing them`)
  await app.close()
  return 0
}

/**
 * The primary upgrades the schema and syncs the allocation tables once, then forks the workers,
 * which share the listening socket (node:cluster round-robin).
 */
async function primary(o: ServeOptions, log: Logger, stop: StopSignal): Promise<number> {
  const cfg = o.config
  const app = await beforeStop(stop, buildApp({ config: cfg, log, configFiles: o.configFiles, configDirs: o.configDirs }))
  if (app === null) return stoppedEarly(log)
  // With agent RPC (transport_url), the primary stays the one process consuming the agents' calls
  // (Neutron's RPC worker); the API workers only notify their own changes (agent-rpc.ts).
  if (!app.agentRpc) await app.close()
  const live = new Set<Worker>()
  let stopping = false
  let allGone!: () => void
  const gone = new Promise<void>((r) => (allGone = r))
  let announced = false
  cluster.on('listening', (_w, addr) => {
    if (announced) return
    announced = true
    log.info(`${cfg.DEFAULT.api_workers} API workers listening on http://${addr.address}:${addr.port}`)
    o.stdout.write(`listening on http://${addr.address}:${addr.port}\n`)
  })
  cluster.on('exit', (w, code, signal) => {
    live.delete(w)
    if (!stopping) log.warn(`API worker ${w.process.pid} exited (${signal ?? code})`)
    if (live.size === 0) allGone()
  })
  serveClusterMetrics()
  for (let i = 0; i < cfg.DEFAULT.api_workers; i++) live.add(cluster.fork({ NEUTRINO_WORKER: String(i) }))
  const sig = await Promise.race([stop.stopped, gone.then(() => 'exit')])
  if (sig === 'exit') {
    log.error('every API worker exited; stopping')
    return 1
  }
  stopping = true
  log.info(`${sig}: stopping ${live.size} API workers`)
  for (const w of live) w.process.kill('SIGTERM')
  if (!(await within(gone, graceMs(cfg)))) {
    log.warn(`API workers still running after graceful_shutdown_timeout (${cfg.DEFAULT.graceful_shutdown_timeout} s): killing them`)
    for (const w of live) w.process.kill('SIGKILL')
    await within(gone, 5000)
  }
  if (app.agentRpc) await app.close()
  return 0
}

/**
 * The app, or null when a stop signal came first: a server still waiting for its database
 * (max_retries × retry_interval) stops at once instead of when the supervisor's patience ends.
 * bin/neutrino.js then exits, abandoning the start-up.
 */
async function beforeStop<T>(stop: StopSignal, starting: Promise<T>): Promise<T | null> {
  return Promise.race([starting, stop.stopped.then(() => null)])
}

function stoppedEarly(log: Logger): number {
  log.info('stopped before the server was ready')
  return 0
}

/** Resolves when the server has closed: no longer listening and every connection ended. */
function drain(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive connections that finish their request later become idle then: close them as
    // they do (node closes only those idle at close() time), and tell new requests so.
    const sweep = setInterval(() => server.closeIdleConnections(), 100)
    server.close(() => {
      clearInterval(sweep)
      resolve()
    })
    server.on('request', (_req, res) => res.setHeader('Connection', 'close'))
  })
}

/** True when `p` settled within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms === Infinity) return p.then(() => true, () => true)
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))
  try {
    return await Promise.race([p.then(() => true as const, () => true as const), t])
  } finally {
    clearTimeout(timer)
  }
}
