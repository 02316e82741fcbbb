/**
 * Networking API benchmark: one client program (bench/api/client.ts) against any Networking API
 * endpoint — the Neutrino servers it starts (built dist/, `node bin/neutrino.js server`, SQLite
 * and/or a private PostgreSQL with stock durability), a running Neutron (`--neutron-url`, e.g.
 * Debian's neutron-server started by /work/shared/lab/neutron-lab.sh, docs/benchmarks.md says
 * how), or any other (`--url`, with `--label` and `--durability` after it).
 *
 *   npm run build && node --import tsx bench/api/run.ts [--engine sqlite|postgres|both|none]
 *       [--neutron-url URL [--neutron-durability TEXT]] [--url URL [--label L] [--durability TEXT]]…
 *       [--rounds N=1] [--networks N=2000] [--warmup N=2000] [--ports N=5000] [--clients N=4]
 *       [--shows N=1000] [--fsync-off] [--cpu-prof DIR] [--no-write]
 *
 * Per round and endpoint: sequential network creates; a network of the round's own with a /16
 * and port creates from `--clients` concurrent keep-alive clients, pausing at 1000 ports to time
 * the 1000-port lists; the `--ports` list (full and `fields=id`, both filtered to the round's
 * network); sequential port shows; the server's resident set from /proc when it is ours. Rounds
 * are interleaved (round r of every endpoint before round r + 1), and ratios against Neutron are
 * computed per pair of rounds. Every column states its database settings; PostgreSQL runs with
 * stock durability (fsync, synchronous_commit on) unless --fsync-off, which the output labels.
 * The disk's flush latency is measured first: it bounds sequential durable commits. Results go to
 * stdout and to docs/benchmarks.md (between the api-bench markers) unless --no-write.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPostgres, type PgServer } from '../../test/helpers/postgres.js'
import { startServerProcess, type ServerProcess } from '../../test/helpers/server-process.js'
import { BenchClient, stats, timed, type Stats } from './client.js'
import { BENCH_INI } from './bench-ini.js'
import { measureFlushBound, type FlushBound } from './flush-bound.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')


/** Real Neutron Zed, one API worker, PostgreSQL, same machine class (from the issue). */
export const REFERENCE = {
  netCreatePerSec: 11,
  netCreateP50: 84,
  portCreatePerSec: 6.2,
  portCreateP50: 576,
  portCreateP99: 1600,
  list1000: 325,
  list5000: 1650,
  showP50: 20,
  rssMiB: 700,
}

