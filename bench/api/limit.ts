/**
 * Neutrino's port create against the database's own fastest path for the same rows (issue 17):
 *
 * - Neutrino: the server process (built dist/, one API worker, bench-ini.ts), `--ports` creates
 *   from 4 concurrent keep-alive clients on one /16, after `--warmup` network creates.
 * - Statement replay: exactly the statements one port create sends (bench/api/capture.ts), with
 *   their parameters, every copy with its own port id, MAC and addresses. PostgreSQL: pgbench,
 *   4 connections, prepared statements, each of Neutrino's round trips one pipeline. SQLite:
 *   better-sqlite3 directly, one writer, the statements prepared once, one BEGIN IMMEDIATE
 *   transaction per port.
 * - Raw row writes: only the INSERTs of the same rows, one transaction (one pipeline) per port.
 *
 * Both engines run with the durability a deployment has: PostgreSQL stock (fsync=on,
 * synchronous_commit=on, full_page_writes=on) unless --fsync-off (then every row says so);
 * SQLite as Neutrino opens it (WAL, synchronous=NORMAL). The replays run with WAL checkpoints
 * off on SQLite, so the limit is, if anything, too high. Every number comes with the CPU spent per
 * port by the server and the database, which does not depend on other load the way wall time does.
 *
 *   npm run build && node --import tsx bench/api/limit.ts [--engine sqlite|postgres|both]
 *       [--ports N=3000] [--warmup N=2000] [--fsync-off]
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { pgBin, startPostgres, type PgServer } from '../../test/helpers/postgres.js'
import { startServerProcess } from '../../test/helpers/server-process.js'
import { BenchClient } from './client.js'
import { parentPid, reapedChildrenTicks, ticks } from './proc-cpu.js'
import { BENCH_INI } from './bench-ini.js'
import { capturePostgres, captureSqlite, type CapturedCreate, type Statement, type Value } from './capture.js'

export interface LimitRow {
  engine: 'sqlite' | 'postgres'
  /** The database's durability settings, as they ran. */
  durability: string
  ports: number
  neutrino: Throughput
  replay: Throughput
  rows: Throughput
}

export interface Throughput {
  perSec: number
  /** CPU per port (µs): the Neutrino server (or the replaying process) and the database server. */
  appCpuUs: number
  dbCpuUs: number
}

interface Args {
  engines: Array<'sqlite' | 'postgres'>
  ports: number
  warmup: number
  fsyncOff: boolean
}

function parseArgs(argv: string[]): Args {
  const a: Args = { engines: ['sqlite', 'postgres'], ports: 3000, warmup: 2000, fsyncOff: false }
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!
    const num = () => {
      const v = Number(argv[++i])
      if (!Number.isInteger(v) || v < 0) throw new Error(`${k} takes a whole number, not ${argv[i]}`)
      return v
    }
    if (k === '--engine') {
      const e = argv[++i]
      if (e === 'both') a.engines = ['sqlite', 'postgres']
      else if (e === 'sqlite' || e === 'postgres') a.engines = [e]
      else throw new Error(`--engine sqlite|postgres|both, not ${e}`)
    } else if (k === '--ports') a.ports = num()
    else if (k === '--warmup') a.warmup = num()
    else if (k === '--fsync-off') a.fsyncOff = true
    else throw new Error(`unknown argument ${k}`)
  }
  if (a.ports < 100) throw new Error('--ports must be at least 100')
  return a
}

// ---- values of one replayed copy: unique per copy, shaped like Neutrino's --------------------

/** Copy `k`'s port id: a UUID (36 characters, like Neutrino's). */
export const uuidFor = (k: number) => `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`
/** Copy `k`'s MAC (another OUI than Neutrino's fa:16:3e, so copies never meet real ports). */
export const macFor = (k: number) => `fa:16:3f:${[16, 8, 0].map((s) => ((k >> s) & 255).toString(16).padStart(2, '0')).join(':')}`
/** Address `idx` of copy `k`, outside the captured 10.0.0.0/16. */
export const ipFor = (k: number, idx: number) => {
  const n = k * 4 + idx
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')
}

