import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  AvailabilityRanges,
  cidrFirst,
  cidrLast,
  countFree,
  formatIp,
  generatePoolRanges,
  IpamValidationError,
  parseCidr,
  parseIp,
  verifyIpForAllocation,
  type IpRange,
  type IpVersion,
} from '../../../src/ipam/index.js'
import { mulberry32, randomBetween, randomBits } from '../../helpers/prng.js'
import { reference } from './fixtures.js'

const value = (s: string) => parseIp(s)!.value

describe('AvailabilityRanges', () => {
  it('next free skips allocated addresses; release merges back', () => {
    const a = AvailabilityRanges.build(generatePoolRanges('10.0.0.0/29', '10.0.0.1'), ['10.0.0.2', '10.0.0.3', '10.0.0.5'])
    assert.equal(a.size(), 2n)
    assert.deepEqual(a.toJSON(), [
      { start: '10.0.0.4', end: '10.0.0.4' },
      { start: '10.0.0.6', end: '10.0.0.6' },
    ])
    assert.equal(a.nextFree(), '10.0.0.4')
    assert.equal(a.allocateAny({ preferNext: true }), '10.0.0.4')
    assert.equal(a.allocateAny({ preferNext: true }), '10.0.0.6')
    assert.equal(a.allocateAny({ preferNext: true }), undefined)
    assert.equal(a.release('10.0.0.5'), true)
    assert.equal(a.release('10.0.0.5'), false)
    assert.equal(a.release('10.0.0.1'), false, 'the gateway is not in a pool')
    assert.equal(a.release('10.0.0.4'), true)
    assert.equal(a.release('10.0.0.6'), true)
    assert.deepEqual(a.toJSON(), [{ start: '10.0.0.4', end: '10.0.0.6' }])
    assert.equal(a.size(), 3n)
  })

  it('handles a /8 and a /64 without enumerating', () => {
    const v4 = AvailabilityRanges.build(generatePoolRanges('10.0.0.0/8', '10.0.0.1'), ['10.0.0.2', '10.255.255.254'])
    assert.equal(v4.size(), (1n << 24n) - 5n)
    assert.equal(v4.nextFree(), '10.0.0.3')
    const v6 = AvailabilityRanges.build(generatePoolRanges('fd00::/64', 'fd00::'), ['fd00::1'])
    assert.equal(v6.size(), (1n << 64n) - 2n)
    assert.equal(v6.nextFree(), 'fd00::2')
    const r = v6.randomFree(mulberry32(1))!
    assert.ok(value(r) >= value('fd00::2') && value(r) <= value('fd00::3e9'), r) // first 1000 free
  })

  it('random picks stay in the first 1000 free addresses of the first non-full pool', () => {
    const pools: IpRange[] = [
      { version: 4, first: value('10.0.0.10'), last: value('10.0.0.12') },
      { version: 4, first: value('10.0.1.0'), last: value('10.0.255.255') },
    ]
    const a = AvailabilityRanges.build(pools, ['10.0.0.10', '10.0.0.11', '10.0.0.12'])
    const rng = mulberry32(7)
    for (let i = 0; i < 200; i++) {
      const v = value(a.randomFree(rng)!)
      assert.ok(v >= value('10.0.1.0') && v < value('10.0.1.0') + 1000n)
    }
  })

  it('persisted free ranges rebuild the same state', () => {
    const pools = generatePoolRanges('192.0.2.0/24', '192.0.2.1')
    const a = AvailabilityRanges.build(pools, ['192.0.2.7', '192.0.2.9', '198.51.100.1', 'fd00::1'])
    const b = AvailabilityRanges.fromFreeRanges(pools, a.toJSON())
    assert.deepEqual(b.toJSON(), a.toJSON())
    assert.equal(b.size(), a.size())
    assert.equal(countFree(pools, ['192.0.2.7']), 252n)
  })

  it('reference ports got addresses from the subnet pools, never the gateway', () => {
    const { subnet } = reference('subnet-create.json')
    const ranges = AvailabilityRanges.build(subnet.allocation_pools, [])
    for (const f of ['port-create-binding-host.json', 'port-create-fixed-ip.json', 'port-create-plain.json']) {
      const ip = reference(f).port.fixed_ips.find((x: any) => x.subnet_id === subnet.id).ip_address
      assert.ok(ranges.isFree(ip), `${f}: ${ip}`)
      assert.ok(ranges.allocate(ip))
    }
  })
})

