/**
 * Statements (= round trips on PostgreSQL) per API request, counted by wrapping pg's Client.query
 * on a private PostgreSQL server with an in-process Neutrino (no mechanism drivers). Each request is
 * made twice and the second one is counted (the first pays one-time work: default security group,
 * cold caches).
 *
 *   node --import tsx bench/api/statements.ts
 */
import pg from 'pg'
import { startPostgres } from '../../test/helpers/postgres.js'
import { startNeutrino } from '../../test/helpers/neutrino.js'
const pgs = startPostgres()
let n = 0
const orig = pg.Client.prototype.query as any
;(pg.Client.prototype as any).query = function (...a: any[]) { n++; return orig.apply(this, a) }
const s = await startNeutrino({ dbUrl: pgs.url, ini: '[ml2]\nmechanism_drivers =\n' }).catch((e) => {
  pgs.stop()
  throw e
})
try {
  const count = async (label: string, f: () => Promise<any>) => { await f(); n = 0; const r = await f(); console.log(label.padEnd(28), n, 'statements'); return r }
  let i = 0
  const net = await count('network create', async () => (await s.call('POST', '/v2.0/networks', { network: { name: 'n' + i++ } })).body.network)
  await count('subnet create', async () => (await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: `10.${i++}.0.0/24`, ip_version: 4 } })).body.subnet)
  const port = await count('port create', async () => (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port)
  await count('port show', async () => s.call('GET', `/v2.0/ports/${port.id}`))
  await count('port list', async () => s.call('GET', '/v2.0/ports'))
  await count('port update (name)', async () => s.call('PUT', `/v2.0/ports/${port.id}`, { port: { name: 'x' + i++ } }))
  await count('port delete', async () => { const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port; n = 0; await s.call('DELETE', `/v2.0/ports/${p.id}`) })
} finally {
  await s.close()
  pgs.stop()
}