/** How each captured parameter is made for a copy: the same constant, or from the copy's number. */
type Slot = { kind: 'const'; value: Value } | { kind: 'uuid' } | { kind: 'mac' } | { kind: 'ip'; idx: number }

export function slotsOf(c: CapturedCreate, st: Statement): Slot[] {
  const ips = new Map<string, number>()
  for (const t of c.trips) for (const s of t) for (const p of s.params) if (typeof p === 'string' && /^10\.0\.\d+\.\d+$/.test(p) && !ips.has(p)) ips.set(p, ips.size)
  if (ips.size > 4) throw new Error(`more than 4 candidate addresses in one port create (${ips.size})`)
  return st.params.map((p): Slot => {
    if (p === c.portId) return { kind: 'uuid' }
    if (p === c.mac) return { kind: 'mac' }
    if (typeof p === 'string' && ips.has(p)) return { kind: 'ip', idx: ips.get(p)! }
    return { kind: 'const', value: p }
  })
}

const isWrite = (sql: string) => /^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql)

// ---- PostgreSQL: pgbench ----------------------------------------------------------------------

/**
 * A pgbench script for the captured statements: each round trip one pipeline, constants as
 * variables (-D), so they travel as parameters as Neutrino's do; per-copy values computed from
 * `:k` = client * 2^22 + a per-client sequence from `base`. `writesOnly`: the INSERTs in one pipeline.
 */
export function pgbenchScript(c: CapturedCreate, writesOnly: boolean, base = 0): { script: string; defines: string[] } {
  const consts = new Map<string, string>()
  const defines: string[] = [`seq=${base}`]
  const lines = ['\\set seq :seq + 1', '\\set k :client_id * 4194304 + :seq', '\\set m1 (:k / 65536) % 256', '\\set m2 (:k / 256) % 256', '\\set m3 :k % 256']
  for (let idx = 0; idx < 4; idx++) lines.push(`\\set n${idx} :k * 4 + ${idx}`)
  const expr = (s: Slot): string => {
    switch (s.kind) {
      case 'uuid':
        return `('00000000-0000-4000-8000-' || lpad(:k::text, 12, '0'))`
      case 'mac':
        return `('fa:16:3f:' || lpad(to_hex(:m1::int), 2, '0') || ':' || lpad(to_hex(:m2::int), 2, '0') || ':' || lpad(to_hex(:m3::int), 2, '0'))`
      case 'ip': {
        const n = `:n${s.idx}::bigint`
        return `((${n} >> 24) || '.' || ((${n} >> 16) & 255) || '.' || ((${n} >> 8) & 255) || '.' || (${n} & 255))`
      }
      case 'const': {
        if (s.value === null) return 'NULL'
        const text = typeof s.value === 'boolean' ? (s.value ? 'true' : 'false') : String(s.value)
        // An empty value cannot be given with -D; it is the one literal.
        if (text === '') return `''`
        let name = consts.get(text)
        if (!name) {
          name = `c${consts.size}`
          consts.set(text, name)
          defines.push(`${name}=${text}`)
        }
        return `:${name}`
      }
    }
  }
  const sqlOf = (st: Statement) => {
    const slots = slotsOf(c, st)
    return st.sql.replace(/\s+/g, ' ').replace(/\$(\d+)/g, (_, i: string) => expr(slots[Number(i) - 1]!)) + ';'
  }
  if (writesOnly) {
    const writes = c.trips.flat().filter((s) => isWrite(s.sql))
    lines.push('\\startpipeline', 'BEGIN;', ...writes.map(sqlOf), 'COMMIT;', '\\endpipeline')
  } else {
    for (const trip of c.trips) lines.push('\\startpipeline', ...trip.map(sqlOf), '\\endpipeline')
  }
  return { script: lines.join('\n') + '\n', defines }
}

/**
 * CPU ticks of the PostgreSQL server whose data directory is `dataDir`: the postmaster, its live
 * children, and the children it has reaped (cutime + cstime: pgbench's backends end with it).
 */
function postgresTicks(dataDir: string): number {
  const pm = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  let sum = ticks(pm) + reapedChildrenTicks(pm)
  for (const d of readdirSync('/proc')) if (/^\d+$/.test(d) && parentPid(d) === pm) sum += ticks(d)
  return sum
}

