/**
 * Runs the real `neutrino` command (bin/neutrino.js → dist/, so `npm run build` first) as a child
 * process with a config file in its own temp dir: `startServerProcess()` waits for the
 * `listening on http://IP:PORT` line (bind_port = 0: an ephemeral port) and `stop()` ends it by
 * PID (SIGTERM, then SIGKILL) and removes the temp dir. `runNeutrino()` runs a one-shot command
 * (`db upgrade`, a bad config…) and returns exit code, stdout and stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TEST_INI } from './neutrino.js'
import { httpCall } from './http.js'


export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = join(REPO, 'bin', 'neutrino.js')
const DIST_MAIN = join(REPO, 'dist', 'cli', 'main.js')

/** Undefined when the built CLI exists, else why the test cannot run (never a skip in CI). */
export function builtSkipReason(): string | undefined {
  if (existsSync(DIST_MAIN)) return undefined
  const msg = `dist/ is missing: run \`npm run build\` first (${DIST_MAIN})`
  if (process.env.CI === 'true') throw new Error(msg)
  return msg
}

export interface ServerProcess {
  url: string
  port: number
  pid: number
  dir: string
  configFile: string
  /** Everything the server wrote so far. */
  stdout(): string
  stderr(): string
  /** fetch + JSON, like TestServer.call. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>
  stop(): Promise<void>
}

export interface ServerProcessOptions {
  /** INI text appended after TEST_INI (later sections/options win). */
  ini?: string
  /** [database] connection; default: a SQLite file in the temp dir. */
  dbUrl?: string
  /** Extra node flags for the child (e.g. --cpu-prof). */
  nodeArgs?: string[]
  env?: NodeJS.ProcessEnv
  /** Use exactly this INI instead of TEST_INI + ini (benchmarks). */
  rawIni?: string
  startTimeoutMs?: number
  /** Run the CLI from src/ through tsx (test/helpers/neutrino-cli.ts) instead of dist/: no build needed. */
  fromSources?: boolean
}

export function makeTempDir(prefix = 'neutrino-proc-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function configFor(dir: string, o: ServerProcessOptions): string {
  const db = o.dbUrl ?? `sqlite:///${join(dir, 'neutrino.sqlite')}`
  const base = o.rawIni ?? `${TEST_INI}\n${o.ini ?? ''}`
  const text = `${base}\n[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nstate_path = ${dir}\n[database]\nconnection = ${db}\n`
  const file = join(dir, 'neutrino.conf')
  writeFileSync(file, text)
  return file
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms)
    child.once('exit', () => {
      clearTimeout(t)
      res(true)
    })
  })
}

export async function startServerProcess(o: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dir = makeTempDir()
  const configFile = configFor(dir, o)
  const entry = o.fromSources ? ['--import', import.meta.resolve('tsx'), join(REPO, 'test', 'helpers', 'neutrino-cli.ts')] : [BIN]
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), ...entry, 'server', '--config-file', configFile], {
    cwd: dir,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c))
  const cleanupDir = () => {
    if (process.env.KEEP_NEUTRINO !== '1') rmSync(dir, { recursive: true, force: true })
  }
  const stop = async () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGTERM')
      } catch {
        /* already gone */
      }
      if (!(await waitExit(child, 5000))) {
        try {
          process.kill(child.pid, 'SIGKILL')
        } catch {
          /* already gone */
        }
        await waitExit(child, 2000)
      }
    }
    cleanupDir()
  }
  let port: number
  try {
    port = await new Promise<number>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`server did not start in time; stderr: ${err}`)), o.startTimeoutMs ?? 20000)
      const onData = () => {
        const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          child.stdout!.off('data', onData)
          res(Number(m[1]))
        }
      }
      child.stdout!.on('data', onData)
      child.once('exit', (code, sig) => {
        clearTimeout(timer)
        rej(new Error(`server exited (${sig ?? code}) before listening; stderr: ${err.trim()}`))
      })
    })
  } catch (e) {
    await stop()
    throw e
  }
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    port,
    pid: child.pid!,
    dir,
    configFile,
    stdout: () => out,
    stderr: () => err,
    call: (method, path, body, headers) => httpCall(url, method, path, body, headers),
    stop,
  }
}

export { httpCall }

/** Runs `neutrino ARGS…` to completion (db upgrade, config errors). */
export function runNeutrino(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const t = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL')
      rej(new Error(`neutrino ${args.join(' ')} timed out; stderr: ${stderr}`))
    }, opts.timeoutMs ?? 20000)
    child.once('error', rej)
    child.once('close', (code) => {
      clearTimeout(t)
      res({ code, stdout, stderr })
    })
  })
}
