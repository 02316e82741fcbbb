/**
 * FakeOFTable's connection tracker: a stateful "security group" pipeline written in ovs-ofctl
 * syntax lets new SSH in from port 1, lets replies back, and drops what was not allowed.
 */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { parseFlowMod } from '../../../src/openflow/index.js'
import { FakeOFTable } from '../../../src/openflow/testing/fake-of-table.js'

const LINES = [
  'table=0,priority=100,ip,ct_state=-trk actions=ct(zone=5,table=1)',
  'table=0,priority=90,arp actions=ct(zone=5,table=1)',
  'table=0,priority=0 actions=drop',
  // new connections: SSH and ping from port 1 only, committed with a mark
  'table=1,priority=50,ct_state=+new-est+trk,ct_zone=5,tcp,in_port=1,tp_dst=22 actions=ct(commit,zone=5,exec(set_field:0x7->ct_mark)),output:2',
  'table=1,priority=50,ct_state=+new-est+trk,ct_zone=5,icmp,in_port=1,icmp_type=8 actions=ct(commit,zone=5),output:2',
  // established traffic of committed connections, both directions
  'table=1,priority=40,ct_state=-new+est+trk,ct_zone=5,in_port=1 actions=output:2',
  'table=1,priority=40,ct_state=-new+est+trk,ct_zone=5,in_port=2 actions=output:1',
  'table=1,priority=30,ct_state=+inv+trk actions=CONTROLLER:65535',
  'table=1,priority=0 actions=drop',
]
const pipeline = (zone = 5): ReturnType<typeof parseFlowMod>[] => LINES.map((l) => parseFlowMod(l.replace(/zone=5/g, `zone=${zone}`)))

const A = '192.0.2.10', B = '192.0.2.20'
const tcp = (inPort: number, src: string, dst: string, sport: number, dport: number): Record<string, string | number> =>
  ({ in_port: inPort, eth_type: 0x0800, ip_proto: 6, ipv4_src: src, ipv4_dst: dst, tcp_src: sport, tcp_dst: dport })

describe('FakeOFTable conntrack', () => {
  let t: FakeOFTable
  beforeEach(() => {
    t = new FakeOFTable().apply(pipeline())
  })

  it('allows a new SSH connection out, its replies back, and nothing unsolicited', () => {
    // reply before the connection exists: new in the reply direction, dropped
    assert.deepEqual(t.process(tcp(2, B, A, 22, 40000)).outputs, [])
    const first = t.process(tcp(1, A, B, 40000, 22))
    assert.deepEqual(first.outputs.map((o) => o.port), [2])
    assert.equal(first.outputs[0]!.packet.ct_state, 0x21) // +new+trk
    assert.equal(t.conntrack.connections.size, 1)
    const reply = t.process(tcp(2, B, A, 22, 40000))
    assert.deepEqual(reply.outputs.map((o) => o.port), [1])
    assert.equal(reply.outputs[0]!.packet.ct_state, 0x2a) // +est+rpl+trk
    assert.equal(reply.outputs[0]!.packet.ct_mark, 7)
    assert.equal(t.process(tcp(1, A, B, 40000, 22)).outputs[0]!.packet.ct_state, 0x22) // +est+trk
    // other ports and the other direction stay closed
    assert.deepEqual(t.process(tcp(1, A, B, 40000, 80)).outputs, [])
    assert.deepEqual(t.process(tcp(2, B, A, 40001, 22)).outputs, [])
  })

  it('tracks ICMP echo: the reply of a committed request is established', () => {
    const ping = { in_port: 1, eth_type: 0x0800, ip_proto: 1, ipv4_src: A, ipv4_dst: B, icmpv4_type: 8, icmpv4_code: 0 }
    const pong = { in_port: 2, eth_type: 0x0800, ip_proto: 1, ipv4_src: B, ipv4_dst: A, icmpv4_type: 0, icmpv4_code: 0 }
    assert.deepEqual(t.process(pong).outputs, [])
    assert.deepEqual(t.process(ping).outputs.map((o) => o.port), [2])
    assert.deepEqual(t.process(pong).outputs.map((o) => o.port), [1])
  })

  it('zones separate connections; non-IP is +inv; clear() and ct_clear forget state', () => {
    t.process(tcp(1, A, B, 40000, 22))
    // the same pipeline in zone 6 on the same tracker: the zone-5 connection is not found
    const other = new FakeOFTable().apply(pipeline(6))
    for (const [k, c] of t.conntrack.connections) other.conntrack.connections.set(k, c)
    assert.deepEqual(other.process(tcp(2, B, A, 22, 40000)).outputs, [])
    assert.deepEqual(t.process(tcp(2, B, A, 22, 40000)).outputs.map((o) => o.port), [1])
    const arp = t.process({ in_port: 1, eth_type: 0x0806, arp_op: 1 })
    assert.deepEqual(arp.outputs.map((o) => [o.port, o.packet.ct_state]), [[0xfffffffd, 0x30]])
    t.conntrack.clear()
    assert.deepEqual(t.process(tcp(2, B, A, 22, 40000)).outputs, [])
    const cleared = new FakeOFTable().apply([parseFlowMod('table=0,priority=1 actions=ct_clear,output:3')])
    const out = cleared.process({ in_port: 1, ct_state: 0x22, ct_mark: 5, eth_type: 0x0800 }).outputs[0]!.packet
    assert.deepEqual([out.ct_state, out.ct_mark], [0, 0])
  })
})
