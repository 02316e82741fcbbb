/**
 * Starts a private PostgreSQL server for a test run: its own data directory in a temp dir,
 * listening only on a unix socket there (no TCP port, so parallel runs never meet), stopped by
 * `stop()`. As root (CI), the server runs as the `postgres` system user, since initdb refuses root.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { needComponent } from './components.js'

export interface PgServer {
  /** URL of a fresh database on the server (`createDatabase` makes more). */
  url: string
  createDatabase(name: string): string
  stop(): void
}

function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a))
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin')
  return undefined
}

export function pgSkipReason(): string | undefined {
  const bin = pgBin()
  return needComponent('PostgreSQL server', bin ? [join(bin, 'initdb'), join(bin, 'pg_ctl')] : ['/usr/lib/postgresql/*/bin/initdb'])
}

export function startPostgres(): PgServer {
  const bin = pgBin()
  if (!bin) throw new Error('PostgreSQL server binaries not found; run scripts/install-test-deps.sh')
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
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'neutrino', '--no-sync', '-E', 'UTF8'])
  const port = 20000 + Math.floor(Math.random() * 20000) // names the socket file only
  run(join(bin, 'pg_ctl'), [
    '-D', data, '-w', '-l', join(dir, 'log'),
    '-o', `-k ${dir} -c listen_addresses='' -p ${port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    'start',
  ])
  const urlFor = (db: string) => `postgresql://neutrino@/${db}?host=${encodeURIComponent(dir)}&port=${port}`
  const createDatabase = (name: string) => {
    execFileSync(join(bin, 'createdb'), ['-h', dir, '-p', String(port), '-U', 'neutrino', name])
    return urlFor(name)
  }
  const url = createDatabase('neutrino')
  let stopped = false
  return {
    url,
    createDatabase,
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
}
