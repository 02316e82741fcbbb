/**
 * Issue 15's first case: one member puts 17,000 tags on each of 5 networks (an admin raised
 * [DEFAULT] max_tags_per_resource to allow it); then `GET /v2.0/networks?name=nomatch` and
 * `?limit=2` cost what they cost on an empty database, since the list is planned in SQL and tags
 * are loaded for the returned rows only (src/db/resources/row-query.ts).
 *
 *   node --import tsx bench/api/own-tags.ts [--engine sqlite|postgres|both] [--samples N=200] [--bursts N=3]
 *
 * Two in-process servers, each on its own private PostgreSQL or temporary SQLite file: one with
 * no data, one with the member's 85,000 tags. Sequential requests interleaved between the two
 * (p50 of N after 20 warm-ups), then 1,000 `?limit=2` requests from 200 concurrent clients on
 * each, three rounds alternating (median total).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startNeutrino, type TestServer } from '../../test/helpers/neutrino.js'
import { startPostgres } from '../../test/helpers/postgres.js'
import { stats } from './client.js'

const args = process.argv.slice(2)
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1]! : dflt
}
const ENGINES = arg('engine', 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('engine', 'sqlite')]
const SAMPLES = Number(arg('samples', '200'))
const BURSTS = Number(arg('bursts', '3'))
const NETWORKS = 5
const TAGS = 17_000
const MEMBER = { 'X-Project-Id': 'pm', 'X-Roles': 'member' }
/**
 * `?limit=2` returns two of the tagged networks with all their tags on the loaded database (its
 * cost is that answer's size); `?name=small&limit=2` pages the member's two untagged networks,
 * which both databases hold. `/v2.0/subnets` (none) used to build the member's networks first.
 */
const QUERIES = ['/v2.0/networks?name=nomatch', '/v2.0/networks?name=small&limit=2', '/v2.0/networks?limit=2', '/v2.0/subnets']
const INI = `[DEFAULT]\nmax_tags_per_resource = ${TAGS}\n[oslo_middleware]\nmax_request_body_size = 1000000\n`

async function call(s: TestServer, m: string, p: string, b?: unknown) {
  const r = await s.call(m, p, b, MEMBER)
  if (r.status >= 300) throw new Error(`${m} ${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`)
  return r.body
}

async function once(s: TestServer, q: string): Promise<number> {
  const t = process.hrtime.bigint()
  await call(s, 'GET', q)
  return Number(process.hrtime.bigint() - t) / 1e6
}

/** 1,000 requests from 200 clients at once; seconds. */
async function burst(s: TestServer, q: string): Promise<number> {
  let left = 1000
  const t = process.hrtime.bigint()
  await Promise.all(Array.from({ length: 200 }, async () => {
    while (left-- > 0) await call(s, 'GET', q)
  }))
  return Number(process.hrtime.bigint() - t) / 1e9
}

async function run(engine: string): Promise<void> {
  const stops: Array<() => void> = []
  const servers: TestServer[] = []
  try {
    for (let i = 0; i < 2; i++) {
      let url: string
      if (engine === 'postgres') {
        const pg = startPostgres()
        stops.push(() => pg.stop())
        url = pg.url
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'nlb-bench-'))
        stops.push(() => rmSync(dir, { recursive: true, force: true }))
        url = `sqlite:///${join(dir, 'neutrino.sqlite')}`
      }
      servers.push(await startNeutrino({ ini: INI, dbUrl: url }))
    }
    const [empty, full] = servers as [TestServer, TestServer]
    for (const s of servers) for (let n = 0; n < 2; n++) await call(s, 'POST', '/v2.0/networks', { network: { name: 'small', project_id: 'pm' } })
    const t0 = Date.now()
    for (let n = 0; n < NETWORKS; n++) {
      const net = (await call(full, 'POST', '/v2.0/networks', { network: { name: `big${n}`, project_id: 'pm' } })).network
      await call(full, 'PUT', `/v2.0/networks/${net.id}/tags`, { tags: Array.from({ length: TAGS }, (_, k) => `t${k}`) })
    }
    console.log(`\n${engine}: ${NETWORKS} networks × ${TAGS} tags of the member stored in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
    console.log('| request (member pm) | 2 networks, no tags (ms, p50) | + 5 networks × 17,000 tags (ms, p50) | ratio |')
    console.log('|---|---|---|---|')
    for (const q of QUERIES) {
      for (let i = 0; i < 20; i++) await Promise.all([once(empty, q), once(full, q)])
      const a: number[] = []
      const b: number[] = []
      for (let i = 0; i < SAMPLES; i++) {
        a.push(await once(empty, q))
        b.push(await once(full, q))
      }
      const [pa, pb] = [stats(a).p50, stats(b).p50]
      console.log(`| \`GET ${q}\` | ${pa.toFixed(2)} | ${pb.toFixed(2)} | ${(pb / pa).toFixed(2)}× |`)
    }
    if (BURSTS === 0) return
    const a: number[] = []
    const b: number[] = []
    for (let i = 0; i < BURSTS; i++) {
      a.push(await burst(empty, QUERIES[1]!))
      b.push(await burst(full, QUERIES[1]!))
    }
    const mid = (x: number[]) => x.sort((p, q) => p - q)[BURSTS >> 1]!
    const [ma, mb] = [mid(a), mid(b)]
    console.log(`| 1,000 \`GET ${QUERIES[1]}\` from 200 clients (s, median of ${BURSTS}) | ${ma.toFixed(2)} | ${mb.toFixed(2)} | ${(mb / ma).toFixed(2)}× |`)
  } finally {
    for (const s of servers) await s.close()
    for (const stop of stops) stop()
  }
}

for (const e of ENGINES) await run(e)
