/**
 * Subnet pools over HTTP on SQLite and PostgreSQL (the subnet_allocation and default-subnetpools
 * extensions): the pool resource (attributes, validation, policy, tags, list queries, quota),
 * subnets allocated from pools (any / specific / gateway-derived requests, default pools, bounds,
 * default_quota, network affinity) with Neutron Zed's error bodies, and concurrent allocations
 * from one pool through two API servers on one database never overlapping.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeOnEngines, describeOnEnginesWithServers, expectNeutronError } from '../../helpers/api-engines.js'
import type { TestServer } from '../../helpers/neutrino.js'
import { cidr as parseCidr, cidrOverlaps } from '../../../src/ipam/index.js'

const ALICE = { 'X-Project-Id': 'alice', 'X-Roles': 'member' }
const BOB = { 'X-Project-Id': 'bob', 'X-Roles': 'member' }

describeOnEngines((engine) => `subnet pools on ${engine}`, {}, (s) => {
  const pool = async (body: Record<string, unknown>, headers?: Record<string, string>) => {
    const r = await s.call('POST', '/v2.0/subnetpools', { subnetpool: body }, headers)
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body.subnetpool
  }
  const network = async (headers?: Record<string, string>, extra: Record<string, unknown> = {}) => {
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'n', ...extra } }, headers)
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body.network.id as string
  }
  const subnet = (body: Record<string, unknown>, headers?: Record<string, string>) =>
    s.call('POST', '/v2.0/subnets', { subnet: { ip_version: 4, ...body } }, headers)

  it('advertises subnet_allocation and default-subnetpools; /v2.0/ lists subnetpools', async () => {
    for (const alias of ['subnet_allocation', 'default-subnetpools']) assert.equal((await s.call('GET', `/v2.0/extensions/${alias}`)).status, 200)
    const root = await s.call('GET', '/v2.0/')
    assert.deepEqual(root.body.resources.map((r: any) => r.collection).filter((c: string) => ['networks', 'subnets', 'subnetpools', 'ports'].includes(c)), ['networks', 'subnets', 'subnetpools', 'ports'])
  })

  it('creates a pool with Neutron defaults: compacted prefixes, prefix lengths shown as strings', async () => {
    const p = await pool({ name: 'p4', prefixes: ['10.10.10.0/24', '10.10.11.0/24', '192.0.2.0/24'] })
    assert.deepEqual(Object.keys(p).sort(), [
      'address_scope_id', 'created_at', 'default_prefixlen', 'default_quota', 'description', 'id', 'ip_version', 'is_default',
      'max_prefixlen', 'min_prefixlen', 'name', 'prefixes', 'project_id', 'revision_number', 'shared', 'tags', 'tenant_id', 'updated_at',
    ])
    assert.deepEqual(p.prefixes, ['10.10.10.0/23', '192.0.2.0/24'])
    assert.equal(p.ip_version, 4)
    assert.equal(p.min_prefixlen, '8')
    assert.equal(p.default_prefixlen, '8')
    assert.equal(p.max_prefixlen, '32')
    assert.equal(p.default_quota, null)
    assert.equal(p.address_scope_id, null)
    assert.equal(p.shared, false)
    assert.equal(p.is_default, false)
    assert.equal(p.revision_number, 0)
    assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const show = await s.call('GET', `/v2.0/subnetpools/${p.id}`)
    assert.deepEqual(show.body.subnetpool, p)
    const v6 = await pool({ name: 'p6', prefixes: ['2001:DB8::5/48'], min_prefixlen: '56' })
    assert.deepEqual(v6.prefixes, ['2001:db8::/48'])
    assert.equal(v6.ip_version, 6)
    assert.deepEqual([v6.min_prefixlen, v6.default_prefixlen, v6.max_prefixlen], ['56', '56', '128'])
    for (const id of [p.id, v6.id]) assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${id}`)).status, 204)
    expectNeutronError(await s.call('GET', `/v2.0/subnetpools/${p.id}`), 404, 'SubnetPoolNotFound', `Subnet pool ${p.id} could not be found.`)
    expectNeutronError(await s.call('DELETE', `/v2.0/subnetpools/${p.id}`), 404, 'SubnetPoolNotFound')
  })

  it('refuses bad pools with Neutron errors (400)', async () => {
    const bad = (body: Record<string, unknown>) => s.call('POST', '/v2.0/subnetpools', { subnetpool: body })
    expectNeutronError(await bad({ prefixes: ['10.0.0.0/8'] }), 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'name' not specified")
    expectNeutronError(await bad({ name: 'x' }), 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'prefixes' not specified")
    expectNeutronError(await bad({ name: '  ', prefixes: ['10.0.0.0/8'] }), 400, 'HTTPBadRequest', "Invalid input for name. Reason: '  ' Blank strings are not permitted.")
    expectNeutronError(await bad({ name: 'x', prefixes: [] }), 400, 'EmptySubnetPoolPrefixList', 'Empty subnet pool prefix list.')
    expectNeutronError(await bad({ name: 'x', prefixes: '10.0.0.0/8' }), 400, 'HTTPBadRequest', "Invalid input for prefixes. Reason: '10.0.0.0/8' is not a list.")
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.1/16'] }), 400, 'HTTPBadRequest', "Invalid input for prefixes. Reason: '10.1/16' isn't a recognized IP subnet cidr, '10.1.0.0/16' is recommended.")
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8', '10.0.0.0/8'] }), 400, 'HTTPBadRequest', "Invalid input for prefixes. Reason: Duplicate items in the list: '10.0.0.0/8'.")
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8', 'fd00::/64'] }), 400, 'PrefixVersionMismatch', 'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.')
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8'], min_prefixlen: 21, default_prefixlen: 20 }), 400, 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: default_prefixlen=20, min_prefixlen=21.')
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8'], min_prefixlen: 28, max_prefixlen: 24 }), 400, 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: min_prefixlen=28, max_prefixlen=24.')
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8'], max_prefixlen: 33 }), 400, 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: max_prefixlen=33, ip_version_max=32.')
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8'], min_prefixlen: 'abc' }), 400, 'InvalidInput', "Invalid input for operation: 'abc' is not an integer.")
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8'], default_quota: -1 }), 400, 'HTTPBadRequest', "Invalid input for default_quota. Reason: '-1' should be non-negative.")
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8'], ip_version: 4 }), 400, 'HTTPBadRequest', "Attribute 'ip_version' not allowed in POST")
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8'], address_scope_id: 'not-a-uuid' }), 400, 'HTTPBadRequest', "Invalid input for address_scope_id. Reason: 'not-a-uuid' is not a valid UUID.")
    const scope = '6f0b2b6e-9c5e-4a43-a1c5-0ea0a84b1a11'
    expectNeutronError(await bad({ name: 'x', prefixes: ['10.0.0.0/8'], address_scope_id: scope }), 404, 'AddressScopeNotFound', `Address scope ${scope} could not be found.`)
    assert.deepEqual((await s.call('GET', '/v2.0/subnetpools')).body, { subnetpools: [] })
  })

  it('updates: name, bounds, quota; prefixes only grow; the answer shows integer lengths', async () => {
    const p = await pool({ name: 'up', prefixes: ['10.10.8.0/21'], min_prefixlen: 24, default_quota: 10 })
    const put = (body: Record<string, unknown>) => s.call('PUT', `/v2.0/subnetpools/${p.id}`, { subnetpool: body })
    const u = await put({ name: 'up2', prefixes: ['10.10.8.0/21', '3.3.3.0/24', '2.2.2.0/24'], default_prefixlen: '26', default_quota: '1' })
    assert.equal(u.status, 200)
    assert.equal(u.body.subnetpool.name, 'up2')
    assert.deepEqual(u.body.subnetpool.prefixes, ['2.2.2.0/24', '3.3.3.0/24', '10.10.8.0/21'])
    assert.equal(u.body.subnetpool.default_prefixlen, 26)
    assert.equal(u.body.subnetpool.min_prefixlen, 24)
    assert.equal(u.body.subnetpool.max_prefixlen, 32)
    assert.equal(u.body.subnetpool.default_quota, 1)
    assert.equal(u.body.subnetpool.revision_number, 1)
    const show = (await s.call('GET', `/v2.0/subnetpools/${p.id}`)).body.subnetpool
    assert.equal(show.default_prefixlen, '26')
    assert.deepEqual(show.prefixes, u.body.subnetpool.prefixes)
    assert.deepEqual((await put({ prefixes: ['10.10.8.0/21', '3.3.3.0/24', '2.2.2.0/24', '10.10.0.0/21'] })).body.subnetpool.prefixes, ['2.2.2.0/24', '3.3.3.0/24', '10.10.0.0/20'])
    expectNeutronError(await put({ prefixes: ['10.10.8.0/21'] }), 400, 'IllegalSubnetPoolPrefixUpdate', 'Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.')
    expectNeutronError(await put({ prefixes: ['2.2.2.0/24', '3.3.3.0/24', '10.10.0.0/20', 'fd00::/64'] }), 400, 'PrefixVersionMismatch')
    expectNeutronError(await put({ min_prefixlen: 28 }), 400, 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: default_prefixlen=26, min_prefixlen=28.')
    expectNeutronError(await put({ max_prefixlen: 22 }), 400, 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: min_prefixlen=24, max_prefixlen=22.')
    expectNeutronError(await put({ shared: true }), 400, 'HTTPBadRequest', 'Cannot update read-only attribute shared')
    expectNeutronError(await put({ ip_version: 6 }), 400, 'HTTPBadRequest', 'Cannot update read-only attribute ip_version')
    assert.equal((await put({ min_prefixlen: 21 })).body.subnetpool.min_prefixlen, 21)
    const same = await put({ name: 'up2' })
    assert.equal(same.body.subnetpool.revision_number, 3)
    assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${p.id}`)).status, 204)
  })

  it('policy: shared and is_default are admin-only; non-admins see their own and shared pools', async () => {
    const mine = { tenant_id: 'alice' }
    expectNeutronError(await s.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'x', prefixes: ['10.0.0.0/8'], shared: true, ...mine } }, ALICE),
      403, 'PolicyNotAuthorized', '(rule:create_subnetpool and rule:create_subnetpool:shared) is disallowed by policy')
    expectNeutronError(await s.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'x', prefixes: ['10.0.0.0/8'], is_default: true, shared: true, ...mine } }, ALICE),
      403, 'PolicyNotAuthorized', '((rule:create_subnetpool and rule:create_subnetpool:is_default) and rule:create_subnetpool:shared) is disallowed by policy')
    const own = await pool({ name: 'alice-pool', prefixes: ['10.20.0.0/16'], shared: false, ...mine }, ALICE)
    assert.equal(own.project_id, 'alice')
    expectNeutronError(await s.call('PUT', `/v2.0/subnetpools/${own.id}`, { subnetpool: { is_default: true } }, ALICE),
      403, 'PolicyNotAuthorized', '(rule:update_subnetpool and rule:update_subnetpool:is_default) is disallowed by policy')
    const shared = await pool({ name: 'shared-pool', prefixes: ['10.30.0.0/16'], shared: true, tenant_id: 'admin-proj' })
    const hidden = await pool({ name: 'hidden-pool', prefixes: ['10.40.0.0/16'], tenant_id: 'admin-proj' })
    const bobList = await s.call('GET', '/v2.0/subnetpools', undefined, BOB)
    assert.deepEqual(bobList.body.subnetpools.map((p: any) => p.name), ['shared-pool'])
    const aliceNames = (await s.call('GET', '/v2.0/subnetpools', undefined, ALICE)).body.subnetpools.map((p: any) => p.name).sort()
    assert.deepEqual(aliceNames, ['alice-pool', 'shared-pool'])
    expectNeutronError(await s.call('GET', `/v2.0/subnetpools/${hidden.id}`, undefined, BOB), 404, 'SubnetPoolNotFound')
    expectNeutronError(await s.call('GET', `/v2.0/subnetpools/${own.id}`, undefined, BOB), 404, 'SubnetPoolNotFound')
    assert.equal((await s.call('GET', `/v2.0/subnetpools/${shared.id}`, undefined, BOB)).status, 200)
    expectNeutronError(await s.call('PUT', `/v2.0/subnetpools/${shared.id}`, { subnetpool: { name: 'mine' } }, BOB), 403, 'PolicyNotAuthorized', 'rule:update_subnetpool is disallowed by policy')
    expectNeutronError(await s.call('DELETE', `/v2.0/subnetpools/${shared.id}`, undefined, BOB), 403, 'PolicyNotAuthorized', 'rule:delete_subnetpool is disallowed by policy')
    expectNeutronError(await s.call('DELETE', `/v2.0/subnetpools/${own.id}`, undefined, BOB), 404, 'SubnetPoolNotFound')
    // Bob can allocate from the shared pool, not from Alice's.
    const bobNet = await network(BOB, { tenant_id: 'bob' })
    const fromShared = await subnet({ network_id: bobNet, subnetpool_id: shared.id, prefixlen: 24, tenant_id: 'bob' }, BOB)
    assert.equal(fromShared.status, 201, JSON.stringify(fromShared.body))
    assert.equal(fromShared.body.subnet.cidr, '10.30.0.0/24')
    expectNeutronError(await subnet({ network_id: bobNet, subnetpool_id: own.id, tenant_id: 'bob' }, BOB), 404, 'SubnetPoolNotFound', `Subnet pool ${own.id} could not be found.`)
    assert.equal((await s.call('DELETE', `/v2.0/subnets/${fromShared.body.subnet.id}`)).status, 204)
    assert.equal((await s.call('DELETE', `/v2.0/networks/${bobNet}`)).status, 204)
    assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${own.id}`, undefined, ALICE)).status, 204)
    for (const p of [shared, hidden]) assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${p.id}`)).status, 204)
  })

  it('allocates subnets: default length, prefixlen, specific cidr, gateway-derived, with Neutron errors', async () => {
    const p = await pool({ name: 'alloc', prefixes: ['10.10.0.0/16'], min_prefixlen: 21, max_prefixlen: 28 })
    const net = await network()
    const ok = async (body: Record<string, unknown>) => {
      const r = await subnet({ network_id: net, subnetpool_id: p.id, ...body })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      assert.equal(r.body.subnet.subnetpool_id, p.id)
      return r.body.subnet
    }
    const a = await ok({})
    assert.equal(a.cidr, '10.10.0.0/21')
    assert.equal(a.gateway_ip, '10.10.0.1')
    assert.deepEqual(a.allocation_pools, [{ start: '10.10.0.2', end: '10.10.7.254' }])
    const b = await ok({ prefixlen: 24 })
    assert.equal(b.cidr, '10.10.8.0/24')
    const c = await ok({ prefixlen: 24, gateway_ip: null })
    assert.equal(c.cidr, '10.10.9.0/24')
    assert.equal(c.gateway_ip, '10.10.9.1') // Neutron ignores a null gateway for an any-subnet request
    const d = await ok({ cidr: '10.10.32.0/24', gateway_ip: '10.10.32.254', allocation_pools: [{ start: '10.10.32.10', end: '10.10.32.20' }] })
    assert.equal(d.gateway_ip, '10.10.32.254')
    assert.deepEqual(d.allocation_pools, [{ start: '10.10.32.10', end: '10.10.32.20' }])
    const e = await ok({ gateway_ip: '10.10.64.1', prefixlen: 26 })
    assert.equal(e.cidr, '10.10.64.0/26')
    assert.deepEqual(e.allocation_pools, [{ start: '10.10.64.2', end: '10.10.64.62' }])
    const shown = (await s.call('GET', `/v2.0/subnets/${b.id}`)).body.subnet
    assert.equal(shown.subnetpool_id, p.id)
    assert.deepEqual((await s.call('GET', `/v2.0/subnets?subnetpool_id=${p.id}&fields=cidr`)).body.subnets.map((x: any) => x.cidr).sort(),
      ['10.10.0.0/21', '10.10.32.0/24', '10.10.64.0/26', '10.10.8.0/24', '10.10.9.0/24'])

    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, cidr: '10.10.32.0/24' }), 409, 'SubnetAllocationError',
      'Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes.')
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, cidr: '192.168.1.0/24' }), 409, 'SubnetAllocationError')
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, cidr: '10.10.0.0/20' }), 400, 'MinPrefixSubnetAllocationError',
      'Unable to allocate subnet with prefix length 20, minimum allowed prefix is 21.')
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, prefixlen: 29 }), 400, 'MaxPrefixSubnetAllocationError',
      'Unable to allocate subnet with prefix length 29, maximum allowed prefix is 28.')
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, prefixlen: -1 }), 400, 'HTTPBadRequest', "Invalid input for prefixlen. Reason: '-1' should be non-negative.")
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, cidr: '10.10.1.0/24', prefixlen: 24 }), 400, 'BadRequest',
      'Bad subnets request: cidr and prefixlen must not be supplied together.')
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, allocation_pools: [{ start: '10.10.40.2', end: '10.10.40.9' }] }), 400, 'BadRequest',
      'Bad subnets request: allocation_pools allowed only for specific subnet requests..')
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, ip_version: 6 }), 400, 'BadRequest', 'Bad subnets request: Cannot allocate IPv6 subnet from IPv4 subnet pool.')
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, gateway_ip: '10.10.96.0', prefixlen: 24 }), 409, 'IpamValueInvalid',
      'Gateway IP 10.10.96.0 cannot be allocated in CIDR 10.10.96.0/24')
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id, use_default_subnetpool: true }), 400, 'BadRequest',
      'Bad subnets request: subnetpool_id and use_default_subnetpool cannot both be specified.')
    const ghost = '0c2b4b5e-7a3e-4e5b-9d62-3f0a1d2c4b5a'
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: ghost }), 404, 'SubnetPoolNotFound', `Subnet pool ${ghost} could not be found.`)
    expectNeutronError(await subnet({ network_id: net }), 400, 'BadRequest', 'Bad subnets request: a subnetpool must be specified in the absence of a cidr.')
    // Affinity: a pool-less IPv4 subnet cannot join pool subnets on the network.
    expectNeutronError(await subnet({ network_id: net, cidr: '198.51.100.0/24' }), 400, 'NetworkSubnetPoolAffinityError',
      'Subnets hosted on the same network must be allocated from the same subnet pool.')

    expectNeutronError(await s.call('DELETE', `/v2.0/subnetpools/${p.id}`), 400, 'SubnetPoolDeleteError', 'Unable to delete subnet pool: Subnet pool has existing allocations.')
    // Deleting a subnet frees its prefix.
    assert.equal((await s.call('DELETE', `/v2.0/subnets/${b.id}`)).status, 204)
    assert.equal((await ok({ prefixlen: 24 })).cidr, '10.10.8.0/24')
    assert.equal((await s.call('DELETE', `/v2.0/networks/${net}`)).status, 204)
    assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${p.id}`)).status, 204)
  })

  it('exhausts a pool with SubnetAllocationError; default_quota counts the pool owner\'s addresses', async () => {
    const p = await pool({ name: 'small', prefixes: ['203.0.113.0/25'], min_prefixlen: 26, default_quota: 128 })
    const net = await network()
    for (const want of ['203.0.113.0/26', '203.0.113.64/26']) {
      const r = await subnet({ network_id: net, subnetpool_id: p.id })
      assert.equal(r.body.subnet?.cidr, want, JSON.stringify(r.body))
    }
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id }), 409, 'SubnetPoolQuotaExceeded', 'Per-tenant subnet pool prefix quota exceeded.')
    assert.equal((await s.call('PUT', `/v2.0/subnetpools/${p.id}`, { subnetpool: { default_quota: 0 } })).status, 200)
    expectNeutronError(await subnet({ network_id: net, subnetpool_id: p.id }), 409, 'SubnetAllocationError', 'Failed to allocate subnet: Insufficient prefix space to allocate subnet size /26.')
    assert.equal((await s.call('DELETE', `/v2.0/networks/${net}`)).status, 204)
    assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${p.id}`)).status, 204)
  })

  it('default pools: one per IP version (admin), use_default_subnetpool allocates from it', async () => {
    const net = await network()
    expectNeutronError(await subnet({ network_id: net, use_default_subnetpool: true }), 400, 'BadRequest', 'Bad subnets request: No default subnetpool found for IPv4.')
    const d4 = await pool({ name: 'd4', prefixes: ['10.50.0.0/16'], default_prefixlen: 24, is_default: true, shared: true })
    assert.equal(d4.is_default, true)
    expectNeutronError(await s.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'd4b', prefixes: ['10.60.0.0/16'], is_default: true } }), 400, 'InvalidInput',
      'Invalid input for operation: A default subnetpool for this IP family has already been set. Only one default may exist per IP family.')
    const other = await pool({ name: 'd4c', prefixes: ['10.60.0.0/16'] })
    expectNeutronError(await s.call('PUT', `/v2.0/subnetpools/${other.id}`, { subnetpool: { is_default: true } }), 400, 'InvalidInput')
    const d6 = await pool({ name: 'd6', prefixes: ['2001:db8:100::/48'], is_default: true })
    const r = await subnet({ network_id: net, use_default_subnetpool: true })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    assert.equal(r.body.subnet.cidr, '10.50.0.0/24')
    assert.equal(r.body.subnet.subnetpool_id, d4.id)
    const r6 = await subnet({ network_id: net, use_default_subnetpool: true, ip_version: 6 })
    assert.equal(r6.body.subnet.cidr, '2001:db8:100::/64')
    assert.equal(r6.body.subnet.gateway_ip, '2001:db8:100::1')
    // A member sees the shared default; the unshared IPv6 default is not theirs to use.
    const aliceNet = await network(ALICE, { tenant_id: 'alice' })
    const ra = await subnet({ network_id: aliceNet, use_default_subnetpool: true, tenant_id: 'alice' }, ALICE)
    assert.equal(ra.body.subnet?.cidr, '10.50.1.0/24', JSON.stringify(ra.body))
    expectNeutronError(await subnet({ network_id: aliceNet, use_default_subnetpool: true, ip_version: 6, tenant_id: 'alice' }, ALICE), 400, 'BadRequest',
      'Bad subnets request: No default subnetpool found for IPv6.')
    // is_default can be dropped and moved.
    assert.equal((await s.call('PUT', `/v2.0/subnetpools/${d4.id}`, { subnetpool: { is_default: false } })).body.subnetpool.is_default, false)
    assert.equal((await s.call('PUT', `/v2.0/subnetpools/${other.id}`, { subnetpool: { is_default: true } })).body.subnetpool.is_default, true)
    for (const n of [net, aliceNet]) assert.equal((await s.call('DELETE', `/v2.0/networks/${n}`)).status, 204)
    for (const p of [d4, d6, other]) assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${p.id}`)).status, 204)
  })

  it('tags, filters, fields, sorting and pagination', async () => {
    const ids: string[] = []
    for (const [name, min] of [['a', 8], ['b', 24], ['c', 16], ['d', 9]] as const) {
      ids.push((await pool({ name, prefixes: [`10.${100 + ids.length}.0.0/16`], min_prefixlen: min })).id)
    }
    assert.equal((await s.call('PUT', `/v2.0/subnetpools/${ids[0]}/tags/red`)).status, 201)
    assert.deepEqual((await s.call('PUT', `/v2.0/subnetpools/${ids[1]}/tags`, { tags: ['red', 'blue'] })).body, { tags: ['red', 'blue'] })
    assert.deepEqual((await s.call('GET', `/v2.0/subnetpools/${ids[1]}/tags`)).body.tags.sort(), ['blue', 'red'])
    assert.equal((await s.call('GET', `/v2.0/subnetpools/${ids[0]}`)).body.subnetpool.revision_number, 1)
    const names = async (q: string) => (await s.call('GET', `/v2.0/subnetpools?${q}`)).body.subnetpools.map((p: any) => p.name)
    assert.deepEqual((await names('tags=red&sort_key=name&sort_dir=asc')), ['a', 'b'])
    assert.deepEqual((await names('tags=red,blue')), ['b'])
    assert.deepEqual((await names('not-tags=red&sort_key=name&sort_dir=asc')), ['c', 'd'])
    assert.deepEqual(await names('name=c'), ['c'])
    assert.deepEqual(await names('min_prefixlen=24'), ['b'])
    assert.deepEqual((await names('ip_version=4&sort_key=name&sort_dir=desc')), ['d', 'c', 'b', 'a'])
    // Prefix lengths sort as numbers although they are shown as text (9 before 16).
    assert.deepEqual(await names('sort_key=min_prefixlen&sort_dir=asc'), ['a', 'd', 'c', 'b'])
    const f = await s.call('GET', `/v2.0/subnetpools/${ids[2]}?fields=name&fields=prefixes`)
    assert.deepEqual(f.body, { subnetpool: { name: 'c', prefixes: ['10.102.0.0/16'] } })
    const page1 = await s.call('GET', '/v2.0/subnetpools?limit=2&sort_key=name&sort_dir=asc')
    assert.deepEqual(page1.body.subnetpools.map((p: any) => p.name), ['a', 'b'])
    const next = page1.body.subnetpools_links.find((l: any) => l.rel === 'next').href
    const page2 = await s.call('GET', next.slice(next.indexOf('/v2.0')))
    assert.deepEqual(page2.body.subnetpools.map((p: any) => p.name), ['c', 'd'])
    // An unknown marker gives the first page (Neutron's object pager), not a 404.
    assert.deepEqual(await names('limit=1&sort_key=name&sort_dir=asc&marker=0c2b4b5e-7a3e-4e5b-9d62-3f0a1d2c4b5a'), ['a'])
    for (const id of ids) assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${id}`)).status, 204)
    assert.deepEqual((await s.call('GET', `/v2.0/subnetpools/${ids[0]}/tags`)).status, 404)
  })

  it('quota subnetpool (default -1) limits pools per project; bulk create is all or nothing', async () => {
    const q = await s.call('GET', '/v2.0/quotas/alice/default')
    assert.equal(q.body.quota.subnetpool, -1)
    assert.equal((await s.call('PUT', '/v2.0/quotas/alice', { quota: { subnetpool: 1 } })).status, 200)
    const one = await pool({ name: 'q1', prefixes: ['10.70.0.0/16'], tenant_id: 'alice' }, ALICE)
    expectNeutronError(await s.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'q2', prefixes: ['10.71.0.0/16'], tenant_id: 'alice' } }, ALICE),
      409, 'OverQuota', "Quota exceeded for resources: ['subnetpool'].")
    const details = await s.call('GET', '/v2.0/quotas/alice/details', undefined, ALICE)
    assert.deepEqual(details.body.quota.subnetpool, { limit: 1, used: 1, reserved: 0 })
    assert.equal((await s.call('DELETE', '/v2.0/quotas/alice')).status, 204)
    assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${one.id}`)).status, 204)
    const bulk = await s.call('POST', '/v2.0/subnetpools', { subnetpools: [{ name: 'b1', prefixes: ['10.80.0.0/16'] }, { name: 'b2', prefixes: [] }] })
    expectNeutronError(bulk, 400, 'EmptySubnetPoolPrefixList')
    assert.deepEqual((await s.call('GET', '/v2.0/subnetpools')).body, { subnetpools: [] })
    const ok = await s.call('POST', '/v2.0/subnetpools', { subnetpools: [{ name: 'b1', prefixes: ['10.80.0.0/16'] }, { name: 'b2', prefixes: ['10.81.0.0/16'] }] })
    assert.equal(ok.status, 201)
    for (const p of ok.body.subnetpools) assert.equal((await s.call('DELETE', `/v2.0/subnetpools/${p.id}`)).status, 204)
  })
})

describeOnEnginesWithServers((engine) => `concurrent allocations from one pool, two API servers, ${engine}`, 2, (servers) => {
  it('16 simultaneous subnet creates get 16 disjoint prefixes; the pool is then exactly full', async () => {
    const [a, b] = servers as [TestServer, TestServer]
    const p = (await a.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'race', prefixes: ['10.90.0.0/20'], default_prefixlen: 24, min_prefixlen: 24 } })).body.subnetpool
    const nets: string[] = []
    for (let i = 0; i < 4; i++) nets.push((await a.call('POST', '/v2.0/networks', { network: { name: `race${i}` } })).body.network.id)
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? a : b).call('POST', '/v2.0/subnets', { subnet: { network_id: nets[i % 4], ip_version: 4, subnetpool_id: p.id } }),
      ),
    )
    for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body))
    const cidrs = results.map((r) => r.body.subnet.cidr as string)
    assert.equal(new Set(cidrs).size, 16)
    for (let i = 0; i < cidrs.length; i++) {
      for (let j = i + 1; j < cidrs.length; j++) assert.equal(cidrOverlaps(parseCidr(cidrs[i]!), parseCidr(cidrs[j]!)), false, `${cidrs[i]} / ${cidrs[j]}`)
    }
    const full = await b.call('POST', '/v2.0/subnets', { subnet: { network_id: nets[0], ip_version: 4, subnetpool_id: p.id } })
    expectNeutronError(full, 409, 'SubnetAllocationError', 'Failed to allocate subnet: Insufficient prefix space to allocate subnet size /24.')
    // Deleting the pool while allocations race it: it either fails as in use or wins before them.
    for (const n of nets) assert.equal((await a.call('DELETE', `/v2.0/networks/${n}`)).status, 204)
    const net = (await a.call('POST', '/v2.0/networks', { network: { name: 'race-del' } })).body.network.id
    const [sub, del] = await Promise.all([
      a.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, subnetpool_id: p.id } }),
      b.call('DELETE', `/v2.0/subnetpools/${p.id}`),
    ])
    if (sub.status === 201) expectNeutronError(del, 400, 'SubnetPoolDeleteError')
    else {
      assert.equal(del.status, 204)
      expectNeutronError(sub, 404, 'SubnetPoolNotFound')
    }
    assert.equal((await a.call('DELETE', `/v2.0/networks/${net}`)).status, 204)
    if (sub.status === 201) assert.equal((await a.call('DELETE', `/v2.0/subnetpools/${p.id}`)).status, 204)
  })
})
