/** The pipeline fake: lookup, goto, metadata, registers, resubmit, groups, learn, conjunction. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { act, deleteFlows, flowMod, groupMod, parseFlowMod, Port, ref } from '../../../src/openflow/index.js'
import { FakeOFTable } from '../../fakes/fake-of-table.js'

const MAC1 = '02:00:5e:00:53:01'
const MAC2 = '02:00:5e:00:53:02'

describe('FakeOFTable', () => {
  it('picks the highest-priority match and drops on a miss (OF1.3)', () => {
    const t = new FakeOFTable().apply([
      flowMod({ priority: 10, match: { in_port: 1 }, actions: [act.output(2)] }),
      flowMod({ priority: 20, match: { in_port: 1, eth_dst: MAC2 }, actions: [act.output(3)] }),
    ])
    assert.deepEqual(t.process({ in_port: 1, eth_dst: MAC2 }).outputs.map((o) => o.port), [3])
    assert.deepEqual(t.process({ in_port: 1, eth_dst: MAC1 }).outputs.map((o) => o.port), [2])
    assert.deepEqual(t.process({ in_port: 9 }).outputs, [])
    assert.deepEqual(t.process({ in_port: 9 }).trace, ['table=0 miss'])
  })

  it('matches masks and prefixes, and follows goto_table / write_metadata / action set', () => {
    const t = new FakeOFTable().apply([
      flowMod({ table: 0, priority: 5, match: { eth_type: 0x0800, ipv4_dst: '192.0.2.0/25' },
        instructions: [{ type: 'write_metadata', metadata: 0x7n, mask: 0xffn }, { type: 'write_actions', actions: [act.output(4)] }], goto: 1 }),
      flowMod({ table: 1, priority: 5, match: { metadata: { value: 0x7n, mask: 0xffn } }, actions: [act.setField('eth_src', MAC1)] }),
    ])
    const r = t.process({ in_port: 1, eth_type: 0x0800, ipv4_dst: '192.0.2.100' })
    assert.deepEqual(r.trace, ['table=0 priority=5', 'table=1 priority=5'])
    assert.equal(r.outputs.length, 1)
    assert.equal(r.outputs[0]!.port, 4)
    assert.equal(r.outputs[0]!.packet.eth_src, MAC1)
    assert.equal(t.process({ in_port: 1, eth_type: 0x0800, ipv4_dst: '192.0.2.200' }).outputs.length, 0)
  })

  it('refuses a goto backwards like the switch does', () => {
    assert.throws(() => new FakeOFTable().apply([flowMod({ table: 3, goto: 1, checkPrerequisites: false })]), /BAD_TABLE_ID/)
  })

  it('models registers, reg_load/move and resubmit (which may go back)', () => {
    const t = new FakeOFTable().apply([
      flowMod({ table: 0, match: { in_port: 1 }, actions: [act.regLoad('reg0', 0x5), act.regLoad('reg1', 0xab, 8, 8), act.resubmit(2)] }),
      flowMod({ table: 2, match: { reg0: 5, reg1: { value: 0xab00, mask: 0xff00 } },
        actions: [act.regMove(ref('reg1', 8, 8), ref('reg2', 0, 8)), act.resubmit(1, 7)] }),
      flowMod({ table: 1, match: { in_port: 7, reg2: 0xab }, actions: [act.output(Port.IN_PORT)] }),
    ])
    const r = t.process({ in_port: 1 })
    assert.deepEqual(r.outputs.map((o) => o.port), [7])
    assert.equal(r.outputs[0]!.packet.reg2, 0xab)
  })

  it('runs all / select / indirect / fast-failover groups', () => {
    const t = new FakeOFTable().apply([
      groupMod('add', 'all', 1, [{ actions: [act.output(1)] }, { actions: [act.setField('tunnel_id', 5n), act.output(2)] }]),
      groupMod('add', 'ff', 2, [{ watchPort: 3, actions: [act.output(3)] }, { watchPort: 4, actions: [act.output(4)] }]),
      groupMod('add', 'indirect', 3, [{ actions: [act.group(2)] }]),
      flowMod({ match: { in_port: 9 }, actions: [act.group(1)] }),
      flowMod({ match: { in_port: 8 }, actions: [act.group(3)] }),
    ])
    const all = t.process({ in_port: 9 }).outputs
    assert.deepEqual(all.map((o) => [o.port, o.packet.tunnel_id]), [[1, 0n], [2, 5n]])
    assert.deepEqual(t.process({ in_port: 8 }).outputs.map((o) => o.port), [3])
    t.downPorts.add(3)
    assert.deepEqual(t.process({ in_port: 8 }).outputs.map((o) => o.port), [4])
  })

  it('learns flows like the Neutron br-tun table 10 -> 20 pipeline', () => {
    const t = new FakeOFTable().apply([
      parseFlowMod('table=10,priority=1,actions=learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[]),output:1'),
      parseFlowMod('table=20,priority=0,actions=output:99'),
    ])
    t.process({ in_port: 5, eth_src: MAC1, vlan_vid: 0x1000 | 7, tunnel_id: 0x64n }, 10)
    const learned = t.flows(20).find((f) => f.priority === 1)!
    assert.ok(learned, t.dump().join('\n'))
    assert.deepEqual(learned.match, { vlan_vid: { value: 7, mask: 0xfff }, eth_dst: MAC1 })
    // a packet to the learned MAC on that VLAN goes back to the tunnel port it came from
    const r = t.process({ in_port: 1, eth_dst: MAC1, vlan_vid: 0x1000 | 7 }, 20)
    assert.deepEqual(r.outputs.map((o) => [o.port, o.packet.tunnel_id]), [[5, 0x64n]])
    assert.equal(t.isOutput({ in_port: 1, eth_dst: MAC2, vlan_vid: 0x1007 }, 99), false)
  })

  it('evaluates conjunctive matches', () => {
    const t = new FakeOFTable().apply([
      flowMod({ priority: 10, match: { eth_type: 0x0800, ipv4_src: '192.0.2.1' }, actions: [act.conjunction(7, 1, 2)] }),
      flowMod({ priority: 10, match: { eth_type: 0x0800, ipv4_src: '192.0.2.2' }, actions: [act.conjunction(7, 1, 2)] }),
      flowMod({ priority: 10, match: { eth_type: 0x0800, ip_proto: 6, tcp_dst: 22 }, actions: [act.conjunction(7, 2, 2)] }),
      flowMod({ priority: 10, match: { conj_id: 7, eth_type: 0x0800 }, actions: [act.output(2)] }),
      flowMod({ priority: 0, actions: [act.output(Port.CONTROLLER)] }),
    ])
    const pkt = { in_port: 1, eth_type: 0x0800, ip_proto: 6 }
    assert.ok(t.isOutput({ ...pkt, ipv4_src: '192.0.2.2', tcp_dst: 22 }, 2))
    assert.ok(t.isOutput({ ...pkt, ipv4_src: '192.0.2.3', tcp_dst: 22 }, Port.CONTROLLER))
    assert.ok(t.isOutput({ ...pkt, ipv4_src: '192.0.2.1', tcp_dst: 80 }, Port.CONTROLLER))
  })

  it('modifies and deletes like OpenFlow: strict, non-strict, cookie masks, out_port', () => {
    const t = new FakeOFTable().apply([
      flowMod({ table: 1, priority: 5, cookie: 0x101n, match: { in_port: 1 }, actions: [act.output(2)] }),
      flowMod({ table: 1, priority: 6, cookie: 0x102n, match: { in_port: 1, reg0: 1 }, actions: [act.output(3)] }),
      flowMod({ table: 2, priority: 6, cookie: 0x200n, match: { in_port: 1 }, actions: [act.output(3)] }),
    ])
    t.apply([flowMod({ command: 'modify', table: 1, match: { in_port: 1 }, actions: [act.output(9)] })])
    assert.equal(t.flows(1).filter((f) => JSON.stringify(f.instructions).includes('"port":9')).length, 2)
    t.apply([flowMod({ command: 'add', table: 1, priority: 5, match: { in_port: 1 }, actions: [act.output(4)] })])
    assert.equal(t.flows(1).length, 2, 'add with identical match+priority replaces')
    t.apply([deleteFlows({ cookie: 0x100n, cookieMask: 0xf00n })])
    // the replacement has cookie 0, so only the 0x102 flow goes
    assert.deepEqual(t.dump(), ['table=1, priority=5,in_port=1 actions=output:4', 'cookie=0x200, table=2, priority=6,in_port=1 actions=output:3'])
    t.apply([deleteFlows({ outPort: 4 })])
    assert.equal(t.flows().length, 1)
    t.apply([flowMod({ command: 'delete_strict', table: 2, priority: 6, match: { in_port: 1 } })])
    assert.equal(t.flows().length, 0)
  })

  it('applies push/pop vlan and set_field to the packet it outputs', () => {
    const t = new FakeOFTable().apply([
      flowMod({ match: { in_port: 1 }, actions: [act.pushVlan(), act.setField('vlan_vid', 0x1000 | 100), act.output(2), act.popVlan(), act.output(3)] }),
    ])
    const out = t.process({ in_port: 1 }).outputs
    assert.equal(out[0]!.packet.vlan_vid, 0x1064)
    assert.equal(out[1]!.packet.vlan_vid, 0)
  })
})
