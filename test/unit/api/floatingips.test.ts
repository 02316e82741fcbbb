/**
 * floatingips over HTTP (in-process server, SQLite in memory): allocation from the external
 * network, association through a router (gateway on the floating network + interface on the
 * port's subnet), the rules that tie floating IPs to ports, routers and networks, fip-port-details,
 * policy and quota — Neutron Zed's error types, messages and status codes.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { externalNetwork, member, neutronError, ok, privateNetwork, router } from '../../helpers/l3.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

describe('floating IPs API', () => {
  let s: TestServer
  let ext: { net: any; subnet: any }
  let priv: { net: any; subnet: any }
  let r: any
  before(async () => {
    s = await startNeutrino()
    ext = await externalNetwork(s.call)
    priv = await privateNetwork(s.call, '198.51.100.0/24')
    r = await router(s.call, { external_gateway_info: { network_id: ext.net.id } })
    await ok(s.call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: priv.subnet.id })
  })
  after(() => s.close())

  const newPort = async (extra: Record<string, unknown> = {}) => (await ok(s.call, 'POST', '/v2.0/ports', { port: { network_id: priv.net.id, ...extra } })).port

  it('allocates, associates, moves, disassociates and deletes a floating IP', async () => {
    const [p1, p2] = [await newPort(), await newPort()]
    const fip = (await ok(s.call, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: p1.id, description: 'fip' } })).floatingip
    assert.deepEqual(Object.keys(fip).sort(), [
      'created_at', 'description', 'fixed_ip_address', 'floating_ip_address', 'floating_network_id', 'id', 'port_details', 'port_id',
      'project_id', 'revision_number', 'router_id', 'status', 'tags', 'tenant_id', 'updated_at',
    ])
    assert.equal(fip.status, 'DOWN')
    assert.equal(fip.router_id, r.id)
    assert.equal(fip.port_id, p1.id)
    assert.equal(fip.fixed_ip_address, p1.fixed_ips[0].ip_address)
    assert.equal(fip.revision_number, 0)
    assert.deepEqual(fip.port_details, {
      name: p1.name, network_id: priv.net.id, mac_address: p1.mac_address, admin_state_up: true, status: 'DOWN', device_id: '', device_owner: '',
    })
    assert.match(fip.floating_ip_address, /^203\.0\.113\.\d+$/)
    // its port: on the external network, owned by no project, device_id = the floating IP
    const fport = (await ok(s.call, 'GET', `/v2.0/ports?device_id=${fip.id}`)).ports[0]
    assert.equal(fport.device_owner, 'network:floatingip')
    assert.equal(fport.tenant_id, '')
    assert.equal(fport.status, 'N/A')
    assert.deepEqual(fport.fixed_ips, [{ subnet_id: ext.subnet.id, ip_address: fip.floating_ip_address }])
    neutronError(await s.call('DELETE', `/v2.0/ports/${fport.id}`), 409, 'ServicePortInUse', `Port ${fport.id} cannot be deleted directly via the port API: has device owner network:floatingip.`)
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/floatingips/${fip.id}`)).floatingip, fip)
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/floatingips?port_id=${p1.id}`)).floatingips.map((f: any) => f.id), [fip.id])
    assert.deepEqual((await ok(s.call, 'GET', `/v2.0/floatingips?floating_ip_address=${fip.floating_ip_address}&fields=id`)).floatingips, [{ id: fip.id }])
    const moved = (await ok(s.call, 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: p2.id } })).floatingip
    assert.equal(moved.port_id, p2.id)
    assert.equal(moved.fixed_ip_address, p2.fixed_ips[0].ip_address)
    assert.equal(moved.router_id, r.id)
    assert.equal(moved.revision_number, 1)
    const desc = (await ok(s.call, 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { description: 'x' } })).floatingip
    assert.equal(desc.port_id, p2.id) // no port_id in the body: the association stays
    const off = (await ok(s.call, 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: null } })).floatingip
    assert.equal(off.port_id, null)
    assert.equal(off.fixed_ip_address, null)
    assert.equal(off.router_id, null)
    assert.equal(off.port_details, null)
    await ok(s.call, 'DELETE', `/v2.0/floatingips/${fip.id}`)
    neutronError(await s.call('GET', `/v2.0/floatingips/${fip.id}`), 404, 'FloatingIPNotFound', `Floating IP ${fip.id} could not be found`)
    neutronError(await s.call('GET', `/v2.0/ports/${fport.id}`), 404, 'PortNotFound')
    neutronError(await s.call('DELETE', `/v2.0/floatingips/${fip.id}`), 404, 'FloatingIPNotFound')
    for (const p of [p1, p2]) await ok(s.call, 'DELETE', `/v2.0/ports/${p.id}`)
  })

  it('takes a requested address and fixed IP; refuses taken and foreign ones', async () => {
    const p = await newPort({ fixed_ips: [{ subnet_id: priv.subnet.id }, { subnet_id: priv.subnet.id }] })
    const [a, b] = p.fixed_ips.map((f: any) => f.ip_address)
    // Addresses nobody holds yet (allocation is random).
    const used = new Set((await ok(s.call, 'GET', '/v2.0/ports')).ports.flatMap((x: any) => x.fixed_ips.map((f: any) => f.ip_address)))
    const free = (prefix: string) => [...Array(250).keys()].map((i) => `${prefix}${i + 2}`).find((ip) => !used.has(ip))!
    const want = free('203.0.113.')
    const notMine = free('198.51.100.')
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: p.id } }),
      400,
      'BadRequest',
      `Bad floatingip request: Port ${p.id} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP.`,
    )
    const fip = (
      await ok(s.call, 'POST', '/v2.0/floatingips', {
        floatingip: { floating_network_id: ext.net.id, floating_ip_address: want, port_id: p.id, fixed_ip_address: a },
      })
    ).floatingip
    assert.equal(fip.floating_ip_address, want)
    assert.equal(fip.fixed_ip_address, a)
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, floating_ip_address: want } }),
      409,
      'IpAddressAlreadyAllocated',
    )
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: p.id, fixed_ip_address: a } }),
      409,
      'FloatingIPPortAlreadyAssociated',
      new RegExp(`^Cannot associate floating IP 203\\.0\\.113\\.\\d+ \\([0-9a-f-]{36}\\) with port ${p.id} using fixed IP ${a.replace(/\./g, '\\.')}, as that fixed IP already has a floating IP on external network ${ext.net.id}\\.$`),
    )
    const other = (await ok(s.call, 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: p.id, fixed_ip_address: b } })).floatingip
    assert.equal(other.fixed_ip_address, b)
    neutronError(
      await s.call('PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: p.id, fixed_ip_address: notMine } }),
      400,
      'BadRequest',
      `Bad floatingip request: Port ${p.id} does not have fixed ip ${notMine}.`,
    )
    neutronError(
      await s.call('PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { fixed_ip_address: a } }),
      400,
      'BadRequest',
      'Bad floatingip request: fixed_ip_address cannot be specified without a port_id.',
    )
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, subnet_id: priv.subnet.id } }),
      400,
      'InvalidInput',
    )
    await ok(s.call, 'DELETE', `/v2.0/floatingips/${fip.id}`)
    await ok(s.call, 'DELETE', `/v2.0/ports/${p.id}`)
  })

  it('needs an external network with IPv4, and a router to reach the port', async () => {
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: priv.net.id } }),
      400,
      'BadRequest',
      `Bad floatingip request: Network ${priv.net.id} is not a valid external network.`,
    )
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: '00000000-0000-4000-8000-000000000009' } }),
      404,
      'NetworkNotFound',
    )
    const empty = (await ok(s.call, 'POST', '/v2.0/networks', { network: { 'router:external': true } })).network
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: empty.id } }),
      400,
      'BadRequest',
      `Bad floatingip request: Network ${empty.id} does not contain any IPv4 subnet.`,
    )
    neutronError(await s.call('POST', '/v2.0/floatingips', { floatingip: {} }), 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'floating_network_id' not specified")
    // a network whose router has no gateway: unreachable
    const lonely = await privateNetwork(s.call, '192.0.2.0/25')
    const r2 = await router(s.call)
    await ok(s.call, 'PUT', `/v2.0/routers/${r2.id}/add_router_interface`, { subnet_id: lonely.subnet.id })
    const lp = (await ok(s.call, 'POST', '/v2.0/ports', { port: { network_id: lonely.net.id } })).port
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: lp.id } }),
      404,
      'ExternalGatewayForFloatingIPNotFound',
      `External network ${ext.net.id} is not reachable from subnet ${lonely.subnet.id}.  Therefore, cannot associate Port ${lp.id} with a Floating IP.`,
    )
    const fip = (await ok(s.call, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id } })).floatingip
    neutronError(await s.call('PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: lp.id } }), 404, 'ExternalGatewayForFloatingIPNotFound')
    // a gateway makes it reachable
    await ok(s.call, 'PUT', `/v2.0/routers/${r2.id}`, { router: { external_gateway_info: { network_id: ext.net.id } } })
    const assoc = (await ok(s.call, 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: lp.id } })).floatingip
    assert.equal(assoc.router_id, r2.id)
    // … and now the gateway and the interface are needed
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r2.id}`, { router: { external_gateway_info: null } }),
      409,
      'RouterExternalGatewayInUseByFloatingIp',
      `Gateway cannot be updated for router ${r2.id}, since a gateway to external network ${ext.net.id} is required by one or more floating IPs.`,
    )
    neutronError(
      await s.call('PUT', `/v2.0/routers/${r2.id}/remove_router_interface`, { subnet_id: lonely.subnet.id }),
      409,
      'RouterInterfaceInUseByFloatingIP',
      `Router interface for subnet ${lonely.subnet.id} on router ${r2.id} cannot be deleted, as it is required by one or more floating IPs.`,
    )
    // deleting the port disassociates the floating IP; then the router lets go
    await ok(s.call, 'DELETE', `/v2.0/ports/${lp.id}`)
    const after = (await ok(s.call, 'GET', `/v2.0/floatingips/${fip.id}`)).floatingip
    assert.deepEqual([after.port_id, after.fixed_ip_address, after.router_id], [null, null, null])
    await ok(s.call, 'PUT', `/v2.0/routers/${r2.id}/remove_router_interface`, { subnet_id: lonely.subnet.id })
    await ok(s.call, 'DELETE', `/v2.0/routers/${r2.id}`)
    await ok(s.call, 'DELETE', `/v2.0/floatingips/${fip.id}`)
    for (const n of [empty.id, lonely.net.id]) await ok(s.call, 'DELETE', `/v2.0/networks/${n}`)
  })

  it('refuses DHCP ports and other projects’ ports; keeps floating IPs to their project', async () => {
    const dhcp = await newPort({ device_owner: 'network:dhcp' })
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: dhcp.id } }),
      400,
      'BadRequest',
      'Bad floatingip request: Port %(id)s is unable to be assigned a floating IP.',
    )
    await ok(s.call, 'DELETE', `/v2.0/ports/${dhcp.id}`)
    const p1 = member('p1')
    const fip = (await ok(s.call, 'POST', '/v2.0/floatingips', { floatingip: { tenant_id: 'p1', floating_network_id: ext.net.id } }, p1)).floatingip
    assert.equal(fip.tenant_id, 'p1')
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { tenant_id: 'p1', floating_network_id: ext.net.id, floating_ip_address: '203.0.113.99' } }, p1),
      403,
      'PolicyNotAuthorized',
      '(rule:create_floatingip and rule:create_floatingip:floating_ip_address) is disallowed by policy',
    )
    const adminPort = await newPort()
    neutronError(await s.call('PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: adminPort.id } }, p1), 404, 'PortNotFound')
    // an admin's floating IP on a project's port: the project may not delete the port away from it
    const own = await privateNetwork(s.call, '192.0.2.128/25', { headers: p1, project: 'p1' })
    const rp = await router(s.call, { tenant_id: 'p1', external_gateway_info: { network_id: ext.net.id } }, p1)
    await ok(s.call, 'PUT', `/v2.0/routers/${rp.id}/add_router_interface`, { subnet_id: own.subnet.id }, p1)
    const pp = (await ok(s.call, 'POST', '/v2.0/ports', { port: { tenant_id: 'p1', network_id: own.net.id } }, p1)).port
    neutronError(
      await s.call('PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: pp.id } }, member('p2')),
      404,
      'FloatingIPNotFound',
    )
    const adminFip = (await ok(s.call, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: pp.id } })).floatingip
    assert.equal(adminFip.router_id, rp.id)
    neutronError(
      await s.call('DELETE', `/v2.0/ports/${pp.id}`, undefined, p1),
      409,
      'FipAssociated',
      `Unable to complete the operation on port "${pp.id}" because the port still has an associated floating IP.`,
    )
    assert.deepEqual((await ok(s.call, 'GET', '/v2.0/floatingips', undefined, p1)).floatingips.map((f: any) => f.id), [fip.id])
    neutronError(await s.call('GET', `/v2.0/floatingips/${adminFip.id}`, undefined, p1), 404, 'FloatingIPNotFound')
    await ok(s.call, 'DELETE', `/v2.0/floatingips/${adminFip.id}`)
    const mine = (await ok(s.call, 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: pp.id } }, p1)).floatingip
    assert.equal(mine.router_id, rp.id)
    await ok(s.call, 'DELETE', `/v2.0/ports/${pp.id}`, undefined, p1)
    await ok(s.call, 'DELETE', `/v2.0/floatingips/${fip.id}`, undefined, p1)
    await ok(s.call, 'PUT', `/v2.0/routers/${rp.id}/remove_router_interface`, { subnet_id: own.subnet.id }, p1)
    await ok(s.call, 'DELETE', `/v2.0/routers/${rp.id}`, undefined, p1)
    await ok(s.call, 'DELETE', `/v2.0/networks/${own.net.id}`)
    await ok(s.call, 'DELETE', `/v2.0/ports/${adminPort.id}`)
  })

  it('counts floating IPs against the floatingip quota, tags them', async () => {
    await ok(s.call, 'PUT', '/v2.0/quotas/pf', { quota: { floatingip: 1 } })
    const pf = member('pf')
    const f = (await ok(s.call, 'POST', '/v2.0/floatingips', { floatingip: { tenant_id: 'pf', floating_network_id: ext.net.id } }, pf)).floatingip
    neutronError(
      await s.call('POST', '/v2.0/floatingips', { floatingip: { tenant_id: 'pf', floating_network_id: ext.net.id } }, pf),
      409,
      'OverQuota',
      "Quota exceeded for resources: ['floatingip'].",
    )
    await ok(s.call, 'PUT', `/v2.0/floatingips/${f.id}/tags/green`, undefined, pf, 201)
    assert.deepEqual((await ok(s.call, 'GET', '/v2.0/floatingips?tags=green', undefined, pf)).floatingips.map((x: any) => x.id), [f.id])
    await ok(s.call, 'DELETE', `/v2.0/floatingips/${f.id}`, undefined, pf)
  })

  it('deletes an external network’s unassociated floating IPs with it; associated ones keep it', async () => {
    const ext2 = await externalNetwork(s.call, '192.0.2.0/28')
    const loose = (await ok(s.call, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext2.net.id } })).floatingip
    await ok(s.call, 'DELETE', `/v2.0/networks/${ext2.net.id}`)
    neutronError(await s.call('GET', `/v2.0/floatingips/${loose.id}`), 404, 'FloatingIPNotFound')
    // associated: the floating IP's port is in use
    const p = await newPort()
    const held = (await ok(s.call, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: p.id } })).floatingip
    neutronError(await s.call('DELETE', `/v2.0/networks/${ext.net.id}`), 409, 'NetworkInUse')
    assert.equal((await ok(s.call, 'GET', `/v2.0/floatingips/${held.id}`)).floatingip.port_id, p.id)
    await ok(s.call, 'DELETE', `/v2.0/floatingips/${held.id}`)
    await ok(s.call, 'DELETE', `/v2.0/ports/${p.id}`)
  })
})
