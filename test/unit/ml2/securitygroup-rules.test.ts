/** Security group rule conversions, checks and duplicate keys (src/ml2/securitygroup-rules.ts), without a server. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  checkRule,
  convertEthertype,
  convertIpPrefix,
  convertPortValue,
  convertProtocol,
  normalizedCidr,
  ruleKey,
  type RuleInput,
} from '../../../src/ml2/securitygroup-rules.js'

const rule = (r: Partial<RuleInput>): RuleInput => ({
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: null,
  port_range_min: null,
  port_range_max: null,
  remote_ip_prefix: null,
  remote_group_id: null,
  security_group_id: 'sg',
  ...r,
})

describe('security group rule converters (neutron/extensions/securitygroup.py)', () => {
  it('converts protocols: names lower-cased, numbers kept as given, others refused', () => {
    assert.equal(convertProtocol(null), null)
    assert.equal(convertProtocol('TCP'), 'tcp')
    assert.equal(convertProtocol('IcmpV6'), 'icmpv6')
    assert.equal(convertProtocol(17), '17')
    assert.equal(convertProtocol('0'), '0')
    assert.equal(convertProtocol('255'), '255')
    for (const bad of ['256', -1, 'bogus', true, {}, []]) {
      assert.throws(() => convertProtocol(bad), (e: any) => e.type === 'SecurityGroupRuleInvalidProtocol')
    }
  })

  it('converts ethertypes case-insensitively', () => {
    assert.equal(convertEthertype('ipv6'), 'IPv6')
    assert.throws(() => convertEthertype('IPv5'), /Security group rule for ethertype 'IPv5' not supported. Allowed values are \['IPv4', 'IPv6'\]./)
    assert.throws(() => convertEthertype(4), /ethertype '4'/)
  })

  it('converts ports 0–65535 as Python int() reads them', () => {
    assert.equal(convertPortValue(null), null)
    assert.equal(convertPortValue('22'), 22)
    assert.equal(convertPortValue(' 22 '), 22)
    assert.equal(convertPortValue(0), 0)
    assert.equal(convertPortValue(65535), 65535)
    for (const bad of [65536, -1, 'x', true]) assert.throws(() => convertPortValue(bad), (e: any) => e.type === 'SecurityGroupInvalidPortValue')
  })

  it('converts prefixes as str(netaddr.IPNetwork()) and normalises them apart', () => {
    assert.equal(convertIpPrefix(null), null)
    assert.equal(convertIpPrefix(''), null)
    assert.equal(convertIpPrefix('192.0.2.5'), '192.0.2.5/32')
    assert.equal(convertIpPrefix('192.0.2.5/24'), '192.0.2.5/24')
    assert.equal(convertIpPrefix('10.1/16'), '10.1.0.0/16', 'partial IPv4, as netaddr 0.8')
    assert.equal(convertIpPrefix('2001:DB8::1/64'), '2001:db8::1/64')
    assert.equal(normalizedCidr('192.0.2.5/24'), '192.0.2.0/24')
    assert.equal(normalizedCidr(null), null)
    for (const bad of ['192.168.1./24', '192.168.1.1/33', 'bad_prefix', '256', 5]) {
      assert.throws(() => convertIpPrefix(bad), (e: any) => e.type === 'InvalidCIDR' && e.message === `Invalid CIDR ${bad} given as IP prefix.`)
    }
  })
})

describe('security group rule checks (_validate_security_group_rule)', () => {
  it('canonicalises IPv6 ICMP and the full port range', () => {
    const a = rule({ ethertype: 'IPv6', protocol: 'icmp' })
    checkRule(a)
    assert.equal(a.protocol, 'ipv6-icmp')
    const b = rule({ ethertype: 'IPv6', protocol: '1' })
    checkRule(b)
    assert.equal(b.protocol, '58')
    const c = rule({ protocol: 'tcp', port_range_min: 1, port_range_max: 65535 })
    checkRule(c)
    assert.deepEqual([c.port_range_min, c.port_range_max], [null, null])
  })

  it('refuses what Neutron refuses, first problem first', () => {
    const cases: Array<[Partial<RuleInput>, string]> = [
      [{ port_range_min: 1, port_range_max: 2 }, 'SecurityGroupProtocolRequiredWithPorts'],
      [{ protocol: 'udp', port_range_min: 0, port_range_max: 2 }, 'SecurityGroupInvalidPortValue'],
      [{ protocol: 'sctp', port_range_min: 9, port_range_max: 2 }, 'SecurityGroupInvalidPortRange'],
      [{ protocol: 'icmp', port_range_max: 2 }, 'SecurityGroupMissingIcmpType'],
      [{ protocol: 'icmp', port_range_min: 256 }, 'SecurityGroupInvalidIcmpValue'],
      [{ protocol: 'vrrp', port_range_min: 1 }, 'SecurityGroupInvalidProtocolForPort'],
      [{ ethertype: 'IPv6', remote_ip_prefix: '192.0.2.0/24' }, 'SecurityGroupRuleParameterConflict'],
      [{ protocol: 'ipv6-frag' }, 'SecurityGroupEthertypeConflictWithProtocol'],
      [{ remote_ip_prefix: '192.0.2.0/24', remote_group_id: 'g' }, 'SecurityGroupMultipleRemoteEntites'],
    ]
    for (const [r, type] of cases) assert.throws(() => checkRule(rule(r)), (e: any) => e.type === type, JSON.stringify(r))
    checkRule(rule({ protocol: 'icmp', port_range_min: 8, port_range_max: 0 }))
    checkRule(rule({ protocol: '6', port_range_min: 22, port_range_max: 22 }))
  })

  it('keys rules as _rule_to_key does', () => {
    assert.equal(ruleKey(rule({ protocol: 'tcp' })), ruleKey(rule({ protocol: '6' })))
    assert.equal(ruleKey(rule({ remote_ip_prefix: '0.0.0.0/0' })), ruleKey(rule({})))
    assert.equal(ruleKey(rule({ ethertype: 'IPv6', protocol: 'icmpv6' })), ruleKey(rule({ ethertype: 'IPv6', protocol: '58' })))
    assert.equal(ruleKey(rule({ protocol: '0' })), ruleKey(rule({ protocol: 'ip' })))
    assert.notEqual(ruleKey(rule({ protocol: 'tcp' })), ruleKey(rule({ protocol: 'udp' })))
    assert.notEqual(ruleKey(rule({ remote_ip_prefix: '10.0.0.5/24' })), ruleKey(rule({ remote_ip_prefix: '10.0.0.0/24' })))
    assert.notEqual(ruleKey(rule({})), ruleKey(rule({ security_group_id: 'other' })))
  })
})
