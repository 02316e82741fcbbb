/** standard-attr-tag: /v2.0/{networks,subnets,ports}/{id}/tags[/{tag}] and tag filters. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

describe('tags API', () => {
  let s: TestServer
  let net: string
  before(async () => {
    s = await startNeutrino()
    net = (await s.call('POST', '/v2.0/networks', { network: { name: 't' } })).body.network.id
  })
  after(() => s.close())

  it('PUT/GET/DELETE on a network', async () => {
    const base = `/v2.0/networks/${net}/tags`
    assert.deepEqual((await s.call('GET', base)).body, { tags: [] })
    const put = await s.call('PUT', base, { tags: ['red', 'blue'] })
    assert.equal(put.status, 200)
    assert.deepEqual(put.body, { tags: ['red', 'blue'] })
    assert.deepEqual((await s.call('GET', base)).body.tags.sort(), ['blue', 'red'])
    assert.deepEqual((await s.call('GET', `/v2.0/networks/${net}`)).body.network.tags.sort(), ['blue', 'red'])
    assert.equal((await s.call('GET', `${base}/red`)).status, 204)
    const missing = await s.call('GET', `${base}/green`)
    assert.equal(missing.status, 404)
    assert.deepEqual(missing.body.NeutronError, { type: 'TagNotFound', message: 'Tag green could not be found.', detail: '' })
    const rev = (await s.call('GET', `/v2.0/networks/${net}`)).body.network.revision_number
    assert.equal((await s.call('PUT', `${base}/green`)).status, 201)
    assert.equal((await s.call('GET', `/v2.0/networks/${net}`)).body.network.revision_number, rev + 1)
    assert.equal((await s.call('PUT', `${base}/green`)).status, 201) // idempotent
    assert.equal((await s.call('GET', `/v2.0/networks/${net}`)).body.network.revision_number, rev + 1)
    assert.equal((await s.call('DELETE', `${base}/red`)).status, 204)
    assert.equal((await s.call('DELETE', `${base}/red`)).status, 404)
    assert.deepEqual((await s.call('GET', base)).body.tags.sort(), ['blue', 'green'])
    assert.equal((await s.call('DELETE', base)).status, 204)
    assert.deepEqual((await s.call('GET', base)).body, { tags: [] })
  })

  it('validates tag bodies and resources', async () => {
    const base = `/v2.0/networks/${net}/tags`
    const bad = await s.call('PUT', base, { tag: ['x'] })
    assert.deepEqual(bad.body.NeutronError, { type: 'InvalidInput', message: 'Invalid input for operation: Invalid tags body.', detail: '' })
    const dup = await s.call('PUT', base, { tags: ['a', 'a'] })
    assert.equal(dup.status, 400)
    assert.equal(dup.body.NeutronError.message, "Invalid input for operation: Duplicate items in the list: 'a'.")
    const long = await s.call('PUT', `${base}/${'x'.repeat(256)}`)
    assert.equal(long.status, 400)
    assert.equal(long.body.NeutronError.type, 'InvalidInput')
    const gone = await s.call('GET', '/v2.0/networks/00000000-0000-0000-0000-000000000000/tags')
    assert.equal(gone.status, 404)
  })

  it('works on subnets and ports, and tag filters select resources', async () => {
    const sub = (await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.0/24' } })).body.subnet
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net } })).body.port
    assert.equal((await s.call('PUT', `/v2.0/subnets/${sub.id}/tags/s1`)).status, 201)
    assert.equal((await s.call('PUT', `/v2.0/ports/${port.id}/tags`, { tags: ['p1', 'p2'] })).status, 200)
    assert.deepEqual((await s.call('GET', `/v2.0/subnets/${sub.id}`)).body.subnet.tags, ['s1'])
    const n2 = (await s.call('POST', '/v2.0/networks', { network: { name: 't2' } })).body.network.id
    await s.call('PUT', `/v2.0/networks/${net}/tags`, { tags: ['a', 'b'] })
    await s.call('PUT', `/v2.0/networks/${n2}/tags`, { tags: ['b', 'c'] })
    const names = async (q: string) => (await s.call('GET', `/v2.0/networks?${q}`)).body.networks.map((n: any) => n.name).sort()
    assert.deepEqual(await names('tags=a,b'), ['t'])
    assert.deepEqual(await names('tags=b'), ['t', 't2'])
    assert.deepEqual(await names('tags-any=a,c'), ['t', 't2'])
    assert.deepEqual(await names('not-tags=a,b'), ['t2'])
    assert.deepEqual(await names('not-tags-any=a'), ['t2'])
    assert.deepEqual((await s.call('GET', '/v2.0/ports?tags=p2')).body.ports.map((p: any) => p.id), [port.id])
  })

  it('non-owners cannot change tags of a shared network', async () => {
    const shared = (await s.call('POST', '/v2.0/networks', { network: { name: 'sh', shared: true } })).body.network.id
    const P1 = { 'X-Project-Id': 'p1', 'X-Roles': 'member' }
    assert.equal((await s.call('GET', `/v2.0/networks/${shared}/tags`, undefined, P1)).status, 200)
    const r = await s.call('PUT', `/v2.0/networks/${shared}/tags/x`, undefined, P1)
    assert.equal(r.status, 403)
    assert.equal(r.body.NeutronError.message, 'rule:update_networks_tags is disallowed by policy')
  })
})

/**
 * Who may read and change tags: get_/update_/delete_<collection>_tags (Neutron 2024.1's rules,
 * src/policy/defaults.ts), with the 404/403 of an update.
 */
