/**
 * Issue 15: network, port and subnet lists planned in SQL (src/db/resources/row-query.ts) answer exactly what the
 * in-memory semantics (src/api/query.ts applyFilters + paginate over every visible network)
 * answer, on SQLite and PostgreSQL, for an admin and a member: column and tag filters (repeated,
 * empty, comma-separated, unmatched), every page of limit/marker walks both ways, page_reverse,
 * sort_dir, a marker outside the filter, and filters or sorts the plan leaves to memory.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeOnEngines } from '../../helpers/api-engines.js'
import { NETWORK_ATTRS } from '../../../src/api/definitions/network.js'
import { PORT_ATTRS } from '../../../src/api/definitions/port.js'
import { SUBNET_ATTRS } from '../../../src/api/definitions/subnet.js'
import type { AttrMap } from '../../../src/api/attributes.js'
import { applyFilters, paginate, parseListQuery } from '../../../src/api/query.js'

const ADMIN = { 'X-Project-Id': 'p-admin', 'X-Roles': 'admin' }
const MEMBER = { 'X-Project-Id': 'p-plan', 'X-Roles': 'member' }
const OTHER = { 'X-Project-Id': 'p-other', 'X-Roles': 'member' }

/** Name, flags and tags of each network; owners alternate between the member and another project. */
const NETS: Array<{ name: string; shared?: boolean; external?: boolean; up?: boolean; tags: string[] }> = [
  { name: 'a', tags: ['red', 'blue'] },
  { name: 'a', tags: ['red'] },
  { name: 'b', shared: true, tags: ['blue', 'green'] },
  { name: '', tags: [] },
  { name: 'Ünï', up: false, tags: ['red', 'blue', 'green'] },
  { name: 'b', external: true, tags: ['x,y'.split(',')[0]!] },
  { name: 'c', tags: ['green'] },
  { name: 'a b', shared: true, up: false, tags: ['blue'] },
  { name: 'c', tags: ['red', 'green'] },
]

const FILTERS = [
  '', 'name=a', 'name=a&name=b', 'name=nomatch', 'name=', 'name=%C3%9Cn%C3%AF', 'name=a%20b',
  'shared=true', 'shared=False', 'shared=1', 'router:external=TRUE', 'admin_state_up=false', 'shared=',
  'tags=red', 'tags=red,blue', 'tags=red&tags=green', 'tags=', 'tags=,', 'tags-any=red,green', 'tags-any=',
  'not-tags=red,blue', 'not-tags=', 'not-tags-any=red', 'not-tags-any=red&not-tags-any=green', 'not-tags-any=',
  'name=a&tags=red', 'name=c&not-tags=red', 'tenant_id=p-plan', 'project_id=p-other&shared=false',
  // left to memory: attributes that are no plain column
  'mtu=1500', 'subnets=nomatch', 'name=a&mtu=1500',
]

const PORTS: Array<{ name: string; owner: string; device: string; up?: boolean; tags: string[] }> = [
  { name: 'a', owner: 'compute:nova', device: 'vm1', tags: ['red'] },
  { name: 'b', owner: 'compute:nova', device: 'vm1', tags: [] },
  { name: 'c', owner: '', device: '', up: false, tags: ['red', 'blue'] },
  { name: 'a', owner: 'network:dhcp', device: 'dhcp1', tags: ['blue'] },
  { name: '', owner: 'compute:nova', device: 'vm2', tags: [] },
  { name: 'c', owner: '', device: 'vm2', tags: ['green'] },
  { name: 'b', owner: 'compute:nova', device: '', up: false, tags: ['red', 'green'] },
]

const PORT_FILTERS = [
  '', 'name=a', 'name=a&name=c', 'name=nomatch', 'name=', 'device_owner=compute:nova', 'device_owner=', 'device_id=vm1&device_id=vm2',
  'admin_state_up=false', 'admin_state_up=True&device_owner=compute:nova', 'status=DOWN', 'tags=red', 'tags-any=blue,green',
  'not-tags=red', 'not-tags-any=red,blue', 'tenant_id=p-plan', 'project_id=p-other',
  // left to memory, or dropped for a member (binding:host_id is admin-only)
  'mac_address=nomatch', 'fixed_ips=ip_address=192.0.2.9', 'binding:host_id=', 'security_groups=nomatch',
]

