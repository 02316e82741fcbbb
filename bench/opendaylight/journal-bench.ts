/**
 * The opendaylight journal's delivery rate and lag (issue 14 "bench/"): a Neutrino server
 * (in-process, PostgreSQL) with the opendaylight driver and a real `neutrino controller` process;
 * 4 API clients create ports concurrently. Reported: the API's port-create rate, rows delivered
 * per second, and the lag from the row's recording (inside the API transaction) to the
 * controller's 2xx, p50/p99 (completed rows are kept: completed_rows_retention = -1, so each row
 * carries created_at and its completion time).
 *
 *   node --import tsx bench/opendaylight/journal-bench.ts [PORTS_PER_CLIENT=100] [CLIENTS=4]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startControllerProcess } from '../../test/helpers/odl-controller-process.js'
import { startNeutrino } from '../../test/helpers/neutrino.js'
import { startPostgres } from '../../test/helpers/postgres.js'

const perClient = Number(process.argv[2] ?? 100)
const clients = Number(process.argv[3] ?? 4)

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!

async function main(): Promise<void> {
  const pg = startPostgres()
  const dir = mkdtempSync(join(tmpdir(), 'nod4-odl-bench-'))
  const ctl = await startControllerProcess(dir, 0, { dbUrl: pg.createDatabase('controller') })
  const s = await startNeutrino({
    dbUrl: pg.url,
    ini: `[ml2]\nmechanism_drivers = opendaylight\ntenant_network_types = vxlan\n[ml2_odl]\nurl = ${ctl.url}\nusername = admin\npassword = admin\ncompleted_rows_retention = -1\n`,
  })
  try {
    // No subnet: ports without addresses (no address space needed beyond the documentation ranges).
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'bench' } })).body.network
    await waitDrained(s.app.db)
    const since = (await s.app.db.get<{ m: number | string }>('SELECT MAX(seqnum) AS m FROM opendaylightjournal'))!.m
    const t0 = Date.now()
    await Promise.all(Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const r = await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, name: `c${c}-${i}` } })
        if (r.status !== 201) throw new Error(`port create: ${r.status} ${JSON.stringify(r.body)}`)
      }
    }))
    const apiMs = Date.now() - t0
    await waitDrained(s.app.db)
    const rows = await s.app.db.all<{ created_at: string | number; last_retried: string | number }>(
      `SELECT created_at, last_retried FROM opendaylightjournal WHERE seqnum > ? AND state = 'completed'`, [Number(since)])
    const lags = rows.map((r) => Number(r.last_retried) - Number(r.created_at)).sort((a, b) => a - b)
    const first = Math.min(...rows.map((r) => Number(r.created_at)))
    const last = Math.max(...rows.map((r) => Number(r.last_retried)))
    const n = clients * perClient
    process.stdout.write(JSON.stringify({
      clients,
      ports: n,
      api_port_creates_per_s: +(n / (apiMs / 1000)).toFixed(1),
      rows_delivered: rows.length,
      delivered_per_s: +(rows.length / ((last - first) / 1000)).toFixed(1),
      lag_ms: { p50: pct(lags, 50), p99: pct(lags, 99), max: lags[lags.length - 1] },
    }, null, 2) + '\n')
  } finally {
    await s.close()
    await ctl.stop()
    pg.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function waitDrained(db: { get: (sql: string) => Promise<any> }): Promise<void> {
  for (;;) {
    const r = await db.get(`SELECT COUNT(*) AS n FROM opendaylightjournal WHERE state IN ('pending', 'processing')`)
    if (Number(r.n) === 0) return
    await new Promise((res) => setTimeout(res, 20))
  }
}

await main()
