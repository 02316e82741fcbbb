/**
 * Where a request's CPU goes: the server process, the PostgreSQL backends, the client — read
 * from /proc before and after N port creates from 4 concurrent clients on one /16 (after 2000
 * network creates to warm the server up), then per request of the read paths: port show, the
 * 1000-port list full and `fields=id` (one client, sequential). CPU time does not depend on
 * what else runs on the machine the way wall time does, so these numbers hold on a loaded host.
 * With --pg-log, PostgreSQL logs every statement's duration for the create run and the slowest
 * statement texts are listed per port (logging itself costs the backends CPU, so read those
 * numbers relative to each other). --cpu-prof DIR writes the server's V8 CPU profile there.
 *
 *   npm run build && node --import tsx bench/api/cpu-split.ts [sqlite|postgres] [--ports N]
 *       [--shows N] [--pg-log] [--cpu-prof DIR] [--no-reads]
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { openDb } from '../../src/db/connect.js'
import { startPostgres } from '../../test/helpers/postgres.js'
import { startServerProcess } from '../../test/helpers/server-process.js'
import { BenchClient } from './client.js'
import { BENCH_INI } from './bench-ini.js'
import { parentPid, ticks } from './proc-cpu.js'

const argv = process.argv.slice(2)
const engine = argv.find((a) => a === 'sqlite' || a === 'postgres') ?? 'postgres'
/** The value after `--name`, if given. */
const opt = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined)
const N = Number(opt('--ports') ?? 3000)
const SHOWS = Number(opt('--shows') ?? 3000)
const pgLog = argv.includes('--pg-log')
/** Port creates only (a profile of the create path alone). */
const noReads = argv.includes('--no-reads')
const profDir = opt('--cpu-prof')
if (!(N >= 1000 && SHOWS >= 1)) throw new Error('--ports N (at least 1000) and --shows N (at least 1) take numbers')


/**
 * CPU ticks of our PostgreSQL server's processes, by role (backends, walwriter, …): the postmaster
 * and its children only — other servers on a shared machine are not ours to count.
 */
function postgresTicks(): Map<string, number> {
  const m = new Map<string, number>()
  if (!pg) return m
  const pm = Number(readFileSync(join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  m.set('postmaster', ticks(pm))
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || parentPid(d) !== pm) continue
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (!cmd.startsWith('postgres')) continue
      const role = cmd.includes('[local]') ? 'backends' : cmd.replace(/^postgres:\s*/, '').replace(/\s+\S*\d\S*.*$/, '').trim() || 'postmaster'
      m.set(role, (m.get(role) ?? 0) + ticks(d))
    } catch {
      /* the process ended meanwhile */
    }
  }
  return m
}

/** Starts a CPU reading; the returned function ends it and formats µs per request. */
function readSplit() {
  const s0 = ticks(srv.pid)
  const p0 = [...postgresTicks().values()].reduce((a, b) => a + b, 0)
  const c0 = process.cpuUsage()
  return () => {
    const s = ticks(srv.pid) - s0
    const p = [...postgresTicks().values()].reduce((a, b) => a + b, 0) - p0
    const c = process.cpuUsage(c0)
    const us = (t: number, n: number) => `${((t * 10_000) / n).toFixed(0).padStart(6)} µs`
    return { server: (n: number) => us(s, n), pg: (n: number) => us(p, n), client: (n: number) => us((c.user + c.system) / 10_000, n) }
  }
}

const pg = engine === 'postgres' ? startPostgres() : undefined
const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=cpu-split-${engine}.cpuprofile`] : []
const srv = await startServerProcess({ rawIni: BENCH_INI, dbUrl: pg?.url, nodeArgs })
const admin = pg ? openDb(pg.url) : undefined
try {
  const c = new BenchClient(srv.url, 4)
  for (let i = 0; i < 2000; i++) await c.expect(201, 'POST', '/v2.0/networks', { network: { name: `warm-${i}` } })
  const net = (await c.expect(201, 'POST', '/v2.0/networks', { network: { name: 'ports' } })).body.network
  await c.expect(201, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/16' } })
  if (pgLog && admin) {
    await admin.exec('ALTER SYSTEM SET log_min_duration_statement = 0')
    await admin.exec('SELECT pg_reload_conf()')
    await new Promise((r) => setTimeout(r, 300))
  }
  const pg0 = postgresTicks()
  const s0 = ticks(srv.pid)
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  let next = 0
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      for (let i = next++; i < N; i = next++) await c.expect(201, 'POST', '/v2.0/ports', { port: { network_id: net.id, name: `p${i}` } })
    }),
  )
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const s1 = ticks(srv.pid)
  const c1 = process.cpuUsage(c0)
  const pg1 = postgresTicks()
  const us = (t: number) => `${((t * 10_000) / N).toFixed(0)} µs`
  console.log(`${engine}${pg ? ` (${pg.durability})` : ''}: ${N} port creates from 4 clients, ${((N / ms) * 1000).toFixed(0)} ports/s; CPU per port:`)
  console.log(`  server      ${us(s1 - s0)}`)
  for (const [role, t] of pg1) if (t - (pg0.get(role) ?? 0) > 0) console.log(`  postgres ${role.padEnd(12)} ${us(t - (pg0.get(role) ?? 0))}`)
  console.log(`  client      ${((c1.user + c1.system) / N).toFixed(0)} µs`)
  if (pgLog && pg) {
    const dir = decodeURIComponent(/[?&]host=([^&]+)/.exec(pg.url)![1]!)
    const log = readFileSync(join(dir, 'log'), 'utf8')
    const byText = new Map<string, number>()
    for (const m of log.matchAll(/duration: ([\d.]+) ms\s+(parse|bind|execute)[^:]*: (.*)/g)) {
      const k = `${m[2]} ${m[3]!.slice(0, 100)}`
      byText.set(k, (byText.get(k) ?? 0) + Number(m[1]))
    }
    console.log('slowest statements (wall time per port, logging on):')
    for (const [k, t] of [...byText].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${((t / N) * 1000).toFixed(0).padStart(5)} µs  ${k}`)
  }
  // Read paths: server and database CPU per request, after a warm-up of the same requests.
  const ids = noReads ? [] :  (await c.expect(200, 'GET', '/v2.0/ports?fields=id')).body.ports.map((p: { id: string }) => p.id)
  const reads: Array<[string, number, (i: number) => string]> = [
    ['port show', SHOWS, (i) => `/v2.0/ports/${ids[(i * 7919) % ids.length]}`],
    ['list 1000 ports, full', 200, () => `/v2.0/ports?limit=1000`],
    ['list 1000 ports, fields=id', 200, () => `/v2.0/ports?limit=1000&fields=id`],
    [`list ${ids.length} ports, full`, 40, () => `/v2.0/ports`],
    [`list ${ids.length} ports, fields=id`, 40, () => `/v2.0/ports?fields=id`],
  ]
  if (!noReads) console.log('read paths, CPU per request (one client, sequential):')
  for (const [label, n, path] of noReads ? [] : reads) {
    for (let i = 0; i < Math.min(n, 500); i++) await c.expect(200, 'GET', path(i), undefined, true)
    const r = readSplit()
    for (let i = 0; i < n; i++) await c.expect(200, 'GET', path(i), undefined, true)
    const d = r()
    console.log(`  ${label.padEnd(30)} server ${d.server(n)}  postgres ${d.pg(n)}  client ${d.client(n)}`)
  }
  c.close()
} finally {
  await admin?.close()
  await srv.stop()
  pg?.stop()
}
