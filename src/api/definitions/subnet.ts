/** subnets: neutron_lib/api/definitions/subnet.py (+ subnet-service-types). IP-level checks live in the plugin (ipam). */
import {
  NOT_SPECIFIED,
  type AttrMap,
  toBoolean,
  toInt,
  validateListOfStrings,
  validateNonNegative,
  validateUuid,
  validateUuidOrNone,
  validateValues,
} from '../attributes.js'
import { boolAttr, nameAttr, optional, readOnly, standardAttrs } from './common.js'
import { DNS_NAMESERVERS_BOUND, HOST_ROUTES_BOUND } from '../list-bound.js'
import {
  convertCidrToCanonicalFormat,
  convertIpToCanonicalFormat,
  validateHostroutes,
  validateIpAddressOrNone,
  validateIpPools,
  validateNameservers,
  validateSubnetOrNone,
} from '../../ipam/index.js'

export const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'] as const

const modeAttr = optional({
  allowPut: true,
  validate: (v: unknown) => (v === null ? undefined : validateValues(IPV6_MODES)(v)),
})

export const SUBNET_ATTRS: AttrMap = {
  ...standardAttrs,
  name: nameAttr,
  network_id: { allowPost: true, allowPut: false, validate: validateUuid, isVisible: true, isFilter: true, isSortKey: true },
  ip_version: {
    allowPost: true,
    allowPut: false,
    convert: toInt,
    validate: validateValues([4, 6]),
    isVisible: true,
    isFilter: true,
    isSortKey: true,
  },
  cidr: optional({
    allowPut: false,
    convert: (v: unknown) => (v === null ? null : convertCidrToCanonicalFormat(v)),
    validate: validateSubnetOrNone,
  }),
  prefixlen: { allowPost: true, allowPut: false, default: NOT_SPECIFIED, convert: toInt, validate: validateNonNegative, isVisible: false },
  subnetpool_id: optional({ allowPut: false, validate: validateUuidOrNone }),
  use_default_subnetpool: { allowPost: true, allowPut: false, default: false, convert: toBoolean, isVisible: false },
  gateway_ip: optional({ convert: convertIpToCanonicalFormat, validate: validateIpAddressOrNone }),
  allocation_pools: optional({ validate: (v: unknown) => (v === null ? undefined : validateIpPools(v)), isFilter: false, isSortKey: false }),
  dns_nameservers: optional({ maxItems: DNS_NAMESERVERS_BOUND, validate: (v: unknown) => (v === null ? undefined : validateNameservers(v)), isSortKey: false }),
  host_routes: optional({ maxItems: HOST_ROUTES_BOUND, validate: (v: unknown) => (v === null ? undefined : validateHostroutes(v)), isFilter: false, isSortKey: false }),
  enable_dhcp: boolAttr(true),
  ipv6_ra_mode: modeAttr,
  ipv6_address_mode: modeAttr,
  service_types: optional({ validate: validateListOfStrings(255), isSortKey: false }),
  segment_id: optional({ allowPut: true, validate: validateUuidOrNone, isVisible: false, enforcePolicy: true, policyDefault: null }),
  subnet_status: readOnly({ isVisible: false }),
}
