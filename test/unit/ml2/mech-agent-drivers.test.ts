/**
 * Agent-based binding (mech_agent.py, Zed) through HTTP with openvswitch, linuxbridge, hyperv and
 * l2population in one server: each host's ports bind to its own agent; every refusal reason
 * (no agent, dead, admin down, network type, physnet mapping, vnic_type) shows in the ONE
 * failure log line; the L2 provisioning block is inserted only with an agent of the type.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

const INI = '[ml2]\nmechanism_drivers = openvswitch,linuxbridge,hyperv,l2population\n[DEFAULT]\nagent_down_time = 75\n'

const OVS_CONF = {
  bridge_mappings: { physnet1: 'br-phy' }, integration_bridge: 'br-int', tunnel_types: ['vxlan'], tunneling_ip: '198.51.100.1',
  l2_population: true, datapath_type: 'netdev', ovs_hybrid_plug: false,
  ovs_capabilities: { datapath_types: ['netdev', 'system'], iface_types: ['geneve', 'gre', 'internal', 'system', 'tap', 'vxlan'] },
}
const LB_CONF = { bridge_mappings: {}, interface_mappings: { physnet2: 'eth1' }, tunneling_ip: '198.51.100.2', tunnel_types: ['vxlan'], l2_population: true }
const HV_CONF = { vswitch_mappings: { 'phys.*1$': 'external' } }

describe('agent-based mechanism drivers', () => {
  let s: TestServer
  let clock = Date.parse('2026-12-07T00:00:00Z')
  let vxlan: string
  let vlan1: string
  let vlan2: string
  const port = async (net: string, host: string, extra: Record<string, unknown> = {}) =>
    (await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': host, device_owner: 'compute:nova', ...extra } })).body.port
  const report = (agent_type: string, binary: string, host: string, configurations: Record<string, unknown>) =>
    s.app.plugin.agents.reportState({ agent_type, binary, host, configurations })
  const blocks = async (id: string) => (await s.app.db.all('SELECT entity FROM provisioningblocks WHERE port_id = ?', [id])).map((r) => r.entity)
  const failLine = (id: string) => s.log.lines.filter((l) => l.includes(`Failed to bind port ${id}`))

  before(async () => {
    s = await startNeutrino({ ini: INI, mechanismDrivers: undefined, now: () => new Date(clock) })
    await report('Open vSwitch agent', 'neutron-openvswitch-agent', 'hv1', OVS_CONF)
    await report('Linux bridge agent', 'neutron-linuxbridge-agent', 'hv2', LB_CONF)
    await report('HyperV agent', 'neutron-hyperv-agent', 'hv3', HV_CONF)
    const net = async (body: Record<string, unknown>) => (await s.call('POST', '/v2.0/networks', { network: body })).body.network.id
    vxlan = await net({ name: 'x', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 1612 })
    vlan1 = await net({ name: 'v1', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 101 })
    vlan2 = await net({ name: 'v2', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet2', 'provider:segmentation_id': 102 })
    for (const n of [vxlan, vlan1, vlan2]) {
      await s.call('POST', '/v2.0/subnets', { subnet: { network_id: n, ip_version: 4, cidr: '203.0.113.0/24' } })
    }
  })
  after(() => s.close())

  it('openvswitch binds vxlan on hv1 with Zed vif_details (netdev without vhost-user stays ovs)', async () => {
    const p = await port(vxlan, 'hv1')
    assert.equal(p['binding:vif_type'], 'ovs')
    assert.deepEqual(Object.entries(p['binding:vif_details']), [
      ['connectivity', 'l2'], ['port_filter', true], ['ovs_hybrid_plug', false], ['datapath_type', 'netdev'], ['bridge_name', 'br-int'],
    ])
    assert.equal(p.status, 'DOWN')
    assert.deepEqual(await blocks(p.id), ['L2'])
    const lv = await s.app.db.all('SELECT driver FROM ml2_port_binding_levels WHERE port_id = ?', [p.id])
    assert.deepEqual(lv.map((r) => r.driver), ['openvswitch'])
  })

  it('linuxbridge binds vxlan on hv2 (bridge) and vlan on its interface_mappings physnet', async () => {
    const p = await port(vxlan, 'hv2')
    assert.equal(p['binding:vif_type'], 'bridge')
    assert.deepEqual(p['binding:vif_details'], { connectivity: 'l2', port_filter: true })
    assert.equal((await port(vlan2, 'hv2'))['binding:vif_type'], 'bridge')
  })

  it('hyperv binds by regular-expression vswitch_mappings, never a tunnel', async () => {
    const p = await port(vlan1, 'hv3')
    assert.equal(p['binding:vif_type'], 'hyperv')
    assert.deepEqual(p['binding:vif_details'], { port_filter: false })
    const t = await port(vxlan, 'hv3')
    assert.equal(t['binding:vif_type'], 'binding_failed')
    assert.match(failLine(t.id)[0]!, /hyperv: agent [0-9a-f-]+ \(hv3\): segment [0-9a-f-]+ network_type vxlan not in \["local","flat","vlan"\]/)
    const v2 = await port(vlan2, 'hv3')
    assert.equal(v2['binding:vif_type'], 'binding_failed')
    assert.match(failLine(v2.id)[0]!, /physical_network physnet2 not in mappings \["phys\.\*1\$"\]/)
  })

  it('vhostuser when the netdev agent offers dpdkvhostuserclient', async () => {
    await report('Open vSwitch agent', 'neutron-openvswitch-agent', 'hv5', {
      ...OVS_CONF, ovs_capabilities: { datapath_types: ['netdev'], iface_types: ['dpdkvhostuser', 'dpdkvhostuserclient'] },
    })
    const p = await port(vxlan, 'hv5')
    assert.equal(p['binding:vif_type'], 'vhostuser')
    assert.deepEqual(p['binding:vif_details'], {
      connectivity: 'l2', port_filter: false, ovs_hybrid_plug: false, vhostuser_mode: 'server', vhostuser_ovs_plug: true,
      vhostuser_socket: `/var/run/openvswitch/vhu${p.id.slice(0, 11)}`, datapath_type: 'netdev', bridge_name: 'br-int',
    })
  })

  it('one log line names port, host and each driver\'s refusal: physnet not mapped, no agent', async () => {
    const p = await port(vlan2, 'hv1')
    assert.equal(p['binding:vif_type'], 'binding_failed')
    const lines = failLine(p.id)
    assert.equal(lines.length, 1)
    assert.match(lines[0]!, new RegExp(`on host hv1 .*refused by openvswitch: agent [0-9a-f-]+ \\(hv1\\): segment [0-9a-f-]+ physical_network physnet2 not in mappings \\["physnet1"\\] \\| linuxbridge: no Linux bridge agent on host hv1 \\| hyperv: no HyperV agent on host hv1$`))
    // As in Neutron, the block depends on an agent of the type being on the host, not on the
    // binding: the OVS agent is there, so its block is; linuxbridge/hyperv have no agent, no block.
    assert.deepEqual(await blocks(p.id), ['L2'])
  })

  it('smart-nic binds only through a baremetal_smartnic agent', async () => {
    const p = await port(vxlan, 'hv1', { 'binding:vnic_type': 'smart-nic' })
    assert.equal(p['binding:vif_type'], 'binding_failed')
    assert.match(failLine(p.id)[0]!, /openvswitch: agent [0-9a-f-]+ \(hv1\): vnic_type smart-nic needs an agent with baremetal_smartnic/)
  })

  it('unsupported vnic_type is a refusal', async () => {
    const p = await port(vxlan, 'hv2', { 'binding:vnic_type': 'direct' })
    assert.equal(p['binding:vif_type'], 'binding_failed')
    assert.match(failLine(p.id)[0]!, /linuxbridge: vnic_type direct not supported \(supported: normal\)/)
  })

  it('admin-down agents are skipped', async () => {
    const id = (await s.app.db.get('SELECT id FROM agents WHERE host = ?', ['hv2']))!.id
    await s.call('PUT', `/v2.0/agents/${id}`, { agent: { admin_state_up: false } })
    const p = await port(vxlan, 'hv2')
    assert.equal(p['binding:vif_type'], 'binding_failed')
    assert.match(failLine(p.id)[0]!, /linuxbridge: agent [0-9a-f-]+ \(hv2\): agent is admin_state_up=false/)
    await s.call('PUT', `/v2.0/agents/${id}`, { agent: { admin_state_up: true } })
  })

  it('a dead agent (no heartbeat within agent_down_time) is refused; the block still goes in', async () => {
    clock += 76_000
    await report('Linux bridge agent', 'neutron-linuxbridge-agent', 'hv2', LB_CONF)
    const p = await port(vxlan, 'hv1')
    assert.equal(p['binding:vif_type'], 'binding_failed')
    assert.match(failLine(p.id)[0]!, /openvswitch: agent [0-9a-f-]+ \(hv1\): agent is dead \(no heartbeat within agent_down_time\)/)
    // mech_agent inserts the block for any agent of the type on the host, alive or not.
    assert.deepEqual(await blocks(p.id), ['L2'])
    await report('Open vSwitch agent', 'neutron-openvswitch-agent', 'hv1', OVS_CONF)
    const u = (await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'hv2' } })).body.port
    assert.equal(u['binding:vif_type'], 'bridge')
  })
})

describe('agent-based drivers: [securitygroup] and [ovs_driver] options', () => {
  let s: TestServer
  before(async () => {
    s = await startNeutrino({
      ini: `${INI}[securitygroup]\nenable_security_group = false\nfirewall_driver = openvswitch\n[ovs_driver]\nvnic_type_prohibit_list = direct\n`,
    })
    const conf = { ...OVS_CONF } as Record<string, unknown>
    delete conf.ovs_hybrid_plug
    await s.app.plugin.agents.reportState({ agent_type: 'Open vSwitch agent', binary: 'neutron-openvswitch-agent', host: 'hv1', configurations: conf })
    await s.app.plugin.agents.reportState({ agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', host: 'hv2', configurations: LB_CONF })
  })
  after(() => s.close())

  it('port_filter follows enable_security_group; no hybrid plug with the openvswitch firewall; prohibited vnic_type refused', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'x', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 7 } })).body.network.id
    const mk = async (host: string, vnic = 'normal') =>
      (await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': host, 'binding:vnic_type': vnic } })).body.port
    const ovs = await mk('hv1')
    assert.deepEqual(ovs['binding:vif_details'], { connectivity: 'l2', port_filter: false, ovs_hybrid_plug: false, datapath_type: 'netdev', bridge_name: 'br-int' })
    assert.deepEqual((await mk('hv2'))['binding:vif_details'], { connectivity: 'l2', port_filter: false })
    const direct = await mk('hv1', 'direct')
    assert.equal(direct['binding:vif_type'], 'binding_failed')
    assert.ok(s.log.lines.some((l) => l.includes(`Failed to bind port ${direct.id}`) && l.includes('openvswitch: vnic_type direct not supported (supported: normal, smart-nic, vhost-vdpa)')))
  })
})
