/**
 * Issue 15: list attributes bounded by their [DEFAULT] max_* option, through the API on both
 * engines: 10,000 entries are refused with Neutron's error before any entry is looked at, the
 * configured value is the limit, and a refused request changes nothing.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeOnEngines, expectNeutronError } from '../../helpers/api-engines.js'

const INI = '[DEFAULT]\nmax_dns_nameservers = 2\nmax_subnet_host_routes = 3\nmax_routes = 4\nmax_allowed_address_pair = 5\nmax_fixed_ips_per_port = 2\n' +
  // 10,000 routes are about 600 KB: over the default body limit, which would refuse them first.
  '[oslo_middleware]\nmax_request_body_size = 2000000\n'

const ip = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.1`
const route = (i: number) => ({ destination: `10.${(i >> 8) & 255}.${i & 255}.0/24`, nexthop: '192.0.2.1' })
const list = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i))

describeOnEngines((e) => `list-size bounds, ${e}`, { ini: INI }, (s) => {
  it('10,000 entries, and one over the configured limit, are refused with Neutron\'s error; nothing changes', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'bounds' } })).body.network
    const subnet = (await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24' } })).body.subnet
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port
    const router = (await s.call('POST', '/v2.0/routers', { router: { name: 'bounds' } })).body.router
    const snapshot = async () => JSON.stringify([
      (await s.call('GET', '/v2.0/subnets')).body, (await s.call('GET', '/v2.0/ports')).body, (await s.call('GET', '/v2.0/routers')).body,
    ])
    const before = await snapshot()
    const cases: Array<[string, string, Record<string, unknown>, (n: number) => unknown[], number, string, string]> = [
      ['POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.51.100.0/24' } }, (n) => list(n, ip), 2,
        'DNSNameServersExhausted', 'Unable to complete operation for new subnet. The number of DNS nameservers exceeds the limit 2.'],
      ['PUT', `/v2.0/subnets/${subnet.id}`, { subnet: {} }, (n) => list(n, ip), 2,
        'DNSNameServersExhausted', `Unable to complete operation for ${subnet.id}. The number of DNS nameservers exceeds the limit 2.`],
      ['PUT', `/v2.0/subnets/${subnet.id}`, { subnet: {} }, (n) => list(n, route), 3,
        'HostRoutesExhausted', `Unable to complete operation for ${subnet.id}. The number of host routes exceeds the limit 3.`],
      ['PUT', `/v2.0/routers/${router.id}`, { router: {} }, (n) => list(n, route), 4,
        'RoutesExhausted', `Unable to complete operation for ${router.id}. The number of routes exceeds the maximum 4.`],
      ['PUT', `/v2.0/ports/${port.id}`, { port: {} }, (n) => list(n, (i) => ({ ip_address: ip(i) })), 5,
        'AllowedAddressPairExhausted', 'The number of allowed address pair exceeds the maximum 5.'],
      ['POST', '/v2.0/ports', { port: { network_id: net.id } }, (n) => list(n, (i) => ({ subnet_id: subnet.id, ip_address: `192.0.2.${(i % 250) + 2}` })), 2,
        'InvalidInput', 'Invalid input for operation: Exceeded maximum amount of fixed ips per port..'],
    ]
    const attrs = ['dns_nameservers', 'dns_nameservers', 'host_routes', 'routes', 'allowed_address_pairs', 'fixed_ips']
    for (const [i, [method, path, body, entries, max, type, message]] of cases.entries()) {
      const key = Object.keys(body)[0]!
      for (const n of [10_000, max + 1]) {
        const r = await s.call(method, path, { [key]: { ...(body[key] as object), [attrs[i]!]: entries(n) } })
        expectNeutronError(r, 400, type, message)
      }
    }
    assert.equal(await snapshot(), before)
    // At the configured limit the request goes through.
    const ok = await s.call('PUT', `/v2.0/subnets/${subnet.id}`, { subnet: { dns_nameservers: list(2, ip) } })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.deepEqual(ok.body.subnet.dns_nameservers, list(2, ip))
  })
})
