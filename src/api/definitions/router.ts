/**
 * routers: neutron_lib/api/definitions/l3.py + l3_ext_gw_mode.py (external_gateway_info with
 * enable_snat) + extraroute.py (routes). Policy checks each gateway sub-attribute given
 * (`create_router:external_gateway_info:enable_snat` and `…:external_fixed_ips` are admin-only in
 * Neutron Zed's defaults, src/policy/defaults.ts).
 */
import { NOT_SPECIFIED, toBoolean, type AttrMap, type Validator } from '../attributes.js'
import { isUuidLike, pyRepr, pyStr, validateFixedIps, validateHostroutes } from '../../ipam/index.js'
import { boolAttr, nameAttr, readOnly, standardAttrs } from './common.js'
import { ROUTES_BOUND } from '../list-bound.js'

const GW_SPEC = ['network_id', 'enable_snat', 'external_fixed_ips'] as const

/** Python's repr of a set of key names (order as CPython happens to print small sets: sorted here). */
const pySet = (keys: string[]) => (keys.length ? `{${[...new Set(keys)].sort().map((k) => pyRepr(k)).join(', ')}}` : 'set()')

/**
 * validators.validate_dict_or_nodata with the gateway's key specs: null or {} is "no data"; else a
 * dict holding network_id (a UUID), optionally enable_snat (converted to a boolean) and
 * external_fixed_ips (validate_fixed_ips), nothing else. Converts enable_snat in place.
 */
export const validateGatewayInfo: Validator = (v) => {
  // Python truthiness: None, '', 0, False, [] and {} are all "no data".
  if (!v || (typeof v === 'object' && Object.keys(v).length === 0)) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) return `'${pyStr(v)}' is not a dictionary`
  const d = v as Record<string, unknown>
  if (!('network_id' in d)) {
    return `Validation of dictionary's keys failed. Expected keys: ${pySet(['network_id'])} Provided keys: ${pySet(Object.keys(d))}`
  }
  const unexpected = Object.keys(d).filter((k) => !(GW_SPEC as readonly string[]).includes(k))
  if (unexpected.length) return `Unexpected keys supplied: ${unexpected.join(', ')}`
  if (!isUuidLike(d.network_id)) return `'${pyStr(d.network_id)}' is not a valid UUID`
  if ('enable_snat' in d) d.enable_snat = toBoolean(d.enable_snat)
  if ('external_fixed_ips' in d) return validateFixedIps(d.external_fixed_ips)
  return undefined
}

export const ROUTER_ATTRS: AttrMap = {
  ...standardAttrs,
  name: nameAttr,
  admin_state_up: boolAttr(true),
  status: readOnly({ isFilter: false }),
  external_gateway_info: {
    allowPost: true,
    allowPut: true,
    default: null,
    validate: validateGatewayInfo,
    isVisible: true,
    isFilter: false,
    isSortKey: false,
    enforcePolicy: true,
    policySubAttributes: GW_SPEC,
  },
  routes: {
    allowPost: false,
    allowPut: true,
    default: NOT_SPECIFIED,
    maxItems: ROUTES_BOUND,
    convert: (v) => (v === null ? [] : v),
    validate: validateHostroutes,
    isVisible: true,
    isFilter: false,
    isSortKey: false,
  },
}
