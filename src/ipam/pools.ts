/**
 * Allocation pools and gateway placement, as Neutron Zed does them:
 * - generatePools: neutron/ipam/utils.py generate_pools
 * - validateAllocationPools: neutron/db/ipam_backend_mixin.py pools_to_ip_range +
 *   validate_allocation_pools + validate_gw_out_of_pools (= _prepare_allocation_pools)
 * - checkSubnetIp / checkGatewayInvalidInSubnet: neutron/ipam/utils.py
 * - defaultGatewayIp: ipam_backend_mixin._gateway_ip_str
 */
import { cidr as toCidr, cidrFirst, cidrLast, type Cidr } from './cidr.js'
import { IpamValidationError, messages } from './errors.js'
import { formatIp, parseIp, type IpVersion } from './ip-address.js'
import {
  formatRange,
  mergeRanges,
  poolToRange,
  rangeContains,
  rangesOverlap,
  rangeToPool,
  subtractAddress,
  type AllocationPool,
  type IpRange,
} from './ip-range.js'
import { pyRepr } from './py-repr.js'

/** Device owners that may take the IPv6 subnet-router anycast address (neutron_lib ROUTER_PORT_OWNERS). */
export const ROUTER_PORT_OWNERS: readonly string[] = [
  'network:router_interface',
  'network:ha_router_replicated_interface',
  'network:router_interface_distributed',
  'network:router_centralized_snat',
  'network:router_gateway',
]

function asCidr(c: string | Cidr): Cidr {
  return typeof c === 'string' ? toCidr(c) : c
}

/**
 * The addresses a subnet may hand out: IPv4 drops the network and broadcast addresses (not for
 * /31 and /32, RFC 3021), IPv6 drops only the subnet-router anycast address (RFC 4291 §2.6.1;
 * the last address is kept). A single-address subnet keeps its address even when it is the
 * gateway; otherwise the gateway is cut out, splitting the range.
 */
export function generatePoolRanges(subnetCidr: string | Cidr, gatewayIp?: string | null): IpRange[] {
  const c = asCidr(subnetCidr)
  const first = cidrFirst(c)
  const last = cidrLast(c)
  const v = c.version
  if (first === last) return [{ version: v, first, last }]
  let lo = first
  let hi = last
  if (v === 6 || c.prefixlen <= 30) lo = first + 1n
  if (v === 4 && c.prefixlen <= 30) hi = last - 1n
  let ranges: IpRange[] = [{ version: v, first: lo, last: hi }]
  if (gatewayIp) {
    const gw = parseIp(gatewayIp)
    if (gw && gw.version === v) ranges = subtractAddress(ranges, v, gw.value)
  }
  return mergeRanges(ranges)
}

/** generatePoolRanges as the API's `allocation_pools` list. */
export function generatePools(subnetCidr: string | Cidr, gatewayIp?: string | null): AllocationPool[] {
  return generatePoolRanges(subnetCidr, gatewayIp).map(rangeToPool)
}

/** Bounds a pool must stay within (validate_allocation_pools). */
export function poolBounds(c: Cidr): IpRange {
  const first = cidrFirst(c)
  const last = cidrLast(c)
  if (c.version === 6) return { version: 6, first: first + 1n, last }
  if (c.prefixlen <= 30) return { version: 4, first: first + 1n, last: last - 1n }
  return { version: 4, first, last }
}

/** Pool dicts to ranges; InvalidAllocationPool (with the dict as Python prints it) otherwise. */
export function poolsToRanges(pools: readonly AllocationPool[]): IpRange[] {
  return pools.map((p) => {
    const r = poolToRange(p)
    if (!r) throw new IpamValidationError('InvalidAllocationPool', messages.invalidAllocationPool(pyRepr(p)))
    return r
  })
}

/**
 * validate_allocation_pools: every pool of the subnet's family and inside its bounds, then no
 * two pools overlapping (reported in request order). `subnetCidr` is echoed as given.
 */
