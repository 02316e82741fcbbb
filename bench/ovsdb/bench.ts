/**
 * OVSDB library benchmark, side by side with ovs-vsctl and Python ovsdbapp on private
 * ovsdb-server instances (a fresh one per tool, scenario and repetition):
 *   (1)  N single-port add transactions (default 1,000), one after another
 *   (1b) the same N transactions issued without waiting for each other (ours only)
 *   (2)  one transaction adding M ports (default 10,000)
 *   (3)  time to build the replica of an M-port database (connect + get_schema + monitor of all
 *        tables and columns, as ovsdbapp's IDL does)
 *
 *   node --import tsx bench/ovsdb/bench.ts [--single 1000] [--ports 10000] [--repeat 3]
 *                                          [--vsctl-sample 100] [--skip-vsctl]
 *
 * Ours and ovsdbapp alternate within each repetition and the median is reported, because the
 * machine is shared. ovs-vsctl runs once; for (1) it runs `--vsctl-sample` commands (one process
 * each) and extrapolates to N.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { OvsdbClient } from '../../src/ovsdb/client.js'
import { silentLogger } from '../../src/ovsdb/logger.js'
import { Replica } from '../../src/ovsdb/replica.js'
import { VswitchApi, cmd } from '../../src/ovsdb/vswitch/vswitch-api.js'
import { OvsdbSandbox } from '../../test/helpers/ovs-sandbox.js'

const { values: args } = parseArgs({
  options: {
    single: { type: 'string', default: '1000' },
    ports: { type: 'string', default: '10000' },
    repeat: { type: 'string', default: '3' },
    'vsctl-sample': { type: 'string', default: '100' },
    'skip-vsctl': { type: 'boolean', default: false },
  },
})
const N = Number(args.single)
const M = Number(args.ports)
const R = Number(args.repeat)
const SAMPLE = Math.min(N, Number(args['vsctl-sample']))
const PY = fileURLToPath(new URL('./ovsdbapp_bench.py', import.meta.url))
const now = () => performance.now() / 1000
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const live = new Set<OvsdbSandbox>()
async function sandbox(withBridge = true): Promise<OvsdbSandbox> {
  const sb = await OvsdbSandbox.start()
  live.add(sb)
  if (withBridge) sb.vsctl('add-br', 'br0')
  return sb
}
async function done(sb: OvsdbSandbox): Promise<void> {
  live.delete(sb)
  await sb.stop()
}
function ovsdbapp(mode: string, sb: OvsdbSandbox, n?: number): number {
  const out = execFileSync('/usr/bin/python3', [PY, mode, sb.endpoint, ...(n !== undefined ? [String(n)] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 })
  return (JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number }).seconds
}
async function withApi<T>(sb: OvsdbSandbox, f: (api: VswitchApi, c: OvsdbClient) => Promise<T>): Promise<T> {
  const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
  try {
    return await f(await VswitchApi.create(c), c)
  } finally {
    c.close()
  }
}
function checkPorts(sb: OvsdbSandbox, n: number, who: string): void {
  const got = sb.vsctl('list-ports', 'br0').split('\n').filter(Boolean).length
  if (got !== n) throw new Error(`${who}: ${got} ports, expected ${n}`)
}

const scenarios = {
  async oursSingle(): Promise<number> {
    const sb = await sandbox()
    const t = await withApi(sb, async (api) => {
      const t0 = now()
      for (let i = 0; i < N; i++) await api.addPort('br0', `p${i}`)
      return now() - t0
    })
    checkPorts(sb, N, 'ours (1)')
    await done(sb)
    return t
  },
  async oursPipelined(): Promise<number> {
    const sb = await sandbox()
    const t = await withApi(sb, async (api) => {
      const t0 = now()
      await Promise.all(Array.from({ length: N }, (_, i) => api.addPort('br0', `p${i}`)))
      return now() - t0
    })
    checkPorts(sb, N, 'ours (1b)')
    await done(sb)
    return t
  },
  async pySingle(): Promise<number> {
    const sb = await sandbox()
    const t = ovsdbapp('single', sb, N)
    checkPorts(sb, N, 'ovsdbapp (1)')
    await done(sb)
    return t
  },
  /** (2) and (3) share the database built by (2). */
  async oursBatchAndReplica(): Promise<[number, number]> {
    const sb = await sandbox()
    const batch = await withApi(sb, async (api) => {
      const t0 = now()
      await api.run(...Array.from({ length: M }, (_, i) => cmd.addPort('br0', `p${i}`)))
      return now() - t0
    })
    checkPorts(sb, M, 'ours (2)')
    const t0 = now()
    const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
    const tables = Object.fromEntries(Object.keys((await c.getSchema('Open_vSwitch')).tables).map((t) => [t, true as const]))
    const r = await Replica.create(c, { db: 'Open_vSwitch', tables })
    const replica = now() - t0
    if (r.rows('Port').size !== M + 1) throw new Error(`ours (3): replica has ${r.rows('Port').size} ports`)
    c.close()
    await done(sb)
    return [batch, replica]
  },
  async pyBatchAndReplica(): Promise<[number, number]> {
    const sb = await sandbox()
    const batch = ovsdbapp('batch', sb, M)
    checkPorts(sb, M, 'ovsdbapp (2)')
    const replica = ovsdbapp('replica', sb)
    await done(sb)
    return [batch, replica]
  },
}

