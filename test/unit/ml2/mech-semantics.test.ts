/**
 * MechanismManager semantics end to end through HTTP (facts §1.4): precommit rollback, create
 * postcommit → delete, update postcommit keeps the change, delete postcommit only logged, reverse
 * order on delete. Uses the `test` driver's fail_on and recording drivers passed in directly.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { MechanismDriver, NetworkContext, PortContext, SubnetContext } from '../../../src/ml2/driver-api.js'
import type { TestMechanismDriver } from '../../../src/ml2/mech/mech-test.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

const FAIL_ON = [
  'create_network_precommit:pre-net',
  'create_network_postcommit:post-net',
  'update_network_postcommit:upd-net',
  'delete_network_postcommit:del-net',
  'create_subnet_precommit:pre-sub',
  'create_subnet_postcommit:post-sub',
  'create_port_precommit:pre-port',
  'create_port_postcommit:post-port',
  'update_port_postcommit:upd-port',
  'delete_port_postcommit:del-port',
]

describe('ML2 mechanism driver failure semantics', () => {
  let s: TestServer
  let drv: TestMechanismDriver
  let net: string
  before(async () => {
    s = await startNeutrino({ ini: `[ml2_mech_test]\nfail_on = ${FAIL_ON.join(',')}\n` })
    drv = s.app.mechanismDrivers.find((d) => d.name === 'test') as TestMechanismDriver
    net = (await s.call('POST', '/v2.0/networks', { network: { name: 'base' } })).body.network.id
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.0/24' } })
  })
  after(() => s.close())
  const count = async (sql: string) => Number((await s.app.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${sql}`))!.n)

  it('precommit failure rolls everything back: no row, no segment, no allocation', async () => {
    const [nets, segs, vlans] = [await count('networks'), await count('ml2_network_segments'), await count('ml2_vlan_allocations WHERE allocated = 1')]
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'pre-net', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 120 } })
    assert.equal(r.status, 400)
    assert.equal(r.body.NeutronError.type, 'TestInjectedFailure')
    assert.equal(await count('networks'), nets)
    assert.equal(await count('ml2_network_segments'), segs)
    assert.equal(await count('ml2_vlan_allocations WHERE allocated = 1'), vlans)
    // VLAN 120 is still free.
    const ok = await s.call('POST', '/v2.0/networks', { network: { name: 'vlan-120', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 120 } })
    assert.equal(ok.status, 201)
    const sub = await s.call('POST', '/v2.0/subnets', { subnet: { name: 'pre-sub', network_id: net, ip_version: 4, cidr: '198.51.100.0/24' } })
    assert.equal(sub.status, 400)
    assert.equal((await s.call('GET', '/v2.0/subnets?name=pre-sub')).body.subnets.length, 0)
    const ports = await count('ports')
    const ips = await count('ipallocations')
    const port = await s.call('POST', '/v2.0/ports', { port: { name: 'pre-port', network_id: net } })
    assert.equal(port.status, 400)
    assert.equal(await count('ports'), ports)
    assert.equal(await count('ipallocations'), ips)
  })

  it('create postcommit failure: 500 MechanismDriverError, resource deleted, delete hooks ran', async () => {
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'post-net' } })
    assert.equal(r.status, 500)
    assert.deepEqual(r.body.NeutronError, { type: 'MechanismDriverError', message: 'create_network_postcommit failed.', detail: '' })
    assert.equal((await s.call('GET', '/v2.0/networks?name=post-net')).body.networks.length, 0)
    const created = drv.calls.find((c) => c.phase === 'create_network_postcommit' && c.name === 'post-net')!
    const phases = drv.calls.filter((c) => c.id === created.id).map((c) => c.phase)
    assert.deepEqual(phases, ['create_network_precommit', 'create_network_postcommit', 'delete_network_precommit', 'delete_network_postcommit'])
    assert.ok(s.log.lines.some((l) => l.includes(`create_network_postcommit failed, deleting network '${created.id}'`)))

    const sub = await s.call('POST', '/v2.0/subnets', { subnet: { name: 'post-sub', network_id: net, ip_version: 4, cidr: '203.0.113.0/24' } })
    assert.equal(sub.status, 500)
    assert.equal((await s.call('GET', '/v2.0/subnets?name=post-sub')).body.subnets.length, 0)
    const port = await s.call('POST', '/v2.0/ports', { port: { name: 'post-port', network_id: net, fixed_ips: [{ ip_address: '192.0.2.50' }] } })
    assert.equal(port.status, 500)
    assert.equal((await s.call('GET', '/v2.0/ports?name=post-port')).body.ports.length, 0)
    const pid = drv.calls.find((c) => c.phase === 'create_port_postcommit' && c.name === 'post-port')!.id
    assert.ok(drv.calls.some((c) => c.phase === 'delete_port_postcommit' && c.id === pid))
    // Its address was released.
    assert.equal((await s.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '192.0.2.50' }] } })).status, 201)
  })

  it('update postcommit failure: 500, the change stays', async () => {
    const n = (await s.call('POST', '/v2.0/networks', { network: { name: 'before' } })).body.network
    const r = await s.call('PUT', `/v2.0/networks/${n.id}`, { network: { name: 'upd-net' } })
    assert.equal(r.status, 500)
    assert.equal(r.body.NeutronError.type, 'MechanismDriverError')
    assert.equal((await s.call('GET', `/v2.0/networks/${n.id}`)).body.network.name, 'upd-net')
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net } })).body.port
    const pr = await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { name: 'upd-port' } })
    assert.equal(pr.status, 500)
    assert.equal((await s.call('GET', `/v2.0/ports/${p.id}`)).body.port.name, 'upd-port')
  })

  it('delete postcommit failure: 204, gone, logged', async () => {
    const n = (await s.call('POST', '/v2.0/networks', { network: { name: 'del-net' } })).body.network
    const r = await s.call('DELETE', `/v2.0/networks/${n.id}`)
    assert.equal(r.status, 204)
    assert.equal((await s.call('GET', `/v2.0/networks/${n.id}`)).status, 404)
    assert.ok(s.log.lines.some((l) => l.includes("Mechanism driver 'test' failed in delete_network_postcommit")))
    assert.ok(s.log.lines.some((l) => l.includes(`delete_network_postcommit failed for network ${n.id}`)))
    const p = (await s.call('POST', '/v2.0/ports', { port: { name: 'del-port', network_id: net } })).body.port
    assert.equal((await s.call('DELETE', `/v2.0/ports/${p.id}`)).status, 204)
    assert.equal((await s.call('GET', `/v2.0/ports/${p.id}`)).status, 404)
  })
})

/** Records every hook into a shared journal, to observe driver order. */
class RecordingDriver implements MechanismDriver {
  constructor(readonly name: string, private readonly journal: string[]) {}
  initialize() {}
  private rec(phase: string) { this.journal.push(`${this.name}:${phase}`) }
  createNetworkPrecommit(_: NetworkContext) { this.rec('create_network_precommit') }
  createNetworkPostcommit(_: NetworkContext) { this.rec('create_network_postcommit') }
  deleteNetworkPrecommit(_: NetworkContext) { this.rec('delete_network_precommit') }
  deleteNetworkPostcommit(_: NetworkContext) { this.rec('delete_network_postcommit') }
  createSubnetPrecommit(_: SubnetContext) { this.rec('create_subnet_precommit') }
  deleteSubnetPrecommit(_: SubnetContext) { this.rec('delete_subnet_precommit') }
  deleteSubnetPostcommit(_: SubnetContext) { this.rec('delete_subnet_postcommit') }
  createPortPrecommit(_: PortContext) { this.rec('create_port_precommit') }
  createPortPostcommit(_: PortContext) { this.rec('create_port_postcommit') }
  deletePortPrecommit(_: PortContext) { this.rec('delete_port_precommit') }
  deletePortPostcommit(_: PortContext) { this.rec('delete_port_postcommit') }
}

