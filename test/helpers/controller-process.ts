/**
 * `neutrino controller` as a child process for full-stack tests: started from a config file
 * (bin/neutrino.js → dist/), its stdout/stderr kept, the northbound URL read from stdout, and
 * the southbound's per-node reconcile lines ("node hv1: flow_mods=0 ovsdb_ops=0 …") parsed so
 * tests can count what a (re)start sent. Stopped by PID (SIGTERM, or SIGKILL for the crash case).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { BIN } from './server-process.js'

export interface NodeReport {
  readonly node: string
  readonly flowMods: number
  readonly ovsdbOps: number
  readonly flows: number
}

const REPORT_RE = /node (\S+): flow_mods=(\d+) ovsdb_ops=(\d+) flows=(\d+)/g

export class ControllerProcess {
  out = ''
  err = ''
  url = ''
  readonly auth: string

  private constructor(readonly child: ChildProcess, user: string, password: string) {
    this.auth = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
    child.stdout!.on('data', (b: Buffer) => { this.out += b.toString() })
    child.stderr!.on('data', (b: Buffer) => { this.err += b.toString() })
  }

  static async start(configFile: string, o: { user: string; password: string; timeoutMs?: number }): Promise<ControllerProcess> {
    const child = spawn(process.execPath, [BIN, 'controller', '--config-file', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
    const c = new ControllerProcess(child, o.user, o.password)
    const end = Date.now() + (o.timeoutMs ?? 30_000)
    for (;;) {
      const m = /northbound listening on (http:\/\/\S+)/.exec(c.out)
      if (m) { c.url = m[1]!; return c }
      if (child.exitCode !== null || Date.now() > end) {
        child.kill('SIGKILL')
        throw new Error(`controller did not start (exit ${child.exitCode}): ${c.err}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Reconcile reports logged so far, in order. */
  reports(): NodeReport[] {
    return [...this.err.matchAll(REPORT_RE)].map((m) => ({ node: m[1]!, flowMods: Number(m[2]), ovsdbOps: Number(m[3]), flows: Number(m[4]) }))
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const r = await fetch(this.url.replace(/\/controller\/nb\/v2\/neutron$/, '') + path, {
      method, headers: { Authorization: this.auth, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await r.text()
    return { status: r.status, body: text ? JSON.parse(text) : undefined }
  }

  /** POST/PUT/DELETE under /controller/nb/v2/neutron, as networking-odl does; fails on an unexpected status. */
  async nb(method: string, path: string, body?: unknown, expect?: number): Promise<unknown> {
    const r = await this.call(method, `/controller/nb/v2/neutron${path}`, body)
    const want = expect ?? (method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200)
    if (r.status !== want) throw new Error(`${method} ${path} → ${r.status} (wanted ${want}): ${JSON.stringify(r.body)}`)
    return r.body
  }

  async portStatus(id: string): Promise<string | undefined> {
    const r = await this.call('GET', `/restconf/operational/neutron:neutron/ports/port/${id}`)
    return r.status === 200 ? (r.body as { port: [{ status: string }] }).port[0].status : undefined
  }

  /** SIGTERM (or SIGKILL) by PID; resolves with the exit code / signal. */
  stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | string | null> {
    const child = this.child
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode)
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
      child.once('exit', (code, sig) => { clearTimeout(kill); resolve(code ?? sig) })
      child.kill(signal)
    })
  }
}

/** Polls `fn` until it returns a value other than undefined/false. */
export async function eventually<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
