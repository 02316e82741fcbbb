/**
 * Starts a private PostgreSQL server for a test run: its own data directory in a temp dir,
 * listening on a unix socket there (no TCP port unless asked, so parallel runs never meet),
 * stopped by `stop()`. As root (CI), the server runs as the `postgres` system user, since initdb
 * refuses root.
 *
 * `startPostgres({ tcp: true, ssl: true, users: […] })` also listens on 127.0.0.1 at an ephemeral
 * port, with a self-signed certificate (CN=localhost, SAN DNS:localhost, IP:127.0.0.1) made by
 * openssl in the temp dir, and password users authenticated over TCP by the pg_hba method given.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { needComponent } from './components.js'

export interface PgUser {
  name: string
  password: string
  /** The pg_hba.conf method for this user's TCP connections. */
  method: 'scram-sha-256' | 'md5' | 'password'
}

export interface PgServerOptions {
  /** Listen on 127.0.0.1 too, at a free ephemeral port (`tcpPort`). */
  tcp?: boolean
  /** ssl=on with a self-signed certificate (`certFile`, its own CA); implies tcp. */
  ssl?: boolean
  /** Login roles with passwords, authenticated over TCP by their method; imply tcp. */
  users?: PgUser[]
  /**
   * Stock durability (fsync, synchronous_commit, full_page_writes on, as a deployment runs): for
   * benchmarks that compare with a stock server. Tests run without, for speed.
   */
  durable?: boolean
}

export interface PgServer {
  /** URL of a fresh database on the server (`createDatabase` makes more). */
  url: string
  createDatabase(name: string): string
  stop(): void
  /** Stops the server (`-m fast`: sessions are terminated, as an operator's restart does) and keeps its data. */
  halt(): void
  /** Starts a halted server again, with the same settings. */
  resume(): void
  /** With tcp: the server's port on 127.0.0.1. */
  tcpPort?: number
  /** With ssl: the server's certificate (PEM), which is also the CA to trust. */
  certFile?: string
  /** The durability settings the server runs with, e.g. `fsync=off synchronous_commit=off`. */
  durability: string
  /** The data directory (on the file system whose flush latency bounds durable commits). */
  dataDir: string
  /** With tcp: a URL reaching database `neutrino` over TCP as `user` (the superuser `neutrino` is trusted). */
  tcpUrl(user?: string, password?: string, params?: Record<string, string>): string
}

export function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a))
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin')
  return undefined
}

export function pgSkipReason(opts: PgServerOptions = {}): string | undefined {
  const bin = pgBin()
  const tools = opts.users?.length ? ['initdb', 'pg_ctl', 'psql'] : ['initdb', 'pg_ctl']
  const missing = needComponent('PostgreSQL server', bin ? tools.map((t) => join(bin, t)) : ['/usr/lib/postgresql/*/bin/initdb'])
  if (missing) return missing
  return opts.ssl ? needComponent('openssl', ['openssl']) : undefined
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; another process could take it). */
function freePort(): number {
  const js = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"
  return Number(execFileSync(process.execPath, ['-e', js], { encoding: 'utf8' }))
}

export function startPostgres(opts: PgServerOptions = {}): PgServer {
  const bin = pgBin()
  if (!bin) throw new Error('PostgreSQL server binaries not found; run scripts/install-test-deps.sh')
  const tcp = !!(opts.tcp || opts.ssl || opts.users?.length)
  const dir = mkdtempSync(join(tmpdir(), 'neutrino-pg-'))
  chmodSync(dir, 0o777)
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const
    const r = spawnSync(full[0], full[1] as string[], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`)
    return r.stdout
  }
  try {
    run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'neutrino', '--no-sync', '-E', 'UTF8'])
    const durability = opts.durable ? ['fsync=on', 'synchronous_commit=on', 'full_page_writes=on'] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']
    const settings = [...durability.map((d) => `-c ${d}`), '-c max_connections=200']
    let certFile: string | undefined
    if (tcp) {
      const hba = ['local all all trust', 'host all neutrino 127.0.0.1/32 trust']
      for (const u of opts.users ?? []) hba.push(`host all ${u.name} 127.0.0.1/32 ${u.method}`)
      writeFileSync(join(dir, 'pg_hba.conf'), hba.join('\n') + '\n')
      chmodSync(join(dir, 'pg_hba.conf'), 0o644)
      settings.push(`-c hba_file=${join(dir, 'pg_hba.conf')}`)
    }
    if (opts.ssl) {
      certFile = join(dir, 'server.crt')
      const keyFile = join(dir, 'server.key')
      // Made by the server's user: PostgreSQL wants its key private to the user running it.
      run('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
      ])
      run('chmod', ['600', keyFile])
      settings.push('-c ssl=on', `-c ssl_cert_file=${certFile}`, `-c ssl_key_file=${keyFile}`)
    }
    // With TCP the port is a free ephemeral one (retried should another process take it first);
    // otherwise it only names the socket file.
    let port = 0
    const listen = tcp ? `-c listen_addresses=127.0.0.1` : `-c listen_addresses=''`
    const startServer = () => run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-k ${dir} ${listen} -p ${port} ${settings.join(' ')}`, 'start'])
    for (let attempt = 1; ; attempt++) {
      port = tcp ? freePort() : 20000 + Math.floor(Math.random() * 20000)
      try {
        startServer()
        break
      } catch (e) {
        if (!tcp || attempt >= 3) throw e
      }
    }
    const urlFor = (db: string) => `postgresql://neutrino@/${db}?host=${encodeURIComponent(dir)}&port=${port}`
    const createDatabase = (name: string) => {
      execFileSync(join(bin, 'createdb'), ['-h', dir, '-p', String(port), '-U', 'neutrino', name])
      return urlFor(name)
    }
    const url = createDatabase('neutrino')
    for (const u of opts.users ?? []) {
      // With password_encryption=scram-sha-256 (the default) an md5 pg_hba line still does SCRAM
      // for a SCRAM-hashed password; store an MD5 hash for md5 users so they really do MD5.
      const enc = u.method === 'md5' ? 'md5' : 'scram-sha-256'
      const pw = u.password.replace(/'/g, "''")
      execFileSync(join(bin, 'psql'), ['-h', dir, '-p', String(port), '-U', 'neutrino', '-d', 'neutrino', '-v', 'ON_ERROR_STOP=1', '-q',
        '-c', `SET password_encryption = '${enc}'`, '-c', `CREATE ROLE "${u.name}" LOGIN PASSWORD '${pw}'`])
    }
    const tcpUrl = (user = 'neutrino', password?: string, params: Record<string, string> = {}) => {
      if (!tcp) throw new Error('startPostgres() was not asked for tcp')
      const auth = password === undefined ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`
      const query = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
      return `postgresql://${auth}@127.0.0.1:${port}/neutrino${query ? `?${query}` : ''}`
    }
    let stopped = false
    return {
      url,
      createDatabase,
      durability: durability.join(' '),
      dataDir: data,
      tcpPort: tcp ? port : undefined,
      certFile,
      tcpUrl,
      halt() {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'])
      },
      resume() {
        startServer()
      },
      stop() {
        if (stopped) return
        stopped = true
        try {
          run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      },
    }
  } catch (e) {
    // A server that started before the failure is stopped; the temp dir goes either way.
    if (existsSync(join(data, 'postmaster.pid'))) spawnSync(asRoot ? 'runuser' : join(bin, 'pg_ctl'), asRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'] : ['-D', data, '-m', 'immediate', '-w', 'stop'])
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}
