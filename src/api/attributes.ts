/**
 * Declarative resource attribute maps (neutron_lib/api/definitions): one table per resource drives
 * request validation, defaults, conversion, visibility, filtering and sorting.
 * Semantics follow neutron_lib/api/attributes.py:
 *  - unknown keys → HTTPBadRequest "Unrecognized attribute(s) 'a, b'";
 *  - a POST attribute without default and not given → "Failed to parse request. Required attribute 'x' not specified";
 *  - `convert` failures are InvalidInput (400) with the converter's text;
 *  - `validate` failures → HTTPBadRequest "Invalid input for x. Reason: <msg>."
 */
import { httpBadRequest, InvalidInput } from '../common/exceptions.js'
import { checkListBound, DEFAULT_LIST_LIMITS, type ListBound, type ListLimits } from './list-bound.js'

export type Validator = (value: unknown) => string | undefined
export type Converter = (value: unknown) => unknown

export interface AttrSpec {
  allowPost: boolean
  allowPut: boolean
  /** A default makes the attribute optional on POST; a function computes it per request. */
  default?: unknown | ((body: Record<string, unknown>) => unknown)
  convert?: Converter
  validate?: Validator
  isVisible: boolean
  isFilter?: boolean
  isSortKey?: boolean
  /**
   * Neutron's `enforce_policy`: setting it adds `rule:<action>:<attr>` to the request's policy
   * check (src/api/policy.ts), named in PolicyNotAuthorized; the rules themselves are policy.
   */
  enforcePolicy?: boolean
  /**
   * enforcePolicy, and when the policy defaults have no `get_/create_/update_<resource>:<attr>`
   * rule, one is registered as `rule:admin_only` (provider:*, binding:*): only admins set or see it.
   */
  adminOnly?: boolean
  /** Like adminOnly for create/update only: everyone may see it (router:external). */
  adminOnlySet?: boolean
  /**
   * The default Neutron's _is_attribute_explicitly_set compares with, when neutron-lib's differs
   * from `default` (binding:host_id: NOT_SPECIFIED there, '' here, so an explicit '' counts as set).
   */
  policyDefault?: unknown
  /** Keys of a dict-valued attribute each adding `rule:<action>:<attr>:<key>` when present. */
  policySubAttributes?: readonly string[]
  /** Filter conversion for query strings (defaults to `convert`). */
  convertFilter?: Converter
  /** A list-valued attribute's size bound, checked before `convert`/`validate` (src/api/list-bound.ts). */
  maxItems?: ListBound
}

export type AttrMap = Readonly<Record<string, AttrSpec>>

export { NOT_SPECIFIED } from '../common/not-specified.js'

// ---- converters (neutron_lib/api/converters.py) ------------------------------------------------
export const toBoolean: Converter = (v) => {
  if (typeof v === 'boolean') return v
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1
  if (typeof v === 'string') {
    const s = v.toLowerCase()
    if (s === 'true' || s === '1') return true
    if (s === 'false' || s === '0') return false
  }
  throw new InvalidInput(`'${pyRepr(v)}' cannot be converted to boolean`)
}

export const toInt: Converter = (v) => {
  if (typeof v === 'number' && Number.isInteger(v)) return v
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v)
  throw new InvalidInput(`'${pyRepr(v)}' is not an integer`)
}

export const toIntOrNull: Converter = (v) => (v === null ? null : toInt(v))

export const toListOfStrings: Converter = (v) => {
  if (v === null || v === undefined) return []
  if (Array.isArray(v)) return v
  return [v]
}

