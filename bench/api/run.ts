/**
 * Networking API benchmark against the real server process (built dist/, `node bin/neutrino.js
 * server`), on SQLite and/or a private PostgreSQL, compared with real Neutron (Zed, one API
 * worker, PostgreSQL) measured on this machine class.
 *
 *   npm run build && node --import tsx bench/api/run.ts [--engine sqlite|postgres|both]
 *       [--networks N=2000] [--warmup N=2000] [--ports N=5000] [--clients N=4] [--shows N=1000]
 *       [--cpu-prof DIR] [--no-write]
 *
 * Steps per engine: sequential network creates; one network with a /16 subnet and port creates
 * from `--clients` concurrent keep-alive clients, pausing at 1000 ports to time the 1000-port
 * list; the 5000-port list (full and `fields=id`); sequential port shows; the server's resident
 * set (VmRSS, and VmHWM the peak) from /proc. Results go to stdout and to docs/benchmarks.md
 * (between the api-bench markers) unless --no-write.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPostgres, type PgServer } from '../../test/helpers/postgres.js'
import { startServerProcess, type ServerProcess } from '../../test/helpers/server-process.js'
import { BenchClient, stats, timed, type Stats } from './client.js'
import { BENCH_INI } from './bench-ini.js'

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
  networks: number
  /** Untimed network creates first: V8 needs about 2000 requests to optimise the request path. */
  warmup: number
  ports: number
  clients: number
  shows: number
  cpuProf?: string
  write: boolean
}

function parseArgs(argv: string[]): Args {
  const a: Args = { engines: ['sqlite', 'postgres'], networks: 2000, warmup: 2000, ports: 5000, clients: 4, shows: 1000, write: true }
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!
    const v = () => {
      const x = argv[++i]
      if (x === undefined) throw new Error(`${k} needs a value`)
      return x
    }
    if (k === '--engine') {
      const e = v()
      if (e === 'both') a.engines = ['sqlite', 'postgres']
      else if (e === 'sqlite' || e === 'postgres') a.engines = [e]
      else throw new Error(`--engine sqlite|postgres|both, not ${e}`)
    } else if (k === '--networks') a.networks = Number(v())
    else if (k === '--warmup') a.warmup = Number(v())
    else if (k === '--ports') a.ports = Number(v())
    else if (k === '--clients') a.clients = Number(v())
    else if (k === '--shows') a.shows = Number(v())
    else if (k === '--cpu-prof') a.cpuProf = resolve(v())
    else if (k === '--no-write') a.write = false
    else throw new Error(`unknown argument ${k}`)
  }
  if (a.ports < 1000) throw new Error('--ports must be at least 1000 (the 1000-port list)')
  return a
}

