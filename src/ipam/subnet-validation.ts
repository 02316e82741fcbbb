/**
 * Subnet-level checks done by the DB plugin after the attribute validators
 * (neutron/db/db_base_plugin_v2.py _validate_subnet, _validate_ip_version, _validate_host_route;
 * ipam_backend_mixin._validate_subnet_cidr). All throw IpamValidationError.
 * Not here (they need the DB): GatewayIpInUse on update, subnet-pool affinity, segments.
 */
import {
  cidr as toCidr,
  cidrOverlaps,
  cidrFirst,
  formatCidr,
  isLoopbackCidr,
  isMulticastCidr,
  parseCidr,
  parseNetaddrNetwork,
  type Cidr,
} from './cidr.js'
import { IpamValidationError, invalidInput, messages } from './errors.js'
import { validateIpv6Attributes, validateIpv6UpdateDhcp } from './eui64.js'
import { parseIp, type IpVersion } from './ip-address.js'
import { checkGatewayInvalidInSubnet } from './pools.js'
import { pyStr } from './py-repr.js'

/** Neutron's [DEFAULT] max_dns_nameservers and max_subnet_host_routes defaults. */
export const DEFAULT_MAX_DNS_NAMESERVERS = 5
export const DEFAULT_MAX_SUBNET_HOST_ROUTES = 20

/** The provisional prefix of IPv6 prefix-delegation subnets, exempt from overlap checks. */
export const PROVISIONAL_IPV6_PD_PREFIX = '::/64'

/**
 * The cidr as create_subnet stores it: host bits cleared ('10.30.0.5/24' → '10.30.0.0/24').
 * Expects the converter's output (convertCidrToCanonicalFormat).
 */
export function normalizeSubnetCidr(cidrText: string): string {
  return formatCidr(toCidr(cidrText))
}

/** _validate_ip_version: "<name> '<addr>' does not match the ip_version '<v>'". */
export function validateIpVersion(ipVersion: IpVersion, addr: string, name: string): void {
  const net = parseNetaddrNetwork(addr)
  if (!net || net.version !== ipVersion) {
    throw invalidInput(`${name} '${addr}' does not match the ip_version '${ipVersion}'`)
  }
}

export interface HostRoute {
  destination: string
  nexthop: string
}

export interface SubnetSpec {
  ip_version: IpVersion
  /** Normalised cidr; absent/null for subnet-pool requests. */
  cidr?: string | null
  enable_dhcp?: boolean
  /** undefined = not specified, null = no gateway. */
  gateway_ip?: string | null
  dns_nameservers?: string[] | null
  host_routes?: HostRoute[] | null
  ipv6_ra_mode?: string | null
  ipv6_address_mode?: string | null
  /** Subnet id on update; messages say 'new subnet' without it. */
  id?: string
}

export interface ValidateSubnetOptions {
  maxDnsNameservers?: number
  maxSubnetHostRoutes?: number
  /** The stored subnet, on update. */
  current?: { enable_dhcp: boolean; ipv6_ra_mode?: string | null; ipv6_address_mode?: string | null }
}

const isSet = (v: unknown) => v !== undefined && v !== null

