/**
 * Issue 15, tenant isolation: a member of project pa against everything of project pv (and the
 * admin-only attributes of its own resources), on SQLite and PostgreSQL. For every resource:
 * list, show, filter, sort, fields, pagination, tags, update, delete, and use of pv's ids inside
 * pa's own requests. The rule checked throughout: pv's id gets exactly the answer a random id
 * gets (no read, no write, no existence oracle), and pv's resources are unchanged at the end.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, it } from 'node:test'
import { describeOnEngines } from '../../helpers/api-engines.js'

const ADMIN = {}
const A = { 'X-Project-Id': 'pa', 'X-Roles': 'member' }
type Dict = Record<string, any>

/** Resources, the path segment and the JSON keys. */
const RESOURCES = [
  ['networks', 'network'],
  ['subnets', 'subnet'],
  ['ports', 'port'],
  ['routers', 'router'],
  ['floatingips', 'floatingip'],
  ['security-groups', 'security_group'],
  ['security-group-rules', 'security_group_rule'],
  ['subnetpools', 'subnetpool'],
] as const

/** Admin-only attributes (get_<resource>:<attr> = rule:admin_only in Zed's defaults), by collection. */
const HIDDEN: Record<string, string[]> = {
  networks: ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id'],
  ports: ['binding:host_id', 'binding:vif_type'],
}

