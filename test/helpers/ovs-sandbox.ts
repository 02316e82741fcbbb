/**
 * Private ovsdb-server instances for functional tests (ovsdbapp venv.py style): own temp dir
 * with db, socket, pid, log; started with --detach --pidfile and stopped by PID. Ephemeral
 * ports only (ptcp:0 / pssl:0, read back from the log). KEEP_OVS=1 keeps the directory.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const VSWITCH_SCHEMA_PATH = '/usr/share/openvswitch/vswitch.ovsschema'

export interface SandboxOptions {
  /** Also listen on ptcp:0:127.0.0.1 or pssl:0:127.0.0.1 (one TCP remote at most). */
  remote?: 'ptcp' | 'pssl'
  /** For pssl and for dialing ssl managers. */
  tls?: TlsFiles
  /** Reuse an existing sandbox directory (restart after a kill). */
  dir?: string
}

export interface TlsFiles {
  ca: string
  cert: string
  key: string
}

export class OvsdbSandbox {
  readonly dir: string
  readonly options: SandboxOptions
  pid = 0
  port = 0

  private constructor(dir: string, options: SandboxOptions) {
    this.dir = dir
    this.options = options
  }

  static async start(options: SandboxOptions = {}): Promise<OvsdbSandbox> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ovsdb-func-'))
    const sb = new OvsdbSandbox(dir, options)
    if (!existsSync(sb.db)) execFileSync('ovsdb-tool', ['create', sb.db, VSWITCH_SCHEMA_PATH])
    await sb.#launch()
    if (!options.dir) sb.vsctl('init')
    return sb
  }

  get db(): string {
    return join(this.dir, 'conf.db')
  }
  get sock(): string {
    return join(this.dir, 'db.sock')
  }
  get endpoint(): string {
    return `unix:${this.sock}`
  }
  get log(): string {
    return join(this.dir, 'ovsdb-server.log')
  }

  async #launch(): Promise<void> {
    const o = this.options
    const logBefore = existsSync(this.log) ? readFileSync(this.log, 'utf8').length : 0
    const args = [
      this.db,
      '-vconsole:off',
      '-vfile:info',
      `--remote=punix:${this.sock}`,
      '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
      `--pidfile=${join(this.dir, 'ovsdb-server.pid')}`,
      `--unixctl=${join(this.dir, 'ovsdb-server.ctl')}`,
      `--log-file=${this.log}`,
      '--detach',
    ]
    if (o.remote) args.push(`--remote=${o.remote}:0:127.0.0.1`)
    if (o.tls) args.push(`--private-key=${o.tls.key}`, `--certificate=${o.tls.cert}`, `--ca-cert=${o.tls.ca}`)
    execFileSync('ovsdb-server', args, { env: { ...process.env, OVS_RUNDIR: this.dir, OVS_DBDIR: this.dir, OVS_LOGDIR: this.dir } })
    this.pid = Number(readFileSync(join(this.dir, 'ovsdb-server.pid'), 'utf8').trim())
    if (o.remote) {
      for (let i = 0; i < 100 && !this.port; i++) {
        const m = /listening on port (\d+)/.exec(readFileSync(this.log, 'utf8').slice(logBefore))
        if (m) this.port = Number(m[1])
        else await new Promise((r) => setTimeout(r, 20))
      }
      if (!this.port) throw new Error(`ovsdb-server did not report its port in ${this.log}`)
    }
  }

  /** ovs-vsctl against this server (--no-wait: there is no ovs-vswitchd). */
  vsctl(...args: string[]): string {
    return execFileSync('ovs-vsctl', [`--db=${this.endpoint}`, '--no-wait', '--timeout=10', ...args], { encoding: 'utf8' }).trim()
  }

  /** Kills the server (SIGKILL: a crash) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.pid) return
    try {
      process.kill(this.pid, signal)
    } catch {
      this.pid = 0
      return
    }
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(this.pid, 0)
      } catch {
        break
      }
      await new Promise((r) => setTimeout(r, 10))
    }
    this.pid = 0
    this.port = 0
  }

  /** Starts the server again on the same database and socket. */
  async restart(): Promise<void> {
    await this.#launch()
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM')
    if (process.env.KEEP_OVS !== '1') rmSync(this.dir, { recursive: true, force: true })
    else console.log(`KEEP_OVS=1: kept ${this.dir}`)
  }
}

/** A throw-away CA with server and client certificates (openssl), like ovs-pki would make. */
export function makeCerts(): { dir: string; ca: string; server: TlsFiles; client: TlsFiles; rogue: TlsFiles; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ovsdb-tls-'))
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const mkca = (name: string) => run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`)
  mkca('ca')
  mkca('rogueca')
  const mk = (name: string, ca: string): TlsFiles => {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
    writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=CA:FALSE\n')
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '2', '-extfile', 'ext.cnf')
    return { ca: join(dir, 'ca.pem'), cert: join(dir, `${name}-cert.pem`), key: join(dir, `${name}-key.pem`) }
  }
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    server: mk('server', 'ca'),
    client: mk('client', 'ca'),
    rogue: mk('rogue', 'rogueca'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
