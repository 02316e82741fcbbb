/**
 * Full-stack proof of `neutrino controller` (issue 13): the controller process programs three
 * namespace hypervisors (real ovsdb-server + ovs-vswitchd, netdev datapath) — two joined in
 * passive mode (their ovsdb-server dials the controller's manager socket, as after
 * `ovs-vsctl set-manager`), one in active mode (the controller dials it, `ovsdb_nodes`) — from
 * Neutron objects posted to its northbound exactly as networking-odl does; VMs are plugged as
 * Nova/os-vif plugs them (veth, external_ids:iface-id, attached-mac). One lab for all cases.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../helpers/components.js'
import { ControllerProcess, eventually } from '../helpers/controller-process.js'
import { freePort, type NetnsRelay, relayIntoNamespace } from '../helpers/netns-relay.js'
import { LAB_COMMANDS, OvsLab, type Hypervisor, type Vm } from '../helpers/ovs-lab.js'
import { builtSkipReason, runNeutrino } from '../helpers/server-process.js'

const skip = needComponent('Open vSwitch lab', [...LAB_COMMANDS, 'ovs-appctl']) ?? builtSkipReason()
const BR = 'brint'
const USER = { user: 'odl', password: 'odl-secret' }

const uuid = (kind: number, n: number): string => `${String(kind).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`
const NET_A = uuid(1, 1)
const NET_B = uuid(1, 2)
const NET_G = uuid(1, 3)
const NET_V = uuid(1, 4)
const SUB_A = uuid(2, 1)
const SUB_B = uuid(2, 2)
const SUB_G = uuid(2, 3)
const SUB_V = uuid(2, 4)
const SG = uuid(3, 1)
const SG2 = uuid(3, 2)
/** A dumped flow without its counters and ages. */
const strip = (l: string): string => l.replace(/duration=[^,]+, /, '').replace(/n_packets=\d+, n_bytes=\d+, /, '').replace(/idle_age=\d+, /, '').replace(/hard_age=\d+, /, '')

