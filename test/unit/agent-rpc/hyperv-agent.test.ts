/**
 * Hyper-V: its agent cannot run on Linux, so a scripted agent speaks the wire format of
 * networking-hyperv's (report_state as `HyperV agent` with vswitch_mappings, through the
 * transport, JSON both ways), and its ports bind `hyperv` by regular-expression mappings; the
 * scripted agent then wires one the way the Linux bridge agent does (get_device_details,
 * update_device_up) and it goes ACTIVE.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { TOPIC_PLUGIN } from '../../../src/agent-rpc/agent-rpc-server.js'
import { P1, startHarness, type Harness } from '../../helpers/agent-rpc-harness.js'

const HOST = 'hyperv-1'

describe('scripted HyperV agent over the wire format', () => {
  let h: Harness
  before(async () => {
    h = await startHarness()
  })
  after(() => h.close())

  it('reports, gets vlan ports on a mapped physnet bound hyperv, wires one to ACTIVE', async () => {
    const report = (start: boolean) => h.call('q-reports-plugin', 'report_state', '1.2', {
      agent_state: { agent_state: {
        binary: 'neutron-hyperv-agent', host: HOST, topic: 'N/A', agent_type: 'HyperV agent',
        configurations: { vswitch_mappings: { 'phys.*': 'external-vswitch' }, devices: 0 },
        ...(start ? { start_flag: true } : {}),
      } },
      time: new Date().toISOString().slice(0, 23),
    })
    assert.equal(await report(true), 'new')
    assert.equal(await report(false), 'alive')
    const net = (await h.s.call('POST', '/v2.0/networks', { network: { name: 'hv', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 120 } }, P1)).body.network
    await h.s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24' } }, P1)
    const port = (await h.s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': HOST, device_owner: 'compute:nova' } }, P1)).body.port
    assert.equal(port['binding:vif_type'], 'hyperv')
    assert.deepEqual(port['binding:vif_details'], { port_filter: false })
    const details = await h.call(TOPIC_PLUGIN, 'get_device_details', '1.9', { device: port.id, agent_id: HOST, host: HOST })
    assert.equal(details.network_type, 'vlan')
    assert.equal(details.segmentation_id, 120)
    assert.equal(details.physical_network, 'physnet1')
    assert.equal(await h.call(TOPIC_PLUGIN, 'update_device_up', '1.9', { device: port.id, agent_id: HOST, host: HOST }), null)
    assert.equal((await h.s.call('GET', `/v2.0/ports/${port.id}`)).body.port.status, 'ACTIVE')
  })
})
