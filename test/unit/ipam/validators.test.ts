import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import {
  convertCidrToCanonicalFormat,
  convertIpToCanonicalFormat,
  IpamValidationError,
  normalizeSubnetCidr,
  pyRepr,
  validateFixedIps,
  validateHostroutes,
  validateIpPools,
  validateNameservers,
  validateSubnetCidrOverlap,
  validateSubnetSpec,
  type SubnetSpec,
} from '../../../src/ipam/index.js'
import { fixturesDir, reference, sharedReferenceDir } from './fixtures.js'

const NET = 'b7677a74-5567-4046-8238-5981a784cbc2'

function neutronError(f: () => unknown) {
  try {
    f()
  } catch (e) {
    assert.ok(e instanceof IpamValidationError, String(e))
    return e.toNeutronError()
  }
  assert.fail('did not throw')
}

describe('reference error responses', () => {
  it('error-subnet-invalid-cidr(-text): the cidr converter', () => {
    assert.deepEqual(neutronError(() => convertCidrToCanonicalFormat('10.0.0.300/24')), reference('error-subnet-invalid-cidr.json'))
    assert.deepEqual(neutronError(() => convertCidrToCanonicalFormat('not-a-cidr')), reference('error-subnet-invalid-cidr-text.json'))
  })
  it('error-subnet-overlap: 10.20.0.0/16 over 10.20.0.0/24', () => {
    const cidr = normalizeSubnetCidr(convertCidrToCanonicalFormat('10.20.0.0/16'))
    assert.deepEqual(neutronError(() => validateSubnetCidrOverlap(cidr, NET, ['10.20.0.0/24', 'fd00:20::/64'])), reference('error-subnet-overlap.json'))
    validateSubnetCidrOverlap('10.21.0.0/16', NET, ['10.20.0.0/24', 'fd00:20::/64', '::/64'])
  })
  it('error-subnet-version-mismatch: ip_version 6 with a v4 cidr', () => {
    assert.deepEqual(
      neutronError(() => validateSubnetSpec({ ip_version: 6, cidr: '10.40.0.0/24', enable_dhcp: true })),
      reference('error-subnet-version-mismatch.json'),
    )
  })
  it('the copies in fixtures/reference match the shared reference folder', (t) => {
    const dir = sharedReferenceDir()
    if (!dir) return t.skip('no shared reference folder beside this checkout')
    const here = join(fixturesDir, 'reference')
    for (const f of ['subnet-create.json', 'subnet-create-ipv6-slaac.json', 'port-create-binding-host.json', 'error-subnet-overlap.json']) {
      assert.equal(readFileSync(join(here, f), 'utf8'), readFileSync(join(dir, f), 'utf8'), f)
    }
  })
})

