/**
 * Issue 15: client input that used to end in a 500 or be silently misread, one test per class of
 * input, on SQLite and PostgreSQL. Each asserts Neutron's 4xx and that nothing was created.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeOnEngines, expectNeutronError } from '../../helpers/api-engines.js'
import { rawCall } from '../../helpers/raw-http.js'
import { connect } from 'node:net'
import { NETWORK_ATTRS } from '../../../src/api/definitions/network.js'
import { SUBNET_ATTRS } from '../../../src/api/definitions/subnet.js'
import { PORT_ATTRS } from '../../../src/api/definitions/port.js'
import { ROUTER_ATTRS } from '../../../src/api/definitions/router.js'
import { SECURITY_GROUP_ATTRS, SECURITY_GROUP_RULE_ATTRS } from '../../../src/api/definitions/securitygroup.js'
import { SUBNETPOOL_ATTRS } from '../../../src/api/definitions/subnetpool.js'
import { FLOATINGIP_ATTRS } from '../../../src/api/definitions/floatingip.js'
import type { AttrMap } from '../../../src/api/attributes.js'

const MEMBER = { 'X-Project-Id': 'p-member', 'X-Roles': 'member' }

describeOnEngines((e) => `bad input, ${e}`, {}, (s) => {
  const count = async (collection: string) => (await s.call('GET', `/v2.0/${collection}`)).body[collection].length

  it('a malformed percent-escape in any path segment is a 404, for every method and collection', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'esc' } })).body.network
    for (const c of ['networks', 'subnets', 'ports', 'routers', 'floatingips', 'security-groups', 'subnetpools']) {
      for (const m of ['GET', 'PUT', 'DELETE']) {
        const r = await rawCall(s.url, m, `/v2.0/${c}/%zz`, m === 'PUT' ? { body: '{}' } : {})
        expectNeutronError(r, 404, 'HTTPNotFound')
      }
    }
    expectNeutronError(await rawCall(s.url, 'GET', `/v2.0/networks/${net.id}/tags/%zz`), 404, 'HTTPNotFound')
    expectNeutronError(await rawCall(s.url, 'PUT', `/v2.0/networks/${net.id}/tags/%E0%A4%A`), 404, 'HTTPNotFound')
    expectNeutronError(await rawCall(s.url, 'GET', '/v2.0/extensions/%'), 404, 'HTTPNotFound')
    assert.deepEqual((await s.call('GET', `/v2.0/networks/${net.id}/tags`)).body.tags, [])
  })

  it('a Host that is no authority and a target with doubled slashes are answered normally', async () => {
    for (const host of ['a b', '[', 'x/y', '']) {
      const r = await rawCall(s.url, 'GET', '/v2.0/networks?limit=1', { headers: { Host: host } })
      assert.equal(r.status, 200, `${host}: ${r.text}`)
      for (const l of r.body.networks_links ?? []) assert.ok(l.href.startsWith('http://127.0.0.1:'), l.href)
    }
    const r = await rawCall(s.url, 'GET', '//v2.0//networks')
    assert.equal(r.status, 200, r.text)
    assert.ok(Array.isArray(r.body.networks))
  })

  it('names from Object.prototype are no member actions, attributes, fields, sort keys or methods', async () => {
    const router = (await s.call('POST', '/v2.0/routers', { router: { name: 'proto' } })).body.router
    for (const a of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__']) {
      expectNeutronError(await s.call('PUT', `/v2.0/routers/${router.id}/${a}`, {}), 404, 'HTTPNotFound')
      const before = await count('networks')
      expectNeutronError(await s.call('POST', '/v2.0/networks', `{"network": {"${a}": 1}}`), 400, 'HTTPBadRequest', `Unrecognized attribute(s) '${a}'`)
      assert.equal(await count('networks'), before)
      const shown = await s.call('GET', `/v2.0/routers/${router.id}?fields=${a}`)
      assert.equal(shown.status, 200)
      assert.deepEqual(shown.body.router, {})
      const listed = await s.call('GET', `/v2.0/routers?fields=${a}&${a}=1`)
      assert.equal(listed.status, 200)
      expectNeutronError(await s.call('GET', `/v2.0/routers?sort_key=${a}&sort_dir=asc`), 400, 'HTTPBadRequest')
    }
  })

  it('JSON nested too deep, NUL characters and bytes that are no UTF-8 are 400s, nothing stored', async () => {
    const before = await count('networks')
    const deep = '['.repeat(5000) + ']'.repeat(5000)
    expectNeutronError(await s.call('POST', '/v2.0/networks', `{"network": {"name": ${deep}}}`), 400, 'HTTPBadRequest')
    expectNeutronError(await s.call('POST', '/v2.0/networks', '{"network": {"name": "a\\u0000b"}}'), 400, 'HTTPBadRequest')
    expectNeutronError(await s.call('POST', '/v2.0/networks', '{"network": {"name": "ok", "description": "\\u0000"}}'), 400, 'HTTPBadRequest')
    // An escaped backslash followed by u0000 is text, not NUL.
    const fine = await s.call('POST', '/v2.0/networks', '{"network": {"name": "\\\\u0000"}}')
    assert.equal(fine.status, 201)
    assert.equal(fine.body.network.name, '\\u0000')
    await s.call('DELETE', `/v2.0/networks/${fine.body.network.id}`)
    const latin1 = Buffer.concat([Buffer.from('{"network": {"name": "'), Buffer.from([0xe9, 0xff]), Buffer.from('"}}')])
    expectNeutronError(await rawCall(s.url, 'POST', '/v2.0/networks', { body: latin1 }), 400, 'HTTPBadRequest', 'Body contains invalid data')
    expectNeutronError(await rawCall(s.url, 'GET', '/v2.0/networks/a%00b'), 400, 'HTTPBadRequest')
    expectNeutronError(await rawCall(s.url, 'GET', '/v2.0/networks?name=%00'), 400, 'HTTPBadRequest')
    assert.equal(await count('networks'), before)
  })

  it('extra_dhcp_opts: lengths from the attribute map, no objects as values, no option twice (400, no retry)', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'dhcp' } })).body.network
    const before = await count('ports')
    const bad = [
      [{ opt_name: 'x'.repeat(65), opt_value: 'v' }],
      [{ opt_name: 'tftp-server', opt_value: 'v'.repeat(256) }],
      [{ opt_name: 'tftp-server', opt_value: { a: 1 } }],
      [{ opt_name: 'tftp-server', opt_value: 'a' }, { opt_name: 'tftp-server', opt_value: 'b' }],
      [{ opt_name: 'tftp-server' }],
      'tftp',
    ]
    for (const opts of bad) {
      const started = Date.now()
      const r = await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, extra_dhcp_opts: opts } })
      expectNeutronError(r, 400, 'ExtraDhcpOptBadData')
      assert.ok(Date.now() - started < 500, 'answered without retries')
    }
    assert.equal(await count('ports'), before)
    const ok = await s.call('POST', '/v2.0/ports', {
      port: { network_id: net.id, extra_dhcp_opts: [{ opt_name: 'x'.repeat(64), opt_value: 'v'.repeat(255) }, { opt_name: 'x'.repeat(64), opt_value: 'w', ip_version: 6 }] },
    })
    assert.equal(ok.status, 201, JSON.stringify(ok.body))
  })

  it('allowed_address_pairs: at most max_allowed_address_pair, ip_address required', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'aap' } })).body.network
    const before = await count('ports')
    const pairs = (n: number) => Array.from({ length: n }, (_, i) => ({ ip_address: `192.0.2.${i + 1}` }))
    expectNeutronError(
      await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, allowed_address_pairs: pairs(2500) } }),
      400, 'AllowedAddressPairExhausted', 'The number of allowed address pair exceeds the maximum 10.',
    )
    expectNeutronError(
      await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, allowed_address_pairs: [{ mac_address: 'fa:16:3e:00:00:01' }] } }),
      400, 'InvalidInput', 'Invalid input for operation: AllowedAddressPair must contain ip_address.',
    )
    assert.equal(await count('ports'), before)
    assert.equal((await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, allowed_address_pairs: pairs(10) } })).status, 201)
  })

  it('long lists are refused quickly: dns_nameservers, host_routes, router routes', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'lists' } })).body.network
    const ns = Array.from({ length: 6000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`)
    let t = Date.now()
    expectNeutronError(await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24', dns_nameservers: ns } }), 400, 'DNSNameServersExhausted')
    assert.ok(Date.now() - t < 1000, `dns_nameservers took ${Date.now() - t} ms`)
    const routes = Array.from({ length: 1800 }, (_, i) => ({ destination: `10.${i >> 8}.${i & 255}.0/24`, nexthop: '192.0.2.1' }))
    t = Date.now()
    expectNeutronError(await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24', host_routes: routes } }), 400, 'HostRoutesExhausted')
    assert.ok(Date.now() - t < 1000, `host_routes took ${Date.now() - t} ms`)
    const router = (await s.call('POST', '/v2.0/routers', { router: { name: 'r' } })).body.router
    t = Date.now()
    expectNeutronError(await s.call('PUT', `/v2.0/routers/${router.id}`, { router: { routes } }), 400, 'RoutesExhausted')
    assert.ok(Date.now() - t < 1000, `routes took ${Date.now() - t} ms`)
    assert.equal(await count('subnets'), 0)
  })

  it('tags per resource: at most max_tags_per_resource, by replacement or one at a time', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'tags' } })).body.network
    const base = `/v2.0/networks/${net.id}/tags`
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`)
    expectNeutronError(await s.call('PUT', base, { tags: tags(51) }), 400, 'TagsExhausted')
    assert.equal((await s.call('PUT', base, { tags: tags(50) })).status, 200)
    expectNeutronError(await s.call('PUT', `${base}/one-more`), 400, 'TagsExhausted')
    assert.equal((await s.call('PUT', `${base}/t7`)).status, 201, 'a tag that is there already is no new one')
    assert.equal((await s.call('GET', base)).body.tags.length, 50)
  })

  it('every attribute of every resource, given 5,000 characters (or a dict or list holding them) on POST and PUT, is never a 5xx', async () => {
    const ext = (await s.call('POST', '/v2.0/networks', { network: { name: 'ext-long', 'router:external': true } })).body.network
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: '203.0.113.0/24' } })
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'long' } })).body.network
    const sg = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'long' } })).body.security_group
    const long = 'x'.repeat(5000)
    const cases: Array<[string, string, AttrMap, Record<string, unknown>]> = [
      ['networks', 'network', NETWORK_ATTRS, {}],
      ['subnets', 'subnet', SUBNET_ATTRS, { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24' }],
      ['ports', 'port', PORT_ATTRS, { network_id: net.id }],
      ['routers', 'router', ROUTER_ATTRS, {}],
      ['security-groups', 'security_group', SECURITY_GROUP_ATTRS, {}],
      ['security-group-rules', 'security_group_rule', SECURITY_GROUP_RULE_ATTRS, { security_group_id: sg.id, direction: 'ingress' }],
      ['subnetpools', 'subnetpool', SUBNETPOOL_ATTRS, { name: 'p', prefixes: ['10.64.0.0/16'] }],
      ['floatingips', 'floatingip', FLOATINGIP_ATTRS, { floating_network_id: ext.id }],
    ]
    for (const [path, key, map, base] of cases) {
      const made = await s.call('POST', `/v2.0/${path}`, { [key]: base })
      assert.equal(made.status, 201, JSON.stringify(made.body))
      for (const [attr, spec] of Object.entries(map)) {
        if (spec.allowPut) {
          for (const value of [long, { [long.slice(0, 300)]: long }, [long]]) {
            const r = await s.call('PUT', `/v2.0/${path}/${made.body[key].id}`, { [key]: { [attr]: value } })
            assert.ok(r.status < 500, `PUT ${path} ${attr}=${JSON.stringify(value).slice(0, 40)}…: ${r.status} ${JSON.stringify(r.body)}`)
          }
        }
        if (!spec.allowPost) continue
        for (const value of [long, { [long.slice(0, 300)]: long }, [long]]) {
          const r = await s.call('POST', `/v2.0/${path}`, { [key]: { ...base, [attr]: value } })
          assert.ok(r.status < 500, `${path} ${attr}=${JSON.stringify(value).slice(0, 40)}…: ${r.status} ${JSON.stringify(r.body)}`)
          if (r.status < 300) await s.call('DELETE', `/v2.0/${path}/${r.body[key].id}`)
        }
      }
    }
  })

  it('quotas: no Object.prototype names as resources, project ids decoded and bounded like the attribute', async () => {
    expectNeutronError(await s.call('PUT', '/v2.0/quotas/pq', { quota: { constructor: 5 } }), 400, 'HTTPBadRequest', "Unrecognized attribute(s) 'constructor'")
    expectNeutronError(await s.call('PUT', '/v2.0/quotas/pq', '{"quota": {"__proto__": 5, "network": 3}}'), 400, 'HTTPBadRequest')
    expectNeutronError(await s.call('PUT', `/v2.0/quotas/${'p'.repeat(300)}`, { quota: { network: 3 } }), 400, 'HTTPBadRequest')
    expectNeutronError(await rawCall(s.url, 'GET', '/v2.0/quotas/%zz'), 404, 'HTTPNotFound')
    expectNeutronError(await rawCall(s.url, 'PUT', '/v2.0/quotas/a%00b', { body: '{"quota": {"network": 3}}' }), 400, 'HTTPBadRequest')
    assert.equal((await s.call('GET', '/v2.0/quotas')).body.quotas.length, 0)
    assert.equal((await s.call('PUT', '/v2.0/quotas/p%20q', { quota: { network: 3 } })).body.quota.network, 3)
    assert.equal((await s.call('GET', '/v2.0/quotas')).body.quotas[0].project_id, 'p q')
  })

  it('what node\'s HTTP parser refuses is answered with a Neutron error body too', async () => {
    const raw = (text: string) => new Promise<string>((resolve, reject) => {
      const u = new URL(s.url)
      const sock = connect(Number(u.port), u.hostname, () => sock.end(text))
      const chunks: Buffer[] = []
      sock.on('data', (c: Buffer) => chunks.push(c))
      sock.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
      sock.on('error', reject)
    })
    const answers = [
      await raw('GET /v2.0/networks HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      await raw('GET /v2.0/net works HTTP/1.1\r\nHost: x\r\n\r\n'),
      await raw(`GET /v2.0/networks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    ]
    for (const a of answers) {
      const [head, body] = a.split('\r\n\r\n')
      assert.match(head!, /^HTTP\/1\.1 4(00|31) /, a.slice(0, 200))
      const e = JSON.parse(body!).NeutronError
      assert.equal(typeof e.type, 'string')
      assert.equal(typeof e.message, 'string')
    }
    assert.equal((await s.call('GET', '/v2.0/networks')).status, 200)
  })

  it('a refused network delete loses nothing: NetworkInUse before its floating IPs go', async () => {
    const ext = (await s.call('POST', '/v2.0/networks', { network: { name: 'ext-inuse', 'router:external': true } })).body.network
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: '203.0.113.0/24' } })
    const router = (await s.call('POST', '/v2.0/routers', { router: { name: 'gw', external_gateway_info: { network_id: ext.id } } })).body.router
    const fip = (await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id } })).body.floatingip
    expectNeutronError(await s.call('DELETE', `/v2.0/networks/${ext.id}`), 409, 'NetworkInUse')
    assert.equal((await s.call('GET', `/v2.0/floatingips/${fip.id}`)).status, 200)
    // Without the gateway, the disassociated floating IP goes with the network, as in Neutron.
    assert.equal((await s.call('PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: {} } })).status, 200)
    assert.equal((await s.call('DELETE', `/v2.0/networks/${ext.id}`)).status, 204)
    assert.equal((await s.call('GET', `/v2.0/floatingips/${fip.id}`)).status, 404)
  })

  it('X-Project-Id: "" is refused, never the admin default; no project headers stays admin', async () => {
    expectNeutronError(await s.call('GET', '/v2.0/networks', undefined, { 'X-Project-Id': '', 'X-Roles': 'member' }), 400, 'HTTPBadRequest')
    expectNeutronError(await s.call('GET', '/v2.0/networks', undefined, { 'X-Tenant-Id': ' ', 'X-Roles': 'member' }), 400, 'HTTPBadRequest')
    expectNeutronError(await s.call('GET', '/v2.0/networks', undefined, { 'X-Roles': 'member' }), 400, 'HTTPBadRequest')
    assert.equal((await s.call('GET', '/v2.0/networks', undefined, { 'X-Roles': 'admin' })).status, 200)
    assert.equal((await s.call('GET', '/v2.0/networks?fields=provider:network_type')).status, 200)
    assert.equal((await s.call('GET', '/v2.0/networks', undefined, MEMBER)).status, 200)
  })
})
