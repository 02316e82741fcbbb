import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

describe('API smoke', () => {
  let s: TestServer
  before(async () => (s = await startNeutrino()))
  after(() => s.close())

  it('creates a network, subnet and port and lists them', async () => {
    const n = await s.call('POST', '/v2.0/networks', { network: { name: 'n1' } })
    assert.equal(n.status, 201)
    assert.equal(n.body.network['provider:network_type'], 'vxlan')
    assert.equal(n.body.network.mtu, 1450)
    const sub = await s.call('POST', '/v2.0/subnets', { subnet: { network_id: n.body.network.id, ip_version: 4, cidr: '10.1.0.0/24' } })
    assert.equal(sub.status, 201)
    assert.deepEqual(sub.body.subnet.allocation_pools, [{ start: '10.1.0.2', end: '10.1.0.254' }])
    const p = await s.call('POST', '/v2.0/ports', { port: { network_id: n.body.network.id } })
    assert.equal(p.status, 201)
    assert.equal(p.body.port.fixed_ips.length, 1)
    const list = await s.call('GET', '/v2.0/ports?fields=id')
    assert.deepEqual(list.body, { ports: [{ id: p.body.port.id }] })
  })
})