export interface EngineResult {
  engine: string
  /** The same number of bytes from a trivial node:http server in its own process: the transport floor. */
  floor1000?: Stats
  floor5000?: Stats
  netCreate: Stats & { perSec: number }
  portCreate: Stats & { perSec: number; retries?: number }
  list1000: { full: Stats; ids: Stats; bytes: number }
  list5000: { full: Stats; ids: Stats; bytes: number; count: number }
  show: Stats
  rssMiB: number
  hwmMiB: number
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

async function benchEngine(engine: 'sqlite' | 'postgres', a: Args): Promise<EngineResult> {
  let pg: PgServer | undefined
  let srv: ServerProcess | undefined
  const log = (m: string) => process.stderr.write(`[${engine}] ${m}\n`)
  try {
    if (engine === 'postgres') pg = startPostgres()
    const nodeArgs = a.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${a.cpuProf}`, `--cpu-prof-name=server-${engine}.cpuprofile`] : []
    srv = await startServerProcess({ rawIni: BENCH_INI, dbUrl: pg?.url, nodeArgs })
    log(`server pid ${srv.pid} on ${srv.url}`)
    const c = new BenchClient(srv.url, a.clients)

    // 1. sequential network creates (warm-up creates first, not counted: V8 optimises the request
    //    path over the first ~2000 requests — mean latency falls 0.9 → 0.37 ms on SQLite, and
    //    stays at 0.6–0.7 ms with the optimising compiler off (--no-opt); a server runs for days)
    for (let i = 0; i < a.warmup; i++) await c.expect(201, 'POST', '/v2.0/networks', { network: { name: `warm-${i}` } })
    const netSamples: number[] = []
    const [netTotal] = await timed(async () => {
      for (let i = 0; i < a.networks; i++) {
        const [ms] = await timed(() => c.expect(201, 'POST', '/v2.0/networks', { network: { name: `seq-${i}` } }))
        netSamples.push(ms)
      }
    })
    const netCreate = { ...stats(netSamples), perSec: a.networks / (netTotal / 1000) }
    log(`network create: ${netCreate.perSec.toFixed(0)}/s p50 ${netCreate.p50.toFixed(2)} ms`)

    // 2. port creates from concurrent clients on one /16
    const net = await c.expect(201, 'POST', '/v2.0/networks', { network: { name: 'bench-ports' } })
    const netId = net.body.network.id
    await c.expect(201, 'POST', '/v2.0/subnets', { subnet: { network_id: netId, ip_version: 4, cidr: '10.0.0.0/16', name: 'bench-16' } })
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
    await createPorts(1000)
    const l1Full = await timeList(c, '/v2.0/ports', 20)
    const l1Ids = await timeList(c, '/v2.0/ports?fields=id', 20)
    if (l1Full.count !== 1000) throw new Error(`expected 1000 ports, listed ${l1Full.count}`)
    await createPorts(a.ports)
    const portCreate = { ...stats(portSamples), perSec: portSamples.length / (portMs / 1000) }
    log(`port create x${a.clients}: ${portCreate.perSec.toFixed(0)}/s p50 ${portCreate.p50.toFixed(2)} ms p99 ${portCreate.p99.toFixed(2)} ms`)
    const l5Full = await timeList(c, '/v2.0/ports', 10)
    const l5Ids = await timeList(c, '/v2.0/ports?fields=id', 10)
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

    const mem = memMiB(srv.pid)
    c.close()
    const floor1000 = await transportFloor(l1Full.bytes, 20)
    const floor5000 = await transportFloor(l5Full.bytes, 10)
    log(`transport floor: ${floor1000.p50.toFixed(1)} ms for ${l1Full.bytes} bytes, ${floor5000.p50.toFixed(1)} ms for ${l5Full.bytes} bytes`)
    return {
      engine,
      floor1000,
      floor5000,
      netCreate,
      portCreate,
      list1000: { full: l1Full.s, ids: l1Ids.s, bytes: l1Full.bytes },
      list5000: { full: l5Full.s, ids: l5Ids.s, bytes: l5Full.bytes, count: l5Full.count },
      show,
      rssMiB: mem.rss,
      hwmMiB: mem.hwm,
    }
  } finally {
    await srv?.stop()
    pg?.stop()
  }
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–')
const ratio = (n: number) => `${n >= 100 ? n.toFixed(0) : n.toFixed(1)}×`

export function table(rs: EngineResult[]): string {
  const R = REFERENCE
  const head = `| metric | Neutron Zed (PG) | ${rs.map((r) => `${r.engine} | ratio`).join(' | ')} |`
  const sep = `|---|---:|${rs.map(() => '---:|---:').join('|')}|`
  type Row = [string, string, (r: EngineResult) => [string, string]]
  const rows: Row[] = [
    ['network create, sequential (creates/s)', `${R.netCreatePerSec}`, (r) => [f(r.netCreate.perSec, 0), ratio(r.netCreate.perSec / R.netCreatePerSec)]],
    ['network create p50 / p99 (ms)', `${R.netCreateP50} / –`, (r) => [`${f(r.netCreate.p50, 2)} / ${f(r.netCreate.p99, 2)}`, ratio(R.netCreateP50 / r.netCreate.p50)]],
    ['port create, 4 clients, one /16 (ports/s)', `${R.portCreatePerSec}`, (r) => [f(r.portCreate.perSec, 0), ratio(r.portCreate.perSec / R.portCreatePerSec)]],
    ['port create p50 (ms)', `${R.portCreateP50}`, (r) => [f(r.portCreate.p50, 2), ratio(R.portCreateP50 / r.portCreate.p50)]],
    ['port create p99 (ms)', `${R.portCreateP99}`, (r) => [f(r.portCreate.p99, 2), ratio(R.portCreateP99 / r.portCreate.p99)]],
    ['list 1000 ports, full (ms, p50)', `${R.list1000}`, (r) => [f(r.list1000.full.p50), ratio(R.list1000 / r.list1000.full.p50)]],
    ['— the same bytes from a static server (ms, p50)', '–', (r) => [f(r.floor1000?.p50 ?? NaN), '']],
    ['list 1000 ports, fields=id (ms, p50)', '–', (r) => [f(r.list1000.ids.p50), ratio(R.list1000 / r.list1000.ids.p50)]],
    ['list 5000 ports, full (ms, p50)', `${R.list5000}`, (r) => [f(r.list5000.full.p50), ratio(R.list5000 / r.list5000.full.p50)]],
    ['— the same bytes from a static server (ms, p50)', '–', (r) => [f(r.floor5000?.p50 ?? NaN), '']],
    ['list 5000 ports, fields=id (ms, p50)', '–', (r) => [f(r.list5000.ids.p50), ratio(R.list5000 / r.list5000.ids.p50)]],
    ['port show p50 (ms)', `${R.showP50}`, (r) => [f(r.show.p50, 2), ratio(R.showP50 / r.show.p50)]],
    ['server RSS after the run / peak (MiB)', `~${R.rssMiB}`, (r) => [`${f(r.rssMiB, 0)} / ${f(r.hwmMiB, 0)}`, ratio(R.rssMiB / r.rssMiB)]],
  ]
  const lines = [head, sep]
  for (const [name, ref, get] of rows) lines.push(`| ${name} | ${ref} | ${rs.map((r) => get(r).join(' | ')).join(' | ')} |`)
  return lines.join('\n')
}

function targets(rs: EngineResult[]): string[] {
  const R = REFERENCE
  const out: string[] = []
  for (const r of rs) {
    const checks: Array<[string, number, number]> = [
      ['network create throughput', r.netCreate.perSec / R.netCreatePerSec, 100],
      ['port create throughput', r.portCreate.perSec / R.portCreatePerSec, 100],
      ['list 1000', R.list1000 / r.list1000.full.p50, 50],
      ['list 5000', R.list5000 / r.list5000.full.p50, 50],
    ]
    for (const [what, got, want] of checks) out.push(`${r.engine}: ${what} ${ratio(got)} (target ≥${want}×) ${got >= want ? 'met' : 'MISSED'}`)
  }
  return out
}

const START = '<!-- api-bench:start -->'
const END = '<!-- api-bench:end -->'

function writeDoc(rs: EngineResult[], a: Args, cmd: string): void {
  const file = join(REPO, 'docs', 'benchmarks.md')
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const section = `${START}
## Networking API (bench/api/run.ts)

Command:

\`\`\`
${cmd}
\`\`\`

Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length}× ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
node ${process.version}, load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} (the machine is shared:
other test runs add noise, mostly to p99). The server is a separate process (\`node bin/neutrino.js server\`, built dist/,
one API worker, no mechanism drivers, quotas off, INFO logging); clients are raw keep-alive HTTP/1.1
sockets (bench/api/client.ts says why not node:http's client). PostgreSQL is a private server on a unix socket started by the bench
(test/helpers/postgres.ts: fsync=off, synchronous_commit=off); SQLite is a WAL file in a temp dir.
${a.networks} sequential network creates (after ${a.warmup} warm-up creates); ${a.ports} port creates from ${a.clients}
concurrent clients on one /16, pausing at 1000 ports for the 1000-port lists; lists are the p50 of
20 (1000) / 10 (5000) sequential GETs after 5 warm-up GETs of the same list, timed to the last byte (the client's JSON.parse excluded); the rows
"the same bytes from a static server" time a trivial node:http process sending a prepared buffer of
the full list's size to the same client — the transport floor under any list of that size here;
${a.shows} sequential shows of random ports. Ratios: ours vs
Neutron for throughput, Neutron / ours for times and memory (higher is better).

${table(rs)}

Targets (≥100× throughput, ≥50× faster lists):
${targets(rs).map((t) => `- ${t}`).join('\n')}
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
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first')
  if (a.cpuProf) mkdirSync(a.cpuProf, { recursive: true })
  const results: EngineResult[] = []
  for (const e of a.engines) results.push(await benchEngine(e, a))
  const cmd = `npm run build && node --import tsx bench/api/run.ts ${process.argv.slice(2).join(' ')}`.trim()
  process.stdout.write(`\n${table(results)}\n\n${targets(results).join('\n')}\n`)
  if (a.write && !a.cpuProf) writeDoc(results, a, cmd)
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`)
  process.exitCode = 1
})
