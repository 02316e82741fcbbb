import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parsePrefix, type Prefix } from '../../../src/dataplane/addr.js'
import type { SecurityGroupRule } from '../../../src/dataplane/desired-state.js'
import { canonicalMatch, matchText } from '../../../src/dataplane/flow.js'
import { portMasks, ruleMatches, validateRule } from '../../../src/dataplane/sg-rule-match.js'

const members: Record<string, string[]> = { g1: ['203.0.113.5', '203.0.113.6', '2001:db8::5'], empty: [] }
const groupPrefixes = (id: string, fam: 4 | 6): Prefix[] => (members[id] ?? []).map((a) => parsePrefix(a)!).filter((p) => p.family === fam)
const text = (r: Partial<SecurityGroupRule>) =>
  ruleMatches({ id: 'r', direction: 'ingress', ethertype: 'IPv4', ...r }, groupPrefixes).map((m) => matchText({ match: canonicalMatch(m) }))

/** Every port in lo..hi is covered exactly once, and nothing outside. */
function covers(masks: string[], lo: number, hi: number): boolean {
  const hit = new Array(65536).fill(0)
  for (const m of masks) {
    const [v, k] = m.includes('/') ? m.split('/').map(Number) as [number, number] : [Number(m), 0xffff]
    for (let p = 0; p < 65536; p++) if ((p & k) === v) hit[p]++
  }
  return hit.every((n, p) => n === (p >= lo && p <= hi ? 1 : 0))
}

describe('security group rule -> flow matches', () => {
  it('TCP port ranges become exact value/mask covers', () => {
    assert.deepEqual(portMasks(22, 22), ['22'])
    assert.deepEqual(portMasks(8080, 8081), ['0x1f90/0xfffe'])
    for (const [lo, hi] of [[1, 1023], [1000, 1999], [5000, 5001], [1024, 65535], [3, 65534]] as const) {
      assert.ok(covers(portMasks(lo, hi), lo, hi), `${lo}-${hi}`)
    }
    assert.deepEqual(text({ protocol: 'tcp', portRangeMin: 1, portRangeMax: 65535 }), ['dl_type=0x0800,nw_proto=6'])
  })

  it('direction picks the remote field; 0.0.0.0/0 matches anything', () => {
    assert.deepEqual(text({ protocol: 'udp', portRangeMin: 53, portRangeMax: 53, remoteIpPrefix: '192.0.2.0/24' }), ['dl_type=0x0800,nw_proto=17,nw_src=192.0.2.0/24,tp_dst=53'])
    assert.deepEqual(text({ direction: 'egress', remoteIpPrefix: '192.0.2.7/32' }), ['dl_type=0x0800,nw_dst=192.0.2.7'])
    assert.deepEqual(text({ remoteIpPrefix: '0.0.0.0/0' }), ['dl_type=0x0800'])
    assert.deepEqual(text({ ethertype: 'IPv6', direction: 'egress', remoteIpPrefix: '2001:DB8:0:0::1/64' }), ['dl_type=0x86dd,ipv6_dst=2001:db8::/64'])
  })

  it('ICMP: min is the type, max the code; ICMP in an IPv6 rule is ICMPv6', () => {
    assert.deepEqual(text({ protocol: 'icmp', portRangeMin: 8, portRangeMax: 0 }), ['dl_type=0x0800,nw_proto=1,icmp_type=8,icmp_code=0'])
    assert.deepEqual(text({ protocol: 'icmp' }), ['dl_type=0x0800,nw_proto=1'])
    assert.deepEqual(text({ ethertype: 'IPv6', protocol: 'icmp', portRangeMin: 128 }), ['dl_type=0x86dd,nw_proto=58,icmpv6_type=128'])
    assert.deepEqual(text({ ethertype: 'IPv6', protocol: 'ipv6-icmp' }), ['dl_type=0x86dd,nw_proto=58'])
    assert.deepEqual(text({ protocol: '132' }), ['dl_type=0x0800,nw_proto=132'])
  })

  it('a remote group expands to its members of the rule ethertype (cross product with ports)', () => {
    assert.deepEqual(text({ protocol: 'tcp', portRangeMin: 80, portRangeMax: 81, remoteGroupId: 'g1' }), [
      'dl_type=0x0800,nw_proto=6,nw_src=203.0.113.5,tp_dst=0x50/0xfffe',
      'dl_type=0x0800,nw_proto=6,nw_src=203.0.113.6,tp_dst=0x50/0xfffe',
    ])
    assert.deepEqual(text({ ethertype: 'IPv6', remoteGroupId: 'g1' }), ['dl_type=0x86dd,ipv6_src=2001:db8::5'])
    assert.deepEqual(text({ remoteGroupId: 'empty' }), [], 'an empty group admits nobody')
  })

  it('bad rules are refused with a message naming the rule', () => {
    const v = (r: Partial<SecurityGroupRule>) => () => validateRule({ id: 'bad', direction: 'ingress', ethertype: 'IPv4', ...r }, (id) => id === 'g1', 'sg')
    assert.throws(v({ protocol: 'tcp', portRangeMin: 90, portRangeMax: 80 }), /rule bad: port range 90-80/)
    assert.throws(v({ protocol: 'tcp', portRangeMin: 80 }), /needs both ends/)
    assert.throws(v({ protocol: 'bogus' }), /protocol bogus is not known/)
    assert.throws(v({ protocol: '300' }), /protocol 300/)
    assert.throws(v({ protocol: 'icmpv6' }), /ICMPv6 in an IPv4 rule/)
    assert.throws(v({ protocol: 'icmp', portRangeMin: 256 }), /ICMP type 256/)
    assert.throws(v({ portRangeMin: 1, portRangeMax: 2 }), /needs protocol/)
    assert.throws(v({ remoteIpPrefix: '2001:db8::/32' }), /does not match ethertype IPv4/)
    assert.throws(v({ remoteIpPrefix: '192.0.2.0/33' }), /does not parse/)
    assert.throws(v({ remoteGroupId: 'nope' }), /unknown remote group nope/)
    assert.throws(v({ remoteGroupId: 'g1', remoteIpPrefix: '192.0.2.0/24' }), /exclusive/)
    assert.throws(v({ direction: 'sideways' as 'ingress' }), /direction sideways/)
  })
})