/** Python-ish repr of a value inside error texts, as Neutron prints them. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return v
  if (v === null) return 'None'
  if (v === true) return 'True'
  if (v === false) return 'False'
  return JSON.stringify(v)
}

// ---- validators (neutron_lib/api/validators) ----------------------------------------------------
export function validateString(maxLen?: number): Validator {
  return (v) => {
    if (typeof v !== 'string') return `'${pyRepr(v)}' is not a valid string`
    if (maxLen !== undefined && v.length > maxLen) return `'${v}' exceeds maximum length of ${maxLen}`
    return undefined
  }
}

export function validateStringOrNone(maxLen?: number): Validator {
  const s = validateString(maxLen)
  return (v) => (v === null ? undefined : s(v))
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i
export const isUuidLike = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v)

export const validateUuid: Validator = (v) => (isUuidLike(v) ? undefined : `'${pyRepr(v)}' is not a valid UUID`)
export const validateUuidOrNone: Validator = (v) => (v === null ? undefined : validateUuid(v))

export function validateValues(values: readonly unknown[]): Validator {
  return (v) => (values.includes(v) ? undefined : `${pyRepr(v)} is not in valid_values`)
}

export const validateDict: Validator = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : `'${pyRepr(v)}' is not a dictionary`

export const validateDictOrNone: Validator = (v) => (v === null ? undefined : validateDict(v))

export const validateListOfStrings = (maxLen?: number): Validator => (v) => {
  if (!Array.isArray(v)) return `'${pyRepr(v)}' is not a list`
  const s = validateString(maxLen)
  for (const item of v) {
    const m = s(item)
    if (m) return m
  }
  return undefined
}

/**
 * Applies an attribute map to a POST or PUT body (neutron api/v2/base.py prepare_request_body):
 * rejects unknown/read-only attributes, fills defaults on POST, converts and validates values.
 * `isAdmin` gates admin-only attributes (403 is raised by the policy layer; here we only convert).
 * List bounds (`maxItems`) are checked for every attribute before any value is converted or
 * validated, so an oversized list costs O(1) (issue 15); `id` names the resource in their errors
 * on update.
 */
export function prepareRequestBody(
  map: AttrMap,
  body: Record<string, unknown>,
  isCreate: boolean,
  limits: ListLimits = DEFAULT_LIST_LIMITS,
  id?: string,
): Record<string, unknown> {
  const unknown = Object.keys(body).filter((k) => !Object.hasOwn(map, k))
  if (unknown.length) throw httpBadRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`)
  for (const [name, spec] of Object.entries(map)) {
    if (spec.maxItems && Object.hasOwn(body, name)) checkListBound(spec.maxItems, body[name], limits, id)
  }
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(map)) {
    const given = Object.hasOwn(body, name)
    if (isCreate) {
      if (given && !spec.allowPost) throw httpBadRequest(`Attribute '${name}' not allowed in POST`)
      if (!given) {
        if (!spec.allowPost) continue
        if (!('default' in spec)) {
          throw httpBadRequest(`Failed to parse request. Required attribute '${name}' not specified`)
        }
        const d = spec.default
        out[name] = typeof d === 'function' ? (d as (b: Record<string, unknown>) => unknown)(body) : d
        continue
      }
    } else {
      if (!given) continue
      if (!spec.allowPut) throw httpBadRequest(`Cannot update read-only attribute ${name}`)
    }
    let value = body[name]
    if (spec.convert) value = spec.convert(value)
    if (spec.validate) {
      const msg = spec.validate(value)
      if (msg) throw httpBadRequest(`Invalid input for ${name}. Reason: ${msg}.`)
    }
    out[name] = value
  }
  return out
}

/** validators.validate_list_of_unique_strings (tags). */
export const validateListOfUniqueStrings = (maxLen?: number): Validator => (v) => {
  const m = validateListOfStrings(maxLen)(v)
  if (m) return m
  const seen = new Set<string>()
  const dups = new Set<string>()
  for (const x of v as string[]) (seen.has(x) ? dups : seen).add(x)
  return dups.size ? `Duplicate items in the list: '${[...dups].join(', ')}'` : undefined
}

/** validators.validate_not_empty_string: a string with something other than blanks. */
export const validateNotEmptyString = (maxLen?: number): Validator => (v) => {
  const m = validateString(maxLen)(v)
  if (m) return m
  return (v as string).trim() ? undefined : `'${v}' Blank strings are not permitted`
}

/** validators.validate_non_negative (after convert_to_int): "'-1' should be non-negative". */
export const validateNonNegative: Validator = (v) => {
  if (typeof v !== 'number' || !Number.isInteger(v)) return `'${pyRepr(v)}' is not an integer`
  return v < 0 ? `'${v}' should be non-negative` : undefined
}
