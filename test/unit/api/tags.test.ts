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
