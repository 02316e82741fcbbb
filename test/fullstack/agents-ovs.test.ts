/**
 * The real Neutron Open vSwitch agent (Debian Zed, unchanged) against a `neutrino server`
 * process over a private RabbitMQ: two hypervisors (netdev datapath), VMs as namespaces plugged
 * as Nova/os-vif plugs them (test/helpers/agents-lab.ts). One lab for the whole file (RabbitMQ
 * and each agent take 10–15 s to start); the steps build on each other, in the order issue 12
 * asks: bind + ACTIVE, ping over VXLAN (l2population), over GRE, then a deleted port stops its
 * traffic.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { agentsLabSkipReason, startAgentsLab, type AgentsLab, type Vm } from '../helpers/agents-lab.js'
import { eventually } from '../helpers/eventually.js'

const skip = agentsLabSkipReason()

describe('real Neutron OVS agents against neutrino (two hypervisors, VXLAN and GRE, l2population)', { skip, timeout: 900_000 }, () => {
  let lab: AgentsLab
  let net: any
  const vms: Vm[] = []
  const timings: Record<string, number> = {}

  before(async () => {
    lab = await startAgentsLab({ hypervisors: [{ kind: 'ovs' }, { kind: 'ovs' }] })
  }, { timeout: 300_000 })
  after(async () => {
    if (lab && process.env.NAE_DEBUG_DIR) lab.dumpLogs(process.env.NAE_DEBUG_DIR)
    await lab?.stop()
    if (Object.keys(timings).length) process.stdout.write(`# agents lab timings (ms): ${JSON.stringify(timings)}\n`)
  })

  it('every agent reports and shows alive in the agents API', async () => {
    const want = ['Open vSwitch agent hv1', 'Open vSwitch agent hv2']
    timings.agentsAlive = await eventually(async () => {
      const r = await lab.api('GET', '/v2.0/agents')
      const alive = (r.body.agents ?? []).filter((a: any) => a.alive).map((a: any) => `${a.agent_type} ${a.host}`)
      return want.every((w) => alive.includes(w))
    }, 'both agents alive', 180_000)
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

  it('deleting a port stops its traffic', async () => {
    assert.equal(vms.length, 2, 'ports from the previous step')
    assert.ok(lab.ping(vms[0]!, vms[1]!.ip), 'hv1 → hv2 before the delete')
    assert.equal((await lab.api('DELETE', `/v2.0/ports/${vms[1]!.portId}`)).status, 204)
    // The OVS agent on hv2 hears port_delete and puts the still-plugged tap on the dead VLAN.
    timings.deleteToNoTraffic = await eventually(() => !lab.ping(vms[0]!, vms[1]!.ip, { count: 1, timeoutS: 1 }), 'traffic stops')
  })
})
