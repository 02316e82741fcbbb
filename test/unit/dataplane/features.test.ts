import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cookie, CookieCategory } from '../../../src/dataplane/cookie.js'
import type { DesiredState } from '../../../src/dataplane/desired-state.js'
import { cookieText, renderFlow, type Flow } from '../../../src/dataplane/flow.js'
import { nodeFlows } from '../../../src/dataplane/node-flows.js'
import { T, type TableName } from '../../../src/dataplane/pipeline.js'
import { port, threeNodes } from '../../fixtures/dataplane-states.js'

/** The flows of one table on one node, as `priority,match -> actions` without cookie. */
function table(state: DesiredState, nodeId: string, name: TableName): string[] {
  return nodeFlows(state, nodeId).filter((f) => f.table === T(name)).map((f) => renderFlow(f).replace(/^table=\d+,/, '').replace(/cookie=0x[0-9a-f]+,/, ''))
}

describe('dataplane features (golden flows)', () => {
  it('classifier: VM port, tunnel (in_port + tun_id) and VLAN provider (pop_vlan); miss drops', () => {
    assert.deepEqual(table(threeNodes(), 'hv1', 'CLASSIFIER'), [
      'priority=100,in_port=1,actions=set_field:0x1->reg6,set_field:0x1->reg5,set_field:0x1->reg0,goto_table:10',
      'priority=100,in_port=10,tun_id=0x64,actions=set_field:0x1->reg6,set_field:0x2->reg0,goto_table:40',
      'priority=100,in_port=20,dl_vlan=42,actions=pop_vlan,set_field:0x3->reg6,set_field:0x2->reg0,goto_table:40',
      'priority=100,in_port=3,actions=set_field:0x3->reg6,set_field:0x3->reg5,set_field:0x1->reg0,goto_table:10',
      'priority=0,actions=drop',
    ])
  })

  it('classifier: a flat network matches untagged frames from the patch port', () => {
    const s = threeNodes()
    const st: DesiredState = { ...s, ports: [...s.ports, port('pf', 'net-f', 'hv2', 5, 'fa:16:3e:00:00:0f', ['192.0.2.50'])] }
    assert.ok(table(st, 'hv2', 'CLASSIFIER').includes('priority=100,in_port=20,vlan_tci=0x0000/0x1fff,actions=set_field:0x4->reg6,set_field:0x2->reg0,goto_table:40'))
  })

  it('admin-down and unplugged ports get no flow at all', () => {
    const s = threeNodes()
    const down: DesiredState = { ...s, ports: s.ports.map((p) => (p.id === 'p1' ? { ...p, adminStateUp: false } : p)) }
    const c = cookie(CookieCategory.Port, 'p1')
    assert.ok(nodeFlows(s, 'hv1').some((f) => f.cookie === c))
    for (const n of ['hv1', 'hv2', 'hv3']) assert.ok(!nodeFlows(down, n).some((f) => f.cookie === c), `no p1 flow on ${n}`)
    const unplugged: DesiredState = { ...s, ports: s.ports.map((p) => (p.id === 'p1' ? { ...p, ofport: undefined } : p)) }
    assert.ok(!nodeFlows(unplugged, 'hv1').some((f) => f.cookie === c))
  })

  it('anti-spoofing: MAC + IPs, ARP sha/spa, DHCP client, ND target/sll, link-local; the rest dropped', () => {
    const t = table(threeNodes(), 'hv1', 'PORT_SECURITY')
    const m = 'in_port=1,dl_src=fa:16:3e:00:00:01'
    for (const want of [
      `priority=100,${m},dl_type=0x0800,nw_src=203.0.113.11,actions=goto_table:20`,
      `priority=100,${m},dl_type=0x0806,arp_spa=203.0.113.11,arp_sha=fa:16:3e:00:00:01,actions=goto_table:20`,
      `priority=100,${m},dl_type=0x0800,nw_proto=17,nw_src=0.0.0.0,tp_src=68,tp_dst=67,actions=goto_table:20`,
      `priority=100,${m},dl_type=0x86dd,ipv6_src=2001:db8::11,actions=goto_table:20`,
      `priority=100,${m},dl_type=0x86dd,ipv6_src=fe80::f816:3eff:fe00:1,actions=goto_table:20`,
      `priority=110,${m},dl_type=0x86dd,nw_proto=58,ipv6_src=2001:db8::11,icmpv6_type=136,nd_target=2001:db8::11,actions=goto_table:20`,
      `priority=110,${m},dl_type=0x86dd,nw_proto=58,ipv6_src=2001:db8::11,icmpv6_type=135,nd_sll=fa:16:3e:00:00:01,actions=goto_table:20`,
      'priority=105,in_port=1,dl_type=0x86dd,nw_proto=58,icmpv6_type=136,actions=drop',
      'priority=10,in_port=1,actions=drop',
      'priority=100,in_port=3,actions=goto_table:20', // port security disabled: passes unchecked
    ]) assert.ok(t.includes(want), `missing ${want}`)
    assert.ok(!t.some((l) => l.startsWith('priority=10,in_port=3')), 'no drop for the unsecured port')
  })

  it('anti-spoofing: allowed address pairs with their own MAC and a CIDR', () => {
    const s = threeNodes()
    const st: DesiredState = { ...s, ports: s.ports.map((p) => (p.id === 'p1' ? { ...p, allowedAddressPairs: [{ ipAddress: '203.0.113.128/25', macAddress: 'FA:16:3E:AA:BB:CC' }, { ipAddress: '203.0.113.50' }] } : p)) }
    const t = table(st, 'hv1', 'PORT_SECURITY')
    assert.ok(t.includes('priority=100,in_port=1,dl_src=fa:16:3e:aa:bb:cc,dl_type=0x0800,nw_src=203.0.113.128/25,actions=goto_table:20'))
    assert.ok(t.includes('priority=100,in_port=1,dl_src=fa:16:3e:aa:bb:cc,dl_type=0x0806,arp_spa=203.0.113.128/25,arp_sha=fa:16:3e:aa:bb:cc,actions=goto_table:20'))
    assert.ok(t.includes('priority=100,in_port=1,dl_src=fa:16:3e:00:00:01,dl_type=0x0800,nw_src=203.0.113.50,actions=goto_table:20'))
  })

  it('network:* ports (DHCP, router) are wired like others but trusted, as Neutron does', () => {
    const s = threeNodes()
    const st: DesiredState = { ...s, ports: [...s.ports, port('dhcp', 'net-a', 'hv1', 7, 'fa:16:3e:00:00:07', ['203.0.113.2'], { deviceOwner: 'network:dhcp', securityGroupIds: ['sg-default'] })] }
    assert.ok(table(st, 'hv1', 'PORT_SECURITY').includes('priority=100,in_port=7,actions=goto_table:20'))
    assert.ok(table(st, 'hv1', 'L2_FORWARDING').includes('priority=100,reg6=0x1,dl_dst=fa:16:3e:00:00:07,actions=set_field:0x7->reg7,goto_table:50'))
    assert.ok(table(st, 'hv1', 'ARP_RESPONDER').some((l) => l.includes('arp_tpa=203.0.113.2,')))
  })

  it('L2 forwarding: local MAC to reg7, remote MAC to the tunnel of its node (local origin only), VLAN push for provider', () => {
    const t = table(threeNodes(), 'hv1', 'L2_FORWARDING')
    assert.deepEqual(t, [
      'priority=100,reg0=0x1,reg6=0x1,dl_dst=fa:16:3e:00:00:02,actions=set_field:0x64->tun_id,output:10',
      'priority=100,reg6=0x1,dl_dst=fa:16:3e:00:00:01,actions=set_field:0x1->reg7,goto_table:50',
      'priority=100,reg6=0x3,dl_dst=fa:16:3e:00:00:03,actions=set_field:0x3->reg7,goto_table:50',
      'priority=0,actions=goto_table:45',
    ])
    const s = threeNodes()
    const vlan2: DesiredState = { ...s, ports: [...s.ports, port('p5', 'net-v', 'hv2', 5, 'fa:16:3e:00:00:05', ['192.0.2.5'])] }
    assert.ok(table(vlan2, 'hv1', 'L2_FORWARDING').includes('priority=100,reg0=0x1,reg6=0x3,dl_dst=fa:16:3e:00:00:05,actions=push_vlan:0x8100,set_field:0x102a->vlan_vid,output:20'))
    assert.deepEqual(table(threeNodes(), 'hv1', 'OUTPUT'), ['priority=100,reg7=0x1,actions=output:1', 'priority=100,reg7=0x3,actions=output:3', 'priority=0,actions=drop'])
  })

  it('ARP responder answers for known IPv4 addresses of the same network only', () => {
    const t = table(threeNodes(), 'hv1', 'ARP_RESPONDER')
    assert.equal(t.filter((l) => l.includes('reg6=0x1,')).length, 2, 'p1 and p2 on net-a')
    assert.ok(t.includes('priority=100,reg6=0x1,dl_type=0x0806,arp_op=1,arp_tpa=203.0.113.12,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:fa:16:3e:00:00:02->eth_src,set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:fa:16:3e:00:00:02->arp_sha,set_field:203.0.113.12->arp_spa,IN_PORT'))
    assert.ok(!t.some((l) => l.includes('192.0.2.4')), 'net-g is not on hv1')
  })

  it('flooding: split horizon — from a VM to local ports and peer tunnels, from a tunnel to local ports only', () => {
    const t = table(threeNodes(), 'hv1', 'FLOOD')
    assert.ok(t.includes('priority=90,reg0=0x1,reg6=0x1,actions=output:1,set_field:0x64->tun_id,output:10'))
    assert.ok(t.includes('priority=90,reg0=0x2,reg6=0x1,actions=output:1'))
    assert.ok(t.includes('priority=90,reg0=0x1,reg6=0x3,actions=output:3,push_vlan:0x8100,set_field:0x102a->vlan_vid,output:20'))
    assert.ok(t.includes('priority=90,reg0=0x2,reg6=0x3,actions=output:3'))
    // IP floods reach secured ports only for DHCP/ND; the unsecured p3 gets them all
    assert.ok(t.includes('priority=100,reg0=0x2,reg6=0x1,dl_type=0x0800,actions=drop'))
    assert.ok(t.includes('priority=100,reg0=0x2,reg6=0x3,dl_type=0x0800,actions=output:3'))
    assert.ok(t.includes('priority=110,reg0=0x2,reg6=0x1,dl_type=0x0800,nw_proto=17,tp_src=67,tp_dst=68,actions=output:1'))
    // no flood ever leaves on a tunnel for remote-origin traffic, and no other network's port is reached
    for (const l of t.filter((x) => x.includes('reg0=0x2'))) assert.ok(!/tun_id|output:10|output:20/.test(l), l)
    // the tunnel to hv3 (vxlan-c6336403, ofport 11) carries nothing: hv3 has no net-a port
    assert.ok(!t.some((l) => l.includes('output:11')))
  })

  it('local networks stay on their node; a physnet the node does not map gets no provider flow', () => {
    const s = threeNodes()
    const st: DesiredState = {
      ...s,
      networks: [...s.networks, { id: 'net-l', tenantId: 't1', type: 'local', tag: 9 }],
      ports: [...s.ports,
        port('l1', 'net-l', 'hv1', 41, 'fa:16:3e:00:00:41', ['192.0.2.41']),
        port('l2', 'net-l', 'hv1', 42, 'fa:16:3e:00:00:42', ['192.0.2.42']),
        port('l3', 'net-l', 'hv2', 43, 'fa:16:3e:00:00:43', ['192.0.2.43']),
        port('v9', 'net-v', 'hv3', 49, 'fa:16:3e:00:00:49', ['192.0.2.49'])],
    }
    assert.ok(table(st, 'hv1', 'FLOOD').includes('priority=90,reg0=0x1,reg6=0x9,actions=output:41,output:42'))
    assert.ok(!table(st, 'hv1', 'L2_FORWARDING').some((l) => l.includes('fa:16:3e:00:00:43')), 'no path to a local network port elsewhere')
    // hv3 has no bridge mapping for physnet1: its VLAN port is local-only, no patch, no provider row
    assert.ok(!table(st, 'hv3', 'CLASSIFIER').some((l) => l.includes('dl_vlan')))
    assert.ok(table(st, 'hv3', 'FLOOD').includes('priority=90,reg0=0x1,reg6=0x3,actions=output:49'))
  })

  it('the ct pipeline: per-port zones, invalid dropped, established passes, rules committed', () => {
    const e = table(threeNodes(), 'hv1', 'EGRESS_CT')
    assert.ok(e.includes('priority=100,reg5=0x3,actions=goto_table:30'), 'unsecured p3 skips conntrack')
    assert.ok(e.includes('priority=50,dl_type=0x0800,actions=ct(table=21,zone=NXM_NX_REG5[0..15])'))
    const i = table(threeNodes(), 'hv1', 'INGRESS_ACL')
    assert.equal(i[0], 'priority=200,ct_state=+inv+trk,actions=drop')
    assert.ok(i.includes('priority=190,ct_state=+est+rpl-inv+trk,actions=goto_table:60'))
    // default group: ingress from members (p1, p2: IPv4 both, IPv6 p1 only), as conjunctions
    const conj = (re: RegExp) => Number(i.map((l) => re.exec(l)?.[1]).find(Boolean))
    const c4 = conj(/reg7=0x1,ct_state=-rpl\+trk,dl_type=0x0800,actions=conjunction\((\d+),1\/2\)/)
    const c6 = conj(/reg7=0x1,ct_state=-rpl\+trk,dl_type=0x86dd,actions=conjunction\((\d+),1\/2\)/)
    assert.ok(c4 > 0 && c6 > 0 && c4 !== c6)
    for (const want of [
      `priority=90,dl_type=0x0800,nw_src=203.0.113.11,actions=conjunction(${c4},2/2)`,
      `priority=90,dl_type=0x0800,nw_src=203.0.113.12,actions=conjunction(${c4},2/2)`,
      `priority=90,dl_type=0x86dd,ipv6_src=2001:db8::11,actions=conjunction(${c6},2/2)`,
      `priority=90,conj_id=${c4},dl_type=0x0800,actions=ct(commit,zone=NXM_NX_REG7[0..15]),goto_table:60`,
      `priority=90,conj_id=${c6},dl_type=0x86dd,actions=ct(commit,zone=NXM_NX_REG7[0..15]),goto_table:60`,
    ]) assert.ok(i.includes(want), `missing ${want}`)
    assert.ok(!i.some((l) => l.includes('ipv6_src=2001:db8::12')), 'p2 has no IPv6 address')
    const eg = table(threeNodes(), 'hv1', 'EGRESS_ACL')
    assert.ok(eg.includes('priority=100,reg5=0x1,ct_state=-rpl+trk,dl_type=0x0800,actions=ct(commit,zone=NXM_NX_REG5[0..15]),goto_table:30'))
    assert.ok(eg.includes('priority=100,reg5=0x1,ct_state=-rpl+trk,dl_type=0x86dd,actions=ct(commit,zone=NXM_NX_REG5[0..15]),goto_table:30'))
  })

  it('remote groups cost ports + members flows (conjunction), and shared member flows merge', () => {
    const s = threeNodes()
    // ten secured ports in the default group on hv1, plus a second group whose rule matches the same members
    const many: DesiredState = {
      ...s,
      securityGroups: [...s.securityGroups, { id: 'sg-2', tenantId: 't1', rules: [{ id: 'x-i4', direction: 'ingress', ethertype: 'IPv4', remoteGroupId: 'sg-default' }] }],
      ports: [...s.ports, ...Array.from({ length: 10 }, (_, k) => port(`q${k}`, 'net-a', 'hv1', 30 + k, `fa:16:3e:00:01:${(k + 16).toString(16)}`, [`203.0.113.${100 + k}`], { securityGroupIds: ['sg-default', 'sg-2'] }))],
    }
    const acl = nodeFlows(many, 'hv1').filter((f) => f.table === T('INGRESS_ACL') && f.match.some(([k]) => k === 'nw_src'))
    // 12 IPv4 members (p1, p2, q0..q9): one clause-2 flow each, carrying both rules' conjunctions
    assert.equal(acl.length, 12)
    for (const f of acl) assert.equal(f.actions.length, 2, renderFlow(f))
  })

  it('cookies carry the owner mark, the category and the object', () => {
    const flows: Flow[] = nodeFlows(threeNodes(), 'hv1')
    for (const f of flows) assert.equal(f.cookie >> 56n, 0x4en, cookieText(f.cookie))
    const sg = flows.filter((f) => f.cookie === cookie(CookieCategory.SecurityGroupRule, 'd-i4'))
    assert.ok(sg.length > 0 && sg.every((f) => f.table === T('INGRESS_ACL')))
  })
})
