import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  canonicalIp,
  cidrContains,
  cidrCovers,
  cidrOverlaps,
  cidrSize,
  formatCidr,
  ipVersionOf,
  normalizeCidr,
  parseCidr,
  parseIp,
} from '../../../src/ipam/index.js'
import { mulberry32, randomBits } from '../../helpers/prng.js'

describe('addresses', () => {
  it('canonical text (RFC 5952 as inet_ntop prints it)', () => {
    assert.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1')
    assert.equal(canonicalIp('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1')
    assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1')
    assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1')
    assert.equal(canonicalIp('::ffff:192.0.2.1'), '::ffff:192.0.2.1')
    assert.equal(canonicalIp('0:0:0:0:0:ffff:c000:201'), '::ffff:192.0.2.1')
    assert.equal(canonicalIp('10.0.0.01'), undefined)
    assert.equal(ipVersionOf('192.0.2.1'), 4)
    assert.equal(ipVersionOf('::'), 6)
    assert.equal(ipVersionOf('x'), undefined)
  })
  it('round-trips random addresses', () => {
    const rng = mulberry32(9)
    for (let i = 0; i < 2000; i++) {
      const v = randomBits(rng, 128) & (rng() < 0.5 ? 0xffff0000ffff0000ffff00000000ffffn : -1n)
      const t = canonicalIp(formatV6(v))!
      assert.equal(canonicalIp(t), t, 'canonical text is a fixed point')
      assert.equal(parseIp(t)!.value, v)
    }
  })
})

function formatV6(v: bigint): string {
  const words: string[] = []
  for (let k = 7; k >= 0; k--) words.push(((v >> BigInt(16 * k)) & 0xffffn).toString(16))
  return words.join(':')
}

describe('CIDRs', () => {
  it('normalises host bits', () => {
    assert.equal(normalizeCidr('10.30.0.5/24'), '10.30.0.0/24')
    assert.equal(normalizeCidr('fd00:20::5/64'), 'fd00:20::/64')
    assert.equal(normalizeCidr('10.0.0.300/24'), undefined)
    assert.equal(parseCidr('10.0.0.0/33'), undefined)
    assert.equal(parseCidr('10.0.0.0'), undefined)
  })
  it('size, containment, overlap', () => {
    const a = parseCidr('10.0.0.0/8')!
    const b = parseCidr('10.20.0.0/16')!
    const c = parseCidr('11.0.0.0/8')!
    const v6 = parseCidr('::/0')!
    assert.equal(cidrSize(a), 1n << 24n)
    assert.equal(cidrSize(v6), 1n << 128n)
    assert.ok(cidrOverlaps(a, b) && cidrOverlaps(b, a) && cidrCovers(a, b) && !cidrCovers(b, a))
    assert.ok(!cidrOverlaps(a, c) && !cidrOverlaps(a, v6))
    assert.ok(cidrContains(a, 4, parseIp('10.255.255.255')!.value))
    assert.ok(!cidrContains(a, 6, parseIp('10.255.255.255')!.value))
    assert.equal(formatCidr(parseCidr('fd00:20::1/64')!), 'fd00:20::/64')
  })
})
