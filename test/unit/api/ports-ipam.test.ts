/** Ports and IPAM through the API: MACs, fixed IPs, IPv6 modes, exhaustion, release, in-use errors. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

describe('ports and IP allocation', () => {
  let s: TestServer
  const post = async (path: string, body: unknown, status = 201) => {
    const r = await s.call('POST', path, body)
    assert.equal(r.status, status, `${path} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
    return r.body
  }
  const newNet = async (name: string) => (await post('/v2.0/networks', { network: { name } })).network.id as string
  before(async () => (s = await startNeutrino()))
  after(() => s.close())

  it('MACs come from base_mac, are unique per network, and a taken one is MacAddressInUse', async () => {
    const net = await newNet('macs')
    const macs = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const p = (await post('/v2.0/ports', { port: { network_id: net } })).port
      assert.match(p.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/)
      macs.add(p.mac_address)
    }
    assert.equal(macs.size, 20)
    const taken = [...macs][0]!
    const r = await post('/v2.0/ports', { port: { network_id: net, mac_address: taken.toUpperCase() } }, 409)
    assert.deepEqual(r.NeutronError, { type: 'MacAddressInUse', message: `Unable to complete operation for network ${net}. The mac address ${taken} is in use.`, detail: '' })
    // The same MAC on another network is fine.
    const other = await newNet('macs2')
    assert.equal((await post('/v2.0/ports', { port: { network_id: other, mac_address: taken } })).port.mac_address, taken)
  })

  it('allocates requested and automatic fixed IPs; a taken address is IpAddressAlreadyAllocated', async () => {
    const net = await newNet('ips')
    const v4 = (await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '198.51.100.0/24' } })).subnet
    const bySubnet = (await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: v4.id }] } })).port
    assert.equal(bySubnet.fixed_ips.length, 1)
    assert.match(bySubnet.fixed_ips[0].ip_address, /^198\.51\.100\.\d+$/)
    const byAddr = (await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '198.51.100.10' }] } })).port
    assert.deepEqual(byAddr.fixed_ips, [{ subnet_id: v4.id, ip_address: '198.51.100.10' }])
    const both = (await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: v4.id, ip_address: '198.51.100.11' }, { subnet_id: v4.id }] } })).port
    assert.equal(both.fixed_ips.length, 2)
    const dup = await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '198.51.100.10' }] } }, 409)
    assert.deepEqual(dup.NeutronError, { type: 'IpAddressAlreadyAllocated', message: `IP address 198.51.100.10 already allocated in subnet ${v4.id}`, detail: '' })
    // Neutron does not reserve the gateway address in IPAM: a port may take it explicitly.
    const gw = await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '198.51.100.1' }] } })
    assert.equal(gw.port.fixed_ips[0].ip_address, '198.51.100.1')
    const bcast = await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: v4.id, ip_address: '198.51.100.255' }] } }, 400)
    assert.equal(bcast.NeutronError.type, 'InvalidIpForSubnet')
    const missing = await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: '00000000-0000-0000-0000-000000000000' }] } }, 404)
    assert.equal(missing.NeutronError.type, 'SubnetNotFound')
    // device_id / device_owner are stored as given.
    const dev = (await post('/v2.0/ports', { port: { network_id: net, device_id: 'vm-1', device_owner: 'compute:nova' } })).port
    assert.equal(dev.device_id, 'vm-1')
    assert.equal(dev.device_owner, 'compute:nova')
    // Update moves the port to another address and frees the old one.
    const upd = await s.call('PUT', `/v2.0/ports/${byAddr.id}`, { port: { fixed_ips: [{ ip_address: '198.51.100.12' }] } })
    assert.equal(upd.status, 200)
    assert.deepEqual(upd.body.port.fixed_ips, [{ subnet_id: v4.id, ip_address: '198.51.100.12' }])
    assert.equal((await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '198.51.100.10' }] } })).port.fixed_ips[0].ip_address, '198.51.100.10')
  })

  it('IPv6: SLAAC and DHCPv6-stateless give EUI-64 addresses, DHCPv6-stateful allocates, v4 and v6 together', async () => {
    const net = await newNet('v6')
    await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '203.0.113.0/24' } })
    const slaac = (await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 6, cidr: '2001:db8:1::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } })).subnet
    assert.equal(slaac.gateway_ip, '2001:db8:1::')
    const stateless = (await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 6, cidr: '2001:db8:2::/64', ipv6_address_mode: 'dhcpv6-stateless' } })).subnet
    const stateful = (await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 6, cidr: '2001:db8:3::/64', ipv6_ra_mode: 'dhcpv6-stateful', ipv6_address_mode: 'dhcpv6-stateful' } })).subnet
    const p = (await post('/v2.0/ports', { port: { network_id: net, mac_address: 'fa:16:3e:12:34:56' } })).port
    const bySub = Object.fromEntries(p.fixed_ips.map((f: any) => [f.subnet_id, f.ip_address]))
    assert.equal(p.fixed_ips.length, 4)
    assert.equal(bySub[slaac.id], '2001:db8:1:0:f816:3eff:fe12:3456')
    assert.equal(bySub[stateless.id], '2001:db8:2:0:f816:3eff:fe12:3456')
    assert.match(bySub[stateful.id], /^2001:db8:3:/)
    assert.notEqual(bySub[stateful.id], '2001:db8:3:0:f816:3eff:fe12:3456')
    const direct = await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: slaac.id, ip_address: '2001:db8:1::5' }] } }, 400)
    assert.equal(direct.NeutronError.type, 'InvalidInput')
    // A router port gets no automatic address.
    const rp = (await post('/v2.0/ports', { port: { network_id: net, device_owner: 'network:router_interface', fixed_ips: [{ subnet_id: stateful.id }] } })).port
    assert.equal(rp.fixed_ips.length, 1)
    // Mismatched modes are refused.
    const bad = await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 6, cidr: '2001:db8:4::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'dhcpv6-stateful' } }, 400)
    assert.equal(bad.NeutronError.message, "Invalid input for operation: ipv6_ra_mode set to 'slaac' with ipv6_address_mode set to 'dhcpv6-stateful' is not valid. If both attributes are set, they must be the same value.")
  })

  it('subnet defaults, explicit pools, no gateway, DNS and host routes, overlap and normalization', async () => {
    const net = await newNet('subs')
    const sub = (await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.77/26', dns_nameservers: ['198.51.100.53'], host_routes: [{ destination: '203.0.113.0/24', nexthop: '192.0.2.65' }] } })).subnet
    assert.equal(sub.cidr, '192.0.2.64/26')
    assert.equal(sub.gateway_ip, '192.0.2.65')
    assert.deepEqual(sub.allocation_pools, [{ start: '192.0.2.66', end: '192.0.2.126' }])
    assert.deepEqual(sub.dns_nameservers, ['198.51.100.53'])
    assert.deepEqual(sub.host_routes, [{ destination: '203.0.113.0/24', nexthop: '192.0.2.65' }])
    assert.equal(sub.enable_dhcp, true)
    const nogw = (await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.0/29', gateway_ip: null, enable_dhcp: false } })).subnet
    assert.equal(nogw.gateway_ip, null)
    assert.deepEqual(nogw.allocation_pools, [{ start: '192.0.2.1', end: '192.0.2.6' }])
    const overlap = await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.0/24' } }, 400)
    assert.equal(overlap.NeutronError.message, `Invalid input for operation: Requested subnet with cidr: 192.0.2.0/24 for network: ${net} overlaps with another subnet.`)
    const net2 = await newNet('subs2')
    const pools = (await post('/v2.0/subnets', { subnet: { network_id: net2, ip_version: 4, cidr: '10.10.0.0/24', allocation_pools: [{ start: '10.10.0.100', end: '10.10.0.110' }, { start: '10.10.0.20', end: '10.10.0.30' }] } })).subnet
    assert.deepEqual(pools.allocation_pools, [{ start: '10.10.0.20', end: '10.10.0.30' }, { start: '10.10.0.100', end: '10.10.0.110' }])
    const gwConflict = await post('/v2.0/subnets', { subnet: { network_id: net2, ip_version: 4, cidr: '10.11.0.0/24', gateway_ip: '10.11.0.5', allocation_pools: [{ start: '10.11.0.2', end: '10.11.0.10' }] } }, 409)
    assert.deepEqual(gwConflict.NeutronError, { type: 'GatewayConflictWithAllocationPools', message: 'Gateway ip 10.11.0.5 conflicts with allocation pool 10.11.0.2-10.11.0.10.', detail: '' })
    const out = await post('/v2.0/subnets', { subnet: { network_id: net2, ip_version: 4, cidr: '10.12.0.0/24', allocation_pools: [{ start: '10.13.0.2', end: '10.13.0.10' }] } }, 400)
    assert.equal(out.NeutronError.type, 'OutOfBoundsAllocationPool')
    // Updates: name, gateway, dns.
    const upd = await s.call('PUT', `/v2.0/subnets/${sub.id}`, { subnet: { name: 'renamed', dns_nameservers: [] } })
    assert.equal(upd.status, 200)
    assert.equal(upd.body.subnet.name, 'renamed')
    assert.deepEqual(upd.body.subnet.dns_nameservers, [])
    assert.equal(upd.body.subnet.revision_number, 1)
  })

  it('a /29 runs out after 5 ports (IpAddressGenerationFailure), and deleting a port frees its address', async () => {
    const net = await newNet('small')
    await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.8/29' } })
    const ports = []
    for (let i = 0; i < 5; i++) ports.push((await post('/v2.0/ports', { port: { network_id: net } })).port)
    const ips = ports.map((p) => p.fixed_ips[0].ip_address).sort()
    assert.deepEqual(ips, ['192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14'])
    const full = await post('/v2.0/ports', { port: { network_id: net } }, 409)
    assert.deepEqual(full.NeutronError, { type: 'IpAddressGenerationFailure', message: `No more IP addresses available on network ${net}.`, detail: '' })
    const freed = ports[2].fixed_ips[0].ip_address
    assert.equal((await s.call('DELETE', `/v2.0/ports/${ports[2].id}`)).status, 204)
    const again = (await post('/v2.0/ports', { port: { network_id: net } })).port
    assert.equal(again.fixed_ips[0].ip_address, freed)
    // Explicit reuse of a released address works too.
    await s.call('DELETE', `/v2.0/ports/${again.id}`)
    assert.equal((await post('/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: freed }] } })).port.fixed_ips[0].ip_address, freed)
  })

  it('SubnetInUse and NetworkInUse, then clean deletes', async () => {
    const net = await newNet('inuse')
    const sub = (await post('/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '198.51.100.0/28' } })).subnet
    const port = (await post('/v2.0/ports', { port: { network_id: net } })).port
    const dhcp = (await post('/v2.0/ports', { port: { network_id: net, device_owner: 'network:dhcp' } })).port
    const r = await s.call('DELETE', `/v2.0/subnets/${sub.id}`)
    assert.equal(r.status, 409)
    assert.deepEqual(r.body.NeutronError, { type: 'SubnetInUse', message: `Unable to complete operation on subnet ${sub.id}: One or more ports have an IP allocation from this subnet.`, detail: '' })
    const n = await s.call('DELETE', `/v2.0/networks/${net}`)
    assert.equal(n.status, 409)
    assert.deepEqual(n.body.NeutronError, { type: 'NetworkInUse', message: `Unable to complete operation on network ${net}. There are one or more ports still in use on the network, id for these ports is: ${port.id}.`, detail: '' })
    assert.equal((await s.call('DELETE', `/v2.0/ports/${port.id}`)).status, 204)
    // Only the network-owned DHCP port remains: the network goes, with its subnet and that port.
    assert.equal((await s.call('DELETE', `/v2.0/networks/${net}`)).status, 204)
    assert.equal((await s.call('GET', `/v2.0/subnets/${sub.id}`)).status, 404)
    assert.equal((await s.call('GET', `/v2.0/ports/${dhcp.id}`)).status, 404)
  })

  it('network attributes: defaults, subnets list, revision numbers and updates', async () => {
    const n = (await post('/v2.0/networks', { network: { name: 'attrs' } })).network
    assert.equal(n.is_default, false)
    assert.equal(n.revision_number, 1)
    const shown = (await s.call('GET', `/v2.0/networks/${n.id}`)).body.network
    assert.ok(!('is_default' in shown))
    const sub = (await post('/v2.0/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr: '10.20.0.0/24' } })).subnet
    assert.equal(sub.revision_number, 0)
    const after = (await s.call('GET', `/v2.0/networks/${n.id}`)).body.network
    assert.deepEqual(after.subnets, [sub.id])
    assert.equal(after.revision_number, 2)
    const u = await s.call('PUT', `/v2.0/networks/${n.id}`, { network: { name: 'attrs2', admin_state_up: false, mtu: 1400, description: 'd' } })
    assert.equal(u.status, 200)
    assert.equal(u.body.network.revision_number, 3)
    assert.equal(u.body.network.mtu, 1400)
    const big = await s.call('PUT', `/v2.0/networks/${n.id}`, { network: { mtu: 9000 } })
    assert.equal(big.status, 400)
    assert.equal(big.body.NeutronError.message, 'Invalid input for operation: Requested MTU is too big, maximum is 1450.')
  })
})