describe('tags API: policy under the default rules', () => {
  const A = { 'X-Project-Id': 'pa', 'X-Roles': 'member' }
  const B = { 'X-Project-Id': 'pb', 'X-Roles': 'member' }
  let s: TestServer
  let aNet: string
  before(async () => {
    s = await startNeutrino()
    aNet = (await s.call('POST', '/v2.0/networks', { network: { name: 'a', tenant_id: 'pa' } }, A)).body.network.id
  })
  after(() => s.close())

  it("another project's private network: its NotFound for every tag request", async () => {
    for (const [m, path, body] of [
      ['GET', 'tags', undefined],
      ['GET', 'tags/x', undefined],
      ['PUT', 'tags', { tags: ['x'] }],
      ['PUT', 'tags/x', undefined],
      ['DELETE', 'tags', undefined],
      ['DELETE', 'tags/x', undefined],
    ] as const) {
      const r = await s.call(m, `/v2.0/networks/${aNet}/${path}`, body, B)
      assert.equal(r.status, 404, `${m} ${path}`)
      assert.equal(r.body.NeutronError.type, 'NetworkNotFound', `${m} ${path}`)
    }
  })

  it('a shared network: others read its tags, and get 403 naming the tag rule when they change them', async () => {
    const shared = (await s.call('POST', '/v2.0/networks', { network: { name: 'sh', shared: true } })).body.network.id
    await s.call('PUT', `/v2.0/networks/${shared}/tags`, { tags: ['blue'] })
    assert.deepEqual((await s.call('GET', `/v2.0/networks/${shared}/tags`, undefined, B)).body, { tags: ['blue'] })
    assert.equal((await s.call('GET', `/v2.0/networks/${shared}/tags/blue`, undefined, B)).status, 204)
    const put = await s.call('PUT', `/v2.0/networks/${shared}/tags`, { tags: [] }, B)
    assert.deepEqual(put.body.NeutronError, { type: 'PolicyNotAuthorized', message: 'rule:update_networks_tags is disallowed by policy', detail: '' })
    const del = await s.call('DELETE', `/v2.0/networks/${shared}/tags/blue`, undefined, B)
    assert.equal(del.status, 403)
    assert.equal(del.body.NeutronError.message, 'rule:delete_networks_tags is disallowed by policy')
    assert.deepEqual((await s.call('GET', `/v2.0/networks/${shared}/tags`)).body, { tags: ['blue'] })
  })

  it('owners change their tags, with or without a member role (enforce_new_defaults = false)', async () => {
    assert.equal((await s.call('PUT', `/v2.0/networks/${aNet}/tags/m`, undefined, A)).status, 201)
    assert.equal((await s.call('PUT', `/v2.0/networks/${aNet}/tags/r`, undefined, { 'X-Project-Id': 'pa' })).status, 201)
    assert.equal((await s.call('DELETE', `/v2.0/networks/${aNet}/tags/m`, undefined, { 'X-Project-Id': 'pa' })).status, 204)
    assert.deepEqual((await s.call('GET', `/v2.0/networks/${aNet}/tags`, undefined, A)).body, { tags: ['r'] })
  })

  it("a network's owner may tag another project's subnet on it, and delete (not set) the tags of another project's port", async () => {
    const hosted = (await s.call('POST', '/v2.0/networks', { network: { name: 'hosted', tenant_id: 'pa', shared: true } })).body.network.id
    const sub = (await s.call('POST', '/v2.0/subnets', { subnet: { network_id: hosted, tenant_id: 'pb', ip_version: 4, cidr: '198.51.100.0/24' } })).body.subnet
    assert.equal(sub.tenant_id, 'pb')
    assert.equal((await s.call('PUT', `/v2.0/subnets/${sub.id}/tags/by-net-owner`, undefined, A)).status, 201)
    assert.deepEqual((await s.call('GET', `/v2.0/subnets/${sub.id}/tags`, undefined, A)).body, { tags: ['by-net-owner'] })
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: hosted, tenant_id: 'pb' } }, B)).body.port
    assert.equal((await s.call('PUT', `/v2.0/ports/${port.id}/tags`, { tags: ['b1', 'b2'] }, B)).status, 200)
    assert.deepEqual((await s.call('GET', `/v2.0/ports/${port.id}/tags`, undefined, A)).body.tags, ['b1', 'b2'])
    const put = await s.call('PUT', `/v2.0/ports/${port.id}/tags/a1`, undefined, A)
    assert.deepEqual(put.body.NeutronError, { type: 'PolicyNotAuthorized', message: 'rule:update_ports_tags is disallowed by policy', detail: '' })
    assert.equal((await s.call('DELETE', `/v2.0/ports/${port.id}/tags/b1`, undefined, A)).status, 204)
    assert.deepEqual((await s.call('GET', `/v2.0/ports/${port.id}`, undefined, B)).body.port.tags, ['b2'])
  })
})