const SUBNETS: Array<{ name: string; dhcp: boolean; tags: string[] }> = [
  { name: 'a', dhcp: true, tags: ['red'] },
  { name: 'b', dhcp: false, tags: [] },
  { name: 'c', dhcp: true, tags: ['red', 'blue'] },
  { name: 'a', dhcp: true, tags: [] },
  { name: '', dhcp: false, tags: ['blue'] },
  { name: 'c', dhcp: true, tags: ['green'] },
  { name: 'b', dhcp: true, tags: ['red', 'green'] },
  { name: 'a', dhcp: false, tags: [] },
]

const SUBNET_FILTERS = [
  '', 'name=a', 'name=a&name=c', 'name=nomatch', 'name=', 'enable_dhcp=false', 'enable_dhcp=1&name=c', 'tags=red', 'tags-any=blue,green',
  'not-tags=red', 'not-tags-any=red,blue', 'tenant_id=p-plan', 'project_id=p-other',
  // left to memory
  'ip_version=4', 'cidr=198.51.100.16/28', 'gateway_ip=198.51.100.1',
]

describeOnEngines((e) => `network, port and subnet lists planned in SQL, ${e}`, {}, (s) => {
  const get = (path: string, h: Record<string, string>) => s.call('GET', path, undefined, h)

  it('every filter, page and direction answers what the in-memory semantics answer', async () => {
    for (const [i, n] of NETS.entries()) {
      const h = i % 2 === 0 ? MEMBER : OTHER
      const body: Record<string, unknown> = { name: n.name, admin_state_up: n.up ?? true }
      // noauth: a member names its project in the body; shared and external networks need an admin.
      const flags = { ...(n.shared ? { shared: true } : {}), ...(n.external ? { 'router:external': true } : {}) }
      const made = await s.call('POST', '/v2.0/networks', { network: { ...body, tenant_id: h['X-Project-Id'], ...flags } }, n.shared || n.external ? ADMIN : h)
      assert.equal(made.status, 201, JSON.stringify(made.body))
      assert.equal((await s.call('PUT', `/v2.0/networks/${made.body.network.id}/tags`, { tags: n.tags })).status, 200)
    }
    // Ports: the member's and another project's, on the member's network and on a shared one.
    const mine = (await get('/v2.0/networks?name=a&tenant_id=p-plan', MEMBER)).body.networks[0]
    const shared = (await get('/v2.0/networks?shared=true', MEMBER)).body.networks[0]
    for (const [i, p] of PORTS.entries()) {
      const h = i % 3 === 0 ? OTHER : MEMBER
      const body = { network_id: i % 2 ? mine.id : shared.id, name: p.name, device_owner: p.owner, device_id: p.device, admin_state_up: p.up ?? true, tenant_id: h['X-Project-Id'] }
      // Another project's port on the member's network is made by an admin.
      const made = await s.call('POST', '/v2.0/ports', { port: body }, h === OTHER && i % 2 ? ADMIN : h)
      assert.equal(made.status, 201, JSON.stringify(made.body))
      if (p.tags.length) assert.equal((await s.call('PUT', `/v2.0/ports/${made.body.port.id}/tags`, { tags: p.tags })).status, 200)
    }
    // Subnets on the member's network, a shared one, an external one and another project's own.
    const nets = (await get('/v2.0/networks', ADMIN)).body.networks as Array<Record<string, any>>
    const hosts = [mine, shared, nets.find((n) => n['router:external']), nets.find((n) => n.tenant_id === 'p-other' && !n.shared && !n['router:external'])]
    for (const [i, sn] of SUBNETS.entries()) {
      const net = hosts[i % hosts.length]!
      const made = await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, tenant_id: net.tenant_id, name: sn.name, enable_dhcp: sn.dhcp, ip_version: 4, cidr: `198.51.100.${i * 16}/28` } }, ADMIN)
      assert.equal(made.status, 201, JSON.stringify(made.body))
      if (sn.tags.length) assert.equal((await s.call('PUT', `/v2.0/subnets/${made.body.subnet.id}/tags`, { tags: sn.tags })).status, 200)
    }
    let checked = 0
    for (const [collection, resource, map, filters, notFound] of [
      ['networks', 'network', NETWORK_ATTRS, FILTERS, 'NetworkNotFound'],
      ['ports', 'port', PORT_ATTRS, PORT_FILTERS, 'PortNotFound'],
      ['subnets', 'subnet', SUBNET_ATTRS, SUBNET_FILTERS, 'SubnetNotFound'],
    ] as const) {
      for (const who of [ADMIN, MEMBER]) {
        const all = (await get(`/v2.0/${collection}`, who)).body[collection] as Array<Record<string, any>>
        assert.ok(all.length >= 4, `${collection}: ${all.length}`)
        const outside = all.find((n) => n.name === 'c')!.id
        for (const f of filters) {
          for (const paging of ['', 'limit=2', 'limit=3&sort_key=id&sort_dir=desc', 'limit=2&page_reverse=True', 'limit=2&sort_key=name&sort_dir=asc', `limit=1&marker=${outside}`]) {
            const query = [f, paging].filter((x) => x).join('&')
            // Walk the pages forwards and back again through the links, comparing each.
            let next: string | null = query
            const seen = new Set<string>()
            while (next !== null && !seen.has(next) && seen.size < 12) {
              seen.add(next)
              const r = await get(`/v2.0/${collection}${next ? `?${next}` : ''}`, who)
              const expected = expect(map, resource, collection, all, new URLSearchParams(next), s.url)
              const tag: string = `${who === ADMIN ? 'admin' : 'member'} ${collection}?${next}`
              if ('notFound' in expected) {
                assert.equal(r.status, 404, `${tag}: ${JSON.stringify(r.body)}`)
                assert.equal(r.body.NeutronError.type, notFound, tag)
                break
              }
              assert.equal(r.status, 200, `${tag}: ${JSON.stringify(r.body)}`)
              assert.deepEqual(r.body[collection], expected.items, tag)
              assert.deepEqual(r.body[`${collection}_links`] ?? null, expected.links, tag)
              checked++
              const link: { href: string } | undefined = (r.body[`${collection}_links`] ?? []).find((l: { rel: string }) => l.rel === (seen.size % 2 ? 'next' : 'previous'))
              next = link ? new URL(link.href).search.slice(1) : null
            }
          }
        }
      }
    }
    assert.ok(checked > 500, `${checked} pages compared`)
  })

  it('1,200 tags or names in one query are one IN list each: answered, not a 500', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => `x${i}`)
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'x7' } })).body.network
    assert.equal((await s.call('PUT', `/v2.0/networks/${net.id}/tags`, { tags: ['x3', 'x5'] })).status, 200)
    const ids = async (q: string) => {
      const r = await get(`/v2.0/networks?${q}`, ADMIN)
      assert.equal(r.status, 200, `${q.slice(0, 40)}…: ${JSON.stringify(r.body)}`)
      return r.body.networks.map((n: { id: string }) => n.id)
    }
    assert.deepEqual(await ids(`tags-any=${many.join(',')}&limit=5`), [net.id])
    assert.deepEqual(await ids(`tags=${many.join(',')}`), [])
    assert.deepEqual(await ids(`tags=x3,x5&not-tags-any=${many.slice(6).join(',')}`), [net.id])
    assert.deepEqual(await ids(`${many.map((n) => `name=${n}`).join('&')}&limit=3`), [net.id])
  })
})

/** The reference answer: the in-memory filters and pagination over every listed item. */
function expect(
  map: AttrMap, resource: string, collection: string, all: Array<Record<string, any>>, params: URLSearchParams, base: string,
): { items: unknown[]; links: unknown } | { notFound: true } {
  const q = parseListQuery(params, map, -1, collection)
  // What the server drops for a member (hidden attributes) is absent from its items: no match.
  const filtered = applyFilters(map, all.map((n) => ({ ...n })), q.filters)
  try {
    const page = paginate(filtered, q, resource, (p) => `${base}/v2.0/${collection}?${p}`, params)
    return { items: page.items, links: page.links?.length ? page.links : null }
  } catch {
    return { notFound: true }
  }
}