interface Args {
  engines: Array<'sqlite' | 'postgres'>
  /** Other endpoints measured with the same client: Neutron's (--neutron-url) and any (--url). */
  neutronUrl?: string
  urls: Array<{ url: string; label: string; durability: string }>
  neutronDurability: string
  rounds: number
  networks: number
  /** Untimed network creates first: V8 needs about 2000 requests to optimise the request path. */
  warmup: number
  ports: number
  clients: number
  shows: number
  cpuProf?: string
  /** PostgreSQL with fsync and synchronous_commit off: labelled, never the headline. */
  fsyncOff: boolean
  write: boolean
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    engines: ['sqlite', 'postgres'],
    urls: [],
    neutronDurability: 'fsync=on synchronous_commit=on (stock, as neutron-lab.sh runs it)',
    rounds: 1,
    networks: 2000,
    warmup: 2000,
    ports: 5000,
    clients: 4,
    shows: 1000,
    fsyncOff: false,
    write: true,
  }
  let label: string | undefined
  let durability: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!
    const v = () => {
      const x = argv[++i]
      if (x === undefined) throw new Error(`${k} needs a value`)
      return x
    }
    const n = () => {
      const x = Number(v())
      if (!Number.isInteger(x) || x < 0) throw new Error(`${k} takes a whole number, not ${argv[i]}`)
      return x
    }
    if (k === '--engine') {
      const e = v()
      if (e === 'both') a.engines = ['sqlite', 'postgres']
      else if (e === 'sqlite' || e === 'postgres') a.engines = [e]
      else if (e === 'none') a.engines = []
      else throw new Error(`--engine sqlite|postgres|both|none, not ${e}`)
    } else if (k === '--neutron-url') a.neutronUrl = new URL(v()).href.replace(/\/$/, '')
    else if (k === '--neutron-durability') a.neutronDurability = v()
    else if (k === '--url') a.urls.push({ url: new URL(v()).href.replace(/\/$/, ''), label: '', durability: '' })
    else if (k === '--label') label = v()
    else if (k === '--durability') durability = v()
    else if (k === '--rounds') a.rounds = n()
    else if (k === '--networks') a.networks = n()
    else if (k === '--warmup') a.warmup = n()
    else if (k === '--ports') a.ports = n()
    else if (k === '--clients') a.clients = n()
    else if (k === '--shows') a.shows = n()
    else if (k === '--cpu-prof') a.cpuProf = resolve(v())
    else if (k === '--fsync-off') a.fsyncOff = true
    else if (k === '--no-write') a.write = false
    else throw new Error(`unknown argument ${k}`)
    // --label / --durability name the --url before them
    const last = a.urls[a.urls.length - 1]
    if (last && label !== undefined) (last.label = label), (label = undefined)
    if (last && durability !== undefined) (last.durability = durability), (durability = undefined)
  }
  for (const [i, u] of a.urls.entries()) {
    u.label ||= `endpoint ${i + 1}`
    u.durability ||= 'durability not stated (--durability)'
  }
  if (a.ports < 1000) throw new Error('--ports must be at least 1000 (the 1000-port list)')
  if (a.rounds < 1 || a.networks < 1 || a.clients < 1 || a.shows < 1) throw new Error('--rounds, --networks, --clients and --shows must be at least 1')
  if (!a.engines.length && !a.urls.length && !a.neutronUrl) throw new Error('nothing to measure: --engine none needs --url or --neutron-url')
  return a
}

/** One round's numbers for one endpoint. */
export interface Metrics {
  netCreate: Stats & { perSec: number }
  portCreate: Stats & { perSec: number }
  list1000: { full: Stats; ids: Stats; bytes: number }
  list5000: { full: Stats; ids: Stats; bytes: number; count: number }
  show: Stats
  /** From /proc, when the server's pid is known (the servers this bench starts). */
  rssMiB?: number
  hwmMiB?: number
}

/** Something to measure: a server this bench started, or an endpoint given by URL. */
interface Target {
  label: string
  /** The database and its settings, as every row must state them. */
  durability: string
  url: string
  pid?: number
  stop(): Promise<void>
}

export interface TargetResult {
  label: string
  durability: string
  rounds: Metrics[]
}

function memMiB(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN)
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 }
}

async function timeList(c: BenchClient, path: string, rounds: number): Promise<{ s: Stats; bytes: number; count: number }> {
  const samples: number[] = []
  let bytes = 0
  let count = 0
  // Warm-up: the server's JIT, and TCP's send/receive buffers of the keep-alive socket, which
  // autotuning grows only while large responses flow (the first 1 MB list on a fresh socket is
  // several times slower than the fifth).
  for (let i = 0; i < 5; i++) await c.expect(200, 'GET', path)
  for (let i = 0; i < rounds; i++) {
    // timed until the last byte arrived; the client's JSON.parse is not the server's time
    const [ms, r] = await timed(() => c.expect(200, 'GET', path, undefined, true))
    samples.push(ms)
    bytes = r.bytes
    count = r.body.ports.length
  }
  return { s: stats(samples), bytes, count }
}

/**
 * How long a GET of `bytes` takes from a server that does nothing but send a prepared buffer
 * (its own process, same client): the floor that loopback TCP, both event loops and the client's
 * reads set under any list of that size on this machine.
 */
async function transportFloor(bytes: number, rounds: number): Promise<Stats> {
  const code = `const b = Buffer.alloc(${bytes}, 97); const s = require('node:http').createServer((q, r) => { r.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': b.length }); r.end(b) }); s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'))`
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const port = await new Promise<number>((res, rej) => {
      child.stdout!.once('data', (d) => res(Number(String(d).trim())))
      child.once('exit', (c) => rej(new Error(`static server exited (${c})`)))
    })
    const c = new BenchClient(`http://127.0.0.1:${port}`, 1)
    await c.expect(200, 'GET', '/', undefined, true)
    const samples: number[] = []
    for (let i = 0; i < rounds; i++) samples.push((await timed(() => c.expect(200, 'GET', '/', undefined, true)))[0])
    c.close()
    return stats(samples)
  } finally {
    child.kill()
  }
}

