/**
 * The pipeline fake against the real thing: the same flows go into FakeOFTable and into
 * ovs-vswitchd, and for each packet the output ports the fake predicts must equal the ones
 * `ovs-appctl ofproto/trace` reports (in order).
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { act, flowMod, formatFlowMod, formatMatch, groupMod, type Match, type OFMessage, Port, ref } from '../../../src/openflow/index.js'
import { FakeOFTable, type PacketFields } from '../../fakes/fake-of-table.js'
import { needComponent } from '../../helpers/components.js'
import { OvsSwitch } from '../../helpers/ovs-switch.js'

const skip = needComponent('ovs-vswitchd', ['ovs-vswitchd', 'ovsdb-server', 'ovs-vsctl', 'ovs-ofctl', 'ovs-appctl'])

const M1 = '02:00:5e:00:53:01'
const M2 = '02:00:5e:00:53:02'

/** A small Neutron-like pipeline touching every modelled feature except learn / select / ff. */
const PIPELINE: OFMessage[] = [
  groupMod('add', 'all', 1, [{ actions: [act.output(2)] }, { actions: [act.setField('reg3', 9), act.output(3)] }]),
  groupMod('add', 'indirect', 2, [{ actions: [act.output(4)] }]),
  // table 0: classify by port, tag with metadata / registers
  flowMod({ table: 0, priority: 100, match: { in_port: 1 }, actions: [act.regLoad('reg0', 1)],
    instructions: [{ type: 'write_metadata', metadata: 0x10n, mask: 0xf0n }], goto: 10 }),
  flowMod({ table: 0, priority: 100, match: { in_port: 2 }, actions: [act.regLoad('reg0', 2), act.resubmit(20)], goto: 10 }),
  flowMod({ table: 0, priority: 0, actions: [] }),
  // table 10: L2/L3 decisions
  flowMod({ table: 10, priority: 200, match: { eth_type: 0x0800, ip_proto: 6, tcp_dst: 22, metadata: { value: 0x10n, mask: 0xf0n } },
    actions: [act.output(4)] }),
  flowMod({ table: 10, priority: 150, match: { eth_dst: M2 }, actions: [act.group(2)] }),
  flowMod({ table: 10, priority: 100, match: { eth_dst: { value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' } }, actions: [act.group(1)] }),
  flowMod({ table: 10, priority: 90, match: { eth_type: 0x0800, ipv4_dst: '192.0.2.0/25' }, actions: [act.resubmit(30, 3)] }),
  flowMod({ table: 10, priority: 80, match: { reg0: 2 }, actions: [act.output(Port.IN_PORT)] }),
  flowMod({ table: 10, priority: 0, actions: [act.output(5)] }),
  // table 20: reached by resubmit only
  flowMod({ table: 20, priority: 10, match: { eth_src: M1 }, actions: [act.output(3)] }),
  // table 30: in_port rewritten by resubmit, conjunction on two dimensions
  flowMod({ table: 30, priority: 50, match: { in_port: 3, eth_type: 0x0800, ipv4_src: '198.51.100.1' }, actions: [act.conjunction(5, 1, 2)] }),
  flowMod({ table: 30, priority: 50, match: { in_port: 3, eth_type: 0x0800, ip_proto: 17, udp_dst: 53 }, actions: [act.conjunction(5, 2, 2)] }),
  flowMod({ table: 30, priority: 50, match: { conj_id: 5, eth_type: 0x0800 }, actions: [act.regMove(ref('reg0'), ref('reg1')), act.output(6)] }),
  flowMod({ table: 30, priority: 1, actions: [act.output(7)] }),
]

const PACKETS: PacketFields[] = [
  { in_port: 1, eth_src: M1, eth_dst: M2, eth_type: 0x0800, ipv4_src: '198.51.100.1', ipv4_dst: '192.0.2.5', ip_proto: 6, tcp_dst: 22 },
  { in_port: 1, eth_src: M1, eth_dst: M2, eth_type: 0x0800, ipv4_src: '198.51.100.1', ipv4_dst: '192.0.2.5', ip_proto: 6, tcp_dst: 80 },
  { in_port: 1, eth_src: M1, eth_dst: 'ff:ff:ff:ff:ff:ff', eth_type: 0x0806 },
  { in_port: 1, eth_src: M1, eth_dst: '02:00:5e:00:53:09', eth_type: 0x0800, ipv4_src: '198.51.100.1', ipv4_dst: '192.0.2.6', ip_proto: 17, udp_dst: 53 },
  { in_port: 1, eth_src: M1, eth_dst: '02:00:5e:00:53:09', eth_type: 0x0800, ipv4_src: '198.51.100.2', ipv4_dst: '192.0.2.6', ip_proto: 17, udp_dst: 53 },
  { in_port: 1, eth_src: M1, eth_dst: '02:00:5e:00:53:09', eth_type: 0x0800, ipv4_src: '198.51.100.1', ipv4_dst: '192.0.2.200', ip_proto: 17, udp_dst: 53 },
  { in_port: 2, eth_src: M1, eth_dst: '02:00:5e:00:53:09', eth_type: 0x0806 },
  { in_port: 2, eth_src: M2, eth_dst: '02:00:5e:00:53:09', eth_type: 0x0806 },
  { in_port: 9, eth_src: M1, eth_dst: M2 },
]

describe('FakeOFTable agrees with ovs-vswitchd (ofproto/trace)', { skip }, () => {
  let ovs: OvsSwitch
  let br: string
  const fake = new FakeOFTable()

  before(() => {
    ovs = OvsSwitch.start()
    br = ovs.addBridge({ dpid: 0x42n })
    for (let i = 1; i <= 9; i++) {
      ovs.vsctl('add-port', br, `${br}p${i}`, '--', 'set', 'interface', `${br}p${i}`, 'type=internal', `ofport_request=${i}`)
    }
    fake.apply(PIPELINE)
  })

  after(() => ovs?.stop())

  it('installs the pipeline on the switch', () => {
    // through ovs-ofctl, from our own flow text: exercises formatFlowMod as add-flows input too
    const groups = PIPELINE.filter((m) => m.type === 'group_mod')
    for (const g of groups) {
      if (g.type !== 'group_mod') continue
      const buckets = g.buckets.map((b) => `bucket=${b.actions.map((a) => (a.type === 'output' ? `output:${a.port}` : 'set_field:9->reg3')).join(',')}`)
      ovs.ofctl('add-group', br, `group_id=${g.groupId},type=${g.groupType},${buckets.join(',')}`)
    }
    const text = PIPELINE.flatMap((m) => (m.type === 'flow_mod' ? [formatFlowMod(m)] : [])).join('\n')
    execFileSync('ovs-ofctl', ['-O', 'OpenFlow13', 'add-flows', br, '-'], { env: ovs.env, input: text })
    assert.equal(ovs.dumpFlows(br).length, PIPELINE.filter((m) => m.type === 'flow_mod').length)
  })

  /** Flow text for ofproto/trace; its exact-flow parser wants udp_dst rather than tp_dst for UDP. */
  const flowText = (p: PacketFields): string => {
    const t = formatMatch(p as Match)
    return p.ip_proto === 17 ? t.replace(/tp_(src|dst)/g, 'udp_$1') : t
  }

  for (const [i, pkt] of PACKETS.entries()) {
    it(`packet ${i}: same output ports (${formatMatch(pkt as Match)})`, () => {
      let trace: string
      try {
        trace = execFileSync('ovs-appctl', ['-t', `${ovs.dir}/ovs-vswitchd.ctl`, 'ofproto/trace', br, flowText(pkt)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      } catch (e) {
        throw new Error(`ofproto/trace failed: ${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`)
      }
      const ovsPorts = [...trace.matchAll(/^\s+output:(\d+)$|^\s+(IN_PORT)$/gm)].map((m) => (m[2] ? pkt.in_port : Number(m[1])))
      const fakePorts = fake.process(pkt).outputs.map((o) => o.port)
      assert.deepEqual(fakePorts, ovsPorts, trace)
    })
  }
})
