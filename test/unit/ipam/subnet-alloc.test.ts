/**
 * Subnet pool math (src/ipam/subnet-alloc.ts) against Neutron Zed's SubnetPoolReader, SubnetAllocator
 * and _update_subnetpool_dict (cases from neutron/tests/unit/db/test_db_base_plugin_v2.py
 * TestSubnetPoolsV2 and neutron/tests/unit/ipam/test_subnet_alloc.py), plus a randomised check that
 * allocations never overlap and exhaust the pool exactly.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  allocateAnySubnet,
  availablePrefixes,
  canAllocateSpecificSubnet,
  checkRequestedPrefixlen,
  cidr,
  cidrOverlaps,
  compactPrefixes,
  formatCidr,
  IpamValidationError,
  mergePrefixUpdate,
  rangeToCidrs,
  readSubnetPool,
  subnetpoolQuotaExceeded,
  validateSubnetList,
} from '../../../src/ipam/index.js'
import { mulberry32 } from '../../helpers/prng.js'

const fmt = (cs: ReturnType<typeof compactPrefixes>) => cs.map(formatCidr)

function throwsIpam(fn: () => unknown, type: string, message: string, status = 400) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IpamValidationError)
    assert.equal(e.type, type)
    assert.equal(e.message, message)
    assert.equal(e.status, status)
    return true
  })
}

describe('readSubnetPool (SubnetPoolReader)', () => {
  it('infers the version and fills Neutron defaults: IPv4 8/32, IPv6 64/128, default = min', () => {
    assert.deepEqual(readSubnetPool({ prefixes: ['10.10.10.0/21'] }), {
      ipVersion: 4, prefixes: ['10.10.8.0/21'], minPrefixlen: 8, maxPrefixlen: 32, defaultPrefixlen: 8,
    })
    assert.deepEqual(readSubnetPool({ prefixes: ['fe80::/48'] }), {
      ipVersion: 6, prefixes: ['fe80::/48'], minPrefixlen: 64, maxPrefixlen: 128, defaultPrefixlen: 64,
    })
    assert.equal(readSubnetPool({ prefixes: ['10.10.10.0/24'], min_prefixlen: 26 }).defaultPrefixlen, 26)
    assert.equal(readSubnetPool({ prefixes: ['10.10.10.0/21'], min_prefixlen: 21, default_prefixlen: 26 }).defaultPrefixlen, 26)
  })

  it('compacts prefixes like netaddr.IPSet: merged, fewest CIDRs, ascending', () => {
    assert.deepEqual(readSubnetPool({ prefixes: ['10.10.10.0/24', '10.10.11.0/24'] }).prefixes, ['10.10.10.0/23'])
    assert.deepEqual(readSubnetPool({ prefixes: ['192.168.0.0/16', '10.10.0.0/21', '10.10.4.0/24'] }).prefixes, ['10.10.0.0/21', '192.168.0.0/16'])
    assert.deepEqual(readSubnetPool({ prefixes: ['2001:db8::/64', '2001:db8:0:1::/64', '2001:db8:0:2::/64'] }).prefixes, ['2001:db8::/63', '2001:db8:0:2::/64'])
    // IPv6 host bits are accepted by validate_subnet and dropped here.
    assert.deepEqual(readSubnetPool({ prefixes: ['2001:DB8::5/64', '2001:db8:1::9/64'] }).prefixes, ['2001:db8::/64', '2001:db8:1::/64'])
    assert.deepEqual(readSubnetPool({ prefixes: ['10.0.0.5/24'] }).prefixes, ['10.0.0.0/24'])
  })

  it('rejects an empty list and mixed families', () => {
    throwsIpam(() => readSubnetPool({ prefixes: [] }), 'EmptySubnetPoolPrefixList', 'Empty subnet pool prefix list.')
    throwsIpam(() => readSubnetPool({ prefixes: ['10.10.10.0/21', 'fe80::/48'] }), 'PrefixVersionMismatch', 'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.')
  })

  it('checks min ≤ default ≤ max ≤ the family width, in Neutron order', () => {
    const b = (p: Parameters<typeof readSubnetPool>[0]) => () => readSubnetPool(p)
    throwsIpam(b({ prefixes: ['10.10.10.0/21'], min_prefixlen: 21, default_prefixlen: 20 }), 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: default_prefixlen=20, min_prefixlen=21.')
    throwsIpam(b({ prefixes: ['10.10.10.0/21'], max_prefixlen: 24, default_prefixlen: 32 }), 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: default_prefixlen=32, max_prefixlen=24.')
    throwsIpam(b({ prefixes: ['10.10.10.0/21'], min_prefixlen: 28, max_prefixlen: 24 }), 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: min_prefixlen=28, max_prefixlen=24.')
    throwsIpam(b({ prefixes: ['10.10.10.0/21'], max_prefixlen: 33 }), 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: max_prefixlen=33, ip_version_max=32.')
    throwsIpam(b({ prefixes: ['fe80::/48'], max_prefixlen: 129 }), 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: max_prefixlen=129, ip_version_max=128.')
    // min > max is reported before max > width.
    throwsIpam(b({ prefixes: ['10.0.0.0/8'], min_prefixlen: 40, max_prefixlen: 33 }), 'IllegalSubnetPoolPrefixBounds', 'Illegal prefix bounds: min_prefixlen=40, max_prefixlen=33.')
  })
})

describe('validateSubnetList (type:subnet_list)', () => {
  it('wants a list of canonical subnets without repeats', () => {
    assert.equal(validateSubnetList(['10.0.0.0/24', 'fd00::/64']), undefined)
    assert.equal(validateSubnetList([]), undefined)
    assert.equal(validateSubnetList('10.0.0.0/24'), "'10.0.0.0/24' is not a list")
    assert.equal(validateSubnetList(['10.0.0.0/24', '10.0.0.0/24']), "Duplicate items in the list: '10.0.0.0/24'")
    assert.equal(validateSubnetList(['10.1/16']), "'10.1/16' isn't a recognized IP subnet cidr, '10.1.0.0/16' is recommended")
    assert.equal(validateSubnetList(['10.0.0.5/24']), undefined) // host bits pass validate_subnet; the pool drops them
    assert.equal(validateSubnetList(['nope']), "'nope' is not a valid IP subnet")
  })
})

describe('mergePrefixUpdate (_update_subnetpool_dict)', () => {
  it('adds prefixes and compacts', () => {
    assert.deepEqual(mergePrefixUpdate(['10.10.8.0/21'], ['10.10.8.0/21', '3.3.3.0/24', '2.2.2.0/24']), ['2.2.2.0/24', '3.3.3.0/24', '10.10.8.0/21'])
    assert.deepEqual(mergePrefixUpdate(['10.10.10.0/24'], ['10.10.10.0/24', '10.10.11.0/24']), ['10.10.10.0/23'])
    // Covering the old prefix with a bigger one is fine.
    assert.deepEqual(mergePrefixUpdate(['10.10.10.0/24'], ['10.10.0.0/16']), ['10.10.0.0/16'])
  })

  it('refuses to drop any existing address', () => {
    const msg = 'Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.'
    throwsIpam(() => mergePrefixUpdate(['10.10.10.0/24'], ['10.10.11.0/24']), 'IllegalSubnetPoolPrefixUpdate', msg)
    throwsIpam(() => mergePrefixUpdate(['10.10.10.0/23'], ['10.10.10.0/24']), 'IllegalSubnetPoolPrefixUpdate', msg)
    throwsIpam(() => mergePrefixUpdate(['10.10.10.0/24'], ['fe80::/48']), 'IllegalSubnetPoolPrefixUpdate', msg)
    // Keeping the IPv4 prefix and adding IPv6 passes here; readSubnetPool reports the mix.
    assert.deepEqual(mergePrefixUpdate(['10.10.10.0/24'], ['10.10.10.0/24', 'fe80::/48']), ['10.10.10.0/24', 'fe80::/48'])
  })
})

describe('allocation (SubnetAllocator)', () => {
  it('rangeToCidrs splits a range into maximal aligned blocks', () => {
    const r = (a: string, b: string) => {
      const x = cidr(`${a}/32`)
      const y = cidr(`${b}/32`)
      return fmt(rangeToCidrs({ version: 4, first: x.ip, last: y.ip }))
    }
    assert.deepEqual(r('10.0.0.0', '10.0.0.255'), ['10.0.0.0/24'])
    assert.deepEqual(r('10.0.0.1', '10.0.0.6'), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32'])
    assert.deepEqual(r('0.0.0.0', '255.255.255.255'), ['0.0.0.0/0'])
    assert.deepEqual(fmt(rangeToCidrs({ version: 6, first: 0n, last: (1n << 128n) - 1n })), ['::/0'])
  })

  it('available blocks: pool minus allocations, most specific first, ascending among equals', () => {
    const avail = availablePrefixes(['10.10.0.0/16'], ['10.10.0.0/24', '10.10.2.0/24'])
    assert.deepEqual(fmt(avail), ['10.10.1.0/24', '10.10.3.0/24', '10.10.4.0/22', '10.10.8.0/21', '10.10.16.0/20', '10.10.32.0/19', '10.10.64.0/18', '10.10.128.0/17'])
  })

  it('any request: the smallest free block that fits, its first prefix', () => {
    const avail = availablePrefixes(['10.10.0.0/16'], ['10.10.0.0/24', '10.10.2.0/24'])
    assert.equal(formatCidr(allocateAnySubnet(avail, 24)!), '10.10.1.0/24')
    assert.equal(formatCidr(allocateAnySubnet(avail, 23)!), '10.10.4.0/23')
    assert.equal(formatCidr(allocateAnySubnet(avail, 26)!), '10.10.1.0/26')
    assert.equal(formatCidr(allocateAnySubnet(avail, 17)!), '10.10.128.0/17')
    assert.equal(allocateAnySubnet(avail, 16), undefined)
    assert.equal(formatCidr(allocateAnySubnet(availablePrefixes(['2001:db8:1:2::/63'], []), 64)!), '2001:db8:1:2::/64')
  })

  it('specific request: only wholly free prefixes inside the pool', () => {
    const avail = availablePrefixes(['10.10.0.0/16'], ['10.10.1.0/24'])
    assert.equal(canAllocateSpecificSubnet(avail, cidr('10.10.2.0/24')), true)
    assert.equal(canAllocateSpecificSubnet(avail, cidr('10.10.1.0/24')), false) // taken
    assert.equal(canAllocateSpecificSubnet(avail, cidr('10.10.1.128/25')), false) // inside a taken one
    assert.equal(canAllocateSpecificSubnet(avail, cidr('10.10.0.0/23')), false) // overlaps a taken one
    assert.equal(canAllocateSpecificSubnet(avail, cidr('192.168.1.0/24')), false) // outside
    assert.equal(canAllocateSpecificSubnet(avail, cidr('10.10.0.0/15')), false) // bigger than the pool
  })

  it('the requested length must be within the pool bounds', () => {
    throwsIpam(() => checkRequestedPrefixlen(20, 21, 32), 'MinPrefixSubnetAllocationError', 'Unable to allocate subnet with prefix length 20, minimum allowed prefix is 21.')
    throwsIpam(() => checkRequestedPrefixlen(24, 21, 21), 'MaxPrefixSubnetAllocationError', 'Unable to allocate subnet with prefix length 24, maximum allowed prefix is 21.')
    checkRequestedPrefixlen(21, 21, 21)
  })

  it('default_quota counts /32 (IPv4) or /64 (IPv6) units; 0 or null means no quota', () => {
    assert.equal(subnetpoolQuotaExceeded(4, 2048, [], 21), false) // a /21 is 2048 addresses
    assert.equal(subnetpoolQuotaExceeded(4, 2048, [21], 21), true)
    assert.equal(subnetpoolQuotaExceeded(4, 2048, [22], 22), false)
    assert.equal(subnetpoolQuotaExceeded(4, 0, [8, 8], 8), false)
    assert.equal(subnetpoolQuotaExceeded(4, null, [8, 8], 8), false)
    assert.equal(subnetpoolQuotaExceeded(6, 1, [], 64), false)
    assert.equal(subnetpoolQuotaExceeded(6, 1, [], 63), true)
    // Longer than /64 counts as a fraction of a unit, exactly.
    assert.equal(subnetpoolQuotaExceeded(6, 1, [65], 65), false)
    assert.equal(subnetpoolQuotaExceeded(6, 1, [65, 66], 65), true)
  })

  it('randomised: mixed any/specific allocations never overlap, stay in the pool, and fill it exactly', () => {
    const random = mulberry32(4242)
    for (let round = 0; round < 20; round++) {
      const pool = ['10.0.0.0/22', '10.0.8.0/23', '192.0.2.0/24']
      const total = 1024 + 512 + 256
      const taken: string[] = []
      for (;;) {
        const avail = availablePrefixes(pool, taken)
        const len = 24 + Math.floor(random() * 7)
        let got = allocateAnySubnet(avail, len)
        if (got && random() < 0.3) {
          // Ask for that prefix specifically instead: it must be grantable.
          assert.equal(canAllocateSpecificSubnet(avail, got), true)
        }
        if (!got) got = allocateAnySubnet(avail, 30)
        if (!got) break
        const c = formatCidr(got)
        for (const t of taken) assert.equal(cidrOverlaps(cidr(t), got), false, `${c} overlaps ${t}`)
        assert.ok(pool.some((p) => canAllocateSpecificSubnet(availablePrefixes([p], []), got!)), `${c} outside the pool`)
        assert.equal(canAllocateSpecificSubnet(availablePrefixes(pool, [...taken, c]), got), false)
        taken.push(c)
      }
      const used = taken.reduce((n, t) => n + 2 ** (32 - cidr(t).prefixlen), 0)
      assert.equal(used, total)
      assert.deepEqual(availablePrefixes(pool, taken), [])
    }
  })
})
