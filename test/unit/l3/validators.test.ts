/** The L3 plugin's pure checks: gateway info, interface requests, extra routes (Neutron's texts). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { validateGatewayInfo } from '../../../src/api/definitions/router.js'
import { InvalidRoutes, RoutesExhausted } from '../../../src/common/exceptions.js'
import { addRoutes, normalizeRoutes, parseRoutesBody, removeRoutes, validateRoutes } from '../../../src/l3/extra-routes.js'
import { raiseOnSubnetsOverlap, validateSubnetAddressMode } from '../../../src/l3/l3-core.js'
import { validateInterfaceInfo } from '../../../src/l3/router-interfaces.js'

const NET = '3f2c1d9e-8a4b-4c6d-9e0f-1a2b3c4d5e6f'

describe('external_gateway_info validator (dict_or_nodata)', () => {
  it('takes no data as no gateway', () => {
    for (const v of [null, undefined, {}, '', 0, false, []]) assert.equal(validateGatewayInfo(v), undefined, JSON.stringify(v))
  })
  it('checks keys and values in Neutron order, converting enable_snat', () => {
    assert.equal(validateGatewayInfo([1]), "'[1]' is not a dictionary")
    assert.equal(validateGatewayInfo({ enable_snat: true, x: 1 }), "Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: {'enable_snat', 'x'}")
    assert.equal(validateGatewayInfo({ network_id: NET, b: 1, a: 2 }), 'Unexpected keys supplied: b, a')
    assert.equal(validateGatewayInfo({ network_id: 'x' }), "'x' is not a valid UUID")
    const d: Record<string, unknown> = { network_id: NET, enable_snat: 'false' }
    assert.equal(validateGatewayInfo(d), undefined)
    assert.equal(d.enable_snat, false)
    assert.equal(validateGatewayInfo({ network_id: NET, external_fixed_ips: 'x' }), "Invalid data format for fixed IP: 'x'")
    assert.equal(validateGatewayInfo({ network_id: NET, external_fixed_ips: [{ subnet_id: 'y' }] }), "'y' is not a valid UUID")
  })
})

describe('router interface requests', () => {
  it('needs exactly one of subnet_id / port_id (both allowed when removing), each a UUID', () => {
    assert.throws(() => validateInterfaceInfo(null, false), /Either subnet_id or port_id must be specified/)
    assert.throws(() => validateInterfaceInfo({ port_id: NET, subnet_id: NET }, false), /Cannot specify both subnet-id and port-id/)
    assert.deepEqual(validateInterfaceInfo({ port_id: NET, subnet_id: NET }, true), { port_id: NET, subnet_id: NET })
    assert.throws(() => validateInterfaceInfo({ subnet_id: 7 }, false), (e: Error) => e.message === "Bad router request: '7' is not a valid UUID.")
    assert.deepEqual(validateInterfaceInfo({ subnet_id: NET }, false), { port_id: undefined, subnet_id: NET })
  })
  it('refuses overlapping subnets and externally advertised IPv6 subnets', () => {
    const s = (id: string, cidr: string, extra = {}) => ({ id, cidr, network_id: 'n', ip_version: cidr.includes(':') ? 6 : 4, gateway_ip: null, project_id: 'p', ipv6_ra_mode: null, ipv6_address_mode: null, ...extra })
    assert.throws(
      () => raiseOnSubnetsOverlap(s('a', '10.0.0.0/24'), s('b', '10.0.0.128/25')),
      (e: Error) => e.message === 'Bad router request: Cidr 10.0.0.128/25 of subnet b overlaps with cidr 10.0.0.0/24 of subnet a.',
    )
    raiseOnSubnetsOverlap(s('a', '10.0.0.0/24'), s('b', '10.0.1.0/24'))
    raiseOnSubnetsOverlap(s('a', '10.0.0.0/24'), s('b', '2001:db8::/64'))
    assert.throws(() => validateSubnetAddressMode(s('v6', '2001:db8::/64', { ipv6_address_mode: 'slaac' })), /configured to receive RAs from an external router/)
    validateSubnetAddressMode(s('v6', '2001:db8::/64', { ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' }))
  })
})

describe('extra routes', () => {
  const cidrs = ['192.0.2.0/24', '2001:db8::/64']
  it('wants nexthops on the router’s subnets, not its own addresses, at most max_routes', () => {
    validateRoutes('r', [{ destination: '10.0.0.0/8', nexthop: '192.0.2.5' }, { destination: '::/0', nexthop: '2001:db8::5' }], cidrs, ['192.0.2.1'], 30)
    assert.throws(
      () => validateRoutes('r', [{ destination: '10.0.0.0/8', nexthop: '198.51.100.1' }], cidrs, [], 30),
      (e: Error) => e instanceof InvalidRoutes && e.message === "Invalid format for routes: [{'destination': '10.0.0.0/8', 'nexthop': '198.51.100.1'}], the nexthop is not connected with router",
    )
    assert.throws(() => validateRoutes('r', [{ destination: '10.0.0.0/8', nexthop: '2001:db8:0::1' }], cidrs, ['2001:db8::1'], 30), /the nexthop is used by router/)
    assert.throws(
      () => validateRoutes('r', [{ destination: '10.0.0.0/8', nexthop: '192.0.2.5' }, { destination: '10.0.0.0/9', nexthop: '192.0.2.5' }], cidrs, [], 1),
      (e: Error) => e instanceof RoutesExhausted && e.message === 'Unable to complete operation for r. The number of routes exceeds the maximum 1.',
    )
  })
  it('normalizes, merges and removes like extraroute_db', () => {
    assert.deepEqual(normalizeRoutes([{ destination: '2001:DB8::/64', nexthop: '2001:DB8:0::1' }]), [{ destination: '2001:db8::/64', nexthop: '2001:db8::1' }])
    const a = { destination: '10.0.0.0/8', nexthop: '192.0.2.5' }
    const b = { destination: '10.0.0.0/8', nexthop: '192.0.2.6' }
    assert.deepEqual(addRoutes([a], [a, b]), [a, b])
    assert.deepEqual(removeRoutes([a, b], [b, { destination: '1.0.0.0/8', nexthop: '192.0.2.9' }]), [a])
    assert.deepEqual(parseRoutesBody({ router: { routes: null } }), [])
    assert.throws(() => parseRoutesBody({ routes: [] }), /Unable to find 'router' with 'routes'/)
    assert.throws(() => parseRoutesBody({ router: { routes: [{ destination: '10.0.0.0/8', nexthop: 'x' }] } }), /Invalid input for routes. Reason: 'x' is not a valid IP address./)
  })
})
