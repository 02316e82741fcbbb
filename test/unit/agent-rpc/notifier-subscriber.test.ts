/**
 * API changes reach the agents: the notifier, subscribed to ML2's callbacks registry, hears each
 * committed network/subnet/port/security group change; a cast that fails is logged by the
 * registry and the API call still succeeds.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { buildAgentRpc, startAgentRpc } from '../../../src/agent-rpc/agent-rpc-server.js'
import { subscribeAgentNotifier } from '../../../src/agent-rpc/notifier-subscriber.js'
import { L2populationMechanismDriver } from '../../../src/ml2/mech/mech-l2population.js'
import { LinuxbridgeMechanismDriver } from '../../../src/ml2/mech/mech-linuxbridge.js'
import { OpenvswitchMechanismDriver } from '../../../src/ml2/mech/mech-openvswitch.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { FakeTransport } from '../../fakes/fake-transport.js'
import { INI, P1 } from '../../helpers/agent-rpc-harness.js'

describe('ML2 changes through the API reach the agents', () => {
  let s: TestServer
  const t = new FakeTransport()
  let stop: () => Promise<void>
  let sub: ReturnType<typeof subscribeAgentNotifier> | undefined
  let mark = 0
  const fresh = async () => {
    await sub!.drain()
    const c = t.casts.slice(mark).map((x) => [x.target.topic, x.method])
    mark = t.casts.length
    return c
  }

  before(async () => {
    const l2pop = new L2populationMechanismDriver()
    s = await startNeutrino({ ini: INI, mechanismDrivers: [new OpenvswitchMechanismDriver(), new LinuxbridgeMechanismDriver(), l2pop] })
    const rpc = buildAgentRpc({ plugin: s.app.plugin, tunnelTypes: new Set(s.app.plugin.core.typeManager.drivers.keys()), transport: t, log: s.log, l2pop })
    sub = subscribeAgentNotifier(s.app.plugin.registry, rpc.notifier, s.log)
    stop = await startAgentRpc(rpc, t, 'ctl')
  })
  after(async () => {
    sub?.unsubscribe()
    await stop()
    await s.close()
  })

  it('network, subnet, port create/update/delete', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'n' } }, P1)).body.network
    assert.deepEqual(await fresh(), [['neutron-vo-Network-1.1', 'push']])
    const sub = (await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24' } }, P1)).body.subnet
    assert.deepEqual(await fresh(), [['neutron-vo-Subnet-1.1', 'push']])
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id } }, P1)).body.port
    assert.deepEqual(await fresh(), [['q-agent-notifier-security_group-update', 'security_groups_member_updated'], ['neutron-vo-Port-1.7', 'push']])
    await s.call('PUT', `/v2.0/ports/${port.id}`, { port: { admin_state_up: false } }, P1)
    assert.deepEqual(await fresh(), [['q-agent-notifier-port-update', 'port_update'], ['neutron-vo-Port-1.7', 'push']])
    await s.call('PUT', `/v2.0/networks/${net.id}`, { network: { name: 'renamed' } }, P1)
    assert.deepEqual(await fresh(), [['neutron-vo-Network-1.1', 'push'], ['q-agent-notifier-network-update', 'network_update']])
    assert.equal((await s.call('DELETE', `/v2.0/ports/${port.id}`, undefined, P1)).status, 204)
    assert.deepEqual(await fresh(), [
      ['q-agent-notifier-security_group-update', 'security_groups_member_updated'], ['neutron-vo-Port-1.7', 'push'], ['q-agent-notifier-port-delete', 'port_delete'],
    ])
    assert.equal((await s.call('DELETE', `/v2.0/subnets/${sub.id}`, undefined, P1)).status, 204)
    assert.deepEqual(await fresh(), [['neutron-vo-Subnet-1.1', 'push']])
    assert.equal((await s.call('DELETE', `/v2.0/networks/${net.id}`, undefined, P1)).status, 204)
    assert.deepEqual(await fresh(), [['neutron-vo-Network-1.1', 'push'], ['q-agent-notifier-network-delete', 'network_delete']])
  })

  it('security group and rule create/delete', async () => {
    await fresh()
    const sg = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'web' } }, P1)).body.security_group
    assert.ok((await fresh()).map(([topic]) => topic).includes('neutron-vo-SecurityGroup-1.5'))
    const rule = await s.call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80 } }, P1)
    assert.equal(rule.status, 201)
    assert.deepEqual(await fresh(), [['q-agent-notifier-security_group-update', 'security_groups_rule_updated'], ['neutron-vo-SecurityGroupRule-1.2', 'push']])
    assert.equal((await s.call('DELETE', `/v2.0/security-group-rules/${rule.body.security_group_rule.id}`, undefined, P1)).status, 204)
    assert.deepEqual(await fresh(), [['q-agent-notifier-security_group-update', 'security_groups_rule_updated'], ['neutron-vo-SecurityGroupRule-1.2', 'push']])
    const ruleUpdate = t.casts.filter((c) => c.method === 'security_groups_rule_updated').at(-1)
    assert.deepEqual(ruleUpdate?.args, { security_groups: [sg.id] })
  })

  it('a failing cast is logged; the API call succeeds', async () => {
    const cast = t.cast.bind(t)
    t.cast = async () => {
      throw new Error('broker gone')
    }
    try {
      const r = await s.call('POST', '/v2.0/networks', { network: { name: 'while-down' } }, P1)
      assert.equal(r.status, 201)
      await sub!.drain()
      assert.ok(s.log.lines.some((l) => l.includes(`Agent notification for network.after_create (${r.body.network.id}) failed: broker gone`)))
    } finally {
      t.cast = cast
    }
  })
})
