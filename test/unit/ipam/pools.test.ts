import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  defaultGatewayIp,
  generatePools,
  IpamValidationError,
  normalizeSubnetCidr,
  validateAllocationPools,
  convertCidrToCanonicalFormat,
  type AllocationPool,
} from '../../../src/ipam/index.js'
import { reference } from './fixtures.js'

function expectIpamError(f: () => unknown, type: string, message: string, status?: number) {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof IpamValidationError, String(e))
    assert.equal(e.type, type)
    assert.equal(e.message, message)
    if (status !== undefined) assert.equal(e.status, status)
    return true
  })
}

describe('reference subnets (Neutron Zed responses)', () => {
  const index = reference<{ name: string; request_body: any }[]>('_index.json')
  const request = (name: string) => index.find((e) => e.name === name)!.request_body.subnet
  for (const name of ['subnet-create', 'subnet-create-ipv6-slaac', 'subnet-create-cidr-host-bits-normalized', 'subnet-create-on-vlan-net']) {
    it(`${name}: cidr, default gateway and pools`, () => {
      const { subnet } = reference(`${name}.json`)
      const cidr = normalizeSubnetCidr(convertCidrToCanonicalFormat(request(name).cidr))
      assert.equal(cidr, subnet.cidr)
      assert.equal(defaultGatewayIp(cidr), subnet.gateway_ip)
      assert.deepEqual(generatePools(cidr, subnet.gateway_ip), subnet.allocation_pools)
      assert.deepEqual(validateAllocationPools(undefined, cidr, subnet.gateway_ip).length, subnet.allocation_pools.length)
    })
  }
})

describe('generatePools', () => {
  it('v4 drops network and broadcast, splits around the gateway', () => {
    assert.deepEqual(generatePools('10.0.0.0/24', '10.0.0.100'), [
      { start: '10.0.0.1', end: '10.0.0.99' },
      { start: '10.0.0.101', end: '10.0.0.254' },
    ])
    assert.deepEqual(generatePools('10.0.0.0/24', null), [{ start: '10.0.0.1', end: '10.0.0.254' }])
    assert.deepEqual(generatePools('10.0.0.0/24', '10.9.9.9'), [{ start: '10.0.0.1', end: '10.0.0.254' }])
  })
  it('/31 and /32 keep every address (a single address even when it is the gateway)', () => {
    assert.deepEqual(generatePools('10.0.0.0/31', '10.0.0.0'), [{ start: '10.0.0.1', end: '10.0.0.1' }])
    assert.deepEqual(generatePools('10.0.0.7/32', '10.0.0.7'), [{ start: '10.0.0.7', end: '10.0.0.7' }])
  })
  it('v6 drops only the subnet-router anycast address', () => {
    assert.deepEqual(generatePools('fd00::/64', 'fd00::1'), [{ start: 'fd00::2', end: 'fd00::ffff:ffff:ffff:ffff' }])
    assert.deepEqual(generatePools('fd00::/126', null), [{ start: 'fd00::1', end: 'fd00::3' }])
  })
  it('works on huge prefixes without enumerating', () => {
    assert.deepEqual(generatePools('2001:db8::/32', '2001:db8::1'), [
      { start: '2001:db8::2', end: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff' },
    ])
    assert.deepEqual(generatePools('10.0.0.0/8', '10.0.0.1'), [{ start: '10.0.0.2', end: '10.255.255.254' }])
  })
})

describe('validateAllocationPools (Neutron messages)', () => {
  const cidr = '10.0.0.0/24'
  const pools = (...p: [string, string][]): AllocationPool[] => p.map(([start, end]) => ({ start, end }))
  it('accepts valid pools and returns ranges in request order', () => {
    const r = validateAllocationPools(pools(['10.0.0.100', '10.0.0.200'], ['10.0.0.2', '10.0.0.50']), cidr, '10.0.0.1')
    assert.deepEqual(r.map((x) => [x.first, x.last]), [[0x0a000064n, 0x0a0000c8n], [0x0a000002n, 0x0a000032n]])
  })
  it('start > end → InvalidAllocationPool with the dict as Python prints it', () => {
    expectIpamError(
      () => validateAllocationPools(pools(['10.0.0.9', '10.0.0.2']), cidr, null),
      'InvalidAllocationPool',
      "The allocation pool {'start': '10.0.0.9', 'end': '10.0.0.2'} is not valid.",
      400,
    )
  })
  it('mixed families → InvalidAllocationPool', () => {
    expectIpamError(
      () => validateAllocationPools(pools(['10.0.0.2', 'fd00::2']), cidr, null),
      'InvalidAllocationPool',
      "The allocation pool {'start': '10.0.0.2', 'end': 'fd00::2'} is not valid.",
    )
    expectIpamError(
      () => validateAllocationPools(pools(['fd00::2', 'fd00::9']), cidr, null),
      'InvalidAllocationPool',
      'The allocation pool fd00::2-fd00::9 is not valid.',
    )
  })
  it('outside the subnet, or on network/broadcast → OutOfBoundsAllocationPool', () => {
    expectIpamError(
      () => validateAllocationPools(pools(['10.0.0.0', '10.0.0.9']), cidr, null),
      'OutOfBoundsAllocationPool',
      'The allocation pool 10.0.0.0-10.0.0.9 spans beyond the subnet cidr 10.0.0.0/24.',
      400,
    )
    expectIpamError(
      () => validateAllocationPools(pools(['10.0.0.200', '10.0.1.9']), cidr, null),
      'OutOfBoundsAllocationPool',
      'The allocation pool 10.0.0.200-10.0.1.9 spans beyond the subnet cidr 10.0.0.0/24.',
    )
    expectIpamError(
      () => validateAllocationPools(pools(['fd00::', 'fd00::9']), 'fd00::/64', null),
      'OutOfBoundsAllocationPool',
      'The allocation pool fd00::-fd00::9 spans beyond the subnet cidr fd00::/64.',
    )
  })
  it('overlapping pools → OverlappingAllocationPools (409)', () => {
    expectIpamError(
      () => validateAllocationPools(pools(['10.0.0.2', '10.0.0.50'], ['10.0.0.60', '10.0.0.70'], ['10.0.0.50', '10.0.0.55']), cidr, null),
      'OverlappingAllocationPools',
      'Found overlapping allocation pools: 10.0.0.2-10.0.0.50 10.0.0.50-10.0.0.55 for subnet 10.0.0.0/24.',
      409,
    )
  })
  it('gateway inside a pool → GatewayConflictWithAllocationPools (409)', () => {
    expectIpamError(
      () => validateAllocationPools(pools(['10.0.0.2', '10.0.0.50']), cidr, '10.0.0.10'),
      'GatewayConflictWithAllocationPools',
      'Gateway ip 10.0.0.10 conflicts with allocation pool 10.0.0.2-10.0.0.50.',
      409,
    )
  })
  it('bounds are checked for every pool before overlaps', () => {
    expectIpamError(
      () => validateAllocationPools(pools(['10.0.0.2', '10.0.0.50'], ['10.0.0.2', '10.0.0.50'], ['10.0.0.2', '10.0.2.1']), cidr, null),
      'OutOfBoundsAllocationPool',
      'The allocation pool 10.0.0.2-10.0.2.1 spans beyond the subnet cidr 10.0.0.0/24.',
    )
  })
})
