/**
 * Bad input gets the failure reply the real server sends and changes nothing. The recorded
 * failures (failure-replies.jsonl: NoSuchMethod, UnsupportedVersion, tunnel_sync's InvalidInput)
 * are replayed byte for byte; every other malformed call of every method is refused with
 * InvalidInput (neutron_lib.exceptions) naming the argument, and the database is unchanged.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { TOPIC_PLUGIN } from '../../../src/agent-rpc/agent-rpc-server.js'
import { FakeRemoteError } from '../../fakes/fake-transport.js'
import { createLabNetwork, createLabPort, replay, startHarness, type Harness } from '../../helpers/agent-rpc-harness.js'
import { loadFailures, loadSamples } from '../../helpers/agent-rpc-recorded.js'

const S = loadSamples()

describe('agent RPC failure replies', () => {
  let h: Harness
  const snapshot = async () => ({
    agents: await h.s.app.db.all('SELECT agent_type, "binary", host, heartbeat_timestamp, configurations, resource_versions FROM agents ORDER BY id'),
    ports: await h.s.app.db.all('SELECT id, status, revision_number FROM ports ORDER BY id'),
    tunnels: await h.s.app.db.all('SELECT * FROM ml2_tunnel_endpoints ORDER BY ip_address'),
    blocks: await h.s.app.db.all('SELECT * FROM provisioningblocks ORDER BY port_id'),
  })
  const refused = async (topic: string, method: string, version: string, args: any, cls: string, message: RegExp | string) => {
    const before = await snapshot()
    const casts = h.t.casts.length
    await assert.rejects(h.call(topic, method, version, args), (e: unknown) => {
      assert.ok(e instanceof FakeRemoteError, String(e))
      assert.equal(e.excClass, cls)
      if (typeof message === 'string') assert.equal(e.message, message)
      else assert.match(e.message, message)
      return true
    })
    assert.deepEqual(await snapshot(), before, `${method} ${JSON.stringify(args)} wrote nothing`)
    if (cls !== 'NoSuchMethod' && cls !== 'UnsupportedVersion') {
      assert.ok(h.s.log.lines.at(-1)!.includes(`WARN neutrino.agent-rpc`) && h.s.log.lines.at(-1)!.includes(`${method} refused: ${cls}: `), h.s.log.lines.at(-1))
    }
    assert.equal(h.t.casts.length, casts, `${method} cast nothing`)
  }

  before(async () => {
    h = await startHarness()
    await replay(h, S.get(2)!)
    await replay(h, S.get(12)!)
    await createLabNetwork(h)
    await createLabPort(h, 2)
  })
  after(() => h.close())

  for (const f of loadFailures()) {
    it(`recorded: ${f.method} ${f.version} ${JSON.stringify(f.args)} → ${f.failure.class}`, async () => {
      await refused(TOPIC_PLUGIN, f.method, f.version, f.args, f.failure.class, f.failure.message)
      assert.equal(h.t.failures.at(-1)!.excModule, f.failure.module)
    })
  }

  it('tunnel_sync: no tunnel_ip, wrong IP version, unknown or non-tunnel type', async () => {
    await refused(TOPIC_PLUGIN, 'tunnel_sync', '1.4', { tunnel_type: 'vxlan', host: 'hv1' }, 'InvalidInput', 'Invalid input for operation: Tunnel IP value needed by the ML2 plugin.')
    await refused(TOPIC_PLUGIN, 'tunnel_sync', '1.4', { tunnel_ip: '2001:db8::1', tunnel_type: 'vxlan', host: 'hv1' }, 'InvalidInput', /Tunnel IP version does not match ML2 overlay_ip_version, host: hv1, tunnel_ip_version: 6, overlay: 4/)
    await refused(TOPIC_PLUGIN, 'tunnel_sync', '1.4', { tunnel_ip: '198.51.100.9', tunnel_type: 'flat', host: 'hv1' }, 'InvalidInput', "Invalid input for operation: Network type value 'flat' not supported.")
    await refused(TOPIC_PLUGIN, 'tunnel_sync', '1.4', { tunnel_ip: 'not-an-ip', tunnel_type: 'vxlan' }, 'InvalidInput', /Invalid tunnel IP not-an-ip/)
  })

  it('report_state: missing/odd arguments', async () => {
    const good = S.get(10)!.args
    await refused('q-reports-plugin', 'report_state', '1.2', {}, 'InvalidInput', /'agent_state' must be a dict/)
    await refused('q-reports-plugin', 'report_state', '1.2', { agent_state: good.agent_state }, 'InvalidInput', /'time' must be a timestamp/)
    const noHost = structuredClone(good)
    delete noHost.agent_state.agent_state.host
    await refused('q-reports-plugin', 'report_state', '1.2', noHost, 'InvalidInput', /'host' must be a non-empty string/)
    const badConf = structuredClone(good)
    badConf.agent_state.agent_state.configurations = ['x']
    await refused('q-reports-plugin', 'report_state', '1.2', badConf, 'InvalidInput', /'configurations' must be a dict/)
  })

  it('report_state claiming another agent type for an existing binary and host: refused and logged', async () => {
    const other = structuredClone(S.get(10)!.args)
    other.agent_state.agent_state.agent_type = 'Linux bridge agent'
    await refused('q-reports-plugin', 'report_state', '1.2', other, 'InvalidInput',
      "Invalid input for operation: Agent neutron-openvswitch-agent on host hv1 is registered with agent_type 'Open vSwitch agent', not 'Linux bridge agent'.")
    assert.ok(h.s.log.lines.some((l) => l.includes("Agent neutron-openvswitch-agent on host hv1 reported type 'Linux bridge agent'")))
  })

  it('device methods: missing or mistyped arguments', async () => {
    await refused(TOPIC_PLUGIN, 'get_device_details', '1.9', { agent_id: 'a', host: 'hv2' }, 'InvalidInput', /'device' must be a non-empty string/)
    await refused(TOPIC_PLUGIN, 'get_devices_details_list', '1.9', { devices: 'tap1', host: 'hv2' }, 'InvalidInput', /'devices' must be a list of strings/)
    await refused(TOPIC_PLUGIN, 'update_device_up', '1.9', { device: 7, host: 'hv2' }, 'InvalidInput', /'device' must be a non-empty string/)
    await refused(TOPIC_PLUGIN, 'update_device_down', '1.9', { host: 'hv2' }, 'InvalidInput', /'device' must be a non-empty string/)
    await refused(TOPIC_PLUGIN, 'update_device_list', '1.9', { devices_up: [1], host: 'hv1' }, 'InvalidInput', /'devices_up' must be a list of strings/)
    await refused(TOPIC_PLUGIN, 'update_device_up', '1.9', { device: 'tap2d1f5588-dc', host: ['hv2'] }, 'InvalidInput', /'host' must be a string/)
    await refused(TOPIC_PLUGIN, 'get_network_details', '1.6', { host: 'hv1' }, 'InvalidInput', /'network' must be a non-empty string/)
    await refused(TOPIC_PLUGIN, 'get_network_details', '1.6', { network: 'a1c8d457-0000-0000-0000-000000000000' }, 'NetworkNotFound', 'Network a1c8d457-0000-0000-0000-000000000000 could not be found.')
    await refused(TOPIC_PLUGIN, 'security_group_info_for_devices', '1.3', {}, 'InvalidInput', /'devices' must be a list of strings/)
  })

  it('bulk_pull / pull: unknown type, unserved version, unknown filter, bad filter values', async () => {
    await refused(TOPIC_PLUGIN, 'bulk_pull', '1.1', { resource_type: 'Trunk', version: '1.1', filter_kwargs: {} }, 'InvalidInput', /unknown resource_type 'Trunk'/)
    await refused(TOPIC_PLUGIN, 'bulk_pull', '1.1', { resource_type: 'Port', version: '1.6', filter_kwargs: {} }, 'InvalidInput', /Port version 1.6 is not served/)
    await refused(TOPIC_PLUGIN, 'bulk_pull', '1.1', { resource_type: 'Port', version: '1.7', filter_kwargs: { name: ['x'] } }, 'InvalidInput', /cannot be filtered by 'name'/)
    await refused(TOPIC_PLUGIN, 'bulk_pull', '1.1', { resource_type: 'Port', version: '1.7', filter_kwargs: { id: [1] } }, 'InvalidInput', /filter 'id' must be strings/)
    await refused(TOPIC_PLUGIN, 'pull', '1.1', { resource_type: 'Port', version: '1.7' }, 'InvalidInput', /'resource_id' must be a non-empty string/)
    assert.equal(await h.call(TOPIC_PLUGIN, 'pull', '1.1', { resource_type: 'Network', version: '1.1', resource_id: 'nope' }), null)
  })

  it('unknown method and version on every topic', async () => {
    await refused('q-reports-plugin', 'report_stat', '1.2', {}, 'NoSuchMethod', 'Endpoint does not support RPC method report_stat')
    await refused('q-reports-plugin', 'report_state', '2.0', {}, 'UnsupportedVersion', 'Endpoint does not support RPC version 2.0. Attempted method: report_state')
    await refused(TOPIC_PLUGIN, 'update_device_list', '1.10', {}, 'UnsupportedVersion', 'Endpoint does not support RPC version 1.10. Attempted method: update_device_list')
  })
})
