/**
 * Flow programming against a real ovs-vswitchd (netdev bridge, secure fail mode, OpenFlow13):
 * every kind of flow and group the library encodes is installed, then read back both with our
 * flow-stats decoder and with `ovs-ofctl dump-flows`; switch errors surface on the request that
 * caused them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  act, BarrierError, deleteFlows, flowMod, formatFlow, groupMod, SwitchListener, OpenFlowError, parseFlow,
  parseFlowMod, Port, PrerequisiteError, type SwitchConnection,
} from '../../../src/openflow/index.js'
import { needComponent } from '../../helpers/components.js'
import { OvsSwitch } from '../../helpers/ovs-switch.js'
import { FLOW_LINES } from './flow-lines.js'

const skip = needComponent('ovs-vswitchd', ['ovs-vswitchd', 'ovsdb-server', 'ovs-vsctl', 'ovs-ofctl'])

describe('OpenFlow flow programming on ovs-vswitchd', { skip }, () => {
  let ovs: OvsSwitch
  let ctl: SwitchListener
  let sw: SwitchConnection
  let br: string
  const dpid = 0x0000_5e00_0053_0001n

  before(async () => {
    ovs = OvsSwitch.start()
    ctl = new SwitchListener({ echoInterval: 2000 })
    const path = ovs.unixPath()
    await ctl.listen({ path })
    br = ovs.addBridge({ controller: `unix:${path}`, dpid })
    sw = await ctl.waitForSwitch(dpid, 20000)
  })

  after(async () => {
    await ctl?.close()
    ovs?.stop()
  })

  it('completes the handshake: dpid, features, ports, desc', async () => {
    assert.equal(sw.datapathId, dpid)
    assert.equal(sw.state, 'ready')
    assert.ok(sw.features!.nTables >= 200)
    assert.equal(sw.ports.get(Port.LOCAL)?.name, br)
    const desc = await sw.desc()
    assert.equal(desc.hwDesc, 'Open vSwitch')
    assert.ok((await sw.echo()) >= 0)
  })

  it('installs groups of every type and reads them back', async () => {
    await sw.apply([
      groupMod('add', 'all', 1, [{ actions: [act.output(1)] }, { actions: [act.output(2)] }]),
      groupMod('add', 'select', 2, [{ weight: 10, actions: [act.output(1)] }, { weight: 20, actions: [act.output(2)] }]),
      groupMod('add', 'ff', 3, [{ watchPort: 1, actions: [act.output(1)] }, { watchPort: 2, actions: [act.output(2)] }]),
      groupMod('add', 'indirect', 4, [{ actions: [act.setField('reg1', 5), act.output(1)] }]),
    ])
    const groups = (await sw.groupDesc()).sort((a, b) => a.groupId - b.groupId)
    assert.deepEqual(groups.map((g) => [g.groupId, g.groupType, g.buckets.length]), [[1, 'all', 2], [2, 'select', 2], [3, 'ff', 2], [4, 'indirect', 1]])
    assert.equal(groups[1]!.buckets[1]!.weight, 20)
    assert.equal(groups[2]!.buckets[0]!.watchPort, 1)
    const dump = ovs.ofctl('dump-groups', br)
    assert.match(dump, /group_id=2,type=select,bucket=bucket_id:\d+,weight:10,actions=output:1|group_id=2,type=select,bucket=weight:10,actions=output:1/)
    // a modify replaces the buckets
    await sw.apply([groupMod('modify', 'all', 1, [{ actions: [act.output(3)] }])])
    assert.deepEqual((await sw.groupDesc()).find((g) => g.groupId === 1)!.buckets[0]!.actions, [{ type: 'output', port: 3 }])
  })

  it('installs every kind of flow; flow-stats and ovs-ofctl dump-flows agree with what was sent', async () => {
    const sent = FLOW_LINES.map((l) => parseFlowMod(l))
    await sw.apply([deleteFlows(), ...sent])
    const ours = (await sw.flowStats()).map(formatFlow).sort()
    const theirs = ovs.dumpFlows(br).sort()
    assert.deepEqual(ours, theirs)
    // each sent flow is reported back unchanged (modulo OVS's own normalisations, see below)
    for (const fm of sent) assert.ok(theirs.includes(formatFlow(fm)), `missing ${formatFlow(fm)}\n${theirs.join('\n')}`)
    // parsing ovs-ofctl's text gives back the values we sent
    for (const line of theirs) {
      const p = parseFlow(line)
      const orig = sent.find((s) => formatFlow(s) === line)!
      assert.deepEqual(p.match, orig.match)
      assert.deepEqual(p.instructions, orig.instructions)
    }
  })

  it('builds flows with the API: cookies, timeouts, flags, masks, NXM regs, IPv6, write/clear actions', async () => {
    const flows = [
      flowMod({ table: 20, priority: 300, cookie: 0xabcn, idleTimeout: 600, hardTimeout: 900, flags: 1,
        match: { in_port: 1, eth_type: 0x0800, ip_proto: 17, ipv4_dst: '203.0.113.0/25', udp_dst: 4789 },
        actions: [act.regLoad('reg5', 0x12, 8, 8), act.setField('tunnel_id', 0x1388n), act.output(2)] }),
      flowMod({ table: 20, priority: 200, match: { eth_type: 0x86dd, ipv6_src: '2001:db8:1::/48', reg5: { value: 0x1200, mask: 0xff00 } },
        instructions: [{ type: 'write_metadata', metadata: 0x10n, mask: 0xf0n }, { type: 'write_actions', actions: [act.output(3)] }], goto: 21 }),
      flowMod({ table: 21, priority: 10, match: { metadata: { value: 0x10n, mask: 0xf0n }, vlan_vid: { value: 0x1000, mask: 0x1000 } },
        instructions: [{ type: 'clear_actions' }], actions: [act.popVlan(), act.resubmit(22)] }),
      flowMod({ table: 22, priority: 10, match: { eth_dst: { value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' } },
        actions: [act.regMove({ field: 'eth_src', ofs: 0, nbits: 48 }, { field: 'eth_dst', ofs: 0, nbits: 48 }), act.controller()] }),
    ]
    await sw.apply(flows)
    const dump = ovs.dumpFlows(br, 'table=20').concat(ovs.dumpFlows(br, 'table=21'), ovs.dumpFlows(br, 'table=22'))
    for (const f of flows) assert.ok(dump.includes(formatFlow(f)), `${formatFlow(f)} not in\n${dump.join('\n')}`)
    const stats = await sw.flowStats({ table: 20, cookie: 0xabcn, cookieMask: 0xfffn })
    assert.equal(stats.length, 1)
    assert.equal(stats[0]!.idleTimeout, 600)
    assert.equal(stats[0]!.flags, 1)
    assert.deepEqual(stats[0]!.match, flows[0]!.match)
  })

  it('modifies and deletes by strict match, cookie/mask and out_port', async () => {
    await sw.apply([
      flowMod({ table: 30, priority: 5, cookie: 0x100n, match: { in_port: 1 }, actions: [act.output(2)] }),
      flowMod({ table: 30, priority: 6, cookie: 0x101n, match: { in_port: 2 }, actions: [act.output(1)] }),
      flowMod({ table: 30, priority: 7, cookie: 0x200n, match: { in_port: 3 }, actions: [act.output(4)] }),
    ])
    await sw.apply([flowMod({ command: 'modify_strict', table: 30, priority: 5, match: { in_port: 1 }, actions: [act.output(9)] })])
    assert.deepEqual(ovs.dumpFlows(br, 'table=30,in_port=1'), ['cookie=0x100, table=30, priority=5,in_port=1 actions=output:9'])
    // non-strict modify by cookie mask touches both 0x10x flows
    await sw.apply([flowMod({ command: 'modify', table: 30, cookie: 0x100n, cookieMask: 0xf00n, actions: [act.output(8)] })])
    assert.equal((await sw.flowStats({ table: 30 })).filter((f) => JSON.stringify(f.instructions).includes('"port":8')).length, 2)
    await sw.apply([deleteFlows({ table: 30, outPort: 4 })])
    assert.equal((await sw.aggregateStats({ table: 30 })).flowCount, 2)
    await sw.apply([deleteFlows({ cookie: 0x100n, cookieMask: 0xfffn })])
    assert.equal((await sw.aggregateStats({ table: 30 })).flowCount, 1)
    await sw.apply([flowMod({ command: 'delete_strict', table: 30, priority: 6, match: { in_port: 2 } })])
    assert.equal((await sw.aggregateStats({ table: 30 })).flowCount, 0)
  })

  it('reassembles multi-part flow-stats replies', async () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      flowMod({ table: 40, priority: 10, match: { eth_type: 0x0800, ipv4_src: `198.51.100.${i % 256}`, ip_proto: 6, tcp_dst: 1000 + i }, actions: [act.output(1)] }))
    await sw.apply(many)
    const stats = await sw.flowStats({ table: 40 })
    assert.equal(stats.length, 3000)
    assert.equal((await sw.aggregateStats({ table: 40 })).flowCount, 3000)
    await sw.apply([deleteFlows({ table: 40 })])
  })

  it('refuses a match without prerequisites, or a backward goto, before sending it', () => {
    assert.throws(() => flowMod({ match: { tcp_dst: 80 } }), PrerequisiteError)
    assert.throws(() => flowMod({ match: { eth_type: 0x0800, tcp_dst: 80 } }), /ip_proto=6/)
    assert.throws(() => flowMod({ match: { ipv4_src: '192.0.2.1' } }), /eth_type=0x0800/)
    assert.throws(() => flowMod({ table: 5, goto: 5 }), /later table/)
  })

  it("surfaces the switch's errors on the request that caused them (by xid)", async () => {
    const good1 = flowMod({ table: 50, priority: 1, actions: [act.output(1)] })
    const badPrereq = flowMod({ table: 50, priority: 2, match: { tcp_dst: 80 }, actions: [act.output(1)], checkPrerequisites: false })
    const good2 = flowMod({ table: 50, priority: 3, actions: [act.output(1)] })
    const backwards = flowMod({ table: 51, priority: 1, goto: 50, checkPrerequisites: false })
    const xids = await sw.sendAll([good1, badPrereq, good2, backwards])
    const err = await sw.barrier().then(() => undefined, (e: unknown) => e)
    assert.ok(err instanceof BarrierError, String(err))
    assert.equal(err.errors.length, 2)
    const [e1, e2] = err.errors
    assert.equal(e1!.xid, xids[1])
    assert.equal(e1!.request, badPrereq)
    assert.equal(`${e1!.typeName}/${e1!.codeName}`, 'BAD_MATCH/BAD_PREREQ')
    assert.equal(e2!.xid, xids[3])
    assert.equal(e2!.request, backwards)
    assert.equal(e2!.typeName, 'BAD_INSTRUCTION')
    assert.match(err.message, /FLOW_MOD \(xid \d+\) failed: BAD_MATCH\/BAD_PREREQ/)
    // the good ones went in, and the next barrier is clean
    assert.equal((await sw.aggregateStats({ table: 50 })).flowCount, 2)
    await sw.barrier()
    // a group referencing a missing group id fails on its own request too
    const e3 = await sw.apply([groupMod('delete', 'all', 1), flowMod({ table: 52, actions: [act.group(77)] })]).catch((e: unknown) => e)
    assert.ok(e3 instanceof BarrierError)
    assert.ok(e3.errors[0] instanceof OpenFlowError)
    assert.equal(e3.errors[0].request?.type, 'flow_mod')
  })

  it('reads port stats and port descriptions', async () => {
    const stats = await sw.portStats()
    assert.ok(stats.some((p) => p.portNo === Port.LOCAL))
    const desc = await sw.portDesc()
    assert.ok(desc.some((p) => p.name === br))
    assert.ok((await sw.tableStats()).length >= 200)
  })
})
