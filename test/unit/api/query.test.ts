/** fields=, filters (repeated = OR), sort_key/sort_dir, limit/marker/page_reverse and *_links (api_common.py). */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

describe('list queries', () => {
  let s: TestServer
  let ids: string[] = [] // sorted network ids
  const names = ['delta', 'alpha', 'charlie', 'bravo', 'echo']
  before(async () => {
    s = await startNeutrino()
    for (const [i, name] of names.entries()) {
      const r = await s.call('POST', '/v2.0/networks', { network: { name, admin_state_up: i % 2 === 0, description: i < 2 ? 'x' : '' } })
      assert.equal(r.status, 201)
    }
    ids = (await s.call('GET', '/v2.0/networks?fields=id')).body.networks.map((n: any) => n.id)
  })
  after(() => s.close())
  const list = async (q: string) => {
    const r = await s.call('GET', `/v2.0/networks?${q}`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body
  }

  it('lists in id order by default and fields= selects attributes', async () => {
    assert.deepEqual(ids, [...ids].sort())
    const b = await list('fields=id&fields=name')
    for (const n of b.networks) assert.deepEqual(Object.keys(n).sort(), ['id', 'name'])
    const show = await s.call('GET', `/v2.0/networks/${ids[0]}?fields=name`)
    assert.deepEqual(Object.keys(show.body.network), ['name'])
  })

  it('filters on attributes, repeated values OR-ed, booleans converted', async () => {
    assert.deepEqual((await list('name=alpha')).networks.map((n: any) => n.name), ['alpha'])
    assert.deepEqual((await list('name=alpha&name=echo&sort_key=name&sort_dir=asc')).networks.map((n: any) => n.name), ['alpha', 'echo'])
    const up = (await list('admin_state_up=true&sort_key=name&sort_dir=asc')).networks.map((n: any) => n.name)
    assert.deepEqual(up, ['charlie', 'delta', 'echo'])
    assert.deepEqual((await list('admin_state_up=False&sort_key=name&sort_dir=asc')).networks.map((n: any) => n.name), ['alpha', 'bravo'])
    assert.deepEqual((await list('name=alpha&admin_state_up=true')).networks, [])
    assert.equal((await list('provider:network_type=vxlan')).networks.length, 5)
    assert.equal((await list('description=')).networks.length, 3) // empty-string-filtering
    assert.equal((await list('bogus=1')).networks.length, 5) // unknown filters ignored (no filter-validation)
    const bad = await s.call('GET', '/v2.0/networks?admin_state_up=maybe')
    assert.equal(bad.status, 400)
    assert.equal(bad.body.NeutronError.type, 'InvalidInput')
  })

  it('sorts on one or more keys', async () => {
    assert.deepEqual((await list('sort_key=name&sort_dir=desc&fields=name')).networks.map((n: any) => n.name), ['echo', 'delta', 'charlie', 'bravo', 'alpha'])
    const two = (await list('sort_key=admin_state_up&sort_dir=asc&sort_key=name&sort_dir=desc&fields=name')).networks.map((n: any) => n.name)
    assert.deepEqual(two, ['bravo', 'alpha', 'echo', 'delta', 'charlie'])
  })

  it('rejects bad sort and limit parameters like Neutron', async () => {
    const cases: Array<[string, number, string, string]> = [
      ['sort_key=name', 400, 'HTTPBadRequest', 'The number of sort_keys and sort_dirs must be same'],
      ['sort_key=foo&sort_dir=asc', 400, 'HTTPBadRequest', "['foo'] is invalid attribute for sort_keys"],
      ['sort_key=name&sort_dir=up', 400, 'HTTPBadRequest', "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'"],
      ['limit=-1', 400, 'BadRequest', "Bad limit request: Limit must be an integer 0 or greater and not '-1'."],
      ['limit=abc', 400, 'BadRequest', "Bad limit request: Limit must be an integer 0 or greater and not 'abc'."],
      ['limit=1&marker=00000000-0000-0000-0000-000000000000', 404, 'NetworkNotFound', 'Network 00000000-0000-0000-0000-000000000000 could not be found.'],
    ]
    for (const [q, status, type, message] of cases) {
      const r = await s.call('GET', `/v2.0/networks?${q}`)
      assert.equal(r.status, status, q)
      assert.deepEqual(r.body, { NeutronError: { type, message, detail: '' } }, q)
    }
  })

  it('paginates forwards with next/previous links', async () => {
    const p1 = await list('limit=2')
    assert.deepEqual(p1.networks.map((n: any) => n.id), ids.slice(0, 2))
    const href = (b: any, rel: string) => b.networks_links.find((l: any) => l.rel === rel)?.href.replace(s.url, '')
    assert.equal(href(p1, 'next'), `/v2.0/networks?limit=2&marker=${ids[1]}`)
    assert.equal(href(p1, 'previous'), `/v2.0/networks?limit=2&marker=${ids[0]}&page_reverse=True`)
    const p2 = await list(`limit=2&marker=${ids[1]}`)
    assert.deepEqual(p2.networks.map((n: any) => n.id), ids.slice(2, 4))
    const p3 = await list(`limit=2&marker=${ids[3]}`)
    assert.deepEqual(p3.networks.map((n: any) => n.id), ids.slice(4))
    // A short forward page has no next link.
    assert.equal(href(p3, 'next'), undefined)
    assert.equal(href(p3, 'previous'), `/v2.0/networks?limit=2&marker=${ids[4]}&page_reverse=True`)
  })

  it('paginates backwards with page_reverse', async () => {
    const r = await list(`limit=2&marker=${ids[4]}&page_reverse=True`)
    assert.deepEqual(r.networks.map((n: any) => n.id), ids.slice(2, 4))
    const href = (rel: string) => r.networks_links.find((l: any) => l.rel === rel)?.href.replace(s.url, '')
    assert.equal(href('next'), `/v2.0/networks?limit=2&marker=${ids[3]}`)
    assert.equal(href('previous'), `/v2.0/networks?limit=2&marker=${ids[2]}&page_reverse=True`)
    const first = await list(`limit=2&marker=${ids[1]}&page_reverse=true`)
    assert.deepEqual(first.networks.map((n: any) => n.id), ids.slice(0, 1))
    // A short reverse page has no previous link.
    assert.deepEqual(first.networks_links.map((l: any) => l.rel), ['next'])
  })

  it('keeps other query parameters in links and pages sorted results', async () => {
    const r = await list('sort_key=name&sort_dir=asc&limit=2&fields=name&fields=id')
    assert.deepEqual(r.networks.map((n: any) => n.name), ['alpha', 'bravo'])
    const next = r.networks_links.find((l: any) => l.rel === 'next').href.replace(s.url, '')
    assert.equal(next, `/v2.0/networks?sort_key=name&sort_dir=asc&limit=2&fields=name&fields=id&marker=${r.networks[1].id}`)
    const r2 = await list(next.split('?')[1]!)
    assert.deepEqual(r2.networks.map((n: any) => n.name), ['charlie', 'delta'])
  })

  it('filters ports by fixed_ips and device_id', async () => {
    const net = ids[0]!
    const sub = await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.0/24' } })
    const p1 = await s.call('POST', '/v2.0/ports', { port: { network_id: net, device_id: 'vm-1', fixed_ips: [{ ip_address: '192.0.2.10' }] } })
    const p2 = await s.call('POST', '/v2.0/ports', { port: { network_id: net, device_id: 'vm-2', fixed_ips: [{ ip_address: '192.0.2.20' }] } })
    assert.equal(p1.status, 201)
    assert.equal(p2.status, 201)
    const ports = async (q: string) => (await s.call('GET', `/v2.0/ports?${q}`)).body.ports.map((p: any) => p.id).sort()
    assert.deepEqual(await ports('fixed_ips=ip_address%3D192.0.2.10'), [p1.body.port.id])
    assert.deepEqual(await ports(`fixed_ips=subnet_id%3D${sub.body.subnet.id}`), [p1.body.port.id, p2.body.port.id].sort())
    assert.deepEqual(await ports('device_id=vm-2'), [p2.body.port.id])
    assert.deepEqual(await ports('device_id=vm-2&device_id=vm-1'), [p1.body.port.id, p2.body.port.id].sort())
    assert.deepEqual(await ports('fixed_ips=ip_address_substr%3D192.0.2.2'), [p2.body.port.id])
  })
})
