/**
 * What a client costs: GETs of one prepared body (default 0.74 MB, the size of a 1000-port list)
 * from a trivial node:http server in its own process, received by node:http's client, by the
 * bench's raw client (bench/api/client.ts) and by Python's http.client (what the openstack CLI
 * sits on). The server is the same for all three, so the differences are the clients'.
 *
 *   node --import tsx bench/api/client-floor.ts [BYTES=737908] [ROUNDS=50]
 */
import { spawn, spawnSync } from 'node:child_process'
import { Agent, get } from 'node:http'
import { BenchClient, stats, timed, type Stats } from './client.js'

const bytes = Number(process.argv[2] ?? 737908)
const rounds = Number(process.argv[3] ?? 50)

const code = `const b = Buffer.alloc(${bytes}, 97); const s = require('node:http').createServer((q, r) => { r.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': b.length }); r.end(b) }); s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'))`
const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise<number>((res) => child.stdout!.once('data', (d) => res(Number(String(d).trim()))))

async function nodeHttp(): Promise<Stats> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const once = () =>
    new Promise<void>((res, rej) =>
      get({ host: '127.0.0.1', port, agent, path: '/' }, (r) => {
        const chunks: Buffer[] = []
        r.on('data', (c: Buffer) => chunks.push(c))
        r.on('end', () => (Buffer.concat(chunks).length === bytes ? res() : rej(new Error('short body'))))
      }).on('error', rej),
    )
  for (let i = 0; i < 5; i++) await once()
  const xs: number[] = []
  for (let i = 0; i < rounds; i++) xs.push((await timed(once))[0])
  agent.destroy()
  return stats(xs)
}

async function raw(): Promise<Stats> {
  const c = new BenchClient(`http://127.0.0.1:${port}`, 1)
  for (let i = 0; i < 5; i++) await c.expect(200, 'GET', '/', undefined, true)
  const xs: number[] = []
  for (let i = 0; i < rounds; i++) xs.push((await timed(() => c.expect(200, 'GET', '/', undefined, true)))[0])
  c.close()
  return stats(xs)
}

function python(): string {
  const py = `
import http.client, time
c = http.client.HTTPConnection('127.0.0.1', ${port})
xs = []
for i in range(${rounds + 5}):
    t = time.perf_counter(); c.request('GET', '/'); d = c.getresponse().read(); xs.append((time.perf_counter() - t) * 1000)
    assert len(d) == ${bytes}
xs = sorted(xs[5:]); print('%.2f' % xs[len(xs) // 2])
`
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : `failed: ${r.stderr.trim().split('\n').pop()}`
}

try {
  const a = await nodeHttp()
  const b = await raw()
  console.log(`${bytes} bytes, p50 of ${rounds} GETs after 5 warm-up GETs, one keep-alive connection:`)
  console.log(`  node:http client        ${a.p50.toFixed(2)} ms (p99 ${a.p99.toFixed(2)})`)
  console.log(`  bench raw client        ${b.p50.toFixed(2)} ms (p99 ${b.p99.toFixed(2)})`)
  console.log(`  python3 http.client     ${python()} ms`)
} finally {
  child.kill()
}
