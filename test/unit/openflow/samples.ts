/** Sample values of every OpenFlow message type (shared by the codec and fuzz tests). */
import { act, flowMod, groupMod, packetOut, ref } from '../../../src/openflow/flow-mod.js'
import type { OFMessage, PortInfo } from '../../../src/openflow/messages.js'

const port: PortInfo = {
  portNo: 7, hwAddr: '02:00:5e:00:53:07', name: 'tap7', config: 1, state: 4, curr: 0x2820, advertised: 0,
  supported: 0, peer: 0, currSpeed: 10000000, maxSpeed: 0,
}

export const fullFlow = flowMod({
  command: 'add', table: 3, priority: 1234, cookie: 0x0102030405060708n, cookieMask: 0n, idleTimeout: 10, hardTimeout: 20,
  flags: 1 | 4,
  match: {
    in_port: 5, metadata: { value: 0x10n, mask: 0xf0n }, eth_src: '02:00:00:00:00:01',
    eth_dst: { value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' }, eth_type: 0x0800, vlan_vid: 0x1005, vlan_pcp: 3,
    ip_dscp: 10, ip_ecn: 1, ip_proto: 6, ipv4_src: '192.0.2.0/24', ipv4_dst: '198.51.100.9', tcp_src: { value: 0x100, mask: 0xff00 },
    tcp_dst: 443, tunnel_id: 0x1388n, tun_ipv4_src: '203.0.113.1', tun_ipv4_dst: '203.0.113.0/28', reg0: 5,
    reg15: { value: 1, mask: 3 }, conj_id: 9,
  },
  instructions: [
    { type: 'meter', meterId: 3 },
    { type: 'clear_actions' },
    { type: 'write_actions', actions: [act.group(4), act.setQueue(2)] },
    { type: 'write_metadata', metadata: 0x5n, mask: 0xffn },
  ],
  actions: [
    act.output(1), act.controller(128), act.output(0xfffffffa), act.pushVlan(), act.setField('vlan_vid', 0x1064), act.popVlan(),
    act.decTtl(), act.setField('ipv4_src', '192.0.2.77'), act.setField('eth_dst', '02:00:00:00:00:02'), act.setField('tunnel_id', 7n),
    act.regLoad('reg1', 0xab, 8, 8), act.regMove(ref('eth_src'), ref('eth_dst')), act.regMove(ref('reg0', 0, 16), ref('in_port16')),
    act.resubmit(7), act.resubmit(undefined, 3), act.resubmit(9, 2), { type: 'resubmit' }, act.conjunction(9, 2, 3), act.note('0102030405060708090a0b0c0d0e'),
    { type: 'output_reg', src: ref('reg3', 0, 16), maxLen: 0xffff },
    act.learn({ table: 20, hardTimeout: 300, priority: 1, cookie: 0x9n, flags: 2, finIdleTimeout: 1, finHardTimeout: 2, specs: [
      { kind: 'match', dst: ref('vlan_tci', 0, 12), src: ref('vlan_tci', 0, 12) },
      { kind: 'match', dst: ref('eth_dst'), src: ref('eth_src') },
      { kind: 'match', dst: ref('eth_type'), src: 0x800n },
      { kind: 'load', dst: ref('vlan_tci'), src: 0n },
      { kind: 'load', dst: ref('tunnel_id'), src: ref('tunnel_id') },
      { kind: 'output', src: ref('in_port16') },
    ] }),
  ],
  goto: 9,
})

const ipv6Flow = flowMod({
  table: 1, match: { eth_type: 0x86dd, ipv6_src: '2001:db8::/32', ipv6_dst: '2001:db8::1', ipv6_flabel: 0x12345, ip_proto: 58, icmpv6_type: 135, icmpv6_code: 0 },
  actions: [act.setField('ipv6_dst', '2001:db8::2')],
})
const arpFlow = flowMod({
  table: 2, match: { eth_type: 0x0806, arp_op: 1, arp_spa: '192.0.2.1', arp_tpa: '192.0.2.0/30', arp_sha: '02:00:00:00:00:01', arp_tha: '00:00:00:00:00:00' },
  actions: [act.output(0xfffffffb)],
})
const icmpFlow = flowMod({ match: { eth_type: 0x0800, ip_proto: 1, icmpv4_type: 8, icmpv4_code: 0 }, actions: [] })
const udpFlow = flowMod({ match: { eth_type: 0x0800, ip_proto: 17, udp_src: 68, udp_dst: 67 }, actions: [act.output(0xfffffffe)] })

export const SAMPLES: OFMessage[] = [
  { type: 'hello', version: 4, versions: [1, 4] },
  { type: 'hello', version: 4 },
  { type: 'error', errorType: 4, code: 9, data: Buffer.from('040e0048000000010000', 'hex') },
  { type: 'error', errorType: 0xffff, code: 3, experimenter: 0x2320, data: Buffer.from('abcd', 'hex') },
  { type: 'echo_request', data: Buffer.from('ping') },
  { type: 'echo_reply', data: Buffer.alloc(0) },
  { type: 'experimenter', experimenter: 0x2320, expType: 20, data: Buffer.from('00000000', 'hex') },
  { type: 'features_request' },
  { type: 'features_reply', datapathId: 0xfedcba9876543210n, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0x4f },
  { type: 'get_config_request' },
  { type: 'get_config_reply', flags: 0, missSendLen: 128 },
  { type: 'set_config', flags: 0, missSendLen: 0xffff },
  { type: 'packet_in', bufferId: 0xffffffff, totalLen: 60, reason: 1, table: 3, cookie: 0x5n, match: { in_port: 2, tunnel_id: 9n, reg0: 1 }, data: Buffer.alloc(60, 0xab) },
  { type: 'flow_removed', cookie: 0x77n, priority: 9, reason: 2, table: 3, durationSec: 5, durationNsec: 6, idleTimeout: 7, hardTimeout: 8, packetCount: 9n, byteCount: 10n, match: { reg2: 5 } },
  { type: 'port_status', reason: 2, port },
  packetOut(Buffer.from('00112233445502000000000108004500', 'hex'), [act.output(3), act.output(0xfffffff9)], 0xfffffffd),
  fullFlow, ipv6Flow, arpFlow, icmpFlow, udpFlow,
  flowMod({ command: 'delete', cookie: 0x100n, cookieMask: 0xf00n, outPort: 4, outGroup: 2 }),
  flowMod({ command: 'modify_strict', table: 1, priority: 7, match: { in_port: 1 }, actions: [act.output(2)] }),
  flowMod({ command: 'delete_strict', table: 1, priority: 7, match: { in_port: 1 } }),
  flowMod({ command: 'modify', table: 1, match: { reg3: 1 }, actions: [] }),
  groupMod('add', 'all', 1, [{ actions: [act.output(1)] }, { actions: [act.setField('tunnel_id', 5n), act.output(2)] }]),
  groupMod('modify', 'select', 2, [{ weight: 3, actions: [act.output(1)] }]),
  groupMod('add', 'ff', 3, [{ watchPort: 1, watchGroup: 2, actions: [act.output(1)] }]),
  groupMod('delete', 'indirect', 4),
  { type: 'barrier_request' },
  { type: 'barrier_reply' },
  { type: 'role_request', role: 'master', generationId: 0xffffffffffffffffn },
  { type: 'role_reply', role: 'slave', generationId: 3n },
  { type: 'multipart_request', flags: 0, body: { kind: 'desc' } },
  { type: 'multipart_request', flags: 0, body: { kind: 'port_desc' } },
  { type: 'multipart_request', flags: 0, body: { kind: 'group_desc' } },
  { type: 'multipart_request', flags: 0, body: { kind: 'table' } },
  { type: 'multipart_request', flags: 0, body: { kind: 'flow', table: 0xff, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 1n, cookieMask: 0xffn, match: { in_port: 1 } } },
  { type: 'multipart_request', flags: 0, body: { kind: 'aggregate', table: 3, outPort: 2, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: {} } },
  { type: 'multipart_request', flags: 0, body: { kind: 'port_stats', portNo: 0xffffffff } },
  { type: 'multipart_request', flags: 0, body: { kind: 'group', groupId: 5 } },
  { type: 'multipart_request', flags: 0, body: { kind: 'raw', mpType: 12, data: Buffer.alloc(0) } },
  { type: 'multipart_reply', flags: 0, body: { kind: 'desc', desc: { mfrDesc: 'Nicira, Inc.', hwDesc: 'Open vSwitch', swDesc: '3.1.0', serialNum: 'None', dpDesc: 'br0' } } },
  { type: 'multipart_reply', flags: 1, body: { kind: 'flow', flows: [
    { table: 3, durationSec: 1, durationNsec: 2, priority: 1234, idleTimeout: 10, hardTimeout: 20, flags: 5, cookie: 7n, packetCount: 8n, byteCount: 9n, match: fullFlow.match, instructions: fullFlow.instructions },
    { table: 1, durationSec: 0, durationNsec: 0, priority: 0, idleTimeout: 0, hardTimeout: 0, flags: 0, cookie: 0n, packetCount: 0n, byteCount: 0n, match: {}, instructions: [] },
  ] } },
  { type: 'multipart_reply', flags: 0, body: { kind: 'aggregate', stats: { packetCount: 1n, byteCount: 2n, flowCount: 3 } } },
  { type: 'multipart_reply', flags: 0, body: { kind: 'port_stats', ports: [{ portNo: 1, rxPackets: 1n, txPackets: 2n, rxBytes: 3n, txBytes: 4n, rxDropped: 5n, txDropped: 6n, rxErrors: 7n, txErrors: 8n, rxFrameErr: 9n, rxOverErr: 10n, rxCrcErr: 11n, collisions: 12n, durationSec: 13, durationNsec: 14 }] } },
  { type: 'multipart_reply', flags: 0, body: { kind: 'group_desc', groups: [{ groupType: 'select', groupId: 2, buckets: [{ weight: 1, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [act.output(1)] }] }] } },
  { type: 'multipart_reply', flags: 0, body: { kind: 'port_desc', ports: [port, { ...port, portNo: 0xfffffffe, name: 'br-int' }] } },
  { type: 'multipart_reply', flags: 0, body: { kind: 'table', tables: [{ table: 0, activeCount: 3, lookupCount: 4n, matchedCount: 5n }] } },
  { type: 'raw', msgType: 26, body: Buffer.alloc(0) },
]

