/**
 * routers over HTTP (in-process server, SQLite in memory): CRUD with filters/fields/sorting/pages/
 * tags, the external gateway (ext-gw-mode), interfaces, the in-use rules router ports impose on
 * ports/subnets/networks, extra routes (extraroute, extraroute-atomic), policy and quota — with
 * Neutron Zed's error types, messages and status codes.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { externalNetwork, member, neutronError, ok, privateNetwork, router } from '../../helpers/l3.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { TestMechanismDriver } from '../../../src/ml2/mech/mech-test.js'

const NO_SUCH = '00000000-0000-4000-8000-000000000001'

describe('routers API', () => {
  let s: TestServer
  let ext: { net: any; subnet: any }
  before(async () => {
    s = await startNeutrino()
    ext = await externalNetwork(s.call)
  })
  after(() => s.close())

  it('creates, shows, lists, updates and deletes a router', async () => {
    const r = await router(s.call, { name: 'r-crud', description: 'd', admin_state_up: false })
    assert.deepEqual(Object.keys(r).sort(), [
      'admin_state_up', 'created_at', 'description', 'external_gateway_info', 'id', 'name', 'project_id', 'revision_number',
      'routes', 'status', 'tags', 'tenant_id', 'updated_at',
    ])
    assert.equal(r.status, 'ACTIVE')
    assert.equal(r.admin_state_up, false)
    assert.equal(r.external_gateway_info, null)
    assert.deepEqual(r.routes, [])
    assert.equal(r.tenant_id, 'admin')
    assert.equal(r.project_id, 'admin')
    assert.equal(r.revision_number, 1)
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/routers/${r.id}`)).router, r)
    const up = (await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { name: 'r-crud2', admin_state_up: true } })).router
    assert.equal(up.name, 'r-crud2')
    assert.equal(up.admin_state_up, true)
    assert.equal(up.revision_number, 2)
    const list = (await ok(s.call, 'GET', '/v2.0/routers?name=r-crud2')).routers
    assert.deepEqual(list.map((x: any) => x.id), [r.id])
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/routers/${r.id}?fields=id&fields=name`)).router, { id: r.id, name: 'r-crud2' })
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    neutronError(await s.call('GET', `/v2.0/routers/${r.id}`), 404, 'RouterNotFound', `Router ${r.id} could not be found`)
    neutronError(await s.call('PUT', `/v2.0/routers/${r.id}`, { router: { name: 'x' } }), 404, 'RouterNotFound')
    neutronError(await s.call('DELETE', `/v2.0/routers/${r.id}`), 404, 'RouterNotFound')
    neutronError(await s.call('GET', '/v2.0/routers/non_exist_router-1'), 404, 'RouterNotFound')
  })

  it('sorts, pages and tags routers', async () => {
    const ids = []
    for (const n of ['pg-b', 'pg-a', 'pg-c']) ids.push((await router(s.call, { name: n })).id)
    const sorted = (await ok(s.call, 'GET', '/v2.0/routers?sort_key=name&sort_dir=desc&fields=name&name=pg-a&name=pg-b&name=pg-c')).routers
    assert.deepEqual(sorted.map((x: any) => x.name), ['pg-c', 'pg-b', 'pg-a'])
    const page = await ok(s.call, 'GET', '/v2.0/routers?limit=2&sort_key=name&sort_dir=asc&name=pg-a&name=pg-b&name=pg-c')
    assert.deepEqual(page.routers.map((x: any) => x.name), ['pg-a', 'pg-b'])
    assert.match(page.routers_links.find((l: any) => l.rel === 'next').href, new RegExp(`marker=${page.routers[1].id}`))
    neutronError(await s.call('GET', `/v2.0/routers?limit=1&marker=${NO_SUCH}`), 404, 'RouterNotFound')
    await ok(s.call, 'PUT', `/v2.0/routers/${ids[0]}/tags/blue`, undefined, undefined, 201)
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/routers/${ids[0]}/tags`)).tags, ['blue'])
    assert.deepEqual((await ok(s.call, 'GET', '/v2.0/routers?tags=blue')).routers.map((x: any) => x.id), [ids[0]])
    assert.equal((await ok(s.call, 'GET', `/v2.0/routers/${ids[0]}`)).router.revision_number, 2)
    await ok(s.call, 'PUT', `/v2.0/routers/${ids[0]}/tags`, { tags: ['a', 'b', 'c'] })
    await ok(s.call, 'DELETE', `/v2.0/routers/${ids[0]}/tags`)
    neutronError(await s.call('GET', `/v2.0/routers/${ids[0]}/tags/a`), 404, 'TagNotFound')
    for (const id of ids) await ok(s.call, 'DELETE', `/v2.0/routers/${id}`)
  })

  it('validates router bodies', async () => {
    neutronError(await s.call('POST', '/v2.0/routers', { router: { routes: [] } }), 400, 'HTTPBadRequest', "Attribute 'routes' not allowed in POST")
    neutronError(await s.call('POST', '/v2.0/routers', { router: { colour: 1 } }), 400, 'HTTPBadRequest', "Unrecognized attribute(s) 'colour'")
    const gw = (v: unknown) => s.call('POST', '/v2.0/routers', { router: { external_gateway_info: v } })
    neutronError(await gw('x'), 400, 'HTTPBadRequest', "Invalid input for external_gateway_info. Reason: 'x' is not a dictionary.")
    neutronError(
      await gw({ enable_snat: true }),
      400,
      'HTTPBadRequest',
      "Invalid input for external_gateway_info. Reason: Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: {'enable_snat'}.",
    )
    neutronError(await gw({ network_id: ext.net.id, colour: 1 }), 400, 'HTTPBadRequest', 'Invalid input for external_gateway_info. Reason: Unexpected keys supplied: colour.')
    neutronError(await gw({ network_id: 'nope' }), 400, 'HTTPBadRequest', "Invalid input for external_gateway_info. Reason: 'nope' is not a valid UUID.")
    neutronError(await gw({ network_id: ext.net.id, enable_snat: 'maybe' }), 400, 'InvalidInput', "Invalid input for operation: 'maybe' cannot be converted to boolean.")
    neutronError(
      await gw({ network_id: ext.net.id, external_fixed_ips: [{ ip_address: '999.1.1.1' }] }),
      400,
      'HTTPBadRequest',
      "Invalid input for external_gateway_info. Reason: '999.1.1.1' is not a valid IP address.",
    )
    const r = await router(s.call)
    const routes = (v: unknown) => s.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: v } })
    neutronError(await routes([{ destination: '10.0.0.1/8', nexthop: '10.0.0.1' }]), 400, 'HTTPBadRequest', "Invalid input for routes. Reason: '10.0.0.1/8' is not a recognized CIDR, '10.0.0.0/8' is recommended.")
    neutronError(await routes([{ destination: '10.0.0.0/8' }]), 400, 'HTTPBadRequest', /Validation of dictionary's keys failed/)
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
  })

  it('gives a router a gateway port on an external network, and takes it away', async () => {
    const r = await router(s.call, { external_gateway_info: { network_id: ext.net.id } })
    const gi = r.external_gateway_info
    assert.equal(gi.network_id, ext.net.id)
    assert.equal(gi.enable_snat, true)
    assert.equal(gi.external_fixed_ips.length, 1)
    assert.equal(gi.external_fixed_ips[0].subnet_id, ext.subnet.id)
    assert.equal(r.revision_number, 2)
    const ports = (await ok(s.call, 'GET', `/v2.0/ports?device_id=${r.id}`)).ports
    assert.equal(ports.length, 1)
    assert.equal(ports[0].device_owner, 'network:router_gateway')
    assert.equal(ports[0].tenant_id, '')
    assert.equal(ports[0].network_id, ext.net.id)
    assert.deepEqual(ports[0].fixed_ips, gi.external_fixed_ips)
    neutronError(
      await s.call('DELETE', `/v2.0/ports/${ports[0].id}`),
      409,
      'ServicePortInUse',
      `Port ${ports[0].id} cannot be deleted directly via the port API: has device owner network:router_gateway.`,
    )
    // enable_snat alone keeps the port
    const snat = (await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext.net.id, enable_snat: false } } })).router
    assert.equal(snat.external_gateway_info.enable_snat, false)
    assert.deepEqual(snat.external_gateway_info.external_fixed_ips, gi.external_fixed_ips)
    // a requested address moves the port's IP
    const moved = (
      await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, {
        router: { external_gateway_info: { network_id: ext.net.id, external_fixed_ips: [{ ip_address: '203.0.113.200' }] } },
      })
    ).router
    assert.deepEqual(moved.external_gateway_info.external_fixed_ips, [{ subnet_id: ext.subnet.id, ip_address: '203.0.113.200' }])
    assert.equal(moved.external_gateway_info.enable_snat, true) // enable_snat_by_default when not given
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext.net.id, external_fixed_ips: [{ ip_address: '203.0.113.1' }] } } }),
      400,
      'BadRequest',
      'Bad router request: External IP 203.0.113.1 is the same as the gateway IP.',
    )
    // the external network cannot stop being external while a router uses it
    neutronError(
      await s.call('PUT', `/v2.0/networks/${ext.net.id}`, { network: { 'router:external': false } }),
      409,
      'ExternalNetworkInUse',
      `External network ${ext.net.id} cannot be updated to be made non-external, since it has existing gateway ports.`,
    )
    const cleared = (await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: {} } })).router
    assert.equal(cleared.external_gateway_info, null)
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/ports?device_id=${r.id}`)).ports, [])
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext.net.id } } })
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: null } })
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/ports?device_id=${r.id}`)).ports, [])
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
  })

  it('refuses gateways on unknown or internal networks, and moves between external networks', async () => {
    const r = await router(s.call)
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: r.id } } }),
      404,
      'NetworkNotFound',
      `Network ${r.id} could not be found.`,
    )
    const internal = await privateNetwork(s.call, '198.51.100.0/24')
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: internal.net.id } } }),
      400,
      'BadRequest',
      `Bad router request: Network ${internal.net.id} is not an external network.`,
    )
    const ext2 = await externalNetwork(s.call, '192.0.2.0/26')
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext.net.id } } })
    const before = (await ok(s.call, 'GET', `/v2.0/ports?device_id=${r.id}`)).ports
    const moved = (await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext2.net.id } } })).router
    assert.equal(moved.external_gateway_info.network_id, ext2.net.id)
    const after = (await ok(s.call, 'GET', `/v2.0/ports?device_id=${r.id}`)).ports
    assert.equal(after.length, 1)
    assert.notEqual(after[0].id, before[0].id)
    assert.equal(after[0].network_id, ext2.net.id)
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    // the gateway port goes with the router; the networks are free again
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/ports?device_id=${r.id}`)).ports, [])
    await ok(s.call, 'DELETE', `/v2.0/networks/${ext2.net.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${internal.net.id}`)
  })

  it('adds and removes interfaces by subnet, with Neutron response bodies', async () => {
    const a = await privateNetwork(s.call, '198.51.100.0/26')
    const r = await router(s.call)
    const info = await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: a.subnet.id })
    assert.deepEqual(Object.keys(info).sort(), ['id', 'network_id', 'port_id', 'project_id', 'subnet_id', 'subnet_ids', 'tenant_id'])
    assert.equal(info.id, r.id)
    assert.equal(info.subnet_id, a.subnet.id)
    assert.deepEqual(info.subnet_ids, [a.subnet.id])
    assert.equal(info.network_id, a.net.id)
    assert.equal(info.tenant_id, 'admin')
    const port = (await ok(s.call, 'GET', `/v2.0/ports/${info.port_id}`)).port
    assert.equal(port.device_owner, 'network:router_interface')
    assert.equal(port.device_id, r.id)
    assert.equal(port.tenant_id, 'admin')
    assert.deepEqual(port.fixed_ips, [{ subnet_id: a.subnet.id, ip_address: '198.51.100.1' }])
    assert.equal((await ok(s.call, 'GET', `/v2.0/routers/${r.id}`)).router.revision_number, 2)
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: a.subnet.id }),
      400,
      'BadRequest',
      `Bad router request: Router already has a port on subnet ${a.subnet.id}.`,
    )
    const overlap = await privateNetwork(s.call, '198.51.100.0/24')
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: overlap.subnet.id }),
      400,
      'BadRequest',
      `Bad router request: Cidr 198.51.100.0/24 of subnet ${overlap.subnet.id} overlaps with cidr 198.51.100.0/26 of subnet ${a.subnet.id}.`,
    )
    // the interface pins the port, the subnet and the network
    neutronError(
      await s.call('DELETE', `/v2.0/ports/${info.port_id}`),
      409,
      'ServicePortInUse',
      `Port ${info.port_id} cannot be deleted directly via the port API: has device owner network:router_interface.`,
    )
    neutronError(
      await s.call('DELETE', `/v2.0/routers/${r.id}`),
      409,
      'RouterInUse',
      `Router ${r.id} has ports still attached: ${info.port_id}`,
    )
    neutronError(await s.call('DELETE', `/v2.0/subnets/${a.subnet.id}`), 409, 'SubnetInUse')
    neutronError(await s.call('DELETE', `/v2.0/networks/${a.net.id}`), 409, 'NetworkInUse', new RegExp(info.port_id))
    const removed = await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: a.subnet.id })
    assert.deepEqual(removed, info)
    neutronError(await s.call('GET', `/v2.0/ports/${info.port_id}`), 404, 'PortNotFound')
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: a.subnet.id }),
      404,
      'RouterInterfaceNotFoundForSubnet',
      `Router ${r.id} has no interface on subnet ${a.subnet.id}`,
    )
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: NO_SUCH }),
      404,
      'RouterInterfaceNotFound',
      `Router ${r.id} does not have an interface with id ${NO_SUCH}`,
    )
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${a.net.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${overlap.net.id}`)
  })

  it('checks the interface request', async () => {
    const r = await router(s.call)
    const add = (b: unknown) => s.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, b)
    neutronError(await add({}), 400, 'BadRequest', 'Bad router request: Either subnet_id or port_id must be specified.')
    neutronError(await add({ subnet_id: NO_SUCH, port_id: NO_SUCH }), 400, 'BadRequest', 'Bad router request: Cannot specify both subnet-id and port-id.')
    neutronError(await add({ subnet_id: 'abc' }), 400, 'BadRequest', "Bad router request: 'abc' is not a valid UUID.")
    neutronError(await add({ subnet_id: NO_SUCH }), 404, 'SubnetNotFound')
    neutronError(await add({ port_id: NO_SUCH }), 404, 'PortNotFound')
    neutronError(await s.call('PUT', `/v2.0/routers/${NO_SUCH}/add_router_interface`, { subnet_id: NO_SUCH }), 404, 'RouterNotFound')
    const noGw = await privateNetwork(s.call, '192.0.2.64/27', { subnet: { gateway_ip: null } })
    neutronError(await add({ subnet_id: noGw.subnet.id }), 400, 'BadRequest', 'Bad router request: Subnet for router interface must have a gateway IP.')
    const v6ra = await privateNetwork(s.call, '2001:db8:1::/64', { subnet: { ipv6_address_mode: 'slaac' } })
    neutronError(
      await add({ subnet_id: v6ra.subnet.id }),
      400,
      'BadRequest',
      // Neutron's text ends with a period and BadRequest adds one.
      `Bad router request: IPv6 subnet ${v6ra.subnet.id} configured to receive RAs from an external router cannot be added to Neutron Router..`,
    )
    assert.equal((await s.call('GET', `/v2.0/routers/${r.id}/add_router_interface`)).status, 405)
    assert.equal((await s.call('PUT', `/v2.0/routers/${r.id}/frobnicate`, {})).status, 404)
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${noGw.net.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${v6ra.net.id}`)
  })

  it('adds and removes interfaces by port', async () => {
    const a = await privateNetwork(s.call, '192.0.2.128/26')
    const r = await router(s.call)
    const used = (await ok(s.call, 'POST', '/v2.0/ports', { port: { network_id: a.net.id, device_id: 'vm-1' } })).port
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, { port_id: used.id }),
      409,
      'PortInUse',
      `Unable to complete operation on port ${used.id} for network ${a.net.id}. Port already has an attached device vm-1.`,
    )
    const p = (await ok(s.call, 'POST', '/v2.0/ports', { port: { network_id: a.net.id } })).port
    const info = await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { port_id: p.id })
    assert.equal(info.port_id, p.id)
    assert.equal(info.subnet_id, a.subnet.id)
    const shown = (await ok(s.call, 'GET', `/v2.0/ports/${p.id}`)).port
    assert.equal(shown.device_id, r.id)
    assert.equal(shown.device_owner, 'network:router_interface')
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: p.id, subnet_id: NO_SUCH }),
      400,
      'SubnetMismatchForPort',
      `Subnet on port ${p.id} does not match the requested subnet ${NO_SUCH}.`,
    )
    const removed = await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: p.id, subnet_id: a.subnet.id })
    assert.equal(removed.port_id, p.id)
    neutronError(await s.call('GET', `/v2.0/ports/${p.id}`), 404, 'PortNotFound') // Neutron deletes it
    await ok(s.call, 'DELETE', `/v2.0/ports/${used.id}`)
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${a.net.id}`)
  })

  it('puts IPv6 prefixes of one network on one router port, and the gateway IP on stateful subnets', async () => {
    const net = (await ok(s.call, 'POST', '/v2.0/networks', { network: { name: 'v6' } })).network
    const mk = async (cidr: string, extra: Record<string, unknown>) =>
      (await ok(s.call, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 6, cidr, ...extra } })).subnet
    const s1 = await mk('2001:db8:a::/64', { ipv6_ra_mode: 'dhcpv6-stateful', ipv6_address_mode: 'dhcpv6-stateful' })
    const s2 = await mk('2001:db8:b::/64', { ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' })
    const r = await router(s.call)
    const i1 = await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: s1.id })
    const i2 = await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: s2.id })
    assert.equal(i2.port_id, i1.port_id)
    assert.deepEqual(i2.subnet_ids, [s2.id])
    const port = (await ok(s.call, 'GET', `/v2.0/ports/${i1.port_id}`)).port
    assert.deepEqual(port.fixed_ips.map((f: any) => f.ip_address).sort(), [s1.gateway_ip, s2.gateway_ip].sort())
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: s1.id })
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/ports/${i1.port_id}`)).port.fixed_ips, [{ subnet_id: s2.id, ip_address: s2.gateway_ip }])
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: i1.port_id })
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${net.id}`)
  })

  it('refuses a gateway that overlaps an interface subnet', async () => {
    const inner = await privateNetwork(s.call, '203.0.113.0/28')
    const r = await router(s.call)
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: inner.subnet.id })
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext.net.id } } }),
      400,
      'BadRequest',
      `Bad router request: Cidr 203.0.113.0/24 of subnet ${ext.subnet.id} overlaps with cidr 203.0.113.0/28 of subnet ${inner.subnet.id}.`,
    )
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: inner.subnet.id })
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${inner.net.id}`)
  })

  it('validates and stores extra routes, atomically too', async () => {
    const a = await privateNetwork(s.call, '198.51.100.64/26')
    const r = await router(s.call, { external_gateway_info: { network_id: ext.net.id } })
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: a.subnet.id })
    const gwIp = (await ok(s.call, 'GET', `/v2.0/routers/${r.id}`)).router.external_gateway_info.external_fixed_ips[0].ip_address
    const put = (routes: unknown) => s.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes } })
    const routes = [
      { destination: '10.0.0.0/8', nexthop: '198.51.100.70' },
      { destination: '172.16.0.0/12', nexthop: gwIp === '203.0.113.9' ? '203.0.113.8' : '203.0.113.9' },
    ]
    const set = (await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { routes } })).router
    assert.deepEqual(set.routes, routes)
    neutronError(
      await put([{ destination: '10.0.0.0/8', nexthop: '192.0.2.1' }]),
      400,
      'InvalidRoutes',
      "Invalid format for routes: [{'destination': '10.0.0.0/8', 'nexthop': '192.0.2.1'}], the nexthop is not connected with router",
    )
    neutronError(
      await put([{ destination: '10.0.0.0/8', nexthop: gwIp }]),
      400,
      'InvalidRoutes',
      `Invalid format for routes: [{'destination': '10.0.0.0/8', 'nexthop': '${gwIp}'}], the nexthop is used by router`,
    )
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: a.subnet.id }),
      409,
      'RouterInterfaceInUseByRoute',
      `Router interface for subnet ${a.subnet.id} on router ${r.id} cannot be deleted, as it is required by one or more routes.`,
    )
    const added = await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/add_extraroutes`, {
      router: { routes: [{ destination: '192.0.2.0/24', nexthop: '198.51.100.71' }, routes[0]] },
    })
    assert.equal(added.router.routes.length, 3)
    const removed = await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/remove_extraroutes`, { router: { routes: [routes[0], routes[1]] } })
    assert.deepEqual(removed.router.routes, [{ destination: '192.0.2.0/24', nexthop: '198.51.100.71' }])
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}/add_extraroutes`, { router: { routes: [{ destination: 'x', nexthop: '198.51.100.71' }] } }),
      400,
      'HTTPBadRequest',
      "Invalid input for routes. Reason: 'x' is not a valid CIDR.",
    )
    const cleared = (await ok(s.call, 'PUT', `/v2.0/routers/${r.id}`, { router: { routes: null } })).router
    assert.deepEqual(cleared.routes, [])
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: a.subnet.id })
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${a.net.id}`)
  })

  it('scopes routers to their project and keeps gateway details admin-only to set', async () => {
    const p1 = member('p1')
    const mine = await router(s.call, { tenant_id: 'p1', external_gateway_info: { network_id: ext.net.id } }, p1)
    assert.equal(mine.tenant_id, 'p1')
    assert.equal(mine.external_gateway_info.network_id, ext.net.id)
    neutronError(await s.call('GET', `/v2.0/routers/${mine.id}`, undefined, member('p2')), 404, 'RouterNotFound')
    neutronError(await s.call('DELETE', `/v2.0/routers/${mine.id}`, undefined, member('p2')), 404, 'RouterNotFound')
    assert.deepEqual((await ok(s.call, 'GET', '/v2.0/routers', undefined, member('p2'))).routers, [])
    assert.deepEqual((await ok(s.call, 'GET', '/v2.0/routers', undefined, p1)).routers.map((x: any) => x.id), [mine.id])
    neutronError(
      await s.call('PUT', `/v2.0/routers/${mine.id}`, { router: { external_gateway_info: { network_id: ext.net.id, enable_snat: false } } }, p1),
      403,
      'PolicyNotAuthorized',
      '(rule:update_router and (rule:update_router:external_gateway_info and (rule:update_router:external_gateway_info:network_id and rule:update_router:external_gateway_info:enable_snat))) is disallowed by policy',
    )
    neutronError(
      await s.call(
        'POST',
        '/v2.0/routers',
        { router: { tenant_id: 'p1', external_gateway_info: { network_id: ext.net.id, external_fixed_ips: [{ subnet_id: ext.subnet.id }] } } },
        p1,
      ),
      403,
      'PolicyNotAuthorized',
      '(rule:create_router and (rule:create_router:external_gateway_info and (rule:create_router:external_gateway_info:network_id and rule:create_router:external_gateway_info:external_fixed_ips))) is disallowed by policy',
    )
    // A project may not attach its router to another project's subnet, nor to a shared one it does not own.
    const theirs = await privateNetwork(s.call, '192.0.2.192/27', { headers: member('p2'), project: 'p2' })
    neutronError(await s.call('PUT', `/v2.0/routers/${mine.id}/add_router_interface`, { subnet_id: theirs.subnet.id }, p1), 404, 'SubnetNotFound')
    const shared = (await ok(s.call, 'POST', '/v2.0/networks', { network: { shared: true } })).network
    const sharedSub = (await ok(s.call, 'POST', '/v2.0/subnets', { subnet: { network_id: shared.id, ip_version: 4, cidr: '192.0.2.224/28' } })).subnet
    neutronError(
      await s.call('PUT', `/v2.0/routers/${mine.id}/add_router_interface`, { subnet_id: sharedSub.id }, p1),
      400,
      'BadRequest',
      `Bad router request: Cannot add interface to router because subnet ${sharedSub.id} is not owned by project making the request.`,
    )
    const own = await privateNetwork(s.call, '192.0.2.0/27', { headers: p1, project: 'p1' })
    const info = await ok(s.call, 'PUT', `/v2.0/routers/${mine.id}/add_router_interface`, { subnet_id: own.subnet.id }, p1)
    assert.equal(info.tenant_id, 'p1')
    await ok(s.call, 'PUT', `/v2.0/routers/${mine.id}/remove_router_interface`, { subnet_id: own.subnet.id }, p1)
    await ok(s.call, 'DELETE', `/v2.0/routers/${mine.id}`, undefined, p1)
    for (const n of [theirs.net.id, shared.id, own.net.id]) await ok(s.call, 'DELETE', `/v2.0/networks/${n}`)
  })

  it('counts routers against the router quota', async () => {
    await ok(s.call, 'PUT', '/v2.0/quotas/pq', { quota: { router: 1 } })
    const first = await router(s.call, { tenant_id: 'pq' }, member('pq'))
    neutronError(await s.call('POST', '/v2.0/routers', { router: { tenant_id: 'pq' } }, member('pq')), 409, 'OverQuota', "Quota exceeded for resources: ['router'].")
    const details = (await ok(s.call, 'GET', '/v2.0/quotas/pq/details')).quota
    assert.deepEqual(details.router, { limit: 1, used: 1, reserved: 0 })
    assert.deepEqual(details.floatingip, { limit: 50, used: 0, reserved: 0 })
    await ok(s.call, 'DELETE', `/v2.0/routers/${first.id}`, undefined, member('pq'))
  })
})

describe('routers API configuration', () => {
  let s: TestServer
  before(async () => (s = await startNeutrino({ ini: '[DEFAULT]\nenable_snat_by_default = false\nmax_routes = 1\n' })))
  after(() => s.close())

  it('honours enable_snat_by_default and max_routes', async () => {
    const ext = await externalNetwork(s.call)
    const r = await router(s.call, { external_gateway_info: { network_id: ext.net.id } })
    assert.equal(r.external_gateway_info.enable_snat, false)
    const two = [
      { destination: '10.0.0.0/8', nexthop: '203.0.113.10' },
      { destination: '172.16.0.0/12', nexthop: '203.0.113.10' },
    ]
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: two } }),
      400,
      'RoutesExhausted',
      `Unable to complete operation for ${r.id}. The number of routes exceeds the maximum 1.`,
    )
  })
})

describe('routers and floating IPs when a mechanism driver fails', () => {
  let s: TestServer
  const rules = [{ phase: 'create_port_postcommit', name: '' }]
  before(async () => (s = await startNeutrino({ mechanismDrivers: [new TestMechanismDriver(rules)] })))
  after(() => s.close())

  it('a failed port postcommit leaves no router, interface or floating IP behind', async () => {
    const ext = await externalNetwork(s.call)
    const priv = await privateNetwork(s.call, '198.51.100.0/24')
    assert.equal((await s.call('POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.net.id } } })).status, 500)
    assert.deepEqual((await ok(s.call, 'GET', '/v2.0/routers')).routers, [])
    const r = await router(s.call) // no port: no postcommit to fail
    assert.equal((await s.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: priv.subnet.id })).status, 500)
    assert.equal((await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id } })).status, 500)
    assert.deepEqual((await ok(s.call, 'GET', '/v2.0/floatingips')).floatingips, [])
    assert.deepEqual((await ok(s.call, 'GET', '/v2.0/ports')).ports, [])
    await ok(s.call, 'DELETE', `/v2.0/routers/${r.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${priv.net.id}`)
    await ok(s.call, 'DELETE', `/v2.0/networks/${ext.net.id}`)
  })
})