export function validatePoolRanges(ranges: readonly IpRange[], subnetCidr: string): void {
  const c = toCidr(subnetCidr)
  const bounds = poolBounds(c)
  for (const r of ranges) {
    if (r.version !== c.version) {
      throw new IpamValidationError('InvalidAllocationPool', messages.invalidAllocationPool(formatRange(r)))
    }
    if (r.first < bounds.first || r.last > bounds.last) {
      throw new IpamValidationError(
        'OutOfBoundsAllocationPool',
        messages.outOfBoundsAllocationPool(formatRange(r), subnetCidr),
      )
    }
  }
  for (let l = 0; l < ranges.length; l++) {
    for (let r = l + 1; r < ranges.length; r++) {
      if (rangesOverlap(ranges[l]!, ranges[r]!)) {
        throw new IpamValidationError(
          'OverlappingAllocationPools',
          messages.overlappingAllocationPools(formatRange(ranges[l]!), formatRange(ranges[r]!), subnetCidr),
        )
      }
    }
  }
}

/** validate_gw_out_of_pools: GatewayConflictWithAllocationPools when a pool holds the gateway. */
export function validateGatewayOutOfPools(gatewayIp: string, ranges: readonly IpRange[]): void {
  const gw = parseIp(gatewayIp)
  if (!gw) return
  for (const r of ranges) {
    if (rangeContains(r, gw.version, gw.value)) {
      throw new IpamValidationError(
        'GatewayConflictWithAllocationPools',
        messages.gatewayConflictWithAllocationPools(gatewayIp, formatRange(r)),
      )
    }
  }
}

/**
 * _prepare_allocation_pools: the requested pools validated (or, when none were requested,
 * generated ones). Throws IpamValidationError. Returns ranges in request order.
 */
export function validateAllocationPools(
  pools: readonly AllocationPool[] | undefined | null,
  subnetCidr: string,
  gatewayIp?: string | null,
): IpRange[] {
  if (pools === undefined || pools === null) return generatePoolRanges(subnetCidr, gatewayIp)
  const ranges = poolsToRanges(pools)
  validatePoolRanges(ranges, subnetCidr)
  if (gatewayIp) validateGatewayOutOfPools(gatewayIp, ranges)
  return ranges
}

/**
 * check_subnet_ip: may this address be a fixed IP on the subnet? IPv4: inside, and neither the
 * network nor the broadcast address (/31 and /32 have none). IPv6: inside; the subnet-router anycast address only for
 * router ports or when the owner is unknown ('').
 */
export function checkSubnetIp(subnetCidr: string | Cidr, ipAddress: string, portOwner = ''): boolean {
  const c = asCidr(subnetCidr)
  const a = parseIp(ipAddress)
  if (!a || a.version !== c.version) return false
  const first = cidrFirst(c)
  const last = cidrLast(c)
  const inside = a.value >= first && a.value <= last
  if (c.version === 6) return inside && (portOwner === '' || ROUTER_PORT_OWNERS.includes(portOwner) || a.value !== first)
  // netaddr has no broadcast address for /31 and /32 (RFC 3021), so their last address is usable.
  return inside && a.value !== first && (c.prefixlen > 30 || a.value !== last)
}

/**
 * check_gateway_invalid_in_subnet: true for an IPv4 gateway on the network or broadcast address
 * of its subnet (→ "Gateway is not valid on subnet"). A gateway outside the subnet is allowed.
 */
export function checkGatewayInvalidInSubnet(subnetCidr: string | Cidr, gatewayIp: string): boolean {
  const c = asCidr(subnetCidr)
  const g = parseIp(gatewayIp)
  if (!g || g.version !== c.version || c.version !== 4) return false
  return g.value === cidrFirst(c) || g.value === cidrLast(c)
}

/** The gateway Neutron picks when none is given: IPv4 network+1, IPv6 the network address. */
export function defaultGatewayIp(subnetCidr: string | Cidr): string {
  const c = asCidr(subnetCidr)
  const first = cidrFirst(c)
  return formatIp(c.version, c.version === 6 ? first : first + 1n)
}

/** True when the address lies in one of the ranges. */
export function inPools(ranges: readonly IpRange[], version: IpVersion, value: bigint): boolean {
  return ranges.some((r) => rangeContains(r, version, value))
}