/** CPU of this process's finished children (pgbench), in µs. */
const childrenCpuUs = () => reapedChildrenTicks('self') * 10_000

function pgbench(pg: PgServer, c: CapturedCreate, writesOnly: boolean, ports: number, base: number): Throughput {
  const bin = pgBin()
  if (!bin) throw new Error('PostgreSQL binaries not found')
  const { script, defines } = pgbenchScript(c, writesOnly, base)
  const dir = mkdtempSync(join(tmpdir(), 'nbe-pgbench-'))
  try {
    const file = join(dir, writesOnly ? 'rows.sql' : 'statements.sql')
    writeFileSync(file, script)
    // postgresql://neutrino@/DB?host=DIR&port=N (a unix socket: WHATWG URL rejects the empty host)
    const m = /@\/([^?]+)\?host=([^&]+)&port=(\d+)/.exec(pg.url)
    if (!m) throw new Error(`unexpected database URL ${pg.url}`)
    const [db, host, port] = [m[1]!, decodeURIComponent(m[2]!), m[3]!]
    const clients = 4
    const args = ['-n', '-M', 'prepared', '-c', String(clients), '-j', '2', '-t', String(Math.ceil(ports / clients)), '-f', file, ...defines.flatMap((d) => ['-D', d]), '-h', host, '-p', port, '-U', 'neutrino', db]
    const db0 = postgresTicks(pg.dataDir)
    const c0 = childrenCpuUs()
    const r = spawnSync(join(bin, 'pgbench'), args, { encoding: 'utf8' })
    const dbTicks = postgresTicks(pg.dataDir) - db0
    const appUs = childrenCpuUs() - c0
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout)
    const done = /number of transactions actually processed: (\d+)\/(\d+)/.exec(r.stdout)
    if (r.status !== 0 || !tps || !done || done[1] !== done[2]) throw new Error(`pgbench failed (${r.status}):\n${r.stdout}\n${r.stderr}\nscript:\n${script}`)
    const n = Number(done[1])
    return { perSec: Number(tps[1]), appCpuUs: appUs / n, dbCpuUs: (dbTicks * 10_000) / n }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---- SQLite: better-sqlite3 directly ----------------------------------------------------------

function sqliteReplay(file: string, c: CapturedCreate, writesOnly: boolean, ports: number, base: number): Throughput {
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('wal_autocheckpoint = 0')
    const stmts = c.trips.flat().filter((s) => !writesOnly || isWrite(s.sql))
    const prepared = stmts.map((s) => ({ st: db.prepare(s.sql), write: isWrite(s.sql), slots: slotsOf(c, s) }))
    const value = (s: Slot, k: number): unknown => {
      if (s.kind === 'uuid') return uuidFor(k)
      if (s.kind === 'mac') return macFor(k)
      if (s.kind === 'ip') return ipFor(k, s.idx)
      return typeof s.value === 'boolean' ? (s.value ? 1 : 0) : s.value
    }
    const one = db.transaction((k: number) => {
      for (const p of prepared) {
        const params = p.slots.map((s) => value(s, k))
        if (p.write) p.st.run(...params)
        else p.st.all(...params)
      }
    })
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < ports; i++) one.immediate(base + i)
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    const cpu = process.cpuUsage(c0)
    return { perSec: (ports / ms) * 1000, appCpuUs: (cpu.user + cpu.system) / ports, dbCpuUs: 0 }
  } finally {
    db.close()
  }
}

// ---- Neutrino ---------------------------------------------------------------------------------