describe('subnet spec checks (_validate_subnet)', () => {
  const msg = (s: SubnetSpec, opts = {}) => {
    try {
      validateSubnetSpec(s, opts)
      return undefined
    } catch (e) {
      return (e as IpamValidationError).message
    }
  }
  const v4 = (extra: Partial<SubnetSpec>): SubnetSpec => ({ ip_version: 4, cidr: '10.0.0.0/24', enable_dhcp: true, ...extra })
  it('accepts a plain subnet and a gateway outside the cidr', () => {
    assert.equal(msg(v4({})), undefined)
    assert.equal(msg(v4({ gateway_ip: '192.168.1.1' })), undefined)
    assert.equal(msg(v4({ gateway_ip: null })), undefined)
  })
  it('gateway on the network or broadcast address', () => {
    assert.equal(msg(v4({ gateway_ip: '10.0.0.0' })), 'Invalid input for operation: Gateway is not valid on subnet.')
    assert.equal(msg(v4({ gateway_ip: '10.0.0.255' })), 'Invalid input for operation: Gateway is not valid on subnet.')
    assert.equal(msg(v4({ gateway_ip: 'fd00::1' })), "Invalid input for operation: gateway_ip 'fd00::1' does not match the ip_version '4'.")
  })
  it('DHCP restrictions', () => {
    const dhcp = 'Invalid input for operation: Subnet has a prefix length that is incompatible with DHCP service enabled.'
    assert.equal(msg(v4({ cidr: '10.0.0.0/31' })), dhcp)
    assert.equal(msg(v4({ cidr: '10.0.0.0/31', enable_dhcp: false })), undefined)
    assert.equal(msg({ ip_version: 6, cidr: 'fd00::/127', enable_dhcp: true }), dhcp)
    assert.equal(msg(v4({ cidr: '224.0.0.0/24' })), 'Invalid input for operation: Multicast IP subnet is not supported if enable_dhcp is True.')
    assert.equal(msg(v4({ cidr: '127.0.0.0/24' })), 'Invalid input for operation: Loopback IP subnet is not supported if enable_dhcp is True.')
    assert.equal(msg(v4({ cidr: '0.0.0.0/24' })), "Invalid input for operation: First IP '0.0.0.0' of network is not supported if enable_dhcp is True..")
  })
  it('nameserver and route limits and families', () => {
    assert.equal(
      msg(v4({ dns_nameservers: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'] })),
      'Unable to complete operation for new subnet. The number of DNS nameservers exceeds the limit 5.',
    )
    assert.equal(msg(v4({ dns_nameservers: ['fd00::53'] })), "Invalid input for operation: dns_nameserver 'fd00::53' does not match the ip_version '4'.")
    assert.equal(
      msg(v4({ host_routes: [{ destination: '0.0.0.0/0', nexthop: 'fd00::1' }] })),
      "Invalid input for operation: nexthop 'fd00::1' does not match the ip_version '4'.",
    )
    assert.equal(
      msg(v4({ host_routes: [{ destination: 'x', nexthop: '10.0.0.1' }] })),
      "Invalid input for operation: Invalid route: {'destination': 'x', 'nexthop': '10.0.0.1'}.",
    )
    const routes = Array.from({ length: 21 }, (_, i) => ({ destination: `10.1.${i}.0/24`, nexthop: '10.0.0.1' }))
    assert.equal(msg(v4({ host_routes: routes })), 'Unable to complete operation for new subnet. The number of host routes exceeds the limit 20.')
    assert.equal(msg(v4({ host_routes: routes }), { maxSubnetHostRoutes: 21 }), undefined)
  })
  it('IPv6 modes on IPv4', () => {
    assert.equal(msg(v4({ ipv6_ra_mode: 'slaac' })), 'Invalid input for operation: ipv6_ra_mode is not valid when ip_version is 4.')
    assert.equal(msg(v4({ ipv6_address_mode: 'slaac' })), 'Invalid input for operation: ipv6_address_mode is not valid when ip_version is 4.')
  })
  it('zero prefix length', () => {
    assert.throws(() => validateSubnetCidrOverlap('0.0.0.0/0', NET, []), { message: 'Invalid input for operation: 0 is not allowed as CIDR prefix length.' })
  })
})

describe('attribute validators (neutron-lib texts)', () => {
  it('nameservers', () => {
    assert.equal(validateNameservers(['8.8.8.8', 'fd00::53']), undefined)
    assert.equal(validateNameservers(['8.8.8.8', '8.8.8.8']), "Duplicate nameserver '8.8.8.8'")
    assert.equal(validateNameservers(['8.8.8.08']), "'8.8.8.08' is not a valid nameserver. '8.8.8.08' is not an accepted IP address, '8.8.8.8' is recommended")
    assert.equal(validateNameservers(['x']), "'x' is not a valid nameserver. 'x' is not a valid IP address")
    assert.equal(validateNameservers(5), "Invalid data format for nameserver: '5'")
  })
  it('host routes', () => {
    const r = { destination: '10.1.0.0/16', nexthop: '10.0.0.1' }
    assert.equal(validateHostroutes([r]), undefined)
    assert.equal(validateHostroutes([r, { nexthop: '10.0.0.1', destination: '10.1.0.0/16' }]), `Duplicate hostroute '{'nexthop': '10.0.0.1', 'destination': '10.1.0.0/16'}'`)
    assert.equal(validateHostroutes([{ destination: '10.1.0.5/16', nexthop: '10.0.0.1' }]), "'10.1.0.5/16' is not a recognized CIDR, '10.1.0.0/16' is recommended")
    assert.equal(validateHostroutes([{ destination: '127.0.0.0/8', nexthop: '10.0.0.1' }]), "'127.0.0.0/8' is not a routable CIDR")
    assert.equal(validateHostroutes([{ destination: '10.1.0.0/16' }]), "Validation of dictionary's keys failed. Expected keys: {'destination', 'nexthop'} Provided keys: {'destination'}")
    assert.equal(validateHostroutes(['a']), "Invalid input. 'a' must be a dictionary with keys: ['destination', 'nexthop']")
    assert.equal(validateHostroutes({}), "Invalid data format for hostroute: '{}'")
  })
  it('allocation pools format', () => {
    assert.equal(validateIpPools([{ start: '10.0.0.2', end: '10.0.0.9' }]), undefined)
    assert.equal(validateIpPools([{ start: '10.0.0.2' }]), "Validation of dictionary's keys failed. Expected keys: {'end', 'start'} Provided keys: {'start'}")
    assert.equal(validateIpPools([{ start: '10.0.0.2', end: 'x' }]), "'x' is not a valid IP address")
    assert.equal(validateIpPools('10.0.0.2'), "Invalid data format for IP pool: '10.0.0.2'")
  })
  it('fixed IPs', () => {
    const s = '7c758585-94b9-4013-8197-12282f5c81d2'
    assert.equal(validateFixedIps([{ subnet_id: s, ip_address: '10.20.0.50' }]), undefined)
    assert.equal(validateFixedIps([{ ip_address: '1.1.1.1' }, { ip_address: '1.1.1.1' }]), "Duplicate IP address '1.1.1.1'")
    assert.equal(validateFixedIps([{ subnet_id: 'invalid' }]), "'invalid' is not a valid UUID")
    assert.equal(validateFixedIps([{ ip_address: '1111.1.1.1' }]), "'1111.1.1.1' is not a valid IP address")
    assert.equal(validateFixedIps('1.1.1.1'), "Invalid data format for fixed IP: '1.1.1.1'")
  })
  it('converters', () => {
    assert.equal(convertCidrToCanonicalFormat('10.30.0.5/24'), '10.30.0.5/24')
    assert.equal(normalizeSubnetCidr(convertCidrToCanonicalFormat('10.30.0.5/24')), '10.30.0.0/24')
    assert.equal(convertCidrToCanonicalFormat('FD00:20:0:0::/64'), 'fd00:20::/64')
    assert.equal(convertIpToCanonicalFormat('FD00:0::1'), 'fd00::1')
    assert.equal(convertIpToCanonicalFormat('10.0.0.01'), '10.0.0.01')
    assert.deepEqual(convertIpToCanonicalFormat([1]), [1])
  })
  it('pyRepr renders like CPython', () => {
    assert.equal(pyRepr({ a: [1, true, null, "it's"] }), `{'a': [1, True, None, "it's"]}`)
  })
})
