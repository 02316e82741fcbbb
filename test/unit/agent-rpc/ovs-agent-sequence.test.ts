/**
 * The OVS agent's minimum sequence to ACTIVE (spec §4), scripted over the transport: every call
 * answered, the pulled Port carries what the agent needs (an ACTIVE binding for its host, the
 * last binding level's segment), and each later push of the port has a higher revision_number
 * than what the agent holds (its cache drops anything not newer).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { TOPIC_PLUGIN } from '../../../src/agent-rpc/agent-rpc-server.js'
import { P1, startHarness, type Harness } from '../../helpers/agent-rpc-harness.js'
import { loadSamples } from '../../helpers/agent-rpc-recorded.js'

const S = loadSamples()

describe('scripted OVS agent: minimum sequence to ACTIVE', () => {
  let h: Harness
  before(async () => {
    h = await startHarness()
  })
  after(() => h.close())

  it('has_alive → report_state → tunnel_sync → bulk_pull → get_network_details → update_device_list', async () => {
    const rpc = (method: string, version: string, args: Record<string, unknown>, topic = TOPIC_PLUGIN) => h.call(topic, method, version, args)
    assert.equal(await rpc('has_alive_neutron_server', '1.2', {}, 'q-reports-plugin'), true)
    assert.equal(await rpc('report_state', '1.2', S.get(2)!.args, 'q-reports-plugin'), 'new')
    assert.deepEqual((await rpc('tunnel_sync', '1.4', { tunnel_ip: '198.51.100.1', tunnel_type: 'vxlan', host: 'hv1' })).tunnels.length, 1)
    const net = (await h.s.call('POST', '/v2.0/networks', { network: { name: 'n', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 1700 } }, P1)).body.network
    await h.s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '203.0.113.0/24' } }, P1)
    const port = (await h.s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv1', device_owner: 'compute:nova' } }, P1)).body.port

    const [pulled] = await rpc('bulk_pull', '1.1', { resource_type: 'Port', version: '1.7', filter_kwargs: { id: [port.id] } })
    const d = pulled['versioned_object.data']
    const binding = d.bindings.find((b: any) => b['versioned_object.data'].host === 'hv1')['versioned_object.data']
    assert.equal(binding.status, 'ACTIVE')
    assert.equal(binding.vif_type, 'ovs')
    const seg = d.binding_levels.at(-1)['versioned_object.data'].segment['versioned_object.data']
    assert.deepEqual([seg.network_type, seg.segmentation_id], ['vxlan', 1700])
    const [n] = await rpc('bulk_pull', '1.1', { resource_type: 'Network', version: '1.1', filter_kwargs: { id: [net.id] } })
    assert.equal(n['versioned_object.data'].mtu, 1450)
    assert.equal((await rpc('get_network_details', '1.6', { network: net.id, agent_id: 'ovs-agent-hv1', host: 'hv1' }))['provider:segmentation_id'], 1700)

    const held = d.revision_number as number
    const reply = await rpc('update_device_list', '1.9', { devices_up: [port.id], devices_down: [], agent_id: 'ovs-agent-hv1', host: 'hv1', refresh_tunnels: true })
    assert.deepEqual(reply, { devices_up: [port.id], failed_devices_up: [], devices_down: [], failed_devices_down: [] })
    assert.equal((await h.s.call('GET', `/v2.0/ports/${port.id}`)).body.port.status, 'ACTIVE')
    const pushed = h.t.castsTo('neutron-vo-Port-1.7').at(-1)!.args.resource_list[0]['versioned_object.data']
    assert.equal(pushed.status, 'ACTIVE')
    assert.ok(pushed.revision_number > held, `${pushed.revision_number} > ${held}`)
  })
})