const t = { ours1: [] as number[], ours1b: [] as number[], py1: [] as number[], ours2: [] as number[], py2: [] as number[], ours3: [] as number[], py3: [] as number[] }
let vsctl1: number | undefined
let vsctl2: number | undefined
try {
  for (let rep = 0; rep < R; rep++) {
    t.ours1.push(await scenarios.oursSingle())
    t.py1.push(await scenarios.pySingle())
    t.ours1b.push(await scenarios.oursPipelined())
    const [o2, o3] = await scenarios.oursBatchAndReplica()
    const [p2, p3] = await scenarios.pyBatchAndReplica()
    t.ours2.push(o2), t.ours3.push(o3), t.py2.push(p2), t.py3.push(p3)
    console.error(`repetition ${rep + 1}/${R}: (1) ${t.ours1.at(-1)!.toFixed(3)}/${t.py1.at(-1)!.toFixed(3)} (1b) ${t.ours1b.at(-1)!.toFixed(3)} (2) ${o2.toFixed(3)}/${p2.toFixed(3)} (3) ${o3.toFixed(3)}/${p3.toFixed(3)}`)
  }
  if (!args['skip-vsctl']) {
    const s1 = await sandbox()
    const t0 = now()
    for (let i = 0; i < SAMPLE; i++) s1.vsctl('add-port', 'br0', `p${i}`)
    vsctl1 = ((now() - t0) * N) / SAMPLE
    await done(s1)
    const s2 = await sandbox()
    const argv: string[] = []
    for (let i = 0; i < M; i++) argv.push('--', 'add-port', 'br0', `p${i}`)
    const t1 = now()
    execFileSync('ovs-vsctl', [`--db=${s2.endpoint}`, '--no-wait', '--timeout=600', ...argv.slice(1)], { stdio: ['ignore', 'ignore', 'pipe'] })
    vsctl2 = now() - t1
    checkPorts(s2, M, 'ovs-vsctl (2)')
    await done(s2)
  }
} finally {
  for (const sb of live) await sb.stop()
}

const f = (s: number | undefined) => (s === undefined ? '-' : `${s.toFixed(3)} s`)
const rows: [string, number[], number[], number | undefined][] = [
  [`(1) ${N} add-port transactions, one after another`, t.ours1, t.py1, vsctl1],
  [`(1b) ${N} add-port transactions, pipelined (ovsdbapp: its sequential figure)`, t.ours1b, t.py1, undefined],
  [`(2) one transaction adding ${M} ports`, t.ours2, t.py2, vsctl2],
  [`(3) replica of a ${M}-port database`, t.ours3, t.py3, undefined],
]
console.log(`\nOVSDB benchmark: ${execFileSync('ovsdb-server', ['--version'], { encoding: 'utf8' }).split('\n')[0]}, node ${process.version}, median of ${R}\n`)
console.log('| scenario | neutrino ovsdb | ovsdbapp | ovs-vsctl | vs ovsdbapp | vs ovs-vsctl |')
console.log('|---|---|---|---|---|---|')
for (const [name, ours, py, vs] of rows) {
  const o = median(ours)
  const p = median(py)
  console.log(`| ${name} | ${f(o)} | ${f(p)} | ${f(vs)} | ${(p / o).toFixed(1)}× | ${vs ? `${(vs / o).toFixed(1)}×` : '-'} |`)
}
if (vsctl1 !== undefined) console.log(`\novs-vsctl (1): ${SAMPLE} commands sampled, ×${N / SAMPLE} (underestimates: each command gets slower as ports accumulate).`)
console.log(`raw seconds (ours / ovsdbapp): ${JSON.stringify(t)}`)
