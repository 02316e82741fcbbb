/**
 * Routers and floating IPs through the real server process (built dist/), on a SQLite file and on
 * a private PostgreSQL: the lifecycle with Neutron's error types, then concurrent clients racing
 * for one subnet, one port, one fixed IP and a small external pool — exactly one winner each, no
 * address handed out twice, nothing left behind.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { externalNetwork, neutronError, ok, privateNetwork, router, type Call } from '../../helpers/l3.js'
import { ENGINES } from '../../helpers/api-engines.js'
import { startPostgres, type PgServer } from '../../helpers/postgres.js'
import { builtSkipReason, startServerProcess, type ServerProcess } from '../../helpers/server-process.js'

const built = builtSkipReason()
const engines = ENGINES.map((engine) => ({ ...engine, skip: built ?? engine.skip }))

/** Runs `n` calls at once; returns their statuses and bodies. */
async function race(n: number, f: (i: number) => Promise<{ status: number; body: any }>) {
  return Promise.all(Array.from({ length: n }, (_, i) => f(i)))
}

for (const engine of engines) {
  describe(`routers and floating IPs on ${engine.name} (server process)`, { skip: engine.skip }, () => {
    let pg: PgServer | undefined
    let s: ServerProcess
    let call: Call
    let ext: { net: any; subnet: any }
    before(async () => {
      if (engine.name === 'postgres') pg = startPostgres()
      s = await startServerProcess({ dbUrl: pg?.url, ini: '[quotas]\nquota_router = -1\nquota_floatingip = -1\n' })
      call = (m, p, b, h) => s.call(m, p, b, h)
      ext = await externalNetwork(call)
    })
    after(async () => {
      await s?.stop()
      pg?.stop()
    })

    it('runs a router and floating IP lifecycle', async () => {
      const priv = await privateNetwork(call, '198.51.100.0/24')
      const r = await router(call, { name: 'life', external_gateway_info: { network_id: ext.net.id } })
      assert.equal(r.status, 'ACTIVE')
      assert.equal(r.external_gateway_info.external_fixed_ips[0].subnet_id, ext.subnet.id)
      const info = await ok(call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: priv.subnet.id })
      const port = (await ok(call, 'POST', '/v2.0/ports', { port: { network_id: priv.net.id } })).port
      const fip = (await ok(call, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: port.id } })).floatingip
      assert.equal(fip.router_id, r.id)
      assert.equal(fip.status, 'DOWN')
      neutronError(await call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: priv.subnet.id }), 409, 'RouterInterfaceInUseByFloatingIP')
      neutronError(await call('DELETE', `/v2.0/routers/${r.id}`), 409, 'RouterInUse')
      neutronError(await call('DELETE', `/v2.0/ports/${info.port_id}`), 409, 'ServicePortInUse')
      neutronError(await call('DELETE', `/v2.0/subnets/${priv.subnet.id}`), 409, 'SubnetInUse')
      neutronError(await call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: null } }), 409, 'RouterExternalGatewayInUseByFloatingIp')
      await ok(call, 'DELETE', `/v2.0/ports/${port.id}`)
      assert.equal((await ok(call, 'GET', `/v2.0/floatingips/${fip.id}`)).floatingip.port_id, null)
      await ok(call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: info.port_id })
      await ok(call, 'DELETE', `/v2.0/floatingips/${fip.id}`)
      await ok(call, 'DELETE', `/v2.0/routers/${r.id}`)
      await ok(call, 'DELETE', `/v2.0/networks/${priv.net.id}`)
      assert.deepEqual((await ok(call, 'GET', '/v2.0/routers')).routers, [])
      assert.deepEqual((await ok(call, 'GET', `/v2.0/ports?network_id=${ext.net.id}`)).ports, [])
    })

    it('one subnet, one router, 8 clients: one interface', async () => {
      const priv = await privateNetwork(call, '192.0.2.0/26')
      const r = await router(call)
      const res = await race(8, () => call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: priv.subnet.id }))
      assert.equal(res.filter((x) => x.status === 200).length, 1, JSON.stringify(res.map((x) => x.status)))
      for (const x of res.filter((y) => y.status !== 200)) neutronError(x, 400, 'BadRequest', `Bad router request: Router already has a port on subnet ${priv.subnet.id}.`)
      assert.equal((await ok(call, 'GET', `/v2.0/ports?device_id=${r.id}`)).ports.length, 1)
      await ok(call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: priv.subnet.id })
      await ok(call, 'DELETE', `/v2.0/routers/${r.id}`)
      await ok(call, 'DELETE', `/v2.0/networks/${priv.net.id}`)
    })

    it('one subnet, two routers at once: one gets the gateway IP', async () => {
      const priv = await privateNetwork(call, '192.0.2.64/26')
      const routers = [await router(call), await router(call)]
      const res = await race(2, (i) => call('PUT', `/v2.0/routers/${routers[i]!.id}/add_router_interface`, { subnet_id: priv.subnet.id }))
      assert.deepEqual(res.map((x) => x.status).sort(), [200, 409], JSON.stringify(res.map((x) => x.body)))
      neutronError(res.find((x) => x.status === 409)!, 409, 'IpAddressAlreadyAllocated')
      const winner = routers[res.findIndex((x) => x.status === 200)]!
      await ok(call, 'PUT', `/v2.0/routers/${winner.id}/remove_router_interface`, { subnet_id: priv.subnet.id })
      for (const r of routers) await ok(call, 'DELETE', `/v2.0/routers/${r.id}`)
      await ok(call, 'DELETE', `/v2.0/networks/${priv.net.id}`)
    })

    it('one port, four routers at once: one interface, the others PortInUse', async () => {
      const priv = await privateNetwork(call, '192.0.2.128/26')
      const port = (await ok(call, 'POST', '/v2.0/ports', { port: { network_id: priv.net.id } })).port
      const routers: any[] = []
      for (let i = 0; i < 4; i++) routers.push(await router(call))
      const res = await race(4, (i) => call('PUT', `/v2.0/routers/${routers[i]!.id}/add_router_interface`, { port_id: port.id }))
      assert.equal(res.filter((x) => x.status === 200).length, 1, JSON.stringify(res.map((x) => x.body)))
      for (const x of res.filter((y) => y.status !== 200)) neutronError(x, 409, 'PortInUse')
      const winner = routers[res.findIndex((x) => x.status === 200)]!
      assert.equal((await ok(call, 'GET', `/v2.0/ports/${port.id}`)).port.device_id, winner.id)
      await ok(call, 'PUT', `/v2.0/routers/${winner.id}/remove_router_interface`, { port_id: port.id })
      for (const r of routers) await ok(call, 'DELETE', `/v2.0/routers/${r.id}`)
      await ok(call, 'DELETE', `/v2.0/networks/${priv.net.id}`)
    })

    it('floating IPs: one per fixed IP, a small pool exactly exhausted, no address twice', async () => {
      const small = await externalNetwork(call, '198.51.100.240/28') // 13 allocatable addresses
      const priv = await privateNetwork(call, '192.0.2.192/26')
      const r = await router(call, { external_gateway_info: { network_id: small.net.id } }) // takes one
      await ok(call, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: priv.subnet.id })
      const port = (await ok(call, 'POST', '/v2.0/ports', { port: { network_id: priv.net.id } })).port
      const assoc = await race(4, () => call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: small.net.id, port_id: port.id } }))
      assert.equal(assoc.filter((x) => x.status === 201).length, 1, JSON.stringify(assoc.map((x) => x.body)))
      for (const x of assoc.filter((y) => y.status !== 201)) neutronError(x, 409, 'FloatingIPPortAlreadyAssociated')
      const res = await race(16, () => call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: small.net.id } }))
      const made = res.filter((x) => x.status === 201).map((x) => x.body.floatingip)
      assert.equal(made.length, 11, JSON.stringify(res.map((x) => x.status)))
      for (const x of res.filter((y) => y.status !== 201)) neutronError(x, 409, 'IpAddressGenerationFailure')
      const all = (await ok(call, 'GET', `/v2.0/floatingips?floating_network_id=${small.net.id}`)).floatingips
      assert.equal(new Set(all.map((f: any) => f.floating_ip_address)).size, 12)
      await ok(call, 'DELETE', `/v2.0/ports/${port.id}`)
      await ok(call, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: priv.subnet.id })
      await ok(call, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: null } })
      await ok(call, 'DELETE', `/v2.0/routers/${r.id}`)
      // the external network takes its unassociated floating IPs with it
      await ok(call, 'DELETE', `/v2.0/networks/${small.net.id}`)
      assert.deepEqual((await ok(call, 'GET', `/v2.0/floatingips?floating_network_id=${small.net.id}`)).floatingips, [])
      await ok(call, 'DELETE', `/v2.0/networks/${priv.net.id}`)
    })
  })
}