/** _validate_subnet, in Neutron's order of checks. */
export function validateSubnetSpec(s: SubnetSpec, opts: ValidateSubnetOptions = {}): void {
  const ipVer = s.ip_version
  const hasCidr = isSet(s.cidr)
  if (hasCidr) validateIpVersion(ipVer, s.cidr!, 'cidr')

  const dhcpWasEnabled = opts.current?.enable_dhcp ?? false
  if (hasCidr && s.enable_dhcp && !dhcpWasEnabled) {
    const net = toCidr(s.cidr!)
    if ((ipVer === 4 && net.prefixlen > 30) || (ipVer === 6 && net.prefixlen > 126)) {
      throw invalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled')
    }
    if (isMulticastCidr(net)) throw invalidInput('Multicast IP subnet is not supported if enable_dhcp is True')
    if (isLoopbackCidr(net)) throw invalidInput('Loopback IP subnet is not supported if enable_dhcp is True')
    if (ipVer === 4 && cidrFirst(net) === 0n) {
      throw invalidInput("First IP '0.0.0.0' of network is not supported if enable_dhcp is True.")
    }
  }

  if (s.gateway_ip) {
    validateIpVersion(ipVer, s.gateway_ip, 'gateway_ip')
    if (hasCidr && checkGatewayInvalidInSubnet(s.cidr!, s.gateway_ip)) {
      throw invalidInput('Gateway is not valid on subnet')
    }
  }

  const subnetId = s.id ?? 'new subnet'
  if (isSet(s.dns_nameservers)) {
    const max = opts.maxDnsNameservers ?? DEFAULT_MAX_DNS_NAMESERVERS
    if (s.dns_nameservers!.length > max) {
      throw new IpamValidationError('DNSNameServersExhausted', messages.dnsNameServersExhausted(subnetId, max))
    }
    for (const dns of s.dns_nameservers!) {
      if (typeof dns !== 'string' || !parseIp(dns)) {
        throw invalidInput(`Error parsing dns address ${pyStr(dns)}`)
      }
      validateIpVersion(ipVer, dns, 'dns_nameserver')
    }
  }

  if (isSet(s.host_routes)) {
    const max = opts.maxSubnetHostRoutes ?? DEFAULT_MAX_SUBNET_HOST_ROUTES
    if (s.host_routes!.length > max) {
      throw new IpamValidationError('HostRoutesExhausted', messages.hostRoutesExhausted(subnetId, max))
    }
    for (const rt of s.host_routes!) validateHostRoute(rt, ipVer)
  }

  if (ipVer === 4) {
    if (isSet(s.ipv6_ra_mode)) throw invalidInput('ipv6_ra_mode is not valid when ip_version is 4')
    if (isSet(s.ipv6_address_mode)) throw invalidInput('ipv6_address_mode is not valid when ip_version is 4')
  } else if (opts.current) {
    validateIpv6UpdateDhcp(s, opts.current)
  } else {
    validateIpv6Attributes({ ...s, cidr: hasCidr ? s.cidr : undefined })
  }
}

/** _validate_host_route: both ends parse ("Invalid route: <dict>"), both of the subnet's family. */
export function validateHostRoute(route: HostRoute, ipVersion: IpVersion): void {
  const dest = typeof route.destination === 'string' ? parseNetaddrNetwork(route.destination) : undefined
  const hop = typeof route.nexthop === 'string' ? parseIp(route.nexthop) : undefined
  if (!dest || !hop) throw invalidInput(`Invalid route: ${pyStr(route)}`)
  validateIpVersion(ipVersion, route.nexthop, 'nexthop')
  validateIpVersion(ipVersion, route.destination, 'destination')
}

/**
 * _validate_subnet_cidr: no /0, and no overlap with `existingCidrs` (the network's subnets, or
 * every subnet when allow_overlapping_ips is off). The message does not name the other subnet.
 */
export function validateSubnetCidrOverlap(newCidr: string, networkId: string, existingCidrs: Iterable<string>): void {
  const n = toCidr(newCidr)
  if (n.prefixlen === 0) throw invalidInput(messages.zeroPrefixLength())
  for (const e of existingCidrs) {
    if (e === PROVISIONAL_IPV6_PD_PREFIX) continue
    const c: Cidr | undefined = parseCidr(e) ?? parseNetaddrNetwork(e)
    if (c && cidrOverlaps(c, n)) throw invalidInput(messages.subnetOverlap(newCidr, networkId))
  }
}

/** The overlap message text alone (without the InvalidInput wrapper). */
export function subnetOverlapMessage(cidrText: string, networkId: string): string {
  return messages.subnetOverlap(cidrText, networkId)
}
