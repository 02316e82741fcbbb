/**
 * Encode + send N flow mods to one switch with a barrier at the end, against
 * `ovs-ofctl add-flows` of the same flows from a file, on the same netdev bridge, in one run.
 *
 *   node --import tsx bench/openflow/flow-mod-bench.ts [N=100000] [rounds=2] [pipeline|simple]
 *
 * "pipeline" flows load a register and output; "simple" flows only output.
 *
 * Both sides talk to the same ovs-vswitchd over a unix socket (ovs-ofctl: the bridge's .mgmt
 * socket; ours: the controller socket), the table is emptied before each run, and each run is
 * confirmed by a barrier (ours) / ovs-ofctl's own final barrier, then counted with aggregate stats.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { act, deleteFlows, flowMod, formatFlowMod, SwitchListener } from '../../src/openflow/index.js'
import type { FlowMod } from '../../src/openflow/index.js'
import { OvsSwitch } from '../../test/helpers/ovs-switch.js'

const N = Number(process.argv[2] ?? 100000)
const ROUNDS = Number(process.argv[3] ?? 2)
const SHAPE = process.argv[4] ?? 'pipeline'

function flows(n: number): FlowMod[] {
  const out: FlowMod[] = []
  for (let i = 0; i < n; i++) {
    out.push(flowMod({
      table: 0,
      priority: 100,
      cookie: 0x1234n,
      match: { eth_type: 0x0800, ip_proto: 6, ipv4_dst: `203.0.113.${i & 255}`, tcp_dst: 1 + (i >> 8) },
      actions: SHAPE === 'simple' ? [act.output(1)] : [act.regLoad('reg0', i & 0xffff), act.output(1)],
    }))
  }
  return out
}

async function main(): Promise<void> {
  const ovs = OvsSwitch.start()
  const ctl = new SwitchListener({ echoInterval: 0 })
  try {
    const path = ovs.unixPath()
    await ctl.listen({ path })
    const br = ovs.addBridge({ controller: `unix:${path}` })
    const sw = await ctl.waitForSwitch(undefined, 20000)
    const file = join(ovs.dir, 'flows.txt')
    const t0 = process.hrtime.bigint()
    const fms = flows(N)
    const buildMs = Number(process.hrtime.bigint() - t0) / 1e6
    writeFileSync(file, fms.map(formatFlowMod).join('\n') + '\n')
    const count = async (): Promise<number> => (await sw.aggregateStats()).flowCount
    const clear = async (): Promise<void> => {
      await sw.apply([deleteFlows()])
      if ((await count()) !== 0) throw new Error('table not empty')
    }
    const results: { ours: number[]; ofctl: number[] } = { ours: [], ofctl: [] }
    for (let r = 0; r < ROUNDS; r++) {
      await clear()
      let t = process.hrtime.bigint()
      execFileSync('ovs-ofctl', ['-O', 'OpenFlow13', 'add-flows', br, file], { env: ovs.env, stdio: 'inherit' })
      const ofctlS = Number(process.hrtime.bigint() - t) / 1e9
      if ((await count()) !== N) throw new Error(`ovs-ofctl installed ${await count()} flows`)
      await clear()
      t = process.hrtime.bigint()
      // Encoding is part of the measured time: the values are built above, encoded here.
      await sw.sendAll(fms)
      await sw.barrier()
      const oursS = Number(process.hrtime.bigint() - t) / 1e9
      if ((await count()) !== N) throw new Error(`we installed ${await count()} flows`)
      results.ofctl.push(ofctlS)
      results.ours.push(oursS)
      console.log(`round ${r + 1}: ovs-ofctl add-flows ${ofctlS.toFixed(2)} s (${Math.round(N / ofctlS)} flows/s), ` +
        `neutrino sendAll+barrier ${oursS.toFixed(2)} s (${Math.round(N / oursS)} flows/s), ratio ${(ofctlS / oursS).toFixed(2)}x`)
    }
    const best = (a: number[]): number => Math.min(...a)
    const ratios = results.ours.map((o, i) => results.ofctl[i]! / o).sort((a, b) => a - b)
    console.log(JSON.stringify({
      flows: N,
      shape: SHAPE,
      buildMs: Math.round(buildMs),
      ofctlBestS: +best(results.ofctl).toFixed(3),
      oursBestS: +best(results.ours).toFixed(3),
      ofctlFlowsPerS: Math.round(N / best(results.ofctl)),
      oursFlowsPerS: Math.round(N / best(results.ours)),
      ratioOfBest: +(best(results.ofctl) / best(results.ours)).toFixed(2),
      ratioMedian: +ratios[Math.floor(ratios.length / 2)]!.toFixed(2),
    }))
  } finally {
    await ctl.close()
    ovs.stop()
  }
}

await main()
