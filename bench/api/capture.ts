/**
 * The exact statements one port create sends to the database, with their parameters, captured from
 * an in-process Neutrino (no mechanism drivers) — the input of the statement-replay limit
 * (bench/api/limit.ts). The second port create on a network is captured (the first pays one-time
 * work: default security group, statement preparation).
 *
 * PostgreSQL: PgConnection.query/defer are wrapped, and each write to the database's unix socket
 * marks a round trip, so the statements come grouped as they went over the wire. SQLite:
 * `[database] connection_debug = 100` logs every statement with its parameters; one transaction.
 */
import { Socket } from 'node:net'
import { PgConnection } from '../../src/db/pg/connection.js'
import { startNeutrino, type TestServer } from '../../test/helpers/neutrino.js'
import { BENCH_INI } from './bench-ini.js'

export type Value = string | number | boolean | null

export interface Statement {
  /** `$1…` placeholders on PostgreSQL, `?` on SQLite. */
  sql: string
  params: Value[]
}

export interface CapturedCreate {
  /** Statements per round trip (one group on SQLite, whose BEGIN/COMMIT are not included). */
  trips: Statement[][]
  /** What the create made, so a replay can give each of its copies values of its own. */
  portId: string
  mac: string
  /** The network, subnet, … the port sits on: they stay, in every replayed copy. */
  networkId: string
}

function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Date) return v.toISOString()
  return JSON.stringify(v)
}

/** Creates a network with a /16 subnet and two ports; returns the second's statements. */
async function createPorts(s: TestServer, record: (on: boolean) => void): Promise<{ portId: string; mac: string; networkId: string }> {
  const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'limit' } })).body.network
  await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/16', name: 'limit-16' } })
  const body = (i: number) => ({ port: { network_id: net.id, name: `p${i}`, device_id: `vm-${i}` } })
  if ((await s.call('POST', '/v2.0/ports', body(0))).status !== 201) throw new Error('port create failed')
  record(true)
  const r = await s.call('POST', '/v2.0/ports', body(1))
  record(false)
  if (r.status !== 201) throw new Error(`port create failed: ${JSON.stringify(r.body)}`)
  return { portId: r.body.port.id, mac: r.body.port.mac_address, networkId: net.id }
}

/** Captures on the PostgreSQL database at `url` (which keeps the network, subnet and ports made). */
export async function capturePostgres(url: string): Promise<CapturedCreate> {
  const trips: Statement[][] = [[]]
  let on = false
  const proto = PgConnection.prototype as any
  const saved = { query: proto.query, defer: proto.defer, write: Socket.prototype.write }
  for (const m of ['query', 'defer'] as const) {
    proto[m] = function (text: string, params: unknown[] = [], ...rest: unknown[]) {
      if (on) trips[trips.length - 1]!.push({ sql: text, params: params.map(toValue) })
      return saved[m].call(this, text, params, ...rest)
    }
  }
  ;(Socket.prototype as any).write = function (...a: unknown[]) {
    // the database is on a unix socket (no remote address); the API's HTTP is TCP
    if (on && this.remoteAddress === undefined && this !== process.stdout && this !== process.stderr && trips[trips.length - 1]!.length) trips.push([])
    return (saved.write as any).apply(this, a)
  }
  const s = await startNeutrino({ dbUrl: url, ini: BENCH_INI })
  try {
    const made = await createPorts(s, (x) => (on = x))
    return { ...made, trips: trips.filter((t) => t.length) }
  } finally {
    proto.query = saved.query
    proto.defer = saved.defer
    Socket.prototype.write = saved.write
    await s.close()
  }
}

/** Captures on the SQLite database at `url` (sqlite:///path), through connection_debug = 100. */
export async function captureSqlite(url: string): Promise<CapturedCreate> {
  const s = await startNeutrino({ dbUrl: url, ini: `${BENCH_INI}\n[database]\nconnection_debug = 100\n` })
  try {
    let from = 0
    const made = await createPorts(s, (on) => {
      if (on) from = s.log.lines.length
    })
    const stmts: Statement[] = []
    for (const line of s.log.lines.slice(from)) {
      const m = /^\S+ \S+ INFO \S*\bsql (.*)$/.exec(line)
      if (!m) continue
      // "<sql> <JSON params>" when there are parameters: the JSON array is the line's tail.
      const text = m[1]!
      let stmt: Statement = { sql: text, params: [] }
      for (let i = text.lastIndexOf(' ['); i > 0; i = text.lastIndexOf(' [', i - 1)) {
        try {
          stmt = { sql: text.slice(0, i), params: JSON.parse(text.slice(i + 1)) as Value[] }
          break
        } catch {
          /* a '[' inside the SQL: look further left */
        }
      }
      stmts.push(stmt)
    }
    if (!stmts.length) throw new Error('no statements logged: is connection_debug honoured?')
    return { ...made, trips: [stmts] }
  } finally {
    await s.close()
  }
}
