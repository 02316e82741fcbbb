/**
 * Issue 15's cost benchmark: what a member's list requests cost when other projects have stored a
 * lot — 10,000 ports and 100,000 tags (2,000 networks × 50 tags) — against the same requests on a
 * database holding only the member's own few resources. Target: within 2× (the cost of a list
 * must depend on the rows it returns, not on what others stored).
 *
 *   node --import tsx bench/api/others-data.ts [--engine sqlite|postgres|both] [--samples N=200]
 *
 * Two in-process servers (test/helpers/neutrino.ts), each on its own private PostgreSQL or
 * temporary SQLite file, the same member data on both and the others' data on one; requests from
 * node's fetch, sequential and interleaved between the two, p50 of N samples after 20 warm-ups.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startNeutrino, type TestServer } from '../../test/helpers/neutrino.js'
import { startPostgres, type PgServer } from '../../test/helpers/postgres.js'
import { stats } from './client.js'

const args = process.argv.slice(2)
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1]! : dflt
}
const ENGINES = arg('engine', 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('engine', 'sqlite')]
const SAMPLES = Number(arg('samples', '200'))
const OTHER_NETWORKS = 2000
const TAGS_PER_NETWORK = 50
const OTHER_PORTS = 10_000
const MEMBER = { 'X-Project-Id': 'pm', 'X-Roles': 'member' }

const QUERIES = [
  '/v2.0/networks',
  '/v2.0/networks?name=nomatch',
  '/v2.0/networks?limit=2',
  '/v2.0/networks?tags=mine',
  '/v2.0/ports',
  '/v2.0/ports?limit=2',
  '/v2.0/ports?device_owner=nomatch',
  '/v2.0/subnets',
]

/**
 * p50 per query on both servers, their samples interleaved (A, B, A, B, …) so that machine load
 * and warm-up weigh on both alike.
 */
async function measure(a: TestServer, b: TestServer): Promise<Map<string, [number, number]>> {
  const out = new Map<string, [number, number]>()
  const once = async (s: TestServer, q: string) => {
    const t = process.hrtime.bigint()
    const r = await s.call('GET', q, undefined, MEMBER)
    if (r.status !== 200) throw new Error(`${q}: ${r.status} ${JSON.stringify(r.body)}`)
    return Number(process.hrtime.bigint() - t) / 1e6
  }
  for (const q of QUERIES) {
    for (let i = 0; i < 20; i++) await Promise.all([once(a, q), once(b, q)])
    const sa: number[] = []
    const sb: number[] = []
    for (let i = 0; i < SAMPLES; i++) {
      sa.push(await once(a, q))
      sb.push(await once(b, q))
    }
    out.set(q, [stats(sa).p50, stats(sb).p50])
  }
  return out
}

/** Runs `n` jobs with `c` at a time. */
async function pool(n: number, c: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: c }, async () => {
    while (next < n) await job(next++)
  }))
}

interface Db { url: string; stop(): void }

function database(engine: string): Db {
  if (engine === 'postgres') {
    const pg: PgServer = startPostgres()
    return { url: pg.url, stop: () => pg.stop() }
  }
  const dir = mkdtempSync(join(tmpdir(), 'nah-bench-'))
  return { url: `sqlite:///${join(dir, 'neutrino.sqlite')}`, stop: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The member's own: one network with a subnet, 10 ports, a few tags — the same on both servers. */
async function memberData(s: TestServer): Promise<void> {
  const net = (await ok(s, 'POST', '/v2.0/networks', { network: { name: 'mine', project_id: 'pm' } }, MEMBER)).network
  await ok(s, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24', project_id: 'pm' } }, MEMBER)
  for (let i = 0; i < 10; i++) await ok(s, 'POST', '/v2.0/ports', { port: { network_id: net.id, project_id: 'pm' } }, MEMBER)
  await ok(s, 'PUT', `/v2.0/networks/${net.id}/tags`, { tags: ['mine', 'a', 'b'] }, MEMBER)
}

/** 2,000 networks of 50 projects with 50 tags each, 20 of them with a subnet and 10,000 ports between them. */
async function othersData(s: TestServer): Promise<void> {
  const others: string[] = []
  await pool(OTHER_NETWORKS, 4, async (i) => {
    const project = `other-${i % 50}`
    const n = (await ok(s, 'POST', '/v2.0/networks', { network: { name: `o${i}`, project_id: project } })).network
    await ok(s, 'PUT', `/v2.0/networks/${n.id}/tags`, { tags: Array.from({ length: TAGS_PER_NETWORK }, (_, k) => `tag-${k}`) })
    if (i < 20) {
      await ok(s, 'POST', '/v2.0/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr: '10.0.0.0/16', project_id: project } })
      others.push(n.id)
    }
  })
  await pool(OTHER_PORTS, 4, async (i) => {
    await ok(s, 'POST', '/v2.0/ports', { port: { network_id: others[i % others.length]!, project_id: `other-${i % 50}` } })
  })
}

async function ok(s: TestServer, m: string, p: string, b: unknown, h: Record<string, string> = {}) {
  const r = await s.call(m, p, b, h)
  if (r.status >= 300) throw new Error(`${m} ${p}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

const INI = '[ml2_type_vxlan]\nvni_ranges = 1:100000\n'

async function run(engine: string): Promise<void> {
  const dbs = [database(engine), database(engine)]
  const servers: TestServer[] = []
  try {
    for (const db of dbs) servers.push(await startNeutrino({ ini: INI, dbUrl: db.url }))
    const [empty, full] = servers as [TestServer, TestServer]
    await memberData(empty)
    await memberData(full)
    const t0 = Date.now()
    await othersData(full)
    const filledIn = (Date.now() - t0) / 1000
    const m = await measure(empty, full)
    console.log(`\n${engine}: ${OTHER_PORTS} ports and ${OTHER_NETWORKS * TAGS_PER_NETWORK} tags of other projects stored in ${filledIn.toFixed(0)} s; member list p50 (ms) of ${SAMPLES}, samples interleaved`)
    console.log("| request (member pm) | empty database | with others' data | ratio |")
    console.log('|---|---|---|---|')
    for (const q of QUERIES) {
      const [a, b] = m.get(q)!
      console.log(`| \`GET ${q}\` | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}× |`)
    }
  } finally {
    for (const s of servers) await s.close()
    for (const db of dbs) db.stop()
  }
}

for (const e of ENGINES) await run(e)
