/**
 * subnetpools: neutron_lib/api/definitions/subnetpool.py (+ standard attributes, and address-scope's
 * address_scope_id, always null here). name and prefixes are required on POST; shared can only be
 * set at create; shared and is_default are admin-only to set (create_subnetpool:shared,
 * create_subnetpool:is_default, update_subnetpool:is_default). Pool-level checks (bounds, version,
 * compaction) live in ipam/subnet-alloc.ts.
 */
import {
  type AttrMap,
  toInt,
  validateNonNegative,
  validateNotEmptyString,
  validateUuidOrNone,
} from '../attributes.js'
import { validateSubnetList } from '../../ipam/index.js'
import { boolAttr, optional, readOnly, standardAttrs } from './common.js'

const prefixlenAttr = optional({ convert: toInt, validate: validateNonNegative })

export const SUBNETPOOL_ATTRS: AttrMap = {
  ...standardAttrs,
  // Neutron: 'type:not_empty_string' without a length; the column is 255 wide.
  name: { allowPost: true, allowPut: true, validate: validateNotEmptyString(255), isVisible: true, isFilter: true, isSortKey: true },
  prefixes: { allowPost: true, allowPut: true, validate: validateSubnetList, isVisible: true, isFilter: false, isSortKey: false },
  default_quota: optional({ convert: toInt, validate: validateNonNegative }),
  ip_version: readOnly(),
  default_prefixlen: prefixlenAttr,
  min_prefixlen: prefixlenAttr,
  max_prefixlen: prefixlenAttr,
  // Attribute-map order matters: it is the order of the rules in PolicyNotAuthorized's text.
  is_default: boolAttr(false, { enforcePolicy: true, adminOnlySet: true }),
  shared: boolAttr(false, { allowPut: false, enforcePolicy: true, adminOnlySet: true }),
  address_scope_id: optional({ validate: validateUuidOrNone }),
}
