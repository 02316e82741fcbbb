/**
 * Issue 15: network lists planned in SQL (src/db/resources/row-query.ts) answer exactly what the
 * in-memory semantics (src/api/query.ts applyFilters + paginate over every visible network)
 * answer, on SQLite and PostgreSQL, for an admin and a member: column and tag filters (repeated,
 * empty, comma-separated, unmatched), every page of limit/marker walks both ways, page_reverse,
 * sort_dir, a marker outside the filter, and filters or sorts the plan leaves to memory.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeOnEngines } from '../../helpers/api-engines.js'
import { NETWORK_ATTRS } from '../../../src/api/definitions/network.js'
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

describeOnEngines((e) => `network lists planned in SQL, ${e}`, {}, (s) => {
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
    let checked = 0
    for (const who of [ADMIN, MEMBER]) {
      const all = (await get('/v2.0/networks', who)).body.networks as Array<Record<string, any>>
      assert.ok(all.length >= (who === ADMIN ? NETS.length : 5))
      const outside = all.find((n) => n.name === 'c')!.id
      for (const f of FILTERS) {
        for (const paging of ['', 'limit=2', 'limit=3&sort_key=id&sort_dir=desc', 'limit=2&page_reverse=True', 'limit=2&sort_key=name&sort_dir=asc', `limit=1&marker=${outside}`]) {
          const query = [f, paging].filter((x) => x).join('&')
          // Walk every page forwards and back again through the links, comparing each.
          let next: string | null = query
          const seen = new Set<string>()
          while (next !== null && !seen.has(next) && seen.size < 12) {
            seen.add(next)
            const r = await get(`/v2.0/networks${next ? `?${next}` : ''}`, who)
            const expected = expect(all, new URLSearchParams(next), s.url)
            const tag = `${who === ADMIN ? 'admin' : 'member'} ?${next}`
            if ('notFound' in expected) {
              assert.equal(r.status, 404, `${tag}: ${JSON.stringify(r.body)}`)
              assert.equal(r.body.NeutronError.type, 'NetworkNotFound', tag)
              break
            }
            assert.equal(r.status, 200, `${tag}: ${JSON.stringify(r.body)}`)
            assert.deepEqual(r.body.networks, expected.items, tag)
            assert.deepEqual(r.body.networks_links ?? null, expected.links, tag)
            checked++
            const link = (r.body.networks_links ?? []).find((l: { rel: string }) => l.rel === (seen.size % 2 ? 'next' : 'previous'))
            next = link ? new URL(link.href).search.slice(1) : null
          }
        }
      }
    }
    assert.ok(checked > 300, `${checked} pages compared`)
  })
})

function expect(all: Array<Record<string, any>>, params: URLSearchParams, base: string): { items: unknown[]; links: unknown } | { notFound: true } {
  const q = parseListQuery(params, NETWORK_ATTRS, -1, 'networks')
  const filtered = applyFilters(NETWORK_ATTRS, all.map((n) => ({ ...n })), q.filters)
  try {
    const page = paginate(filtered, q, 'network', (p) => `${base}/v2.0/networks?${p}`, params)
    return { items: page.items, links: page.links?.length ? page.links : null }
  } catch {
    return { notFound: true }
  }
}
