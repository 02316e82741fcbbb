/**
 * Where a port create's CPU goes: the server process, the PostgreSQL backends, the client — read
 * from /proc before and after N port creates from 4 concurrent clients on one /16 (after 2000
 * network creates to warm the server up). With --pg-log, PostgreSQL logs every statement's
 * duration for the run and the slowest statement texts are listed per port (logging itself costs
 * the backends CPU, so read those numbers relative to each other).
 *
 *   npm run build && node --import tsx bench/api/cpu-split.ts [sqlite|postgres] [--ports N] [--pg-log]
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { openDb } from '../../src/db/connect.js'
import { startPostgres } from '../../test/helpers/postgres.js'
import { startServerProcess } from '../../test/helpers/server-process.js'
import { BenchClient } from './client.js'
import { BENCH_INI } from './bench-ini.js'

const argv = process.argv.slice(2)
const engine = argv.find((a) => a === 'sqlite' || a === 'postgres') ?? 'postgres'
const N = Number(argv[argv.indexOf('--ports') + 1] || 3000)
const pgLog = argv.includes('--pg-log')


/** utime + stime of a process, in clock ticks (1/100 s). */
function ticks(pid: number | string): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return Number(f[11]) + Number(f[12])
}

/** CPU ticks of every postgres process, by role (backends, walwriter, …). */
function postgresTicks(): Map<string, number> {
  const m = new Map<string, number>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
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

const pg = engine === 'postgres' ? startPostgres() : undefined
const srv = await startServerProcess({ rawIni: BENCH_INI, dbUrl: pg?.url })
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
  console.log(`${engine}: ${N} port creates from 4 clients, ${((N / ms) * 1000).toFixed(0)} ports/s; CPU per port:`)
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
  c.close()
} finally {
  await admin?.close()
  await srv.stop()
  pg?.stop()
}
