/**
 * OVSDB library benchmark, side by side with ovs-vsctl and Python ovsdbapp on private
 * ovsdb-server instances (a fresh one per tool and scenario):
 *   (1) N single-port add transactions (default 1,000), sequential, one transaction each
 *   (2) one transaction adding M ports (default 10,000)
 *   (3) time to build the replica of an M-port database (connect + get_schema + monitor)
 *
 *   node --import tsx bench/ovsdb/bench.ts [--single 1000] [--ports 10000] [--vsctl-sample 100] [--skip-vsctl]
 *
 * ovs-vsctl for (1) runs `--vsctl-sample` commands (one process each) and extrapolates to N.
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
    'vsctl-sample': { type: 'string', default: '100' },
    'skip-vsctl': { type: 'boolean', default: false },
  },
})
const N = Number(args.single)
const M = Number(args.ports)
const SAMPLE = Math.min(N, Number(args['vsctl-sample']))
const PY = fileURLToPath(new URL('./ovsdbapp_bench.py', import.meta.url))
const now = () => performance.now() / 1000

async function sandbox(withBridge = true): Promise<OvsdbSandbox> {
  const sb = await OvsdbSandbox.start()
  if (withBridge) sb.vsctl('add-br', 'br0')
  return sb
}
function ovsdbapp(mode: string, sb: OvsdbSandbox, n?: number): number {
  const out = execFileSync('/usr/bin/python3', [PY, mode, sb.endpoint, ...(n !== undefined ? [String(n)] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 })
  return (JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number }).seconds
}
async function withClient<T>(sb: OvsdbSandbox, f: (c: OvsdbClient) => Promise<T>): Promise<T> {
  const c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger })
  try {
    return await f(c)
  } finally {
    c.close()
  }
}
function countPorts(sb: OvsdbSandbox): number {
  return sb.vsctl('list-ports', 'br0').split('\n').filter(Boolean).length
}

interface Row {
  scenario: string
  ours: number
  ovsdbapp: number
  vsctl?: number
  note?: string
}
const results: Row[] = []
const sandboxes: OvsdbSandbox[] = []
async function fresh(withBridge = true): Promise<OvsdbSandbox> {
  const sb = await sandbox(withBridge)
  sandboxes.push(sb)
  return sb
}

try {
  // (1) N single-port transactions.
  {
    const sb = await fresh()
    const ours = await withClient(sb, async (c) => {
      const api = await VswitchApi.create(c)
      const t0 = now()
      for (let i = 0; i < N; i++) await api.addPort('br0', `p${i}`)
      return now() - t0
    })
    if (countPorts(sb) !== N) throw new Error('ours: wrong port count')
    const py = ovsdbapp('single', await fresh(), N)
    let vsctl: number | undefined
    if (!args['skip-vsctl']) {
      const sv = await fresh()
      const t0 = now()
      for (let i = 0; i < SAMPLE; i++) sv.vsctl('add-port', 'br0', `p${i}`)
      vsctl = ((now() - t0) * N) / SAMPLE
    }
    results.push({ scenario: `(1) ${N} add-port transactions, one after another`, ours, ovsdbapp: py, ...(vsctl !== undefined ? { vsctl, note: `ovs-vsctl (1): ${SAMPLE} commands sampled, ×${N / SAMPLE} (underestimates: each command gets slower as ports accumulate)` } : {}) })
    // (1b) the same N separate transactions, issued without waiting for each other (a controller
    // reacting to many port events). Still one transaction per port; ovsdbapp's connection
    // thread commits one at a time, so its figure is the sequential one.
    const sp = await fresh()
    const piped = await withClient(sp, async (c) => {
      const api = await VswitchApi.create(c)
      const t0 = now()
      await Promise.all(Array.from({ length: N }, (_, i) => api.addPort('br0', `p${i}`)))
      return now() - t0
    })
    if (countPorts(sp) !== N) throw new Error('ours (pipelined): wrong port count')
    results.push({ scenario: `(1b) ${N} add-port transactions, pipelined (ovsdbapp: sequential)`, ours: piped, ovsdbapp: py })
  }
  // (2) one transaction adding M ports.
  let big: OvsdbSandbox
  {
    big = await fresh()
    const ours = await withClient(big, async (c) => {
      const api = await VswitchApi.create(c)
      const t0 = now()
      await api.run(...Array.from({ length: M }, (_, i) => cmd.addPort('br0', `p${i}`)))
      return now() - t0
    })
    if (countPorts(big) !== M) throw new Error('ours: wrong port count')
    const py = ovsdbapp('batch', await fresh(), M)
    let vsctl: number | undefined
    if (!args['skip-vsctl']) {
      const sv = await fresh()
      const argv: string[] = []
      for (let i = 0; i < M; i++) argv.push('--', 'add-port', 'br0', `p${i}`)
      const t0 = now()
      execFileSync('ovs-vsctl', [`--db=${sv.endpoint}`, '--no-wait', '--timeout=600', ...argv.slice(1)], { stdio: ['ignore', 'ignore', 'pipe'] })
      vsctl = now() - t0
    }
    results.push({ scenario: `(2) one transaction adding ${M} ports`, ours, ovsdbapp: py, ...(vsctl !== undefined ? { vsctl } : {}) })
  }
  // (3) build the replica of the M-port database (all tables and columns, as ovsdbapp's IDL does).
  {
    const t0 = now()
    const ours = await withClient(big, async (c) => {
      const r = await Replica.create(c, { db: 'Open_vSwitch', tables: Object.fromEntries(Object.keys((await c.getSchema('Open_vSwitch')).tables).map((t) => [t, true])) })
      const secs = now() - t0
      if (r.rows('Port').size !== M + 1) throw new Error(`replica has ${r.rows('Port').size} ports`)
      return secs
    })
    const py = ovsdbapp('replica', big)
    results.push({ scenario: `(3) replica of a ${M}-port database`, ours, ovsdbapp: py })
  }
} finally {
  for (const sb of sandboxes) await sb.stop()
}

const f = (s: number | undefined) => (s === undefined ? '-' : `${s.toFixed(3)} s`)
console.log(`\nOVSDB benchmark — ovsdb-server ${execFileSync('ovsdb-server', ['--version'], { encoding: 'utf8' }).split('\n')[0]}, node ${process.version}\n`)
console.log('| scenario | neutrino ovsdb | ovsdbapp | ovs-vsctl | vs ovsdbapp | vs ovs-vsctl |')
console.log('|---|---|---|---|---|---|')
for (const r of results) {
  console.log(`| ${r.scenario} | ${f(r.ours)} | ${f(r.ovsdbapp)} | ${f(r.vsctl)} | ${(r.ovsdbapp / r.ours).toFixed(1)}× | ${r.vsctl ? `${(r.vsctl / r.ours).toFixed(1)}×` : '-'} |`)
}
for (const r of results) if (r.note) console.log(`\n${r.note}`)
