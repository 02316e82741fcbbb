/** Port binding through HTTP (facts §1.5): test driver hosts, binding_failed, hierarchical levels, rebinding. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { MechanismDriver, PortContext } from '../../../src/ml2/driver-api.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

const levels = async (s: TestServer, portId: string) =>
  s.app.db.all<{ level: number; driver: string; segment_id: string }>('SELECT level, driver, segment_id FROM ml2_port_binding_levels WHERE port_id = ? ORDER BY level', [portId])

describe('port binding with the test driver', () => {
  let s: TestServer
  let net: string
  let segId: string
  before(async () => {
    s = await startNeutrino({ ini: '[ml2]\nmechanism_drivers = test,test_lower\n' })
    net = (await s.call('POST', '/v2.0/networks', { network: { name: 'b' } })).body.network.id
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.0/24' } })
    segId = (await s.app.db.get<{ id: string }>('SELECT id FROM ml2_network_segments WHERE network_id = ?', [net]))!.id
  })
  after(() => s.close())

  it('binds on test-host*: vif_type test, vif_details, one binding level', async () => {
    const r = await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'test-host-1' } })
    assert.equal(r.status, 201)
    const p = r.body.port
    assert.equal(p['binding:vif_type'], 'test')
    assert.deepEqual(p['binding:vif_details'], { port_filter: false, segment: 'vxlan' })
    assert.equal(p['binding:host_id'], 'test-host-1')
    assert.deepEqual(await levels(s, p.id), [{ level: 0, driver: 'test', segment_id: segId }])
    // Binding is a second commit in Neutron: the response shows 1, the stored port 2.
    assert.equal(p.revision_number, 1)
    assert.equal((await s.call('GET', `/v2.0/ports/${p.id}`)).body.port.revision_number, 2)
  })

  it('an unknown host gives binding_failed and a log line', async () => {
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'compute-9' } })).body.port
    assert.equal(p['binding:vif_type'], 'binding_failed')
    assert.deepEqual(p['binding:vif_details'], {})
    assert.deepEqual(await levels(s, p.id), [])
    assert.ok(s.log.lines.some((l) => l.includes(`Failed to bind port ${p.id} on host compute-9 for vnic_type normal using segments`)))
  })

  it('no host: unbound, no attempt', async () => {
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net } })).body.port
    assert.equal(p['binding:vif_type'], 'unbound')
    assert.equal(p['binding:host_id'], '')
    assert.deepEqual(p['binding:profile'], {})
  })

  it('binds hierarchically on test-hier-host* with test,test_lower: two levels', async () => {
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'test-hier-host-1' } })).body.port
    assert.equal(p['binding:vif_type'], 'test')
    assert.deepEqual(await levels(s, p.id), [
      { level: 0, driver: 'test', segment_id: segId },
      { level: 1, driver: 'test_lower', segment_id: segId },
    ])
  })

  it('rebinds when the host changes, and unbinds when it is cleared', async () => {
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'nowhere' } })).body.port
    assert.equal(p['binding:vif_type'], 'binding_failed')
    const u1 = (await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'test-host-2' } })).body.port
    assert.equal(u1['binding:vif_type'], 'test')
    assert.equal(u1.revision_number, 3)
    assert.equal((await levels(s, p.id)).length, 1)
    const u2 = (await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'test-hier-host-2' } })).body.port
    assert.equal(u2['binding:vif_type'], 'test')
    assert.equal((await levels(s, p.id)).length, 2)
    const u3 = (await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': '' } })).body.port
    assert.equal(u3['binding:vif_type'], 'unbound')
    assert.deepEqual(await levels(s, p.id), [])
  })
})

/** Binds everything and counts the attempts (to see what triggers a rebind). */
class CountingBinder implements MechanismDriver {
  readonly name = 'counting'
  attempts: Array<{ host: string; vnicType: string; profile: Record<string, unknown> }> = []
  initialize() {}
  bindPort(ctx: PortContext) {
    this.attempts.push({ host: ctx.host, vnicType: ctx.vnicType, profile: ctx.profile })
    ctx.setBinding(ctx.segmentsToBind[0]!.id!, 'ovs', { port_filter: true })
  }
}

describe('what triggers a rebind', () => {
  const binder = new CountingBinder()
  let s: TestServer
  let net: string
  before(async () => {
    s = await startNeutrino({ mechanismDrivers: [binder] })
    net = (await s.call('POST', '/v2.0/networks', { network: { name: 'r' } })).body.network.id
  })
  after(() => s.close())

  it('host, vnic_type and profile changes rebind; other updates do not', async () => {
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'h1' } })).body.port
    assert.equal(p['binding:vif_type'], 'ovs')
    assert.equal(binder.attempts.length, 1)
    await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { name: 'x' } })
    assert.equal(binder.attempts.length, 1)
    await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'h1' } })
    assert.equal(binder.attempts.length, 1, 'same host: no rebind')
    await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:vnic_type': 'direct' } })
    assert.equal(binder.attempts.length, 2)
    assert.equal(binder.attempts[1]!.vnicType, 'direct')
    const u = await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:profile': { pci_slot: '0000:05:00.1' } } })
    assert.equal(binder.attempts.length, 3)
    assert.deepEqual(binder.attempts[2]!.profile, { pci_slot: '0000:05:00.1' })
    assert.deepEqual(u.body.port['binding:profile'], { pci_slot: '0000:05:00.1' })
    await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'h2' } })
    assert.equal(binder.attempts.length, 4)
    assert.equal(binder.attempts[3]!.host, 'h2')
    const big = await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:profile': { x: 'y'.repeat(5000) } } })
    assert.equal(big.status, 400)
    assert.equal(big.body.NeutronError.message, 'Invalid input for operation: binding:profile value too large.')
  })
})
