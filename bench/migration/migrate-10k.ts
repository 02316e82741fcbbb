/**
 * Migration time of the 10,000-port openvswitch database (test/fixtures/migration largeFixture:
 * 100 networks, 200 subnets, 10,000 ports with 20,000 addresses, 8,000 bindings, VLAN + GRE pools,
 * 10 routers with 90 interfaces, 2 security groups bound to half the ports, 40 agents)
 * per source engine, into a fresh target, and in place. Engines that are not installed are skipped.
 *   node --import tsx bench/migration/migrate-10k.ts [ports] [runs]
 */
import { randomUUID } from 'node:crypto'
import { largeFixture } from '../../test/fixtures/migration/fixtures.js'
import { loadFixture } from '../../test/fixtures/migration/load.js'
import { migrateToMl2 } from '../../src/migration/migrate.js'
import { planRowCount } from '../../src/migration/plan.js'
import { engineSkip, startEngine, type Engine, type EngineName } from '../../test/functional/migration/harness.js'

const ports = Number(process.argv[2] ?? 10_000)
const runs = Number(process.argv[3] ?? 3)
const f = largeFixture('openvswitch', ports)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const lines: string[] = ['| source | target | rows written | median s | best s | rows/s |', '|---|---|---:|---:|---:|---:|']
async function measure(label: string, target: string, run: () => Promise<{ rows: number; seconds: number }>) {
  const times: number[] = []
  let rows = 0
  for (let i = 0; i < runs; i++) {
    const r = await run()
    rows = r.rows
    times.push(r.seconds)
  }
  const m = median(times)
  lines.push(`| ${label} | ${target} | ${rows} | ${m.toFixed(2)} | ${Math.min(...times).toFixed(2)} | ${Math.round(rows / m)} |`)
  process.stderr.write(`${label} → ${target}: ${times.map((t) => t.toFixed(2)).join(' ')} s\n`)
}

const engines: Engine[] = []
try {
  const sqlite = await startEngine('sqlite')
  engines.push(sqlite)
  for (const name of ['sqlite', 'postgres', 'mariadb'] as EngineName[]) {
    const skip = (() => {
      try {
        return engineSkip(name)
      } catch (e) {
        return (e as Error).message
      }
    })()
    if (skip) {
      process.stderr.write(`skipping ${name}: ${skip}\n`)
      continue
    }
    const eng = name === 'sqlite' ? sqlite : await startEngine(name)
    if (eng !== sqlite) engines.push(eng)
    const target = name === 'postgres' ? eng : sqlite
    await measure(name, name === 'postgres' ? 'postgres' : 'sqlite', async () => {
      const src = await eng.newDb('bsrc')
      await loadFixture(src, f)
      const tgt = await target.newDb('btgt')
      const r = await migrateToMl2({ plugin: 'openvswitch', source: src, target: tgt, tunnelType: 'gre', newId: randomUUID })
      return { rows: planRowCount(r.plan), seconds: r.seconds }
    })
    if (name !== 'mariadb') {
      await measure(name, 'in place', async () => {
        const src = await eng.newDb('binplace')
        await loadFixture(src, f)
        const r = await migrateToMl2({ plugin: 'openvswitch', source: src, tunnelType: 'gre' })
        return { rows: planRowCount(r.plan), seconds: r.seconds }
      })
    }
  }
} finally {
  for (const e of engines.reverse()) await e.stop()
}
console.log(`migrate-to-ml2, openvswitch, ${ports} ports, ${runs} runs each (node ${process.version})\n`)
console.log(lines.join('\n'))
