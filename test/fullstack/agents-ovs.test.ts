/**
 * The real Neutron Open vSwitch agent (Debian Zed, unchanged) against a `neutrino server`
 * process over a private RabbitMQ: two hypervisors (netdev datapath), VMs as namespaces plugged
 * as Nova/os-vif plugs them (test/helpers/agents-lab.ts). One lab for the whole file (RabbitMQ
 * and each agent take 10–15 s to start); the steps build on each other, in the order issue 12
 * asks: bind + ACTIVE, ping over VXLAN (l2population), over GRE, a security group rule opening and
 * closing a TCP port (agents' `firewall_driver = openvswitch`), RabbitMQ restarted mid-run, a
 * deleted port stops its traffic, and a dead agent's host refuses new bindings.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { agentsLabSkipReason, startAgentsLab, waitAgentsAlive, closeAgentsLab, type AgentsLab, type Vm } from '../helpers/agents-lab.js'
import { eventually } from '../helpers/eventually.js'
import { spawn, spawnSync } from 'node:child_process'

/** A TCP connect from a VM's namespace (socat, 1 s timeout): true when the handshake completed. */
function tcpOpen(from: Vm, ip: string, port: number): boolean {
  return spawnSync('ip', ['netns', 'exec', from.ns, 'socat', '-u', 'OPEN:/dev/null', `TCP:${ip}:${port},connect-timeout=1`], { timeout: 10_000 }).status === 0
}

const skip = agentsLabSkipReason()

