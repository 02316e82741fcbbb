/**
 * Statements and round trips per API request on PostgreSQL, counted on a private server with an
 * in-process Neutrino (no mechanism drivers). A round trip is one write of a batch to the
 * database socket (db/pg/connection.ts sends a batch of pipelined statements with one write and
 * waits for its answers). Each request is made twice and the second one is counted (the first
 * pays one-time work: default security group, cold caches, statement preparation).
 *
 *   node --import tsx bench/api/statements.ts [--sql]
 */
import { Socket } from 'node:net'
import { PgConnection } from '../../src/db/pg/connection.js'
import { startPostgres } from '../../test/helpers/postgres.js'
import { startNeutrino } from '../../test/helpers/neutrino.js'

const showSql = process.argv.includes('--sql')
const pgs = startPostgres()
let statements = 0
let trips = 0
const sql: string[] = []
const proto = PgConnection.prototype as any
for (const m of ['query', 'defer'] as const) {
  const orig = proto[m]
  proto[m] = function (text: string, ...rest: unknown[]) {
    statements++
    if (showSql) sql.push(`${m === 'defer' ? '  (deferred) ' : '  '}${text.replace(/\s+/g, ' ').slice(0, 160)}`)
    return orig.call(this, text, ...rest)
  }
}
// The database is on a unix socket (no remote address); the API's HTTP is TCP; stdout and stderr
// may be pipes.
const write = Socket.prototype.write as any
;(Socket.prototype as any).write = function (...a: unknown[]) {
  if (this.remoteAddress === undefined && this !== process.stdout && this !== process.stderr) {
    trips++
    if (showSql) sql.push('  -- round trip')
  }
  return write.apply(this, a)
}
const s = await startNeutrino({ dbUrl: pgs.url, ini: '[ml2]\nmechanism_drivers =\n' }).catch((e) => {
  pgs.stop()
  throw e
})
try {
  /** `prepare` runs before each of the two calls, uncounted. */
  const count = async (label: string, f: (prep: any) => Promise<any>, prepare: () => Promise<any> = async () => undefined) => {
    await f(await prepare())
    const prep = await prepare()
    statements = trips = 0
    sql.length = 0
    const r = await f(prep)
    console.log(`${label.padEnd(22)} ${String(statements).padStart(3)} statements ${String(trips).padStart(3)} round trips`)
    if (showSql) console.log(sql.join('\n'))
    return r
  }
  let i = 0
  const newPort = async () => (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port.id
  const net = await count('network create', async () => (await s.call('POST', '/v2.0/networks', { network: { name: 'n' + i++ } })).body.network)
  await count('subnet create', async () => (await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: `10.${i++}.0.0/24`, ip_version: 4 } })).body.subnet)
  const port = await count('port create', async () => (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port)
  await count('port show', async () => s.call('GET', `/v2.0/ports/${port.id}`))
  await count('port list', async () => s.call('GET', '/v2.0/ports'))
  await count('port update (name)', async () => s.call('PUT', `/v2.0/ports/${port.id}`, { port: { name: 'x' + i++ } }))
  await count('port delete', async (id: string) => s.call('DELETE', `/v2.0/ports/${id}`), newPort)
} finally {
  await s.close()
  pgs.stop()
}