async function neutrino(dbUrl: string | undefined, a: Args, pgData?: string): Promise<Throughput> {
  const srv = await startServerProcess({ rawIni: BENCH_INI, dbUrl })
  try {
    const c = new BenchClient(srv.url, 4)
    for (let i = 0; i < a.warmup; i++) await c.expect(201, 'POST', '/v2.0/networks', { network: { name: `warm-${i}` } })
    const net = (await c.expect(201, 'POST', '/v2.0/networks', { network: { name: 'ports' } })).body.network
    await c.expect(201, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/16' } })
    const s0 = ticks(srv.pid)
    const d0 = pgData ? postgresTicks(pgData) : 0
    const t0 = process.hrtime.bigint()
    let next = 0
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (let i = next++; i < a.ports; i = next++) await c.expect(201, 'POST', '/v2.0/ports', { port: { network_id: net.id, name: `p${i}`, device_id: `vm-${i}` } })
      }),
    )
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    const s = ticks(srv.pid) - s0
    const d = pgData ? postgresTicks(pgData) - d0 : 0
    c.close()
    return { perSec: (a.ports / ms) * 1000, appCpuUs: (s * 10_000) / a.ports, dbCpuUs: (d * 10_000) / a.ports }
  } finally {
    await srv.stop()
  }
}

export async function measureLimit(engine: 'sqlite' | 'postgres', a: Args): Promise<LimitRow> {
  const log = (m: string) => process.stderr.write(`[limit ${engine}] ${m}\n`)
  if (engine === 'postgres') {
    const pg = startPostgres({ durable: !a.fsyncOff })
    try {
      const n = await neutrino(pg.createDatabase('bench'), a, pg.dataDir)
      log(`neutrino ${n.perSec.toFixed(0)} ports/s`)
      const cap = await capturePostgres(pg.url)
      const replay = pgbench(pg, cap, false, a.ports, 0)
      log(`statement replay ${replay.perSec.toFixed(0)} ports/s`)
      const rows = pgbench(pg, cap, true, a.ports, a.ports)
      log(`row writes ${rows.perSec.toFixed(0)} ports/s`)
      return { engine, durability: pg.durability, ports: a.ports, neutrino: n, replay, rows }
    } finally {
      pg.stop()
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'nbe-limit-'))
  try {
    const n = await neutrino(undefined, a)
    log(`neutrino ${n.perSec.toFixed(0)} ports/s`)
    const file = join(dir, 'replay.sqlite')
    const cap = await captureSqlite(`sqlite:///${file}`)
    const replay = sqliteReplay(file, cap, false, a.ports, 1)
    log(`statement replay ${replay.perSec.toFixed(0)} ports/s`)
    const rows = sqliteReplay(file, cap, true, a.ports, 1 + a.ports)
    log(`row writes ${rows.perSec.toFixed(0)} ports/s`)
    return { engine, durability: 'WAL, synchronous=NORMAL', ports: a.ports, neutrino: n, replay, rows }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const pct = (x: number) => `${(100 * x).toFixed(0)} %`
const cpu = (t: Throughput) => `${t.appCpuUs.toFixed(0)} + ${t.dbCpuUs.toFixed(0)}`
/**
 * Neutrino's share by CPU: replay CPU / Neutrino's CPU per port (both sides' processes). Where
 * CPU is the bottleneck (a quiet machine with as many cores as busy processes, or SQLite's one
 * writer) this is what the throughput share tends to; unlike throughput it holds under load.
 */
const cpuShare = (n: Throughput, l: Throughput) => pct((l.appCpuUs + l.dbCpuUs) / (n.appCpuUs + n.dbCpuUs))

export function limitTable(rows: LimitRow[]): string {
  const out = [
    '| engine (durability) | Neutrino ports/s (CPU µs/port: server + db) | statement replay ports/s (client + db) | Neutrino share (by CPU) | raw row writes ports/s (client + db) | Neutrino share (by CPU) |',
    '|---|---:|---:|---:|---:|---:|',
  ]
  for (const r of rows)
    out.push(
      `| ${r.engine} (${r.durability}) | ${r.neutrino.perSec.toFixed(0)} (${cpu(r.neutrino)}) | ${r.replay.perSec.toFixed(0)} (${cpu(r.replay)}) | ${pct(r.neutrino.perSec / r.replay.perSec)} (${cpuShare(r.neutrino, r.replay)}) | ${r.rows.perSec.toFixed(0)} (${cpu(r.rows)}) | ${pct(r.neutrino.perSec / r.rows.perSec)} (${cpuShare(r.neutrino, r.rows)}) |`,
    )
  return out.join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const a = parseArgs(process.argv.slice(2))
  const rows: LimitRow[] = []
  for (const e of a.engines) rows.push(await measureLimit(e, a))
  console.log(limitTable(rows))
}
