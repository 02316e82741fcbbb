/**
 * The real Neutron Linux bridge agent (Debian Zed, unchanged) next to the Open vSwitch agent,
 * against a `neutrino server` process over a private RabbitMQ: one OVS hypervisor (netdev) and
 * two Linux bridge hypervisors (kernel VXLAN), VMs plugged as os-vif plugs them (the LB agent
 * does not plug compute ports: the harness makes brq<net[:11]>). Ports bind `ovs` / `bridge`, go
 * ACTIVE, and VMs ping OVS↔LB and LB↔LB over VXLAN with l2population's unicast FDB entries.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { linuxbridgeSkipReason, startAgentsLab, waitAgentsAlive, closeAgentsLab, type AgentsLab, type Vm } from '../helpers/agents-lab.js'
import { eventually } from '../helpers/eventually.js'

const skip = linuxbridgeSkipReason()

describe('real Neutron Linux bridge and OVS agents against neutrino (VXLAN, l2population)', { skip, timeout: 900_000 }, () => {
  let lab: AgentsLab
  const vms: Vm[] = []
  const timings: Record<string, number> = {}

  before(async () => {
    lab = await startAgentsLab({ hypervisors: [{ kind: 'ovs' }, { kind: 'lb' }, { kind: 'lb' }] })
  }, { timeout: 300_000 })
  after(() => closeAgentsLab(lab, timings))

  it('every agent reports and shows alive in the agents API', async () => {
    timings.agentsAlive = await waitAgentsAlive(lab, ['Open vSwitch agent hv1', 'Linux bridge agent hv2', 'Linux bridge agent hv3'])
  })

  it('ports bind (vif_type ovs / bridge) and go ACTIVE', async () => {
    const net = (await lab.api('POST', '/v2.0/networks', { network: { name: 'nae-vxlan' } })).body.network
    assert.equal(net['provider:network_type'], 'vxlan')
    const sub = await lab.api('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '203.0.113.0/24', enable_dhcp: false } })
    assert.equal(sub.status, 201)
    const t0 = Date.now()
    for (const hv of lab.hv) vms.push(await lab.vm(hv, net.id))
    const ports = await Promise.all(vms.map(async (v) => (await lab.api('GET', `/v2.0/ports/${v.portId}`)).body.port))
    assert.deepEqual(ports.map((p) => p['binding:vif_type']), ['ovs', 'bridge', 'bridge'])
    for (const v of vms) await lab.waitStatus(v.portId, 'ACTIVE', 180_000)
    timings.createToAllActive = Date.now() - t0
  })

  it('OVS ↔ LB and LB ↔ LB: VMs ping over VXLAN with l2population', async () => {
    assert.equal(vms.length, 3, 'ports from the previous step')
    timings.firstPingOvsLb = await eventually(() => lab.ping(vms[0]!, vms[1]!.ip, { count: 1 }), 'ping hv1 (OVS) → hv2 (LB)')
    timings.firstPingLbLb = await eventually(() => lab.ping(vms[1]!, vms[2]!.ip, { count: 1 }), 'ping hv2 (LB) → hv3 (LB)')
    assert.ok(lab.ping(vms[2]!, vms[0]!.ip), 'ping hv3 (LB) → hv1 (OVS)')
    // Unicast VXLAN from l2population (without it the LB agent would use a multicast group):
    // flooding entries for both other hypervisors and the OVS VM's MAC on the VXLAN device.
    const fdb = execFileSync('ip', ['netns', 'exec', lab.hv[1]!.ns, 'bridge', 'fdb', 'show'], { encoding: 'utf8' })
    assert.match(fdb, /00:00:00:00:00:00 dev vxlan-\d+ dst 198\.51\.100\.1 /)
    assert.match(fdb, /00:00:00:00:00:00 dev vxlan-\d+ dst 198\.51\.100\.3 /)
    assert.ok(fdb.includes(`${vms[0]!.mac} dev vxlan-`), 'the OVS VM MAC from add_fdb_entries')
  })
})
