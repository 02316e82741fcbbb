/**
 * The library against netaddr 0.8.0 (Neutron Zed's version), input by input.
 * Vectors: fixtures/netaddr-vectors.json, made by fixtures/gen-netaddr-vectors.py.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  checkGatewayInvalidInSubnet,
  checkSubnetIp,
  convertCidrToCanonicalFormat,
  formatIpv6,
  generatePools,
  ipv6AddrByEui64,
  isLoopbackCidr,
  isMulticastCidr,
  IpamValidationError,
  parseIp,
  parseNetaddrNetwork,
  sanitizeMacAddress,
  validateIpAddress,
  validateMacAddress,
  validateRouteCidr,
  validateSubnet,
} from '../../../src/ipam/index.js'
import { fixture } from './fixtures.js'

type Ok<T> = { ok: T } | { err: string }
interface Vectors {
  format_v6: [string, string][]
  parse_ip: [string, Ok<[number, string]>][]
  validate_ip_address: [string, string | null][]
  convert_cidr: [string, string | null][]
  validate_subnet: [string, string | null][]
  validate_route_cidr: [string, string | null][]
  net_flags: [string, [boolean, boolean]][]
  generate_pools: [string, string | null, [string, string][]][]
  check_subnet_ip: [string, string, string, boolean][]
  gateway_invalid: [string, string, boolean][]
  validate_mac: [string, string | null][]
  sanitize_mac: [string, string][]
  eui64: [string, string, string][]
}
const V = fixture<Vectors>('netaddr-vectors.json')

function mismatches<T>(rows: T[], check: (row: T) => string | undefined): string[] {
  const bad: string[] = []
  for (const r of rows) {
    const m = check(r)
    if (m !== undefined) bad.push(m)
  }
  return bad.slice(0, 10)
}

describe('netaddr 0.8.0 vectors', () => {
  it(`formats IPv6 like inet_ntop (${V.format_v6.length})`, () => {
    assert.deepEqual(
      mismatches(V.format_v6, ([hex, want]) => {
        const got = formatIpv6(BigInt(hex))
        return got === want ? undefined : `${hex}: ${got} != ${want}`
      }),
      [],
    )
  })

  it(`parses addresses like inet_pton (${V.parse_ip.length})`, () => {
    assert.deepEqual(
      mismatches(V.parse_ip, ([text, want]) => {
        const got = parseIp(text)
        const w = 'ok' in want ? `${want.ok[0]}/${BigInt(want.ok[1])}` : 'err'
        const g = got ? `${got.version}/${got.value}` : 'err'
        return g === w ? undefined : `${JSON.stringify(text)}: ${g} != ${w}`
      }),
      [],
    )
  })

  it(`validate_ip_address (${V.validate_ip_address.length})`, () => {
    assert.deepEqual(
      mismatches(V.validate_ip_address, ([text, want]) => {
        const got = validateIpAddress(text) ?? null
        return got === want ? undefined : `${JSON.stringify(text)}: ${got} != ${want}`
      }),
      [],
    )
  })

  it(`convert_cidr_to_canonical_format (${V.convert_cidr.length})`, () => {
    assert.deepEqual(
      mismatches(V.convert_cidr, ([text, want]) => {
        let got: string | null
        try {
          got = convertCidrToCanonicalFormat(text)
        } catch (e) {
          assert.ok(e instanceof IpamValidationError)
          assert.equal(e.message, `Invalid input for operation: ${text} is not in a CIDR format.`)
          got = null
        }
        return got === want ? undefined : `${JSON.stringify(text)}: ${got} != ${want}`
      }),
      [],
    )
  })

  it(`validate_subnet and validate_route_cidr (${V.validate_subnet.length} each)`, () => {
    const check = (f: (d: unknown) => string | undefined) => ([text, want]: [string, string | null]) => {
      const got = f(text) ?? null
      return got === want ? undefined : `${JSON.stringify(text)}: ${got} != ${want}`
    }
    assert.deepEqual(mismatches(V.validate_subnet, check(validateSubnet)), [])
    assert.deepEqual(mismatches(V.validate_route_cidr, check(validateRouteCidr)), [])
  })

  it(`is_multicast / is_loopback of networks (${V.net_flags.length})`, () => {
    assert.deepEqual(
      mismatches(V.net_flags, ([text, [mc, lo]]) => {
        const n = parseNetaddrNetwork(text)!
        const got = [isMulticastCidr(n), isLoopbackCidr(n)]
        return got[0] === mc && got[1] === lo ? undefined : `${text}: ${got} != ${[mc, lo]}`
      }),
      [],
    )
  })

  it(`generate_pools (${V.generate_pools.length})`, () => {
    assert.deepEqual(
      mismatches(V.generate_pools, ([c, gw, want]) => {
        const got = generatePools(c, gw).map((p) => [p.start, p.end])
        return JSON.stringify(got) === JSON.stringify(want) ? undefined : `${c} gw ${gw}: ${JSON.stringify(got)}`
      }),
      [],
    )
  })

  it(`check_subnet_ip and check_gateway_invalid_in_subnet (${V.check_subnet_ip.length + V.gateway_invalid.length})`, () => {
    assert.deepEqual(
      mismatches(V.check_subnet_ip, ([c, a, owner, want]) =>
        checkSubnetIp(c, a, owner) === want ? undefined : `${c} ${a} '${owner}' != ${want}`,
      ),
      [],
    )
    assert.deepEqual(
      mismatches(V.gateway_invalid, ([c, gw, want]) =>
        checkGatewayInvalidInSubnet(c, gw) === want ? undefined : `${c} ${gw} != ${want}`,
      ),
      [],
    )
  })

  it(`MAC validation and sanitising (${V.validate_mac.length * 2})`, () => {
    assert.deepEqual(
      mismatches(V.validate_mac, ([m, want]) => {
        const got = validateMacAddress(m) ?? null
        return got === want ? undefined : `${JSON.stringify(m)}: ${got} != ${want}`
      }),
      [],
    )
    assert.deepEqual(
      mismatches(V.sanitize_mac, ([m, want]) => {
        const got = sanitizeMacAddress(m)
        return got === want ? undefined : `${JSON.stringify(m)}: ${got} != ${want}`
      }),
      [],
    )
  })

  it(`EUI-64 addresses (${V.eui64.length})`, () => {
    assert.deepEqual(
      mismatches(V.eui64, ([p, m, want]) => {
        const got = ipv6AddrByEui64(p, m)
        return got === want ? undefined : `${p} ${m}: ${got} != ${want}`
      }),
      [],
    )
  })
})
