/**
 * report_state over time (agents_db): new → alive → silent past agent_down_time (the agents API
 * shows alive false, new ports there fail binding) → revived; resource versions from a start
 * report and from another server's report_agent_resource_versions fanout.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { buildAgentRpc, startAgentRpc } from '../../../src/agent-rpc/agent-rpc-server.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { FakeTransport } from '../../fakes/fake-transport.js'
import { INI, P1 } from '../../helpers/agent-rpc-harness.js'
import { loadSamples } from '../../helpers/agent-rpc-recorded.js'

const S = loadSamples()

describe('report_state over time', () => {
  let s: TestServer
  let clock = Date.parse('2026-12-07T00:00:00Z')
  const t = new FakeTransport()
  let rpc: ReturnType<typeof buildAgentRpc>
  const report = (seq: number) => t.call({ topic: 'q-reports-plugin', version: '1.2' }, 'report_state', S.get(seq)!.args)

  before(async () => {
    s = await startNeutrino({ ini: `${INI}[DEFAULT]\nagent_down_time = 75\n`, now: () => new Date(clock) })
    rpc = buildAgentRpc({ plugin: s.app.plugin, tunnelTypes: new Set(s.app.plugin.core.typeManager.drivers.keys()), transport: t, log: s.log })
    await startAgentRpc(rpc, t, 'ctl')
  })
  after(() => s.close())

  it('new, alive, dead after agent_down_time (binding refuses it), revived', async () => {
    assert.equal(await report(2), 'new')
    clock += 10_000
    assert.equal(await report(10), 'alive')
    clock += 76_000
    const agent = (await s.call('GET', '/v2.0/agents')).body.agents[0]
    assert.equal(agent.alive, false)
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'n' } }, P1)).body.network
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv1' } }, P1)).body.port
    assert.equal(port['binding:vif_type'], 'binding_failed')
    assert.ok(s.log.lines.some((l) => l.includes(`Failed to bind port ${port.id} on host hv1`) && l.includes(`openvswitch: agent ${agent.id} (hv1): agent is dead`)))
    assert.equal(await report(10), 'revived')
    assert.equal((await s.call('GET', '/v2.0/agents')).body.agents[0].alive, true)
    // Rebinding (a host change) now finds the agent alive.
    await s.call('PUT', `/v2.0/ports/${port.id}`, { port: { 'binding:host_id': '' } }, P1)
    assert.equal((await s.call('PUT', `/v2.0/ports/${port.id}`, { port: { 'binding:host_id': 'hv1' } }, P1)).body.port['binding:vif_type'], 'ovs')
  })

  it('resource versions: stored from the start report, learnt from another server\'s fanout', async () => {
    const row = await s.app.db.get('SELECT resource_versions FROM agents WHERE host = ?', ['hv1'])
    assert.equal(JSON.parse(row!.resource_versions).Port, '1.7')
    assert.equal(rpc.versions.reported()['Open vSwitch agent@hv1']!.Port, '1.7')
    await t.cast({ topic: 'q-server-resource-versions', fanout: true, version: '1.0' }, 'report_agent_resource_versions', {
      agent_type: 'Linux bridge agent', agent_host: 'hv9', version_map: { Port: '1.6', Network: '1.1' },
    })
    assert.equal(rpc.versions.reported()['Linux bridge agent@hv9']!.Port, '1.6')
    // Neutrino builds 1.7 only: it keeps pushing 1.7 and says once that hv9 must pull.
    assert.deepEqual(rpc.versions.versionsFor('Port'), ['1.7'])
    assert.deepEqual(rpc.versions.versionsFor('Port'), ['1.7'])
    assert.equal(s.log.lines.filter((l) => l.includes('Linux bridge agent@hv9 consumes Port 1.6')).length, 1)
  })
})
