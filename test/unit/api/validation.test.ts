/** Request validation and error bodies: attribute types, bulk all-or-nothing, 413, bad JSON, routing. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

const err = (type: string, message: string) => ({ NeutronError: { type, message, detail: '' } })

describe('request validation', () => {
  let s: TestServer
  let net: string
  before(async () => {
    s = await startNeutrino({ ini: '[oslo_middleware]\nmax_request_body_size = 2000\n' })
    net = (await s.call('POST', '/v2.0/networks', { network: { name: 'v' } })).body.network.id
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '198.51.100.0/24' } })
  })
  after(() => s.close())

  const expectError = async (method: string, path: string, body: unknown, status: number, type: string, message: string) => {
    const r = await s.call(method, path, body)
    assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`)
    assert.deepEqual(r.body, err(type, message))
  }

  it('rejects wrong types of every attribute kind with Neutron messages', async () => {
    const N = '/v2.0/networks'
    await expectError('POST', N, { network: { admin_state_up: 'maybe' } }, 400, 'InvalidInput', "Invalid input for operation: 'maybe' cannot be converted to boolean.")
    await expectError('POST', N, { network: { name: 5 } }, 400, 'HTTPBadRequest', "Invalid input for name. Reason: '5' is not a valid string.")
    await expectError('POST', N, { network: { name: 'x'.repeat(256) } }, 400, 'HTTPBadRequest', `Invalid input for name. Reason: '${'x'.repeat(256)}' exceeds maximum length of 255.`)
    await expectError('POST', N, { network: { mtu: 'abc' } }, 400, 'InvalidInput', "Invalid input for operation: 'abc' is not an integer.")
    await expectError('POST', N, { network: { status: 'DOWN' } }, 400, 'HTTPBadRequest', "Attribute 'status' not allowed in POST")
    await expectError('POST', N, { network: { bogus: 1, other: 2 } }, 400, 'HTTPBadRequest', "Unrecognized attribute(s) 'bogus, other'")
    await expectError('PUT', `${N}/${net}`, { network: { status: 'DOWN' } }, 400, 'HTTPBadRequest', 'Cannot update read-only attribute status')
    await expectError('PUT', `${N}/${net}`, { network: { 'provider:network_type': 'vlan' } }, 400, 'InvalidInput', 'Invalid input for operation: Plugin does not support updating provider attributes.')
    const S = '/v2.0/subnets'
    await expectError('POST', S, { subnet: { network_id: net, cidr: '10.0.0.0/24' } }, 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'ip_version' not specified")
    await expectError('POST', S, { subnet: { network_id: net, cidr: '10.0.0.0/24', ip_version: 5 } }, 400, 'HTTPBadRequest', 'Invalid input for ip_version. Reason: 5 is not in valid_values.')
    await expectError('POST', S, { subnet: { network_id: 'abc', cidr: '10.0.0.0/24', ip_version: 4 } }, 400, 'HTTPBadRequest', "Invalid input for network_id. Reason: 'abc' is not a valid UUID.")
    await expectError('POST', S, { subnet: { network_id: net, cidr: '10.0.0.0/24', ip_version: 4, dns_nameservers: ['bad'] } }, 400, 'HTTPBadRequest', "Invalid input for dns_nameservers. Reason: 'bad' is not a valid nameserver. 'bad' is not a valid IP address.")
    await expectError('POST', S, { subnet: { network_id: net, cidr: '10.0.0.0/24', ip_version: 6 } }, 400, 'InvalidInput', "Invalid input for operation: cidr '10.0.0.0/24' does not match the ip_version '6'.")
    const P = '/v2.0/ports'
    await expectError('POST', P, { port: { name: 'x' } }, 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'network_id' not specified")
    await expectError('POST', P, { port: { network_id: net, mac_address: 'zz' } }, 400, 'HTTPBadRequest', "Invalid input for mac_address. Reason: 'zz' is not a valid MAC address.")
    await expectError('POST', P, { port: { network_id: net, fixed_ips: [{ ip_address: '300.1.1.1' }] } }, 400, 'HTTPBadRequest', "Invalid input for fixed_ips. Reason: '300.1.1.1' is not a valid IP address.")
    await expectError('POST', P, { port: { network_id: net, 'binding:vnic_type': 'foo' } }, 400, 'HTTPBadRequest', 'Invalid input for binding:vnic_type. Reason: foo is not in valid_values.')
    await expectError('POST', P, { port: { network_id: net, 'binding:profile': 'foo' } }, 400, 'HTTPBadRequest', "Invalid input for binding:profile. Reason: 'foo' is not a dictionary.")
    await expectError('POST', P, { port: { network_id: net, fixed_ips: [{ ip_address: '192.0.2.1' }] } }, 400, 'InvalidIpForNetwork', 'IP address 192.0.2.1 is not a valid IP for any of the subnets on the specified network.')
  })

  it('answers malformed or missing bodies with 400', async () => {
    await expectError('POST', '/v2.0/networks', '{"network": ', 400, 'HTTPBadRequest', 'Body contains invalid data')
    await expectError('POST', '/v2.0/networks', '', 400, 'HTTPBadRequest', 'Resource body required')
    await expectError('POST', '/v2.0/networks', { foo: {} }, 400, 'HTTPBadRequest', "Unable to find 'network' in request body")
    await expectError('PUT', `/v2.0/networks/${net}`, { foo: {} }, 400, 'HTTPBadRequest', "Unable to find 'network' in request body")
  })

  it('refuses a body over max_request_body_size with 413', async () => {
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'x'.repeat(3000) } })
    assert.equal(r.status, 413)
    assert.equal(r.body.NeutronError.type, 'HTTPRequestEntityTooLarge')
    // The server still answers afterwards.
    assert.equal((await s.call('GET', '/v2.0/networks')).status, 200)
  })

  it('routes unknown paths and methods to 404/405', async () => {
    await expectError('GET', '/v2.0/foos', undefined, 404, 'HTTPNotFound', 'The resource could not be found.')
    await expectError('GET', '/v2.0', undefined, 404, 'HTTPNotFound', 'The resource could not be found.')
    await expectError('GET', '/v3/networks', undefined, 404, 'HTTPNotFound', 'The resource could not be found.')
    await expectError('GET', `/v2.0/networks/${net}/foo`, undefined, 404, 'HTTPNotFound', 'The resource could not be found.')
    await expectError('GET', '/v2.0/extensions/nope', undefined, 404, 'ExtensionNotFound', 'Extension with alias nope does not exist')
    await expectError('PATCH', `/v2.0/networks/${net}`, undefined, 405, 'HTTPMethodNotAllowed', 'The method PATCH is not allowed for this resource.')
    await expectError('DELETE', '/v2.0/networks', undefined, 405, 'HTTPMethodNotAllowed', 'The method DELETE is not allowed for this resource.')
    await expectError('GET', '/v2.0/networks/00000000-0000-0000-0000-000000000000', undefined, 404, 'NetworkNotFound', 'Network 00000000-0000-0000-0000-000000000000 could not be found.')
    await expectError('GET', '/v2.0/subnets/00000000-0000-0000-0000-000000000000', undefined, 404, 'SubnetNotFound', 'Subnet 00000000-0000-0000-0000-000000000000 could not be found.')
    await expectError('DELETE', '/v2.0/ports/00000000-0000-0000-0000-000000000000', undefined, 404, 'PortNotFound', 'Port 00000000-0000-0000-0000-000000000000 could not be found.')
    const json = await s.call('GET', `/v2.0/networks/${net}.json`)
    assert.equal(json.status, 200)
  })

  it('bulk create is all-or-nothing', async () => {
    const before = (await s.call('GET', '/v2.0/networks?fields=id')).body.networks.length
    const bad = await s.call('POST', '/v2.0/networks', { networks: [{ network: { name: 'b1' } }, { network: { name: 'b2', admin_state_up: 'x' } }] })
    assert.equal(bad.status, 400)
    // A failure inside the plugin (second VLAN id taken) rolls back the first network too.
    const seg = { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 150 }
    const bad2 = await s.call('POST', '/v2.0/networks', { networks: [{ network: { name: 'b1', ...seg } }, { network: { name: 'b2', ...seg } }] })
    assert.equal(bad2.status, 409)
    assert.equal(bad2.body.NeutronError.type, 'VlanIdInUse')
    assert.equal((await s.call('GET', '/v2.0/networks?fields=id')).body.networks.length, before)
    const ok = await s.call('POST', '/v2.0/networks', { networks: [{ network: { name: 'b1', ...seg } }, { network: { name: 'b2' } }] })
    assert.equal(ok.status, 201)
    assert.deepEqual(ok.body.networks.map((n: any) => n.name), ['b1', 'b2'])
    assert.equal((await s.call('GET', '/v2.0/networks?fields=id')).body.networks.length, before + 2)
    // Bulk ports: the second one's address is taken by the first → nothing created.
    const portsBefore = (await s.call('GET', '/v2.0/ports')).body.ports.length
    const fip = [{ ip_address: '198.51.100.77' }]
    const bp = await s.call('POST', '/v2.0/ports', { ports: [{ port: { network_id: net, fixed_ips: fip } }, { port: { network_id: net, fixed_ips: fip } }] })
    assert.equal(bp.status, 409)
    assert.equal(bp.body.NeutronError.type, 'IpAddressAlreadyAllocated')
    assert.equal((await s.call('GET', '/v2.0/ports')).body.ports.length, portsBefore)
    const bs = await s.call('POST', '/v2.0/subnets', {
      subnets: [{ subnet: { network_id: ok.body.networks[0].id, ip_version: 4, cidr: '203.0.113.0/25' } }, { subnet: { network_id: ok.body.networks[0].id, ip_version: 4, cidr: '203.0.113.0/24' } }],
    })
    assert.equal(bs.status, 400)
    assert.equal((await s.call('GET', `/v2.0/subnets?network_id=${ok.body.networks[0].id}`)).body.subnets.length, 0)
  })

  it('never leaks internals in a 500', async () => {
    // Break the database under the plugin: the client sees the generic message only.
    const db = s.app.db as any
    const orig = db.all
    db.all = async () => {
      throw new Error('secret internal detail')
    }
    try {
      const r = await s.call('GET', '/v2.0/networks')
      assert.equal(r.status, 500)
      assert.deepEqual(r.body, err('HTTPInternalServerError', 'Request Failed: internal server error while processing your request.'))
      assert.ok(!JSON.stringify(r.body).includes('secret'))
    } finally {
      db.all = orig
    }
  })
})