describe('tags API: enforce_new_defaults = true', () => {
  let s: TestServer
  let net: string
  before(async () => {
    s = await startNeutrino({ ini: '[oslo_policy]\nenforce_new_defaults = true\n' })
    net = (await s.call('POST', '/v2.0/networks', { network: { name: 'a', tenant_id: 'pa' } }, { 'X-Project-Id': 'pa', 'X-Roles': 'member' })).body.network.id
  })
  after(() => s.close())

  it('readers read tags and may not change them (403); without a role the network is hidden (404)', async () => {
    const reader = { 'X-Project-Id': 'pa', 'X-Roles': 'reader' }
    assert.deepEqual((await s.call('GET', `/v2.0/networks/${net}/tags`, undefined, reader)).body, { tags: [] })
    const put = await s.call('PUT', `/v2.0/networks/${net}/tags/x`, undefined, reader)
    assert.equal(put.status, 403)
    assert.equal(put.body.NeutronError.message, 'rule:update_networks_tags is disallowed by policy')
    const bare = await s.call('PUT', `/v2.0/networks/${net}/tags/x`, undefined, { 'X-Project-Id': 'pa' })
    assert.deepEqual(bare.body.NeutronError, { type: 'HTTPNotFound', message: 'The resource could not be found.', detail: '' })
    assert.equal((await s.call('PUT', `/v2.0/networks/${net}/tags/x`, undefined, { 'X-Project-Id': 'pa', 'X-Roles': 'member' })).status, 201)
    assert.equal((await s.call('PUT', `/v2.0/networks/${net}/tags/y`, undefined, { 'X-Project-Id': 'px', 'X-Roles': 'admin' })).status, 201)
  })
})
