/**
 * Desired-vs-installed diff against a real ovs-vswitchd (issue 13): flows using every field
 * and action the library supports (conntrack, learn, resubmit, note …) are installed, dumped
 * back with FLOW stats, and the diff of the same desired set against the dump is EMPTY — no
 * re-add of an identical flow, which would reset its counters. Changes then produce exactly
 * the minimal mods, and foreign flows (other cookies) are left alone.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  act, deleteFlows, diffFlows, flowKey, flowMod, type FlowMod, formatFlow, formatFlowMod, groupMod, parseFlowMod,
  type SwitchConnection, SwitchListener,
} from '../../../src/openflow/index.js'
import { needComponent } from '../../helpers/components.js'
import { OvsSwitch } from '../../helpers/ovs-switch.js'
import { FLOW_LINES } from './flow-lines.js'

const skip = needComponent('ovs-vswitchd', ['ovs-vswitchd', 'ovsdb-server', 'ovs-vsctl', 'ovs-ofctl'])

const OWNER = { cookie: 0xc0de_0000_0000_0000n, cookieMask: 0xffff_0000_0000_0000n }
const ours = (i: number): bigint => OWNER.cookie | BigInt(i)

/** Flows built with the API (ct, NAT, notes of every padding, learn, resubmit, masks in every style). */
function builtFlows(): FlowMod[] {
  return [
    flowMod({ table: 50, priority: 100, match: { eth_type: 0x0800, ct_state: { value: 0, mask: CT_TRK } },
      actions: [act.ct({ zone: { field: 'reg6', ofs: 0, nbits: 16 }, table: 51 })] }),
    flowMod({ table: 51, priority: 90, match: { eth_type: 0x0800, ct_state: { value: 0x21, mask: 0x31 }, reg6: 5 },
      actions: [act.ct({ commit: true, zone: 5, actions: [act.nat({ kind: 'src', ipMin: '203.0.113.1', ipMax: '203.0.113.1', protoMin: 1024, protoMax: 2048, random: true }),
        act.setField('ct_mark', 7), act.regLoad('ct_label', 1, 64, 1)] }), act.note('ab'), act.resubmit(52)] }),
    flowMod({ table: 51, priority: 80, match: { eth_type: 0x0800, ct_state: { value: 0x22, mask: 0x32 }, ct_mark: { value: 0, mask: 1 },
      ct_label: { value: 1n << 64n, mask: 1n << 64n }, ct_zone: 5 }, actions: [act.note('01020304050607'), act.output(1)] }),
    flowMod({ table: 51, priority: 70, match: { eth_type: 0x0800, ip_proto: 6, ct_state: 0x22, ct_nw_proto: 6, ct_tp_dst: 22,
      ct_nw_dst: '198.51.100.0/24', tcp_flags: { value: 0x002, mask: 0x012 }, ipv4_src: { value: '192.0.2.9', mask: '255.255.255.0' } },
    actions: [act.ctClear(), act.ct({ commit: true, force: true, alg: 21 })], goto: 52 }),
    flowMod({ table: 52, priority: 60, match: { eth_type: 0x86dd, ip_proto: 58, icmpv6_type: 135, nd_target: '2001:db8::1',
      nd_sll: 'fa:16:3e:00:00:01', ipv6_src: '2001:db8::/64', nw_ttl: 255, ip_frag: 0 }, actions: [act.output(2)] }),
    flowMod({ table: 52, priority: 50, match: { eth_type: 0x86dd, ip_proto: 58, icmpv6_type: 136, nd_tll: { value: 'fa:16:3e:00:00:00', mask: 'ff:ff:ff:00:00:00' } },
      actions: [act.ct({ commit: true, actions: [act.nat({ kind: 'dst', ipMin: '2001:db8::5', ipMax: '2001:db8::6', protoMin: 80 })] })] }),
    flowMod({ table: 52, priority: 40, match: { pkt_mark: { value: 3, mask: 3 }, eth_type: 0x0800, ip_frag: { value: 1, mask: 1 } },
      actions: [act.learn({ table: 60, priority: 5, idleTimeout: 30, specs: [
        { kind: 'match', dst: { field: 'eth_dst', ofs: 0, nbits: 48 }, src: { field: 'eth_src', ofs: 0, nbits: 48 } },
        { kind: 'output', src: { field: 'in_port16', ofs: 0, nbits: 16 } }] }), act.note('')] }),
    flowMod({ table: 52, priority: 30, match: { eth_type: 0x0806, arp_op: 1, arp_spa: '192.0.2.1', arp_sha: 'fa:16:3e:00:00:02' },
      idleTimeout: 0, actions: [act.output(3)] }),
  ].map((f, i) => flowMod({ ...f, cookie: ours(1000 + i) }))
}
const CT_TRK = 0x20