describe('real Neutron OVS agents against neutrino (two hypervisors, VXLAN and GRE, l2population)', { skip, timeout: 900_000 }, () => {
  let lab: AgentsLab
  let net: any
  const vms: Vm[] = []
  const timings: Record<string, number> = {}

  before(async () => {
    lab = await startAgentsLab({ hypervisors: [{ kind: 'ovs', firewall: 'openvswitch' }, { kind: 'ovs', firewall: 'openvswitch' }], agentDownTime: 45 })
  }, { timeout: 300_000 })
  after(() => closeAgentsLab(lab, timings))

  it('every agent reports and shows alive in the agents API', async () => {
    timings.agentsAlive = await waitAgentsAlive(lab, ['Open vSwitch agent hv1', 'Open vSwitch agent hv2'])
    const ovs = (await lab.api('GET', '/v2.0/agents?host=hv1')).body.agents[0]
    assert.equal(ovs.configurations.datapath_type, 'netdev')
    assert.deepEqual([...ovs.configurations.tunnel_types].sort(), ['gre', 'vxlan'])
    assert.equal(ovs.configurations.tunneling_ip, '198.51.100.1')
  })

  it('ports bind (vif_type ovs, netdev) and go ACTIVE', async () => {
    net = (await lab.api('POST', '/v2.0/networks', { network: { name: 'nae-vxlan' } })).body.network
    assert.equal(net['provider:network_type'], 'vxlan')
    const sub = await lab.api('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '203.0.113.0/24', enable_dhcp: false } })
    assert.equal(sub.status, 201)
    const t0 = Date.now()
    for (const hv of lab.hv) vms.push(await lab.vm(hv, net.id))
    const ports = await Promise.all(vms.map(async (v) => (await lab.api('GET', `/v2.0/ports/${v.portId}`)).body.port))
    assert.deepEqual(ports.map((p) => p['binding:vif_type']), ['ovs', 'ovs'])
    assert.deepEqual(ports.map((p) => p['binding:host_id']), ['hv1', 'hv2'])
    assert.equal(ports[0]['binding:vif_details'].datapath_type, 'netdev')
    for (const v of vms) await lab.waitStatus(v.portId, 'ACTIVE', 180_000)
    timings.createToAllActive = Date.now() - t0
  })

  it('OVS ↔ OVS: VMs ping over VXLAN', async () => {
    assert.equal(vms.length, 2, 'ports from the previous step')
    timings.firstPingOvsOvs = await eventually(() => lab.ping(vms[0]!, vms[1]!.ip, { count: 1 }), 'ping hv1 → hv2')
    assert.ok(lab.ping(vms[1]!, vms[0]!.ip), 'ping hv2 → hv1')
  })

  it('OVS ↔ OVS: VMs ping over GRE', async () => {
    const g = await lab.api('POST', '/v2.0/networks', { network: { name: 'nae-gre', 'provider:network_type': 'gre' } })
    assert.equal(g.status, 201, JSON.stringify(g.body))
    const sub = await lab.api('POST', '/v2.0/subnets', { subnet: { network_id: g.body.network.id, ip_version: 4, cidr: '192.0.2.0/24', enable_dhcp: false } })
    assert.equal(sub.status, 201)
    const a = await lab.vm(lab.hv[0]!, g.body.network.id)
    const b = await lab.vm(lab.hv[1]!, g.body.network.id)
    await lab.waitStatus(a.portId, 'ACTIVE', 180_000)
    await lab.waitStatus(b.portId, 'ACTIVE', 180_000)
    timings.firstPingGre = await eventually(() => lab.ping(a, b.ip, { count: 1 }), 'ping over GRE')
  })

  it('firewall_driver = openvswitch: a security group rule opens and closes a TCP port', async () => {
    assert.equal(vms.length, 2, 'ports from the previous step')
    const web = (await lab.api('POST', '/v2.0/security-groups', { security_group: { name: 'nae-web' } })).body.security_group
    const net = (await lab.api('GET', `/v2.0/ports/${vms[0]!.portId}`)).body.port.network_id
    const srv = await lab.vm(lab.hv[1]!, net, { security_groups: [web.id] })
    await lab.waitStatus(srv.portId, 'ACTIVE', 180_000)
    // A listener in the VM; its PID goes with the VM namespace at the end.
    spawn('ip', ['netns', 'exec', srv.ns, 'socat', '-u', 'TCP-LISTEN:8080,fork,reuseaddr', 'OPEN:/dev/null'], { stdio: 'ignore' })
    // The group allows no ingress: the listener is there but unreachable (ARP still passes).
    await eventually(() => spawnSync('ip', ['netns', 'exec', srv.ns, 'sh', '-c', 'ss -ltn | grep -q :8080']).status === 0, 'listener up', 30_000)
    assert.equal(tcpOpen(vms[0]!, srv.ip, 8080), false, 'closed before the rule')
    let t0 = Date.now()
    const rule = await lab.api('POST', '/v2.0/security-group-rules', { security_group_rule: {
      security_group_id: web.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080, remote_ip_prefix: '203.0.113.0/24',
    } })
    assert.equal(rule.status, 201)
    await eventually(() => tcpOpen(vms[0]!, srv.ip, 8080), 'port 8080 opens', 60_000)
    timings.sgRuleOpen = Date.now() - t0
    t0 = Date.now()
    assert.equal((await lab.api('DELETE', `/v2.0/security-group-rules/${rule.body.security_group_rule.id}`)).status, 204)
    await eventually(() => !tcpOpen(vms[0]!, srv.ip, 8080), 'port 8080 closes', 60_000)
    timings.sgRuleClose = Date.now() - t0
  })

  it('RabbitMQ restarted mid-run: agents stay alive, a new port still goes ACTIVE and forwards', async () => {
    assert.equal(vms.length, 2, 'ports from the previous step')
    const t0 = Date.now()
    await lab.rabbit.restart()
    const net = (await lab.api('GET', `/v2.0/ports/${vms[0]!.portId}`)).body.port.network_id
    const late = await lab.vm(lab.hv[0]!, net)
    await lab.waitStatus(late.portId, 'ACTIVE', 180_000)
    await eventually(() => lab.ping(late, vms[1]!.ip, { count: 1 }), 'ping after the restart')
    timings.rabbitRestartToNewPortForwarding = Date.now() - t0
    const agents = (await lab.api('GET', '/v2.0/agents')).body.agents
    assert.deepEqual(agents.filter((a: any) => !a.alive).map((a: any) => a.host), [], 'no agent marked dead by the outage')
  })

  it('deleting a port stops its traffic', async () => {
    assert.equal(vms.length, 2, 'ports from the previous step')
    assert.ok(lab.ping(vms[0]!, vms[1]!.ip), 'hv1 → hv2 before the delete')
    assert.equal((await lab.api('DELETE', `/v2.0/ports/${vms[1]!.portId}`)).status, 204)
    // The OVS agent on hv2 hears port_delete and puts the still-plugged tap on the dead VLAN.
    timings.deleteToNoTraffic = await eventually(() => !lab.ping(vms[0]!, vms[1]!.ip, { count: 1, timeoutS: 1 }), 'traffic stops')
  })
  it('an agent killed: after agent_down_time a new port on its host fails binding, with the one-line log', async () => {
    await lab.hv[1]!.killAgent()
    await eventually(async () => {
      const a = (await lab.api('GET', '/v2.0/agents?host=hv2')).body.agents[0]
      return a && a.alive === false
    }, 'hv2 agent dead', 120_000)
    const net = (await lab.api('GET', `/v2.0/ports/${vms[0]!.portId}`)).body.port.network_id
    const r = await lab.api('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'hv2', device_owner: 'compute:nova' } })
    assert.equal(r.status, 201)
    assert.equal(r.body.port['binding:vif_type'], 'binding_failed')
    const line = lab.server.stderr().split('\n').find((l) => l.includes(`Failed to bind port ${r.body.port.id} on host hv2`))
    assert.ok(line, 'the binding failure is logged')
    assert.match(line!, /openvswitch: .*hv2.*agent is dead/)
  })
})