describe('verifyIpForAllocation', () => {
  it('IpAddressAlreadyAllocated like error-port-ip-in-use.json', () => {
    const want = reference('error-port-ip-in-use.json').NeutronError
    const subnetId = '7c758585-94b9-4013-8197-12282f5c81d2'
    assert.throws(
      () => verifyIpForAllocation('10.20.0.0/24', '10.20.0.50', (ip) => ip === '10.20.0.50', subnetId),
      (e: unknown) => {
        assert.ok(e instanceof IpamValidationError)
        assert.deepEqual(e.toNeutronError().NeutronError, want)
        assert.equal(e.status, 409)
        return true
      },
    )
  })
  it('InvalidIpForSubnet for the network/broadcast address or outside; any host address is fine', () => {
    const none = () => false
    for (const ip of ['10.20.0.0', '10.20.0.255', '10.21.0.1']) {
      assert.throws(() => verifyIpForAllocation('10.20.0.0/24', ip, none, 's1'), {
        name: 'IpamValidationError',
        message: `IP address ${ip} does not belong to subnet s1`,
      })
    }
    verifyIpForAllocation('10.20.0.0/24', '10.20.0.1', none, 's1')
    verifyIpForAllocation('fd00::/64', 'fd00::', none, 's1')
  })
})

describe('property: allocation stays inside pools and never repeats', () => {
  function randomSubnet(rng: () => number): { cidr: string; version: IpVersion } {
    const version: IpVersion = rng() < 0.5 ? 4 : 6
    const width = version === 4 ? 32 : 128
    const prefixlen = version === 4 ? 8 + Math.floor(rng() * 23) : 64 + Math.floor(rng() * 63)
    const host = randomBits(rng, width)
    return { cidr: `${formatIp(version, host)}/${prefixlen}`, version }
  }

  it('500 random subnets, pools and allocation sequences (seeded)', () => {
    const rng = mulberry32(0xc0ffee)
    for (let round = 0; round < 500; round++) {
      const { cidr, version } = randomSubnet(rng)
      const c = parseCidr(cidr)!
      const first = cidrFirst(c)
      const last = cidrLast(c)
      const gw = rng() < 0.8 ? formatIp(version, randomBetween(rng, first, last)) : null
      const pools = generatePoolRanges(cidr, gw)
      if (gw) for (const p of pools) assert.ok(!(parseIp(gw)!.value >= p.first && parseIp(gw)!.value <= p.last), `${cidr} ${gw}`)
      const inPools = (v: bigint) => pools.some((p) => v >= p.first && v <= p.last)
      const taken = new Set<string>()
      for (let i = 0; i < 10; i++) taken.add(formatIp(version, randomBetween(rng, first, last)))
      const a = AvailabilityRanges.build(pools, taken)
      const total = pools.reduce((n, p) => n + p.last - p.first + 1n, 0n)
      const takenInPools = [...taken].filter((t) => inPools(parseIp(t)!.value)).length
      assert.equal(a.size(), total - BigInt(takenInPools))
      const steps = 40
      for (let i = 0; i < steps; i++) {
        const r = rng()
        if (r < 0.15 && taken.size) {
          const victim = [...taken][Math.floor(rng() * taken.size)]!
          const was = a.isFree(victim)
          const released = a.release(victim)
          assert.equal(released, !was && inPools(parseIp(victim)!.value))
          taken.delete(victim)
          continue
        }
        const before = a.size()
        const got = a.allocateAny({ preferNext: r < 0.5, rng })
        if (got === undefined) {
          assert.equal(before, 0n)
          continue
        }
        const v = parseIp(got)!
        assert.equal(v.version, version)
        assert.ok(inPools(v.value), `${got} outside pools of ${cidr}`)
        assert.ok(!taken.has(got), `${got} handed out twice`)
        assert.notEqual(got, gw)
        assert.equal(a.size(), before - 1n)
        taken.add(got)
      }
      // Free ranges are sorted, disjoint, inside pools and hold no taken address.
      const free = a.freeRanges()
      for (const f of free) {
        assert.ok(inPools(f.first) && inPools(f.last) && f.first <= f.last)
        for (const t of taken) {
          const tv = parseIp(t)!.value
          assert.ok(tv < f.first || tv > f.last, `${t} taken but free`)
        }
      }
    }
  })

  it('exhausts a small pool exactly once per address', () => {
    const rng = mulberry32(42)
    const pools = generatePoolRanges('192.0.2.0/26', '192.0.2.1')
    const a = AvailabilityRanges.build(pools, [])
    const seen = new Set<string>()
    for (;;) {
      const ip = a.allocateAny({ rng })
      if (!ip) break
      assert.ok(!seen.has(ip))
      seen.add(ip)
    }
    assert.equal(seen.size, 61)
  })
})