describeOnEngines((e) => `tenant isolation, ${e}`, {}, (s) => {
  const victim: Record<string, Dict> = {}
  const own: Dict = {}
  let extNet: Dict
  const call = (m: string, p: string, b?: unknown) => s.call(m, p, b, A)
  const asAdmin = (m: string, p: string, b?: unknown) => s.call(m, p, b, ADMIN)
  /** The answer with the id in its message replaced, to compare pv's id with a random one. */
  const shape = (r: { status: number; body: any }, id: string) => ({
    status: r.status,
    type: r.body?.NeutronError?.type,
    message: typeof r.body?.NeutronError?.message === 'string' ? r.body.NeutronError.message.split(id).join('<id>') : undefined,
  })
  async function sameAsRandom(label: string, make: (id: string) => Promise<{ status: number; body: any }>, id: string, refused = true) {
    const other = randomUUID()
    const a = shape(await make(id), id)
    const b = shape(await make(other), other)
    assert.deepEqual(a, b, `${label}: pv's id answers differently from a random id`)
    if (refused) assert.ok(a.status >= 400 && a.status < 500, `${label}: ${JSON.stringify(a)}`)
  }

  before(async () => {
    const ok = async (r: Promise<{ status: number; body: any }>) => {
      const x = await r
      assert.ok(x.status < 300, JSON.stringify(x.body))
      return x.body
    }
    extNet = (await ok(asAdmin('POST', '/v2.0/networks', { network: { name: 'ext', 'router:external': true } }))).network
    await ok(asAdmin('POST', '/v2.0/subnets', { subnet: { network_id: extNet.id, ip_version: 4, cidr: '203.0.113.0/24' } }))
    const pv = { project_id: 'pv' }
    victim.networks = (await ok(asAdmin('POST', '/v2.0/networks', { network: { name: 'secret-net', ...pv } }))).network
    victim.subnets = (await ok(asAdmin('POST', '/v2.0/subnets', { subnet: { name: 'secret-sub', network_id: victim.networks.id, ip_version: 4, cidr: '198.51.100.0/24', ...pv } }))).subnet
    victim['security-groups'] = (await ok(asAdmin('POST', '/v2.0/security-groups', { security_group: { name: 'secret-sg', ...pv } }))).security_group
    victim['security-group-rules'] = (await ok(asAdmin('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: victim['security-groups'].id, direction: 'ingress', protocol: 'tcp', ...pv } }))).security_group_rule
    victim.ports = (await ok(asAdmin('POST', '/v2.0/ports', { port: { name: 'secret-port', network_id: victim.networks.id, 'binding:host_id': 'host-secret', security_groups: [victim['security-groups'].id], ...pv } }))).port
    victim.routers = (await ok(asAdmin('POST', '/v2.0/routers', { router: { name: 'secret-router', external_gateway_info: { network_id: extNet.id }, ...pv } }))).router
    victim.floatingips = (await ok(asAdmin('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: extNet.id, ...pv } }))).floatingip
    victim.subnetpools = (await ok(asAdmin('POST', '/v2.0/subnetpools', { subnetpool: { name: 'secret-pool', prefixes: ['192.0.2.0/24'], min_prefixlen: 28, ...pv } }))).subnetpool
    for (const [c] of RESOURCES) {
      if (c === 'security-group-rules') continue
      await ok(asAdmin('PUT', `/v2.0/${c}/${victim[c]!.id}/tags`, { tags: ['secret-tag'] }))
      victim[c] = (await ok(asAdmin('GET', `/v2.0/${c}/${victim[c]!.id}`)))[RESOURCES.find((r) => r[0] === c)![1]]
    }
    own.network = (await ok(call('POST', '/v2.0/networks', { network: { name: 'mine', project_id: 'pa' } }))).network
    own.subnet = (await ok(call('POST', '/v2.0/subnets', { subnet: { network_id: own.network.id, ip_version: 4, cidr: '192.0.2.0/24', project_id: 'pa' } }))).subnet
    own.router = (await ok(call('POST', '/v2.0/routers', { router: { name: 'mine', project_id: 'pa' } }))).router
    // Two ports of pa bound to different hosts by the admin: their order by host must not leak.
    for (const host of ['host-b', 'host-a', 'host-c']) {
      const p = (await ok(call('POST', '/v2.0/ports', { port: { network_id: own.network.id, project_id: 'pa' } }))).port
      await ok(asAdmin('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': host } }))
    }
  })

  it('list, filters, fields and pagination show nothing of another project', async () => {
    for (const [c, key] of RESOURCES) {
      const v = victim[c]!
      const queries = ['', `?id=${v.id}`, `?project_id=pv`, `?tenant_id=pv`, `?name=${v.name ?? 'x'}`, '?tags=secret-tag', '?tags-any=secret-tag',
        `?fields=id&fields=name&id=${v.id}`, '?limit=1', `?sort_key=id&sort_dir=desc`]
      for (const q of queries) {
        const r = await call('GET', `/v2.0/${c}${q}`)
        assert.equal(r.status, 200, `${c}${q}: ${JSON.stringify(r.body)}`)
        const key2 = c === 'security-groups' ? 'security_groups' : c === 'security-group-rules' ? 'security_group_rules' : c
        const ids = (r.body[key2] as Dict[]).map((x) => x.id)
        assert.ok(!ids.includes(v.id), `${c}${q} lists pv's ${key}`)
        assert.ok(!JSON.stringify(r.body).includes('secret'), `${c}${q} shows something of pv`)
      }
      // Subnet pools, floating IPs and security groups look an unknown marker up quietly (first page).
      await sameAsRandom(`${c} marker`, (id) => call('GET', `/v2.0/${c}?limit=1&marker=${id}`), v.id, false)
    }
  })

  it('show, update, delete and tags of another project\'s resource answer as for a random id', async () => {
    for (const [c, key] of RESOURCES) {
      const id = victim[c]!.id
      await sameAsRandom(`GET ${c}`, (x) => call('GET', `/v2.0/${c}/${x}`), id)
      await sameAsRandom(`GET ${c} fields`, (x) => call('GET', `/v2.0/${c}/${x}?fields=id`), id)
      await sameAsRandom(`PUT ${c}`, (x) => call('PUT', `/v2.0/${c}/${x}`, { [key]: { description: 'mine now' } }), id)
      await sameAsRandom(`DELETE ${c}`, (x) => call('DELETE', `/v2.0/${c}/${x}`), id)
      if (c === 'security-group-rules') continue
      await sameAsRandom(`GET ${c} tags`, (x) => call('GET', `/v2.0/${c}/${x}/tags`), id)
      await sameAsRandom(`PUT ${c} tags`, (x) => call('PUT', `/v2.0/${c}/${x}/tags`, { tags: ['x'] }), id)
      await sameAsRandom(`PUT ${c} tag`, (x) => call('PUT', `/v2.0/${c}/${x}/tags/x`), id)
      await sameAsRandom(`DELETE ${c} tags`, (x) => call('DELETE', `/v2.0/${c}/${x}/tags`), id)
      await sameAsRandom(`DELETE ${c} tag`, (x) => call('DELETE', `/v2.0/${c}/${x}/tags/secret-tag`), id)
    }
    for (const a of ['add_router_interface', 'remove_router_interface', 'add_extraroutes', 'remove_extraroutes']) {
      await sameAsRandom(a, (x) => call('PUT', `/v2.0/routers/${x}/${a}`, { subnet_id: own.subnet.id }), victim.routers!.id)
    }
  })

  it('ids of another project used inside one\'s own requests answer as random ids', async () => {
    const net = own.network.id
    await sameAsRandom('port on pv network', (x) => call('POST', '/v2.0/ports', { port: { network_id: x, project_id: 'pa' } }), victim.networks!.id)
    await sameAsRandom('subnet on pv network', (x) => call('POST', '/v2.0/subnets', { subnet: { network_id: x, ip_version: 4, cidr: '192.0.2.0/28', project_id: 'pa' } }), victim.networks!.id)
    await sameAsRandom('fixed_ips with pv subnet', (x) => call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: x }], project_id: 'pa' } }), victim.subnets!.id)
    await sameAsRandom('port with pv security group', (x) => call('POST', '/v2.0/ports', { port: { network_id: net, security_groups: [x], project_id: 'pa' } }), victim['security-groups']!.id)
    await sameAsRandom('router gateway on pv network', (x) => call('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: x }, project_id: 'pa' } }), victim.networks!.id)
    await sameAsRandom('router gateway update to pv network', (x) => call('PUT', `/v2.0/routers/${own.router.id}`, { router: { external_gateway_info: { network_id: x } } }), victim.networks!.id)
    await sameAsRandom('floating IP on pv network', (x) => call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: x, project_id: 'pa' } }), victim.networks!.id)
    await sameAsRandom('floating IP for pv port', (x) => call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: extNet.id, port_id: x, project_id: 'pa' } }), victim.ports!.id)
    await sameAsRandom('router interface by pv subnet', (x) => call('PUT', `/v2.0/routers/${own.router.id}/add_router_interface`, { subnet_id: x }), victim.subnets!.id)
    await sameAsRandom('router interface by pv port', (x) => call('PUT', `/v2.0/routers/${own.router.id}/add_router_interface`, { port_id: x }), victim.ports!.id)
    await sameAsRandom('rule in pv group', (x) => call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: x, direction: 'ingress', project_id: 'pa' } }), victim['security-groups']!.id)
    await sameAsRandom('subnet from pv pool', (x) => call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, subnetpool_id: x, prefixlen: 28, project_id: 'pa' } }), victim.subnetpools!.id)
  })

  it('admin-only attributes: no sort by them (400), filters on them ignored, fields of them empty', async () => {
    for (const [c, attrs] of Object.entries(HIDDEN)) {
      const key = c
      const listed = await call('GET', `/v2.0/${c}?fields=id`)
      assert.equal(listed.status, 200, JSON.stringify(listed.body))
      const all = listed.body[key].map((x: Dict) => x.id).sort()
      for (const a of attrs) {
        const sorted = await call('GET', `/v2.0/${c}?sort_key=${a}&sort_dir=asc&fields=id`)
        assert.equal(sorted.status, 400, `${c} sort_key=${a}: ${JSON.stringify(sorted.body)}`)
        assert.equal(sorted.body.NeutronError.type, 'BadRequest')
        assert.match(sorted.body.NeutronError.message, /is invalid attribute for sort_key/)
        const value = { 'provider:network_type': 'vxlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': '1', 'binding:vif_type': 'unbound' }[a] ?? 'host-a'
        const filtered = await call('GET', `/v2.0/${c}?${a}=${value}&fields=id`)
        assert.equal(filtered.status, 200, JSON.stringify(filtered.body))
        assert.deepEqual(filtered.body[key].map((x: Dict) => x.id).sort(), all, `${c} filter ${a} narrows the list`)
        const shown = await call('GET', `/v2.0/${c}?fields=${a}&fields=id`)
        for (const it of shown.body[key]) assert.ok(!(a in it), `${c} fields=${a} shows it`)
      }
    }
    // The admin may.
    assert.equal((await asAdmin('GET', '/v2.0/ports?sort_key=binding:host_id&sort_dir=asc')).status, 200)
  })

  it('after all of it, another project\'s resources are unchanged', async () => {
    for (const [c, key] of RESOURCES) {
      const now = (await asAdmin('GET', `/v2.0/${c}/${victim[c]!.id}`)).body[key]
      assert.deepEqual(now, victim[c], `${c} changed`)
    }
  })
})