describe('ML2 driver call order', () => {
  const journal: string[] = []
  let s: TestServer
  before(async () => (s = await startNeutrino({ mechanismDrivers: [new RecordingDriver('first', journal), new RecordingDriver('second', journal)] })))
  after(() => s.close())

  it('calls drivers in configured order, and in reverse order on delete', async () => {
    const n = (await s.call('POST', '/v2.0/networks', { network: { name: 'o' } })).body.network
    assert.deepEqual(journal.splice(0), ['first:create_network_precommit', 'second:create_network_precommit', 'first:create_network_postcommit', 'second:create_network_postcommit'])
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr: '192.0.2.0/24' } })
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: n.id } })).body.port
    journal.splice(0)
    assert.equal((await s.call('DELETE', `/v2.0/ports/${p.id}`)).status, 204)
    assert.deepEqual(journal.splice(0), ['second:delete_port_precommit', 'first:delete_port_precommit', 'second:delete_port_postcommit', 'first:delete_port_postcommit'])
    assert.equal((await s.call('DELETE', `/v2.0/networks/${n.id}`)).status, 204)
    // The subnet goes first (through its own delete), then the network; each in reverse order.
    assert.deepEqual(journal.splice(0), [
      'second:delete_subnet_precommit', 'first:delete_subnet_precommit', 'second:delete_subnet_postcommit', 'first:delete_subnet_postcommit',
      'second:delete_network_precommit', 'first:delete_network_precommit', 'second:delete_network_postcommit', 'first:delete_network_postcommit',
    ])
  })
})