describe('desired-vs-installed flow diff on ovs-vswitchd', { skip }, () => {
  let ovs: OvsSwitch
  let ctl: SwitchListener
  let sw: SwitchConnection
  const dpid = 0x0000_5e00_0053_00d1n
  let desired: FlowMod[]

  before(async () => {
    ovs = OvsSwitch.start()
    ctl = new SwitchListener({ echoInterval: 2000 })
    const path = ovs.unixPath()
    await ctl.listen({ path })
    ovs.addBridge({ controller: `unix:${path}`, dpid })
    sw = await ctl.waitForSwitch(dpid, 20000)
    await sw.apply([deleteFlows(), groupMod('add', 'all', 1, [{ actions: [act.output(1)] }])])
    desired = [...FLOW_LINES.map((l, i) => flowMod({ ...parseFlowMod(l), cookie: ours(i) })), ...builtFlows()]
  })

  after(async () => {
    await ctl?.close()
    ovs?.stop()
  })

  it('install → dump → diff is empty for every field and action (ct, learn, resubmit, note …)', async () => {
    const first = diffFlows(desired, await sw.flowStats(), OWNER)
    assert.equal(first.add.length, desired.length)
    assert.equal(first.mods.length, desired.length)
    await sw.apply(first.mods)
    const installed = await sw.flowStats()
    assert.equal(installed.length, desired.length)
    const again = diffFlows(desired, installed, OWNER)
    assert.deepEqual(again.mods.map((m) => `${m.command} ${formatFlowMod(m)}`), [])
    assert.equal(again.unchanged, desired.length)
    // every installed flow has exactly one desired flow of the same key
    const keys = new Set(desired.map(flowKey))
    for (const f of installed) assert.ok(keys.has(flowKey(f)), `no desired flow for ${formatFlow(f)}`)
  })

  it('changed actions become MODIFY_STRICT (counters and duration kept), extras are deleted, foreign flows kept', async () => {
    const foreign = flowMod({ table: 70, priority: 9, cookie: 0xbeefn, match: { in_port: 5 }, actions: [act.output(6)] })
    const extra = flowMod({ table: 70, priority: 8, cookie: ours(9999), match: { in_port: 6 }, actions: [act.output(5)] })
    await sw.apply([foreign, extra])
    const before = await sw.flowStats({ table: 51 })
    const target = desired.find((d) => d.table === 51 && d.priority === 80)!
    const changed = desired.map((d) => (d === target ? flowMod({ ...d, instructions: [], actions: [act.note('ff'), act.output(2)] }) : d))
    const moved = flowMod({ ...desired.find((d) => d.table === 52 && d.priority === 30)!, idleTimeout: 500 })
    const next = changed.map((d) => (d.table === 52 && d.priority === 30 ? moved : d))
    const diff = diffFlows(next, await sw.flowStats(), OWNER)
    assert.deepEqual(diff.modify.map((m) => [m.command, m.table, m.priority]), [['modify_strict', 51, 80]])
    assert.deepEqual(diff.delete.map((m) => [m.command, m.table, m.priority]).sort(), [['delete_strict', 52, 30], ['delete_strict', 70, 8]])
    assert.deepEqual(diff.add.map((m) => [m.command, m.table, m.priority]), [['add', 52, 30]])
    assert.equal(diff.mods[0]!.command, 'delete_strict')
    await sw.apply(diff.mods)
    const after = await sw.flowStats()
    assert.deepEqual(diffFlows(next, after, OWNER).mods, [])
    // the foreign flow is untouched, the extra one gone
    assert.ok(after.some((f) => f.cookie === 0xbeefn && f.table === 70))
    assert.ok(!after.some((f) => f.table === 70 && f.priority === 8))
    // MODIFY_STRICT kept the entry (its duration kept running), the idle-timeout change replaced its flow
    const dur = (f: { durationSec: number; durationNsec: number }): number => f.durationSec * 1e9 + f.durationNsec
    const was = before.find((f) => f.priority === 80)!
    const now = after.find((f) => f.table === 51 && f.priority === 80)!
    assert.ok(dur(now) >= dur(was), `duration reset: ${dur(was)} -> ${dur(now)}`)
    assert.equal(now.cookie, target.cookie)
    assert.equal(after.find((f) => f.table === 52 && f.priority === 30)!.idleTimeout, 500)
    desired = next
  })

  it('a delete restricted to our cookie cannot remove a foreign flow that took the same key', async () => {
    // another controller re-adds one of "our" keys with its own cookie: no longer ours to delete
    const victim = desired.find((d) => d.table === 52 && d.priority === 60)!
    await sw.apply([flowMod({ ...victim, cookie: 0x5eedn })])
    const without = desired.filter((d) => d !== victim)
    const diff = diffFlows(without, await sw.flowStats(), OWNER)
    assert.deepEqual(diff.mods, [])
    // and even a delete we did emit is filtered by the switch on our cookie/mask
    const del = flowMod({ command: 'delete_strict', table: 52, priority: 60, match: victim.match, ...OWNER, checkPrerequisites: false })
    await sw.apply([del])
    assert.ok((await sw.flowStats({ table: 52 })).some((f) => f.priority === 60 && f.cookie === 0x5eedn))
  })

  it('rejects desired sets a switch cannot hold, by name', () => {
    const a = desired[0]!
    assert.throws(() => diffFlows([a, flowMod({ ...a, cookie: 1n })], [], OWNER), /same table, priority and match/)
    assert.throws(() => diffFlows([flowMod({ command: 'delete' })], [], OWNER), /must be ADD flow mods/)
  })
})