describe('neutrino controller programs real Open vSwitch', { skip, timeout: 600_000 }, () => {
  let lab: OvsLab
  let dir: string
  let conf: string
  let ctl: ControllerProcess
  let hv: Hypervisor[]
  const vms = new Map<string, Vm>()
  const relays: NetnsRelay[] = []

  async function post(coll: string, singular: string, body: Record<string, unknown>): Promise<void> {
    await ctl.nb('POST', `/${coll}`, { [singular]: body })
  }

  /** A Neutron port (networking-odl's body), then the VM plugged on `on`. */
  async function vmPort(name: string, n: number, net: string, sub: string, ip: string, on: Hypervisor, sgs: string[]): Promise<Vm> {
    const id = uuid(4, n)
    const mac = `fa:16:3e:00:00:${n.toString(16).padStart(2, '0')}`
    await post('ports', 'port', {
      id, name, network_id: net, tenant_id: net === NET_B ? 'p2' : 'p1', project_id: net === NET_B ? 'p2' : 'p1', mac_address: mac,
      admin_state_up: true, device_id: name, device_owner: 'compute:nova', fixed_ips: [{ subnet_id: sub, ip_address: ip }],
      // no group: port security off (Neutron drops everything for a secured port without groups)
      port_security_enabled: sgs.length > 0, security_groups: sgs.map((s) => ({ id: s })), 'binding:vnic_type': 'normal',
      'binding:host_id': on.id, 'binding:vif_type': 'ovs', 'binding:vif_details': {}, allowed_address_pairs: [],
    })
    const vm = await on.addVm(BR, id, mac, `${ip}/24`)
    vms.set(name, vm)
    return vm
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nsb-ctl-'))
    lab = new OvsLab('nsb')
    hv = [lab.addHypervisor('hv1', '192.0.2.11'), lab.addHypervisor('hv2', '192.0.2.12'), lab.addHypervisor('hv3', '192.0.2.13')]
    for (const h of hv.slice(1)) {
      h.vsctl('set', 'open_vswitch', '.', `external_ids:system-id=${h.id}`, `other_config:local_ip=${h.underlayIp}`, `other_config:provider_mappings=physnet1:${h.providerBridge}`)
    }
    await lab.warmUnderlay()
    // fixed ports: the nodes' manager and controller targets must stay valid across a controller restart
    const ovsdbPort = await freePort()
    const ofPort = await freePort()
    // br-int's controller target is tcp:127.0.0.1:ofPort; inside each hypervisor namespace a relay serves it
    for (const h of hv) {
      const r = await relayIntoNamespace(h.ns, ofPort, join(dir, `of-${h.id}.sock`))
      lab.track(r.child)
      relays.push(r)
    }
    conf = join(dir, 'controller.conf')
    writeFileSync(conf, [
      '[DEFAULT]', `state_path = ${dir}`, '',
      '[controller]', 'northbound_port = 0', `username = ${USER.user}`, `password = ${USER.password}`,
      `ovsdb_listen = ptcp:${ovsdbPort}:127.0.0.1`, `ovsdb_nodes = unix:${hv[2]!.dir}/db.sock`,
      `openflow_listen = ptcp:${ofPort}:127.0.0.1`, 'datapath_type = netdev', 'tunnel_types = vxlan,gre', `integration_bridge = ${BR}`, '',
    ].join('\n'))
    ctl = await ControllerProcess.start(conf, USER)
    // passive mode: the node's ovsdb-server dials the controller (ovs-vsctl set-manager); the lab's
    // ovsdb-server serves only its unix socket, so it is told to honour manager_options first
    for (const h of hv.slice(0, 2)) {
      execFileSync('ovs-appctl', ['-t', join(h.dir, 'ovsdb-server.ctl'), 'ovsdb-server/add-remote', 'db:Open_vSwitch,Open_vSwitch,manager_options'])
    }
    // hv1 joins with `neutrino node join`, hv2 by hand as in the Icehouse article
    const joined = await runNeutrino(['node', 'join', '--manager', `tcp:127.0.0.1:${ovsdbPort}`, '--local-ip', hv[0]!.underlayIp, '--bridge-mappings', `physnet1:${hv[0]!.providerBridge}`, '--host-id', 'hv1', '--db', `unix:${hv[0]!.dir}/db.sock`])
    assert.equal(joined.code, 0, joined.stderr)
    hv[1]!.vsctl('set-manager', `tcp:127.0.0.1:${ovsdbPort}`)
    // the controller creates each integration bridge and its switch connects
    for (const h of hv) {
      await eventually(`${BR} connected on ${h.id}`, () => {
        try { return h.vsctl('get', 'controller', BR, 'is_connected') === 'true' } catch { return false }
      }, 60_000)
    }
    await post('networks', 'network', { id: NET_A, name: 'a', tenant_id: 'p1', project_id: 'p1', admin_state_up: true, shared: false, 'provider:network_type': 'vxlan', 'provider:segmentation_id': 1001, 'provider:physical_network': null, mtu: 1450 })
    await post('networks', 'network', { id: NET_B, name: 'b', tenant_id: 'p2', project_id: 'p2', admin_state_up: true, shared: false, 'provider:network_type': 'vxlan', 'provider:segmentation_id': 1002, 'provider:physical_network': null, mtu: 1450 })
    await post('subnets', 'subnet', { id: SUB_A, network_id: NET_A, tenant_id: 'p1', ip_version: 4, cidr: '203.0.113.0/24', gateway_ip: '203.0.113.1', enable_dhcp: false })
    await post('subnets', 'subnet', { id: SUB_B, network_id: NET_B, tenant_id: 'p2', ip_version: 4, cidr: '203.0.113.0/24', gateway_ip: '203.0.113.1', enable_dhcp: false })
    // the default group as Neutron creates it: egress anywhere, ingress from the group itself
    await post('security-groups', 'security_group', { id: SG, name: 'default', tenant_id: 'p1', project_id: 'p1', security_group_rules: [] })
    const rule = (n: number, r: Record<string, unknown>) => post('security-group-rules', 'security_group_rule', {
      id: uuid(5, n), security_group_id: SG, tenant_id: 'p1', project_id: 'p1', protocol: null, port_range_min: null, port_range_max: null,
      remote_ip_prefix: null, remote_group_id: null, ...r,
    })
    await rule(1, { direction: 'egress', ethertype: 'IPv4' })
    await rule(2, { direction: 'ingress', ethertype: 'IPv4', remote_group_id: SG })
  })

  after(async () => {
    // whatever hangs or fails here, the lab (processes by PID, namespaces by name) is stopped
    const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000))])
    try {
      if (ctl) await bounded(ctl.stop())
      for (const r of relays) await bounded(r.close())
    } finally {
      if (lab) lab.stop()
      if (process.env.KEEP_OVS !== '1') rmSync(dir, { recursive: true, force: true })
      else console.log(ctl?.err)
    }
  })

  it('hostconfigs list the three joined hypervisors', async () => {
    const r = await ctl.call('GET', '/restconf/operational/neutron:neutron/hostconfigs')
    const hosts = (r.body as { hostconfigs: { hostconfig: { 'host-id': string }[] } }).hostconfigs.hostconfig.map((h) => h['host-id']).sort()
    assert.deepEqual(hosts, ['hv1', 'hv2', 'hv3'])
  })

  it('ports go ACTIVE and VMs ping across passive and active hypervisors over VXLAN', async () => {
    const v1 = await vmPort('vm1', 1, NET_A, SUB_A, '203.0.113.11', hv[0]!, [SG])
    const v2 = await vmPort('vm2', 2, NET_A, SUB_A, '203.0.113.12', hv[1]!, [SG])
    const v3 = await vmPort('vm3', 3, NET_A, SUB_A, '203.0.113.13', hv[2]!, [SG])
    for (const n of [1, 2, 3]) {
      await eventually(`port ${n} ACTIVE`, async () => (await ctl.portStatus(uuid(4, n))) === 'ACTIVE', 60_000)
    }
    assert.ok(await v1.pingEventually(v2.ip, 30_000), 'hv1 → hv2')
    assert.ok(await v1.pingEventually(v3.ip, 30_000), 'hv1 → hv3 (active-mode node)')
    assert.ok(await v3.pingEventually(v2.ip, 30_000), 'hv3 → hv2')
    // anti-spoofing: a source address the port does not own gets nothing through
    v1.exec('ip', 'addr', 'add', '203.0.113.99/24', 'dev', 'eth0')
    assert.equal(await v1.ping(v2.ip, { count: 3, wait: 1, source: '203.0.113.99' }), false, 'spoofed source IP is dropped')
    v1.exec('ip', 'addr', 'del', '203.0.113.99/24', 'dev', 'eth0')
    const tunnels = hv[0]!.vsctl('--bare', '--columns=name', 'find', 'interface', 'type=vxlan').split('\n').filter(Boolean).sort()
    assert.equal(tunnels.length, 2, `hv1 has one tunnel per peer sharing the network: ${tunnels.join(' ')}`)
  })

  it('another tenant reusing the same CIDR is isolated', async () => {
    const other = await vmPort('vm4', 4, NET_B, SUB_B, '203.0.113.12', hv[0]!, [])
    const v5 = await vmPort('vm5', 5, NET_B, SUB_B, '203.0.113.15', hv[2]!, [])
    await eventually('port 4 and 5 ACTIVE', async () => (await ctl.portStatus(uuid(4, 4))) === 'ACTIVE' && (await ctl.portStatus(uuid(4, 5))) === 'ACTIVE', 60_000)
    assert.ok(await other.pingEventually(v5.ip, 30_000), 'tenant 2 VMs reach each other')
    // 203.0.113.12 in tenant 2 is vm4 itself; tenant 1's vm3 (203.0.113.13) does not exist for tenant 2
    assert.equal(await other.ping('203.0.113.13', { count: 3, wait: 1 }), false, 'tenant 2 does not reach tenant 1')
    assert.equal(await vms.get('vm1')!.ping('203.0.113.15', { count: 3, wait: 1 }), false, 'tenant 1 does not reach tenant 2')
  })

  it('a security group rule added through the northbound opens a TCP port', async () => {
    // vm6 is in an egress-only group: not a member of SG, so vm1 (SG: ingress from SG members) refuses its TCP
    await post('security-groups', 'security_group', { id: SG2, name: 'egress-only', tenant_id: 'p1', project_id: 'p1', security_group_rules: [
      { id: uuid(5, 9), security_group_id: SG2, tenant_id: 'p1', direction: 'egress', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null },
    ] })
    const v6 = await vmPort('vm6', 6, NET_A, SUB_A, '203.0.113.16', hv[1]!, [SG2])
    await eventually('port 6 ACTIVE', async () => (await ctl.portStatus(uuid(4, 6))) === 'ACTIVE', 60_000)
    const v1 = vms.get('vm1')!
    const server = v1.spawnPy('import socket\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(("0.0.0.0",8080));s.listen(8)\nwhile True:\n  c,_=s.accept();c.sendall(b"hi");c.close()')
    const connect = (vm: Vm) => vm.py('import socket,sys\ntry:\n  s=socket.create_connection((sys.argv[1],8080),timeout=2);print(s.recv(2).decode() or "empty")\nexcept Exception as e:\n  print("fail")', [v1.ip])
    try {
      await eventually('the server answers a group member', async () => (await connect(vms.get('vm2')!)) === 'hi', 30_000)
      assert.equal(await connect(v6), 'fail', 'no rule lets vm6 in yet')
      await ctl.nb('POST', '/security-group-rules', { security_group_rule: { id: uuid(5, 3), security_group_id: SG, tenant_id: 'p1', project_id: 'p1', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080, remote_ip_prefix: '0.0.0.0/0', remote_group_id: null } })
      await eventually('the new rule lets vm6 in', async () => (await connect(v6)) === 'hi', 30_000)
    } finally {
      server.kill('SIGKILL')
    }
  })

  it('VMs on a GRE network ping across hypervisors over GRE tunnels', async () => {
    await post('networks', 'network', { id: NET_G, name: 'g', tenant_id: 'p1', project_id: 'p1', admin_state_up: true, shared: false, 'provider:network_type': 'gre', 'provider:segmentation_id': 77, 'provider:physical_network': null, mtu: 1458 })
    await post('subnets', 'subnet', { id: SUB_G, network_id: NET_G, tenant_id: 'p1', ip_version: 4, cidr: '198.51.100.0/24', gateway_ip: '198.51.100.1', enable_dhcp: false })
    const a = await vmPort('vm7', 7, NET_G, SUB_G, '198.51.100.7', hv[0]!, [SG])
    const b = await vmPort('vm8', 8, NET_G, SUB_G, '198.51.100.8', hv[1]!, [SG])
    await eventually('ports 7 and 8 ACTIVE', async () => (await ctl.portStatus(uuid(4, 7))) === 'ACTIVE' && (await ctl.portStatus(uuid(4, 8))) === 'ACTIVE', 60_000)
    assert.ok(await a.pingEventually(b.ip, 30_000), 'hv1 → hv2 over GRE')
    const gre = hv[0]!.vsctl('--bare', '--columns=name', 'find', 'interface', 'type=gre').split('\n').filter(Boolean)
    assert.equal(gre.length, 1, `one GRE tunnel on hv1, to hv2 only: ${gre.join(' ')}`)
    assert.equal(hv[0]!.vsctl('get', 'interface', gre[0]!, 'options:remote_ip'), `"${hv[1]!.underlayIp}"`)
  })

  it('a VLAN provider network forwards through the provider bridges', async () => {
    await post('networks', 'network', { id: NET_V, name: 'v', tenant_id: 'p1', project_id: 'p1', admin_state_up: true, shared: false, 'provider:network_type': 'vlan', 'provider:segmentation_id': 100, 'provider:physical_network': 'physnet1', mtu: 1500 })
    await post('subnets', 'subnet', { id: SUB_V, network_id: NET_V, tenant_id: 'p1', ip_version: 4, cidr: '198.51.100.0/25', gateway_ip: '198.51.100.1', enable_dhcp: false })
    const a = await vmPort('vm9', 9, NET_V, SUB_V, '198.51.100.9', hv[0]!, [SG])
    const b = await vmPort('vm10', 10, NET_V, SUB_V, '198.51.100.10', hv[2]!, [SG])
    await eventually('ports 9 and 10 ACTIVE', async () => (await ctl.portStatus(uuid(4, 9))) === 'ACTIVE' && (await ctl.portStatus(uuid(4, 10))) === 'ACTIVE', 60_000)
    assert.ok(await a.pingEventually(b.ip, 30_000), 'hv1 → hv3 over VLAN 100')
    const patches = hv[0]!.vsctl('--bare', '--columns=name', 'find', 'interface', 'type=patch').split('\n').filter(Boolean)
    assert.equal(patches.length, 2, `one patch pair br-int ↔ provider bridge on hv1: ${patches.join(' ')}`)
  })

  it('kill -9 of the controller loses no ping; the restart reconciles with zero flow mods and zero OVSDB writes', async () => {
    const v1 = vms.get('vm1')!
    const v2 = vms.get('vm2')!
    await ctl.call('GET', '/restconf/operational/neutron:neutron/hostconfigs')
    // settled: the controller has nothing left to do (two dumps a second apart agree)
    let last = ''
    const flowsBefore = await eventually('flow tables settled', async () => {
      const now = new Map(hv.map((h) => [h.id, h.dumpFlows(BR)]))
      const key = JSON.stringify([...now.values()].map((l) => l.map(strip).sort()))
      const same = key === last
      last = key
      if (!same) await new Promise((r) => setTimeout(r, 1000))
      return same ? now : false
    }, 60_000)
    const ping = spawn('ip', ['netns', 'exec', v1.ns, 'ping', '-n', '-q', '-i', '0.1', '-c', '60', '-W', '2', v2.ip], { stdio: ['ignore', 'pipe', 'pipe'] })
    lab.track(ping)
    let pingOut = ''
    ping.stdout.on('data', (b: Buffer) => { pingOut += b.toString() })
    const pingDone = new Promise<number | null>((res) => ping.once('exit', (c) => res(c)))
    await new Promise((r) => setTimeout(r, 1500))
    assert.equal(await ctl.stop('SIGKILL'), 'SIGKILL')
    ctl = await ControllerProcess.start(conf, USER)
    await pingDone
    const m = /(\d+) packets transmitted, (\d+) received/.exec(pingOut)
    assert.ok(m, pingOut)
    assert.equal(m[1], '60')
    assert.equal(m[2], '60', `no ping lost across kill -9 and restart: ${pingOut}`)
    // reconciliation: every node reported, nothing sent
    const reports = await eventually('all three nodes reconciled after the restart', () => {
      const r = ctl.reports()
      return new Set(r.map((x) => x.node)).size === 3 ? r : false
    }, 60_000)
    for (const r of reports) {
      assert.equal(r.flowMods, 0, `no flow mod to ${r.node}`)
      assert.equal(r.ovsdbOps, 0, `no OVSDB write to ${r.node}`)
      assert.ok(r.flows > 0)
    }
    // the flows were not re-added: same set, durations kept growing (a re-add resets them)
    for (const h of hv) {
      const before = flowsBefore.get(h.id)!
      const afterFlows = h.dumpFlows(BR)
      assert.deepEqual(afterFlows.map(strip).sort(), before.map(strip).sort(), `flows of ${h.id} unchanged`)
      const dur = (l: string) => Number(/duration=([\d.]+)s/.exec(l)![1])
      const minBefore = Math.min(...before.map(dur))
      const minAfter = Math.min(...afterFlows.map(dur))
      assert.ok(minAfter >= minBefore, `no flow of ${h.id} was re-added (youngest flow ${minBefore}s → ${minAfter}s)`)
    }
  })

  it('deleting a port stops its traffic and reports it gone', async () => {
    const v1 = vms.get('vm1')!
    const v3 = vms.get('vm3')!
    assert.ok(await v1.pingEventually(v3.ip, 30_000))
    await ctl.nb('DELETE', `/ports/${uuid(4, 3)}`)
    await eventually('vm3 unreachable', async () => !(await v1.ping(v3.ip, { count: 2, wait: 1 })), 30_000)
    assert.equal(await ctl.portStatus(uuid(4, 3)), undefined)
  })

  it('a node that leaves takes its ports DOWN; the others stay ACTIVE', async () => {
    hv[1]!.vsctl('del-manager')
    await eventually('vm2 and vm6 DOWN', async () => (await ctl.portStatus(uuid(4, 2))) === 'DOWN' && (await ctl.portStatus(uuid(4, 6))) === 'DOWN', 30_000)
    assert.equal(await ctl.portStatus(uuid(4, 1)), 'ACTIVE')
    const r = await ctl.call('GET', '/restconf/operational/neutron:neutron/hostconfigs')
    const hosts = (r.body as { hostconfigs: { hostconfig: { 'host-id': string }[] } }).hostconfigs.hostconfig.map((h) => h['host-id']).sort()
    assert.deepEqual(hosts, ['hv1', 'hv3'])
  })
})
