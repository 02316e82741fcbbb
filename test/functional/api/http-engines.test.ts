/**
 * The real server process (`node bin/neutrino.js server`, built dist/) over HTTP, on a SQLite file
 * and on a private PostgreSQL server started for the run: the same network / subnet / port
 * lifecycle, filters, fields, pagination and Neutron error types on both engines.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'
import { builtSkipReason, startServerProcess, type ServerProcess } from '../../helpers/server-process.js'

const built = builtSkipReason()
const engines = [
  { name: 'sqlite', skip: built },
  { name: 'postgres', skip: built ?? pgSkipReason() },
]

for (const engine of engines) {
  describe(`HTTP API on ${engine.name} (server process)`, { skip: engine.skip }, () => {
    let pg: PgServer | undefined
    let s: ServerProcess
    before(async () => {
      if (engine.name === 'postgres') pg = startPostgres()
      s = await startServerProcess({ dbUrl: pg?.url })
    })
    after(async () => {
      await s?.stop()
      pg?.stop()
    })

    let netId = ''
    let subnetId = ''

    it('serves the version document and the v2.0 root', async () => {
      const v = await s.call('GET', '/')
      assert.equal(v.status, 200)
      assert.equal(v.body.versions[0].id, 'v2.0')
      const root = await s.call('GET', '/v2.0/')
      assert.equal(root.status, 200)
      // Core resources only, in Neutron's order (extension collections such as agents are not listed).
      assert.deepEqual(root.body.resources.map((r: any) => r.collection).filter((c: string) => c !== 'subnetpools'), ['networks', 'subnets', 'ports'])
    })

    it('creates networks: tenant vxlan, provider vlan, explicit vni; rejects a taken vlan', async () => {
      const n = await s.call('POST', '/v2.0/networks', { network: { name: 'net-a' } })
      assert.equal(n.status, 201)
      netId = n.body.network.id
      assert.equal(n.body.network['provider:network_type'], 'vxlan')
      assert.equal(n.body.network.mtu, 1450)
      assert.equal(n.body.network.status, 'ACTIVE')
      assert.equal(n.body.network.revision_number, 1)

      const vlan = { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 150 }
      const v = await s.call('POST', '/v2.0/networks', { network: { name: 'net-vlan', ...vlan } })
      assert.equal(v.status, 201)
      assert.equal(v.body.network['provider:segmentation_id'], 150)
      assert.equal(v.body.network.mtu, 1500)
      const again = await s.call('POST', '/v2.0/networks', { network: { name: 'net-vlan2', ...vlan } })
      assert.equal(again.status, 409)
      assert.equal(again.body.NeutronError.type, 'VlanIdInUse')

      const x = await s.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vxlan', 'provider:segmentation_id': 4242 } })
      assert.equal(x.status, 201)
      assert.equal(x.body.network['provider:segmentation_id'], 4242)

      for (const id of [v.body.network.id, x.body.network.id]) assert.equal((await s.call('DELETE', `/v2.0/networks/${id}`)).status, 204)
      // the vlan id is free again
      const v2 = await s.call('POST', '/v2.0/networks', { network: { name: 'net-vlan3', ...vlan } })
      assert.equal(v2.status, 201)
      assert.equal((await s.call('DELETE', `/v2.0/networks/${v2.body.network.id}`)).status, 204)
    })

    it('creates a subnet with the default pool and gateway', async () => {
      const r = await s.call('POST', '/v2.0/subnets', { subnet: { network_id: netId, ip_version: 4, cidr: '198.51.100.0/24', name: 'sub-a' } })
      assert.equal(r.status, 201)
      subnetId = r.body.subnet.id
      assert.equal(r.body.subnet.gateway_ip, '198.51.100.1')
      assert.deepEqual(r.body.subnet.allocation_pools, [{ start: '198.51.100.2', end: '198.51.100.254' }])
      const n = await s.call('GET', `/v2.0/networks/${netId}`)
      assert.deepEqual(n.body.network.subnets, [subnetId])
    })

    it('runs a port lifecycle: create, show, update, list, filter, fields, delete', async () => {
      const a = await s.call('POST', '/v2.0/ports', { port: { network_id: netId, name: 'pa' } })
      assert.equal(a.status, 201)
      const pa = a.body.port
      assert.equal(pa.fixed_ips.length, 1)
      assert.equal(pa.fixed_ips[0].subnet_id, subnetId)
      assert.match(pa.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/)
      assert.equal(pa.status, 'DOWN')

      const b = await s.call('POST', '/v2.0/ports', {
        port: { network_id: netId, name: 'pb', fixed_ips: [{ subnet_id: subnetId, ip_address: '198.51.100.50' }], device_id: 'dev-1' },
      })
      assert.equal(b.status, 201)
      assert.deepEqual(b.body.port.fixed_ips, [{ subnet_id: subnetId, ip_address: '198.51.100.50' }])

      const dupIp = await s.call('POST', '/v2.0/ports', { port: { network_id: netId, fixed_ips: [{ ip_address: '198.51.100.50' }] } })
      assert.equal(dupIp.status, 409)
      assert.equal(dupIp.body.NeutronError.type, 'IpAddressAlreadyAllocated')
      const dupMac = await s.call('POST', '/v2.0/ports', { port: { network_id: netId, mac_address: pa.mac_address } })
      assert.equal(dupMac.status, 409)
      assert.equal(dupMac.body.NeutronError.type, 'MacAddressInUse')

      const show = await s.call('GET', `/v2.0/ports/${pa.id}`)
      assert.equal(show.status, 200)
      assert.deepEqual(show.body.port, pa)

      const up = await s.call('PUT', `/v2.0/ports/${pa.id}`, { port: { name: 'pa2', 'binding:host_id': 'node-1' } })
      assert.equal(up.status, 200)
      assert.equal(up.body.port.name, 'pa2')
      assert.equal(up.body.port['binding:host_id'], 'node-1')
      assert.ok(up.body.port.revision_number > pa.revision_number)

      const ips = await s.call('PUT', `/v2.0/ports/${b.body.port.id}`, { port: { fixed_ips: [{ subnet_id: subnetId, ip_address: '198.51.100.60' }] } })
      assert.equal(ips.status, 200)
      assert.equal(ips.body.port.fixed_ips[0].ip_address, '198.51.100.60')
      // .50 is free again
      const reuse = await s.call('POST', '/v2.0/ports', { port: { network_id: netId, fixed_ips: [{ ip_address: '198.51.100.50' }] } })
      assert.equal(reuse.status, 201)

      const all = await s.call('GET', '/v2.0/ports')
      assert.equal(all.body.ports.length, 3)
      const byDevice = await s.call('GET', '/v2.0/ports?device_id=dev-1')
      assert.deepEqual(byDevice.body.ports.map((p: any) => p.id), [b.body.port.id])
      const byIp = await s.call('GET', '/v2.0/ports?fixed_ips=ip_address%3D198.51.100.60')
      assert.deepEqual(byIp.body.ports.map((p: any) => p.id), [b.body.port.id])
      const ids = await s.call('GET', '/v2.0/ports?fields=id&fields=name&sort_key=name&sort_dir=asc')
      assert.deepEqual(ids.body.ports.map((p: any) => Object.keys(p).sort()), [['id', 'name'], ['id', 'name'], ['id', 'name']])
      const page = await s.call('GET', '/v2.0/ports?limit=2')
      assert.equal(page.body.ports.length, 2)
      assert.ok(page.body.ports_links.some((l: any) => l.rel === 'next'))

      const inUse = await s.call('DELETE', `/v2.0/networks/${netId}`)
      assert.equal(inUse.status, 409)
      assert.equal(inUse.body.NeutronError.type, 'NetworkInUse')

      for (const id of [pa.id, b.body.port.id, reuse.body.port.id]) assert.equal((await s.call('DELETE', `/v2.0/ports/${id}`)).status, 204)
      const gone = await s.call('DELETE', `/v2.0/ports/${pa.id}`)
      assert.equal(gone.status, 404)
      assert.equal(gone.body.NeutronError.type, 'PortNotFound')
    })

    it('bulk-creates ports in one request and deletes the network with its subnet', async () => {
      const r = await s.call('POST', '/v2.0/ports', { ports: [1, 2, 3].map((i) => ({ port: { network_id: netId, name: `bulk${i}` } })) })
      assert.equal(r.status, 201)
      assert.equal(r.body.ports.length, 3)
      assert.equal(new Set(r.body.ports.map((p: any) => p.fixed_ips[0].ip_address)).size, 3)
      for (const p of r.body.ports) assert.equal((await s.call('DELETE', `/v2.0/ports/${p.id}`)).status, 204)
      assert.equal((await s.call('DELETE', `/v2.0/networks/${netId}`)).status, 204)
      assert.equal((await s.call('GET', `/v2.0/subnets/${subnetId}`)).status, 404)
      assert.deepEqual((await s.call('GET', '/v2.0/networks')).body.networks, [])
    })

    // Neutron's prepare_request_body accepts bulk items with or without the resource key
    // (`item if resource in item else {resource: item}`); openstacksdk sends them bare.
    it('bulk-creates from bare items, as openstacksdk sends them', async () => {
      const n = await s.call('POST', '/v2.0/networks', { networks: [{ name: 'bare1' }, { name: 'bare2' }] })
      assert.equal(n.status, 201)
      assert.deepEqual(n.body.networks.map((x: any) => x.name), ['bare1', 'bare2'])
      for (const x of n.body.networks) await s.call('DELETE', `/v2.0/networks/${x.id}`)
    })

    it('answers unknown resources and bad bodies with Neutron errors, and keeps serving', async () => {
      assert.equal((await s.call('GET', '/v2.0/networks/00000000-0000-0000-0000-000000000000')).status, 404)
      const bad = await s.call('POST', '/v2.0/networks', '{not json')
      assert.equal(bad.status, 400)
      const unknown = await s.call('POST', '/v2.0/networks', { network: { bogus: 1 } })
      assert.equal(unknown.status, 400)
      assert.equal((await s.call('GET', '/v2.0/networks')).status, 200)
      // no internal error (500) was logged: "req-… METHOD URL failed: stack"
      assert.doesNotMatch(s.stderr(), /ERROR neutrino\.api/)
    })
  })
}
