/** noauth identities (X-Project-Id / X-Roles) and Neutron's default policy (neutron/conf/policies). */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

const P1 = { 'X-Project-Id': 'p1', 'X-Roles': 'member' }
const P2 = { 'X-Project-Id': 'p2', 'X-Roles': 'member,reader' }
const ADMIN_P9 = { 'X-Project-Id': 'p9', 'X-Roles': 'admin' }
const ADMIN_ONLY = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id']
const BINDING_ADMIN = ['binding:host_id', 'binding:profile', 'binding:vif_type', 'binding:vif_details']

describe('policy under noauth', () => {
  let s: TestServer
  let priv: string // admin's private network
  let shared: string // admin's shared network
  let own: string // p1's network
  before(async () => {
    s = await startNeutrino()
    priv = (await s.call('POST', '/v2.0/networks', { network: { name: 'priv' } })).body.network.id
    shared = (await s.call('POST', '/v2.0/networks', { network: { name: 'shared', shared: true } })).body.network.id
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: shared, ip_version: 4, cidr: '192.0.2.0/24' } })
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'own', project_id: 'p1' } }, P1)
    assert.equal(r.status, 201, JSON.stringify(r.body))
    own = r.body.network.id
  })
  after(() => s.close())

  it('no project information at all is admin of default_project_id', async () => {
    const r = await s.call('GET', `/v2.0/networks/${priv}`)
    assert.equal(r.body.network.project_id, s.config.DEFAULT.default_project_id)
    assert.equal(r.body.network['provider:network_type'], 'vxlan')
  })

  it('a non-admin create must name its project (Neutron noauth), and only its own', async () => {
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'y' } }, P1)
    assert.equal(r.status, 400)
    assert.deepEqual(r.body.NeutronError, { type: 'HTTPBadRequest', message: 'Running without keystone AuthN requires that tenant_id is specified', detail: '' })
    const other = await s.call('POST', '/v2.0/networks', { network: { name: 'y', tenant_id: 'p2' } }, P1)
    assert.equal(other.status, 400)
    assert.equal(other.body.NeutronError.message, "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges")
    const mismatch = await s.call('POST', '/v2.0/networks', { network: { name: 'y', tenant_id: 'p1', project_id: 'p2' } }, P1)
    assert.equal(mismatch.body.NeutronError.message, "'project_id' and 'tenant_id' do not match")
    // An admin may create for any project.
    const adm = await s.call('POST', '/v2.0/networks', { network: { name: 'for-p2', project_id: 'p2' } }, ADMIN_P9)
    assert.equal(adm.status, 201)
    assert.equal(adm.body.network.tenant_id, 'p2')
  })

  it("a non-admin cannot see others' private networks (404) but sees shared ones", async () => {
    const r = await s.call('GET', `/v2.0/networks/${priv}`, undefined, P1)
    assert.equal(r.status, 404)
    assert.equal(r.body.NeutronError.type, 'NetworkNotFound')
    const sh = await s.call('GET', `/v2.0/networks/${shared}`, undefined, P1)
    assert.equal(sh.status, 200)
    const names = (await s.call('GET', '/v2.0/networks?sort_key=name&sort_dir=asc', undefined, P1)).body.networks.map((n: any) => n.name)
    assert.deepEqual(names, ['own', 'shared'])
    assert.deepEqual((await s.call('GET', '/v2.0/networks', undefined, P2)).body.networks.map((n: any) => n.name).sort(), ['for-p2', 'shared'])
    // Subnets of a shared network are visible too.
    assert.equal((await s.call('GET', `/v2.0/subnets?network_id=${shared}`, undefined, P1)).body.subnets.length, 1)
    assert.equal((await s.call('GET', '/v2.0/subnets', undefined, P2)).body.subnets.length, 1)
    // Admins with a project see everything.
    assert.ok((await s.call('GET', '/v2.0/networks', undefined, ADMIN_P9)).body.networks.length >= 4)
  })

  it('hides admin-only attributes from non-admins', async () => {
    const n = (await s.call('GET', `/v2.0/networks/${own}`, undefined, P1)).body.network
    for (const k of ADMIN_ONLY) assert.ok(!(k in n), k)
    assert.ok('router:external' in n && 'shared' in n && 'mtu' in n)
    const p = await s.call('POST', '/v2.0/ports', { port: { network_id: own, project_id: 'p1' } }, P1)
    assert.equal(p.status, 201)
    for (const k of BINDING_ADMIN) assert.ok(!(k in p.body.port), k)
    assert.equal(p.body.port['binding:vnic_type'], 'normal')
  })

  it('refuses admin-only attributes with 403 PolicyNotAuthorized', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/v2.0/networks', { network: { name: 'x', project_id: 'p1', 'provider:network_type': 'vxlan' } }, '(rule:create_network and rule:create_network:provider:network_type) is disallowed by policy'],
      ['POST', '/v2.0/networks', { network: { name: 'x', project_id: 'p1', shared: true } }, '(rule:create_network and rule:create_network:shared) is disallowed by policy'],
      ['PUT', `/v2.0/networks/${own}`, { network: { 'router:external': true } }, '(rule:update_network and rule:update_network:router:external) is disallowed by policy'],
      ['POST', '/v2.0/ports', { port: { network_id: own, project_id: 'p1', 'binding:host_id': 'h1' } }, '(rule:create_port and rule:create_port:binding:host_id) is disallowed by policy'],
      ['POST', '/v2.0/ports', { port: { network_id: own, project_id: 'p1', 'binding:profile': { a: 1 } } }, '(rule:create_port and rule:create_port:binding:profile) is disallowed by policy'],
    ]
    for (const [m, path, body, message] of cases) {
      const r = await s.call(m, path, body, P1)
      assert.equal(r.status, 403, `${m} ${path} ${JSON.stringify(body)}`)
      assert.deepEqual(r.body.NeutronError, { type: 'PolicyNotAuthorized', message, detail: '' })
    }
    // Defaults are not "explicitly set": shared=false is fine. binding:host_id has no default in
    // neutron-lib (ATTR_NOT_SPECIFIED), so even an empty host counts as set, as in Neutron.
    const ok = await s.call('POST', '/v2.0/networks', { network: { name: 'x', project_id: 'p1', shared: false } }, P1)
    assert.equal(ok.status, 201)
    const emptyHost = await s.call('POST', '/v2.0/ports', { port: { network_id: own, project_id: 'p1', 'binding:host_id': '' } }, P1)
    assert.equal(emptyHost.status, 403)
    assert.equal(emptyHost.body.NeutronError.message, '(rule:create_port and rule:create_port:binding:host_id) is disallowed by policy')
    const okp = await s.call('POST', '/v2.0/ports', { port: { network_id: own, project_id: 'p1', 'binding:vnic_type': 'direct' } }, P1)
    assert.equal(okp.status, 201)
    assert.equal(okp.body.port['binding:vnic_type'], 'direct')
  })

  it('shared networks: others may use but not change or delete them', async () => {
    const port = await s.call('POST', '/v2.0/ports', { port: { network_id: shared, project_id: 'p1' } }, P1)
    assert.equal(port.status, 201, JSON.stringify(port.body))
    assert.equal(port.body.port.fixed_ips.length, 1)
    const upd = await s.call('PUT', `/v2.0/networks/${shared}`, { network: { name: 'mine' } }, P1)
    assert.equal(upd.status, 403)
    assert.deepEqual(upd.body.NeutronError, { type: 'PolicyNotAuthorized', message: 'rule:update_network is disallowed by policy', detail: '' })
    const del = await s.call('DELETE', `/v2.0/networks/${shared}`, undefined, P1)
    assert.equal(del.status, 403)
    // p2 cannot see p1's port on the shared network; the admin (network owner) can.
    assert.equal((await s.call('GET', `/v2.0/ports/${port.body.port.id}`, undefined, P2)).status, 404)
    assert.equal((await s.call('GET', `/v2.0/ports/${port.body.port.id}`)).status, 200)
    assert.equal((await s.call('DELETE', `/v2.0/ports/${port.body.port.id}`, undefined, P2)).status, 404)
    assert.equal((await s.call('DELETE', `/v2.0/ports/${port.body.port.id}`, undefined, P1)).status, 204)
  })

  it("cannot create subnets or ports on others' private networks", async () => {
    const sub = await s.call('POST', '/v2.0/subnets', { subnet: { network_id: priv, project_id: 'p1', ip_version: 4, cidr: '10.0.0.0/24' } }, P1)
    assert.equal(sub.status, 404)
    assert.equal(sub.body.NeutronError.type, 'NetworkNotFound')
    const port = await s.call('POST', '/v2.0/ports', { port: { network_id: priv, project_id: 'p1' } }, P1)
    assert.equal(port.status, 404)
    assert.equal((await s.call('DELETE', `/v2.0/networks/${priv}`, undefined, P2)).status, 404)
    assert.equal((await s.call('PUT', `/v2.0/networks/${priv}`, { network: { name: 'z' } }, P2)).status, 404)
  })
})
