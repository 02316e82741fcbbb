/**
 * security_groups and security_group_rules: neutron/extensions/securitygroup.py
 * RESOURCE_ATTRIBUTE_MAP + stateful-security-group, security-groups-normalized-cidr and the
 * standard attributes. Rules take no tags and cannot be updated; `shared` (RBAC) is always false.
 * The port's `security_groups` attribute is in port.ts (validateUuidList here).
 */
import { SecurityGroupDefaultAlreadyExists } from '../../common/exceptions.js'
import {
  convertEthertype,
  convertIpPrefix,
  convertPortValue,
  convertProtocol,
  ETHERTYPES,
} from '../../ml2/securitygroup-rules.js'
import { pyStr } from '../../ipam/index.js'
import {
  isUuidLike,
  toBoolean,
  type AttrMap,
  type AttrSpec,
  type Converter,
  type Validator,
  validateString,
  validateValues,
} from '../attributes.js'
import { boolAttr, descriptionAttr, idAttr, nameAttr, projectAttr, readOnly, standardAttrs } from './common.js'

/** validate 'type:name_not_default': a group cannot be named (or renamed) "default", in any case. */
const validateNameNotDefault: Validator = (v) => {
  const msg = validateString(255)(v)
  if (msg) return msg
  if ((v as string).toLowerCase() === 'default') throw new SecurityGroupDefaultAlreadyExists()
  return undefined
}

/** validators.validate_uuid_list: a list, no duplicates, every item a UUID. */
export const validateUuidList: Validator = (v) => {
  if (!Array.isArray(v)) return `'${pyStr(v)}' is not a list`
  const dups = [...new Set(v.filter((x, i) => v.indexOf(x) !== i))]
  if (dups.length) return `Duplicate items in the list: '${dups.map(pyStr).join(', ')}'`
  for (const item of v) if (!isUuidLike(item)) return `'${pyStr(item)}' is not a valid UUID`
  return undefined
}

/** converters.convert_none_to_empty_list. */
export const convertNoneToEmptyList: Converter = (v) => (v === null ? [] : v)

const ruleAttr = (extra: Partial<AttrSpec>): AttrSpec => ({
  allowPost: true,
  allowPut: false,
  isVisible: true,
  isFilter: true,
  isSortKey: true,
  ...extra,
})

export const SECURITY_GROUP_ATTRS: AttrMap = {
  ...standardAttrs,
  name: { ...nameAttr, validate: validateNameNotDefault },
  stateful: boolAttr(true, { isFilter: false, isSortKey: false }),
  shared: readOnly({ convertFilter: toBoolean, isSortKey: false }),
  security_group_rules: readOnly({ isFilter: false, isSortKey: false }),
}

export const SECURITY_GROUP_RULE_ATTRS: AttrMap = {
  id: idAttr,
  project_id: projectAttr,
  tenant_id: projectAttr,
  // 'type:string', not a UUID: an id that is no group's is a SecurityGroupNotFound.
  security_group_id: ruleAttr({ validate: validateString(36) }),
  remote_group_id: ruleAttr({ default: null }),
  direction: ruleAttr({ validate: validateValues(['ingress', 'egress']) }),
  protocol: ruleAttr({ default: null, convert: convertProtocol }),
  port_range_min: ruleAttr({ default: null, convert: convertPortValue }),
  port_range_max: ruleAttr({ default: null, convert: convertPortValue }),
  ethertype: ruleAttr({ default: 'IPv4', convert: convertEthertype, validate: validateValues(ETHERTYPES) }),
  remote_ip_prefix: ruleAttr({ default: null, convert: convertIpPrefix }),
  normalized_cidr: readOnly(),
  description: { ...descriptionAttr, allowPut: false },
  tags: readOnly({ isFilter: false, isSortKey: false }),
  created_at: readOnly(),
  updated_at: readOnly(),
  revision_number: readOnly(),
}
