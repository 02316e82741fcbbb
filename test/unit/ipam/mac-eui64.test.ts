import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  IpamValidationError,
  ipv6AddrByEui64,
  isAutoAddressSubnet,
  isEui64Address,
  normalizeMac,
  randomMac,
  validateIpv6Attributes,
  validateMacAddress,
} from '../../../src/ipam/index.js'
import { mulberry32 } from '../../helpers/prng.js'
import { reference } from './fixtures.js'

describe('EUI-64', () => {
  it('reference ports: the SLAAC address is the EUI-64 of the port MAC on fd00:20::/64', () => {
    const v6 = reference('subnet-create-ipv6-slaac.json').subnet
    for (const f of ['port-create-binding-host.json', 'port-create-fixed-ip.json', 'port-create-plain.json']) {
      const { port } = reference(f)
      const ip = port.fixed_ips.find((x: any) => x.subnet_id === v6.id).ip_address
      assert.equal(ipv6AddrByEui64(v6.cidr, port.mac_address), ip)
      assert.ok(isEui64Address(ip))
    }
    assert.equal(ipv6AddrByEui64('fd00:20::/64', 'fa:16:3e:40:b8:36'), 'fd00:20::f816:3eff:fe40:b836')
  })
  it('flips the universal/local bit both ways', () => {
    assert.equal(ipv6AddrByEui64('2001:db8::/64', '00:01:02:03:04:05'), '2001:db8::201:2ff:fe03:405')
    assert.equal(ipv6AddrByEui64('2001:db8::/64', '02:01:02:03:04:05'), '2001:db8::1:2ff:fe03:405')
  })
  it('rejects IPv4 prefixes and bad input with oslo texts', () => {
    assert.throws(() => ipv6AddrByEui64('10.0.0.1', 'fa:16:3e:00:00:01'), { message: 'Unable to generate IP address by EUI64 for IPv4 prefix' })
    assert.throws(() => ipv6AddrByEui64('fd00::/64', 'nope'), {
      message: 'Bad prefix or mac format for generating IPv6 address by EUI-64: fd00::/64, nope:',
    })
  })
  it('isEui64Address', () => {
    assert.equal(isEui64Address('fd00::1'), false)
    assert.equal(isEui64Address('10.0.0.1'), false)
  })
})

describe('IPv6 modes', () => {
  const ok = (s: object) => validateIpv6Attributes({ enable_dhcp: true, cidr: 'fd00::/64', ...s })
  const fails = (s: object, msg: string) =>
    assert.throws(() => validateIpv6Attributes({ enable_dhcp: true, cidr: 'fd00::/64', ...s }), (e: unknown) => {
      assert.ok(e instanceof IpamValidationError)
      assert.equal(e.type, 'InvalidInput')
      assert.equal(e.message, `Invalid input for operation: ${msg}.`)
      return true
    })
  it('isAutoAddressSubnet: slaac or dhcpv6-stateless in either attribute', () => {
    assert.equal(isAutoAddressSubnet({ ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' }), true)
    assert.equal(isAutoAddressSubnet({ ipv6_ra_mode: null, ipv6_address_mode: 'dhcpv6-stateless' }), true)
    assert.equal(isAutoAddressSubnet({ ipv6_ra_mode: 'dhcpv6-stateful', ipv6_address_mode: 'dhcpv6-stateful' }), false)
    assert.equal(isAutoAddressSubnet({}), false)
  })
  it('accepts matching modes, one mode, none', () => {
    ok({ ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' })
    ok({ ipv6_address_mode: 'dhcpv6-stateful', cidr: 'fd00::/80' })
    ok({})
  })
  it('different modes', () => {
    fails(
      { ipv6_ra_mode: 'slaac', ipv6_address_mode: 'dhcpv6-stateful' },
      "ipv6_ra_mode set to 'slaac' with ipv6_address_mode set to 'dhcpv6-stateful' is not valid. If both attributes are set, they must be the same value",
    )
  })
  it('SLAAC needs a /64', () => {
    fails(
      { ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac', cidr: 'fd00::/80' },
      'Invalid CIDR fd00::/80 for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64',
    )
  })
  it('modes need DHCP enabled', () => {
    fails({ ipv6_address_mode: 'slaac', enable_dhcp: false }, 'ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False')
  })
})

describe('MAC addresses', () => {
  it('validates like neutron-lib (multicast allowed, zero and broadcast not)', () => {
    assert.equal(validateMacAddress('fa:16:3e:40:b8:36'), undefined)
    assert.equal(validateMacAddress('01:00:5e:00:00:01'), undefined)
    assert.equal(validateMacAddress('00:00:00:00:00:00'), "'00:00:00:00:00:00' is not a valid MAC address")
    assert.equal(validateMacAddress('FF:FF:FF:FF:FF:FF'), "'FF:FF:FF:FF:FF:FF' is not a valid MAC address")
    assert.equal(validateMacAddress(null), "'None' is not a valid MAC address")
    assert.equal(validateMacAddress(12), "'12' is not a valid MAC address")
  })
  it('normalises to lower-case colon form', () => {
    assert.equal(normalizeMac('FA-16-3E-0-0-1'), 'fa:16:3e:00:00:01')
    assert.equal(normalizeMac('fa16.3e00.0001'), 'fa:16:3e:00:00:01')
    assert.equal(normalizeMac('zz'), undefined)
  })
  it('randomMac keeps the first three octets, and the fourth unless it is 00', () => {
    const rng = mulberry32(3)
    for (let i = 0; i < 200; i++) {
      const m = randomMac('fa:16:3e:00:00:00', rng)
      assert.match(m, /^fa:16:3e(:[0-9a-f]{2}){3}$/)
      assert.equal(validateMacAddress(m) === undefined || m === 'fa:16:3e:ff:ff:ff', true)
      assert.match(randomMac(['fa', '16', '3e', '4a', '00', '00'], rng), /^fa:16:3e:4a(:[0-9a-f]{2}){2}$/)
    }
    const seen = new Set(Array.from({ length: 100 }, () => randomMac('fa:16:3e:00:00:00', rng)))
    assert.ok(seen.size > 90)
    assert.equal(randomMac('fa:16:3e:00:00:00', () => 0), 'fa:16:3e:00:00:00')
    assert.equal(randomMac('fa:16:3e:00:00:00', () => 0.9999999), 'fa:16:3e:ff:ff:ff')
  })
})
