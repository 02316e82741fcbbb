/** networks: neutron_lib/api/definitions/network.py + provider, multi-provider, external-net, mtu, port-security, AZ. */
import {
  NOT_SPECIFIED,
  type AttrMap,
  toIntOrNull,
  validateListOfStrings,
  validateStringOrNone,
  toInt,
} from '../attributes.js'
import { boolAttr, nameAttr, readOnly, standardAttrs } from './common.js'

const providerAttr = (extra = {}) => ({
  allowPost: true,
  allowPut: true,
  default: NOT_SPECIFIED,
  isVisible: true,
  isFilter: true,
  isSortKey: true,
  adminOnly: true,
  ...extra,
})

export const NETWORK_ATTRS: AttrMap = {
  ...standardAttrs,
  name: nameAttr,
  subnets: readOnly({ isSortKey: false }),
  admin_state_up: boolAttr(true),
  status: readOnly(),
  shared: boolAttr(false, { adminOnlySet: true }),
  mtu: {
    allowPost: true,
    allowPut: true,
    default: NOT_SPECIFIED,
    convert: toInt,
    validate: (v) => (typeof v === 'number' && v >= 68 ? undefined : `'${v}' is too small - must be at least '68'`),
    isVisible: true,
    isFilter: true,
    isSortKey: true,
    // net-mtu-writable: enforce_policy with default 0 (create_network:mtu has no default rule:
    // it evaluates policy_default_rule, admin_or_owner, as in Neutron).
    enforcePolicy: true,
    policyDefault: 0,
  },
  port_security_enabled: boolAttr(true, { enforcePolicy: true }),
  'router:external': boolAttr(false, { adminOnlySet: true }),
  availability_zone_hints: {
    allowPost: true,
    allowPut: false,
    default: [],
    validate: validateListOfStrings(255),
    isVisible: true,
    isFilter: false,
  },
  availability_zones: readOnly({ isFilter: false, isSortKey: false }),
  ipv4_address_scope: readOnly(),
  ipv6_address_scope: readOnly(),
  'provider:network_type': providerAttr({ validate: validateStringOrNone(255) }),
  'provider:physical_network': providerAttr({ validate: validateStringOrNone(64) }),
  'provider:segmentation_id': providerAttr({ convert: toIntOrNull }),
  segments: providerAttr({ isFilter: false, isSortKey: false }),
}
