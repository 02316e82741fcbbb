/**
 * Reconcile cost on a real switch: N security-group-style flows (conntrack state, zones, NAT,
 * ct_mark, notes, masked addresses) are installed, then "a restarted controller" dumps them with
 * FLOW stats and diffs its desired set against the dump. Reports dump time, diff time and the
 * number of flow mods the diff asks for (must be 0), and checks that nothing was touched
 * (aggregate counts and the first flow's duration keep going).
 *
 *   node --import tsx bench/openflow/reconcile-bench.ts [N=20000] [rounds=3]
 */
import { act, deleteFlows, diffFlows, flowMod, type FlowMod, SwitchListener } from '../../src/openflow/index.js'
import { OvsSwitch } from '../../test/helpers/ovs-switch.js'

const N = Number(process.argv[2] ?? 20000)
const ROUNDS = Number(process.argv[3] ?? 3)
const OWNER = { cookie: 0x5ec0_0000_0000_0000n, cookieMask: 0xffff_0000_0000_0000n }

function desired(n: number): FlowMod[] {
  const out: FlowMod[] = []
  for (let i = 0; i < n; i++) {
    const zone = 1 + (i >> 2) // one zone per simulated port: keys are unique
    const kind = i % 4
    const cookie = OWNER.cookie | BigInt(i)
    if (kind === 0) {
      out.push(flowMod({ table: 40, priority: 100, cookie, match: { eth_type: 0x0800, reg6: zone, ct_state: { value: 0, mask: 0x20 } },
        actions: [act.ct({ zone: { field: 'reg6', ofs: 0, nbits: 16 }, table: 41 })] }))
    } else if (kind === 1) {
      out.push(flowMod({ table: 41, priority: 70, cookie, match: { eth_type: 0x0800, ip_proto: 6, reg6: zone, ct_state: { value: 0x21, mask: 0x31 },
        ipv4_src: `198.51.100.${i & 255}/${24 + (i % 8)}`, tcp_dst: { value: (i % 64) << 10, mask: 0xfc00 } },
      actions: [act.ct({ commit: true, zone, actions: [act.setField('ct_mark', i & 0xff)] }), act.note('5365'), act.resubmit(42)] }))
    } else if (kind === 2) {
      out.push(flowMod({ table: 41, priority: 60, cookie, match: { eth_type: 0x0800, reg6: zone, ct_state: { value: 0x22, mask: 0x32 }, ct_mark: { value: i & 0xff, mask: 0xff } },
        actions: [act.output(1 + (i % 32))] }))
    } else {
      out.push(flowMod({ table: 42, priority: 50, cookie, match: { eth_type: 0x0800, ip_proto: 17, reg6: zone, ct_state: { value: 0x21, mask: 0x21 }, udp_dst: 53 + (i % 1000) },
        actions: [act.ct({ commit: true, zone, actions: [act.nat({ kind: 'dst', ipMin: `203.0.113.${i & 255}`, protoMin: 53 })] })] }))
    }
  }
  return out
}

async function main(): Promise<void> {
  const ovs = OvsSwitch.start()
  const ctl = new SwitchListener({ echoInterval: 0 })
  try {
    const path = ovs.unixPath()
    await ctl.listen({ path })
    ovs.addBridge({ controller: `unix:${path}` })
    const sw = await ctl.waitForSwitch(undefined, 20000)
    const want = desired(N)
    await sw.apply([deleteFlows()])
    const first = diffFlows(want, await sw.flowStats(), OWNER)
    let t = process.hrtime.bigint()
    await sw.apply(first.mods)
    const installS = Number(process.hrtime.bigint() - t) / 1e9
    console.log(`installed ${first.add.length} flows in ${installS.toFixed(2)} s`)
    const probe = { table: 40, cookie: OWNER.cookie, cookieMask: 0xffff_ffff_ffff_ffffn }
    const d0 = (await sw.flowStats(probe))[0]!
    for (let r = 0; r < ROUNDS; r++) {
      t = process.hrtime.bigint()
      const dump = await sw.flowStats()
      const dumpMs = Number(process.hrtime.bigint() - t) / 1e6
      t = process.hrtime.bigint()
      const diff = diffFlows(want, dump, OWNER)
      const diffMs = Number(process.hrtime.bigint() - t) / 1e6
      await sw.apply(diff.mods)
      console.log(`round ${r + 1}: dump ${dump.length} flows ${dumpMs.toFixed(0)} ms, diff ${diffMs.toFixed(0)} ms, ` +
        `flow mods ${diff.mods.length} (add ${diff.add.length}, modify ${diff.modify.length}, delete ${diff.delete.length}), unchanged ${diff.unchanged}`)
      if (diff.mods.length !== 0) throw new Error('reconcile of an in-sync switch sent flow mods')
    }
    const d1 = (await sw.flowStats(probe))[0]!
    const ns = (f: typeof d0): number => f.durationSec * 1e9 + f.durationNsec
    if (ns(d1) < ns(d0) || (await sw.aggregateStats()).flowCount !== N) throw new Error('a flow was replaced')
    console.log(JSON.stringify({ flows: N, rounds: ROUNDS, firstFlowDurationMs: [Math.round(ns(d0) / 1e6), Math.round(ns(d1) / 1e6)] }))
  } finally {
    await ctl.close()
    ovs.stop()
  }
}

await main()