async function startEngine(engine: 'sqlite' | 'postgres', a: Args): Promise<Target> {
  let pg: PgServer | undefined
  try {
    if (engine === 'postgres') pg = startPostgres({ durable: !a.fsyncOff })
    const nodeArgs = a.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${a.cpuProf}`, `--cpu-prof-name=server-${engine}.cpuprofile`] : []
    const srv = await startServerProcess({ rawIni: BENCH_INI, dbUrl: pg?.url, nodeArgs })
    return {
      label: `Neutrino ${engine}`,
      durability: pg ? `PostgreSQL ${pg.durability}` : 'SQLite WAL synchronous=NORMAL',
      url: srv.url,
      pid: srv.pid,
      async stop() {
        await srv.stop()
        pg?.stop()
      },
    }
  } catch (e) {
    pg?.stop()
    throw e
  }
}

/**
 * One round against one endpoint: sequential network creates; a network of its own with a /16 and
 * port creates from `--clients` clients, pausing at 1000 ports for the 1000-port lists; the lists
 * full and `fields=id`; sequential shows. Lists are filtered to the round's network
 * (`network_id=`), so every round and every endpoint lists the same number of ports.
 */
async function measure(t: Target, a: Args, round: number, log: (m: string) => void): Promise<Metrics> {
  const c = new BenchClient(t.url, a.clients)
  try {
    // 1. sequential network creates (warm-up creates first, in the first round only, not counted:
    //    V8 optimises the request path over the first ~2000 requests — mean latency falls 0.9 →
    //    0.37 ms on SQLite, and stays at 0.6–0.7 ms with the optimising compiler off (--no-opt))
    if (round === 0) for (let i = 0; i < a.warmup; i++) await c.expect(201, 'POST', '/v2.0/networks', { network: { name: `warm-${i}` } })
    const netSamples: number[] = []
    const [netTotal] = await timed(async () => {
      for (let i = 0; i < a.networks; i++) {
        const [ms] = await timed(() => c.expect(201, 'POST', '/v2.0/networks', { network: { name: `seq-${round}-${i}` } }))
        netSamples.push(ms)
      }
    })
    const netCreate = { ...stats(netSamples), perSec: a.networks / (netTotal / 1000) }
    log(`network create: ${netCreate.perSec.toFixed(0)}/s p50 ${netCreate.p50.toFixed(2)} ms`)

    // 2. port creates from concurrent clients on one /16
    const net = await c.expect(201, 'POST', '/v2.0/networks', { network: { name: `bench-ports-${round}` } })
    const netId = net.body.network.id
    await c.expect(201, 'POST', '/v2.0/subnets', { subnet: { network_id: netId, ip_version: 4, cidr: `10.${round % 256}.0.0/16`, name: 'bench-16' } })
    const portSamples: number[] = []
    const portIds: string[] = []
    let portMs = 0
    const createPorts = async (upTo: number) => {
      let next = portIds.length
      const [ms] = await timed(() =>
        Promise.all(
          Array.from({ length: a.clients }, async () => {
            for (let i = next++; i < upTo; i = next++) {
              const [t, r] = await timed(() => c.expect(201, 'POST', '/v2.0/ports', { port: { network_id: netId, name: `p${i}`, device_id: `vm-${i}` } }))
              portSamples.push(t)
              portIds.push(r.body.port.id)
            }
          }),
        ),
      )
      portMs += ms
    }
    const list = `/v2.0/ports?network_id=${netId}`
    await createPorts(1000)
    const l1Full = await timeList(c, list, 20)
    const l1Ids = await timeList(c, `${list}&fields=id`, 20)
    if (l1Full.count !== 1000) throw new Error(`expected 1000 ports, listed ${l1Full.count}`)
    await createPorts(a.ports)
    const portCreate = { ...stats(portSamples), perSec: portSamples.length / (portMs / 1000) }
    log(`port create x${a.clients}: ${portCreate.perSec.toFixed(0)}/s p50 ${portCreate.p50.toFixed(2)} ms p99 ${portCreate.p99.toFixed(2)} ms`)
    const l5Full = await timeList(c, list, 10)
    const l5Ids = await timeList(c, `${list}&fields=id`, 10)
    log(`list 1000: ${l1Full.s.p50.toFixed(1)} ms (ids ${l1Ids.s.p50.toFixed(1)}); list ${l5Full.count}: ${l5Full.s.p50.toFixed(1)} ms (ids ${l5Ids.s.p50.toFixed(1)})`)

    // 3. sequential port shows of random ports
    const showSamples: number[] = []
    for (let i = 0; i < a.shows; i++) {
      const id = portIds[Math.floor(Math.random() * portIds.length)]!
      const [ms] = await timed(() => c.expect(200, 'GET', `/v2.0/ports/${id}`))
      showSamples.push(ms)
    }
    const show = stats(showSamples)
    log(`port show p50 ${show.p50.toFixed(2)} ms`)
    const mem = t.pid ? memMiB(t.pid) : undefined
    return {
      netCreate,
      portCreate,
      list1000: { full: l1Full.s, ids: l1Ids.s, bytes: l1Full.bytes },
      list5000: { full: l5Full.s, ids: l5Ids.s, bytes: l5Full.bytes, count: l5Full.count },
      show,
      rssMiB: mem?.rss,
      hwmMiB: mem?.hwm,
    }
  } finally {
    c.close()
  }
}

const f = (n: number | undefined, d = 1) => (n !== undefined && Number.isFinite(n) ? n.toFixed(d) : '–')
const ratio = (n: number) => (Number.isFinite(n) ? `${n >= 100 ? n.toFixed(0) : n.toFixed(1)}×` : '–')
const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((x, y) => x - y)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN
}

interface MetricDef {
  name: string
  get(m: Metrics): number | undefined
  /** Throughput: ours / theirs; times and memory: theirs / ours (higher is better either way). */
  higherIsBetter: boolean
  digits: number
  /** Neutron Zed's figure from earlier runs, used only when Neutron is not measured in this run. */
  ref?: number
}

/** The table's rows, declared once. */
function metricDefs(a: Args): MetricDef[] {
  const R = REFERENCE
  return [
    { name: 'network create, sequential (creates/s)', get: (m) => m.netCreate.perSec, higherIsBetter: true, digits: 0, ref: R.netCreatePerSec },
    { name: 'network create p50 (ms)', get: (m) => m.netCreate.p50, higherIsBetter: false, digits: 2, ref: R.netCreateP50 },
    { name: `port create, ${a.clients} clients, one /16 (ports/s)`, get: (m) => m.portCreate.perSec, higherIsBetter: true, digits: 0, ref: R.portCreatePerSec },
    { name: 'port create p50 (ms)', get: (m) => m.portCreate.p50, higherIsBetter: false, digits: 2, ref: R.portCreateP50 },
    { name: 'port create p99 (ms)', get: (m) => m.portCreate.p99, higherIsBetter: false, digits: 2, ref: R.portCreateP99 },
    { name: 'list 1000 ports, full (ms, p50)', get: (m) => m.list1000.full.p50, higherIsBetter: false, digits: 1, ref: R.list1000 },
    { name: 'list 1000 ports, fields=id (ms, p50)', get: (m) => m.list1000.ids.p50, higherIsBetter: false, digits: 1 },
    { name: `list ${a.ports} ports, full (ms, p50)`, get: (m) => m.list5000.full.p50, higherIsBetter: false, digits: 1, ref: a.ports === 5000 ? R.list5000 : undefined },
    { name: `list ${a.ports} ports, fields=id (ms, p50)`, get: (m) => m.list5000.ids.p50, higherIsBetter: false, digits: 1 },
    { name: 'port show p50 (ms)', get: (m) => m.show.p50, higherIsBetter: false, digits: 2, ref: R.showP50 },
    { name: 'server RSS after the round (MiB)', get: (m) => m.rssMiB, higherIsBetter: false, digits: 0, ref: R.rssMiB },
  ]
}

/** "median (min–max)" of the per-round ratios ours vs theirs, each round's pair measured back to back. */
function pairRatios(def: MetricDef, ours: Metrics[], theirs: Metrics[]): string {
  const rs: number[] = []
  for (let i = 0; i < Math.min(ours.length, theirs.length); i++) {
    const o = def.get(ours[i]!)
    const t = def.get(theirs[i]!)
    if (o === undefined || t === undefined) continue
    rs.push(def.higherIsBetter ? o / t : t / o)
  }
  if (!rs.length) return '–'
  if (rs.length === 1) return ratio(rs[0]!)
  return `${ratio(median(rs))} (${ratio(Math.min(...rs))}–${ratio(Math.max(...rs))})`
}

/**
 * With Neutron measured in this run (`neutron`), ratios are per interleaved pair of rounds;
 * without, against Neutron's earlier figures (REFERENCE), labelled as such.
 */
export function table(rs: TargetResult[], neutron: TargetResult | undefined, a: Args): string {
  const defs = metricDefs(a)
  const refHead = neutron ? `${neutron.label} (median of ${neutron.rounds.length})` : 'Neutron Zed (earlier runs, not this one)'
  const head = `| metric | ${refHead} | ${rs.map((r) => `${r.label} (median) | ratio`).join(' | ')} |`
  const sep = `|---|---:|${rs.map(() => '---:|---:').join('|')}|`
  const lines = [head, sep]
  for (const d of defs) {
    const refVal = neutron ? median(neutron.rounds.map((m) => d.get(m) ?? NaN)) : d.ref
    const cells = rs.map((r) => {
      const v = median(r.rounds.map((m) => d.get(m) ?? NaN))
      const rat = neutron ? pairRatios(d, r.rounds, neutron.rounds) : refVal === undefined ? '–' : ratio(d.higherIsBetter ? v / refVal : refVal / v)
      return `${f(v, d.digits)} | ${rat}`
    })
    lines.push(`| ${d.name} | ${f(refVal, d.digits)} | ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

/** The issue's targets, checked on the medians (against Neutron measured here, else its earlier figures). */
function targets(rs: TargetResult[], neutron: TargetResult | undefined, a: Args): string[] {
  const defs = metricDefs(a)
  const out: string[] = []
  const vs = (d: MetricDef, r: TargetResult) => {
    const v = median(r.rounds.map((m) => d.get(m) ?? NaN))
    const ref = neutron ? median(neutron.rounds.map((m) => d.get(m) ?? NaN)) : d.ref ?? NaN
    return d.higherIsBetter ? v / ref : ref / v
  }
  for (const r of rs) {
    const checks: Array<[string, number, number]> = [
      ['port create throughput', vs(defs[2]!, r), 100],
      ['list 1000', vs(defs[5]!, r), 50],
      ['port show', vs(defs[9]!, r), 50],
    ]
    for (const [what, got, want] of checks) out.push(`${r.label}: ${what} ${ratio(got)} (target ≥${want}×) ${got >= want ? 'met' : 'MISSED'}`)
    for (const [n, full, ids] of [
      ['1000', defs[5]!, defs[6]!],
      [String(a.ports), defs[7]!, defs[8]!],
    ] as const) {
      const fm = median(r.rounds.map((m) => full.get(m) ?? NaN))
      const im = median(r.rounds.map((m) => ids.get(m) ?? NaN))
      out.push(`${r.label}: list ${n} fields=id ${f(im)} ms vs full ${f(fm)} ms (target: never slower) ${im <= fm ? 'met' : 'MISSED'}`)
    }
  }
  return out
}

const START = '<!-- api-bench:start -->'
const END = '<!-- api-bench:end -->'

interface RunExtras {
  flush: FlushBound
  floor1000?: Stats
  floor5000?: Stats
  bytes1000?: number
  bytes5000?: number
}

function conditions(all: TargetResult[], x: RunExtras, a: Args): string {
  const lines = all.map((r) => `- **${r.label}**: ${r.durability}`)
  lines.push(
    `- Disk flush bound: 8 KiB write + fdatasync on the database's file system, p50 ${f(x.flush.flush.p50, 2)} ms, mean ${f(x.flush.flush.mean, 2)} ms → at most ${f(x.flush.commitsPerSec, 0)} sequential durable commits/s (bench/api/flush-bound.ts). Sequential network creates on PostgreSQL with stock durability commit once each and cannot beat it, on either server.`,
  )
  if (x.floor1000) lines.push(`- Transport floor (a static node:http server sending the same bytes to the same client): ${f(x.floor1000.p50)} ms for ${x.bytes1000} bytes, ${f(x.floor5000?.p50)} ms for ${x.bytes5000} bytes.`)
  if (a.fsyncOff) lines.push('- **PostgreSQL ran with fsync=off, synchronous_commit=off (--fsync-off): not a deployment setting, never the headline.**')
  return lines.join('\n')
}

function writeDoc(body: string, cmd: string): void {
  const file = join(REPO, 'docs', 'benchmarks.md')
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const section = `${START}
## Networking API (bench/api/run.ts): last run

Command:

\`\`\`
${cmd}
\`\`\`

Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length}× ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
node ${process.version}, load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}.

${body}
${END}`
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEach section is written by its benchmark; the command is given with the numbers.\n'
  const s = doc.indexOf(START)
  const e = doc.indexOf(END)
  if (s >= 0 && e > s) doc = doc.slice(0, s) + section + doc.slice(e + END.length)
  else doc = doc.trimEnd() + '\n\n' + section + '\n'
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, doc)
  process.stderr.write(`wrote ${file}\n`)
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2))
  if (a.engines.length && !existsSync(join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first')
  if (a.cpuProf) mkdirSync(a.cpuProf, { recursive: true })
  const flush = measureFlushBound(tmpdir())
  process.stderr.write(`flush bound: ${flush.commitsPerSec.toFixed(0)} durable commits/s (mean ${flush.flush.mean.toFixed(2)} ms)\n`)
  const targetsUp: Target[] = []
  const external = (label: string, durability: string, url: string): Target => ({ label, durability, url, stop: async () => {} })
  try {
    const neutronT = a.neutronUrl ? external('Neutron', `Neutron Zed at ${a.neutronUrl}, PostgreSQL ${a.neutronDurability}`, a.neutronUrl) : undefined
    if (neutronT) targetsUp.push(neutronT)
    for (const u of a.urls) targetsUp.push(external(u.label, u.durability, u.url))
    for (const e of a.engines) targetsUp.push(await startEngine(e, a))
    const results = new Map<Target, TargetResult>(targetsUp.map((t) => [t, { label: t.label, durability: t.durability, rounds: [] }]))
    // Interleaved: round r of every endpoint before round r + 1 of any, so a pair shares the machine's state.
    for (let r = 0; r < a.rounds; r++) {
      for (const t of targetsUp) {
        const log = (m: string) => process.stderr.write(`[${t.label} r${r + 1}] ${m}\n`)
        results.get(t)!.rounds.push(await measure(t, a, r, log))
      }
    }
    const neutron = neutronT ? results.get(neutronT) : undefined
    const ours = targetsUp.filter((t) => t !== neutronT).map((t) => results.get(t)!)
    const first = ours[0]?.rounds[0]
    const extras: RunExtras = { flush }
    if (first) {
      extras.floor1000 = await transportFloor(first.list1000.bytes, 20)
      extras.floor5000 = await transportFloor(first.list5000.bytes, 10)
      extras.bytes1000 = first.list1000.bytes
      extras.bytes5000 = first.list5000.bytes
    }
    const body = `${table(ours, neutron, a)}\n\nEach column's database and settings:\n\n${conditions([...(neutron ? [neutron] : []), ...ours], extras, a)}\n\nTargets:\n${targets(ours, neutron, a)
      .map((t) => `- ${t}`)
      .join('\n')}\n`
    process.stdout.write(`\n${body}`)
    const cmd = `npm run build && node --import tsx bench/api/run.ts ${process.argv.slice(2).join(' ')}`.trim()
    if (a.write && !a.cpuProf) writeDoc(body, cmd)
  } finally {
    for (const t of targetsUp) await t.stop()
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`)
  process.exitCode = 1
})
