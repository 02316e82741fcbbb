/**
 * IPv6 SLAAC addresses and the ipv6_ra_mode / ipv6_address_mode rules.
 *
 * - ipv6AddrByEui64: oslo_utils.netutils.get_ipv6_addr_by_EUI64 — modified EUI-64 interface
 *   identifier (RFC 4291 §2.5.1 and appendix A: ff:fe inserted in the middle of the MAC, the
 *   universal/local bit flipped) added to the prefix's first address.
 * - isAutoAddressSubnet / isEui64Address: neutron/common/ipv6_utils.py.
 * - validateIpv6Attributes: db_base_plugin_v2 _validate_ipv6_attributes (create path),
 *   _validate_ipv6_dhcp, _validate_ipv6_combination, _validate_eui64_applicable.
 */
import { cidrFirst, parseNetaddrNetwork } from './cidr.js'
import { invalidInput } from './errors.js'
import { formatIpv6, MAX_IPV6, parseIp, parseIpv4 } from './ip-address.js'
import { parseMac } from './mac.js'

export const IPV6_SLAAC = 'slaac'
export const DHCPV6_STATEFUL = 'dhcpv6-stateful'
export const DHCPV6_STATELESS = 'dhcpv6-stateless'
export const IPV6_MODES: readonly string[] = [DHCPV6_STATEFUL, DHCPV6_STATELESS, IPV6_SLAAC]

/** Modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A). */
export function eui64InterfaceId(mac: bigint): bigint {
  const oui = mac >> 24n
  const nic = mac & 0xffffffn
  return ((oui << 40n) | (0xfffen << 24n) | nic) ^ (1n << 57n)
}

/**
 * The SLAAC address of `mac` on `prefix` ('fd00:20::/64', or a bare address taken as /128).
 * Throws Error with oslo's texts on an IPv4 prefix or a bad prefix/MAC.
 */
export function ipv6AddrByEui64(prefix: string, mac: string): string {
  if (typeof prefix === 'string' && parseIpv4(prefix) !== undefined) {
    throw new Error('Unable to generate IP address by EUI64 for IPv4 prefix')
  }
  const net = parseNetaddrNetwork(prefix)
  const m = parseMac(mac)
  if (!net || net.version !== 6 || m === undefined) {
    throw new Error(`Bad prefix or mac format for generating IPv6 address by EUI-64: ${prefix}, ${mac}:`)
  }
  // oslo computes (first + eui64) ^ (1 << 57): with the flip applied to the sum.
  const eui = ((m >> 24n) << 40n) | (0xfffen << 24n) | (m & 0xffffffn)
  const v = (cidrFirst(net) + eui) ^ (1n << 57n)
  if (v > MAX_IPV6) throw new Error(`Bad prefix or mac format for generating IPv6 address by EUI-64: ${prefix}, ${mac}:`)
  return formatIpv6(v)
}

/** ipv6_utils.is_eui64_address: IPv6 with ff:fe in the middle of the interface identifier. */
export function isEui64Address(address: string): boolean {
  const a = parseIp(address)
  return !!a && a.version === 6 && (a.value & 0xffff000000n) === 0xfffe000000n
}

export interface Ipv6Modes {
  ipv6_ra_mode?: string | null
  ipv6_address_mode?: string | null
}

/** SLAAC or DHCPv6-stateless in either attribute: addresses are EUI-64, not allocated. */
export function isAutoAddressSubnet(subnet: Ipv6Modes): boolean {
  const modes = [IPV6_SLAAC, DHCPV6_STATELESS]
  return modes.includes(subnet.ipv6_address_mode ?? '') || modes.includes(subnet.ipv6_ra_mode ?? '')
}

export interface Ipv6SubnetAttrs extends Ipv6Modes {
  enable_dhcp?: boolean
  /** Already normalised cidr; absent for subnet-pool requests. */
  cidr?: string | null
}

const isSet = (v: unknown) => v !== undefined && v !== null

/** The create-time IPv6 checks; throws IpamValidationError (InvalidInput). */
export function validateIpv6Attributes(subnet: Ipv6SubnetAttrs): void {
  const raSet = isSet(subnet.ipv6_ra_mode)
  const addrSet = isSet(subnet.ipv6_address_mode)
  if ((raSet || addrSet) && !subnet.enable_dhcp) {
    throw invalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False')
  }
  if (raSet && addrSet && subnet.ipv6_ra_mode !== subnet.ipv6_address_mode) {
    throw invalidInput(
      `ipv6_ra_mode set to '${subnet.ipv6_ra_mode}' with ipv6_address_mode set to '${subnet.ipv6_address_mode}' ` +
        'is not valid. If both attributes are set, they must be the same value',
    )
  }
  if (isSet(subnet.cidr) && (raSet || addrSet) && isAutoAddressSubnet(subnet)) {
    const net = parseNetaddrNetwork(subnet.cidr!)
    if (!net || net.prefixlen !== 64) {
      throw invalidInput(
        `Invalid CIDR ${subnet.cidr} for IPv6 address mode. OpenStack uses the EUI-64 address format, ` +
          'which requires the prefix to be /64',
      )
    }
  }
}

/** _validate_ipv6_update_dhcp: enable_dhcp cannot go False while a mode is (or stays) set. */
export function validateIpv6UpdateDhcp(update: Ipv6SubnetAttrs, current: Ipv6Modes): void {
  if ('enable_dhcp' in update && !update.enable_dhcp) {
    if (isSet(update.ipv6_ra_mode) || isSet(update.ipv6_address_mode) || isSet(current.ipv6_ra_mode) || isSet(current.ipv6_address_mode)) {
      throw invalidInput('Cannot disable enable_dhcp with ipv6 attributes set')
    }
  }
}
