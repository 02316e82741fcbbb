/**
 * Evaluates a parsed rule against a target (the resource) and credentials (the caller), with
 * oslo.policy's semantics (oslo_policy/_checks.py) and Neutron's two custom checks
 * (neutron/policy.py OwnerCheck and FieldCheck):
 * - `%(key)s` in a match is Python %-interpolation from the target; a missing key fails the check;
 * - values compare as Python's str() renders them (True, False, None);
 * - `tenant_id:%(network:tenant_id)s` reads the target, else asks `resolveParent` for the parent
 *   network's field through the target's `network_id` (`ext_parent:tenant_id` through the
 *   target's `ext_parent_<resource>_id`, as neutron/policy.py OwnerCheck does);
 * - `field:networks:shared=True` reads target.shared, else target['network:shared'], else the
 *   parent network through `resolveParent`; `=~regex` values match from the start.
 *
 * Parents may be resolved lazily: a resolver that has not loaded a parent yet answers UNRESOLVED,
 * and evaluateTri() then answers `undefined` (unknown) unless the rest of the rule decides alone —
 * Kleene logic: `true or ?` is true, `false and ?` is false. The caller loads the parents the
 * resolver was asked for (in one batch for a whole list) and evaluates again.
 */

import type { Check } from './parser.js'

export type Target = Readonly<Record<string, unknown>>

/** The credentials dict (neutron_lib context.to_policy_values()). */
export interface Credentials {
  readonly user_id: string | null
  readonly project_id: string | null
  readonly tenant_id: string | null
  readonly roles: readonly string[]
  readonly is_admin: boolean
  readonly is_advsvc?: boolean
  readonly [key: string]: unknown
}

/** Answer of a ParentResolver that has not loaded that parent yet (see evaluateTri). */
export const UNRESOLVED: unique symbol = Symbol('unresolved')

/**
 * Looks up `field` of the parent `resource` (singular, e.g. 'network') with id `id`: the value,
 * undefined when there is no such parent or field, or UNRESOLVED when not loaded yet.
 */
export type ParentResolver = (resource: string, id: string, field: string) => unknown

export interface EvalEnv {
  /** Named rules; `rule:x` for an unknown x evaluates `defaultRule` (oslo Rules.__missing__). */
  rule(name: string): Check | undefined
  resolveParent?: ParentResolver
  debug?: (msg: string) => void
}

/** Python's str() for the values policy compares. */
export function pyStr(v: unknown): string {
  if (v === true) return 'True'
  if (v === false) return 'False'
  if (v === null || v === undefined) return 'None'
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : pyStr(x))).join(', ')}]`
  return String(v)
}

const MISSING = Symbol('missing')

/** A `%(key)s` template split once: literal text and keys, alternating (cached by text). */
type Template = ReadonlyArray<string | { readonly key: string }>
const TEMPLATES = new Map<string, Template>()

function template(match: string): Template {
  let t = TEMPLATES.get(match)
  if (t === undefined) {
    const parts: Array<string | { key: string }> = []
    let last = 0
    for (const m of match.matchAll(/%\(([^)]*)\)s|%%/g)) {
      if (m.index! > last) parts.push(match.slice(last, m.index))
      parts.push(m[0] === '%%' ? '%' : { key: m[1]! })
      last = m.index! + m[0].length
    }
    if (last < match.length) parts.push(match.slice(last))
    t = parts
    if (TEMPLATES.size < 10_000) TEMPLATES.set(match, t)
  }
  return t
}

/** `match % target`; MISSING when a referenced key is absent (Python raises KeyError). */
function interpolate(match: string, target: Target): string | typeof MISSING {
  if (!match.includes('%')) return match
  let out = ''
  for (const p of template(match)) {
    if (typeof p === 'string') out += p
    else if (!(p.key in target)) return MISSING
    else out += pyStr(target[p.key])
  }
  return out
}

/** The caller's roles, lower-cased once per credentials object (roles compare case-insensitively). */
const LOWER_ROLES = new WeakMap<Credentials, ReadonlySet<string>>()

function lowerRoles(creds: Credentials): ReadonlySet<string> {
  let s = LOWER_ROLES.get(creds)
  if (s === undefined) LOWER_ROLES.set(creds, (s = new Set(creds.roles.map((r) => r.toLowerCase()))))
  return s
}

/** ast.literal_eval for the literals a check kind can be: True, False, None, numbers, quoted strings. */
function literal(kind: string): { ok: true; value: string } | { ok: false } {
  if (kind === 'True' || kind === 'False' || kind === 'None') return { ok: true, value: kind }
  if (/^-?\d+$/.test(kind)) return { ok: true, value: String(Number(kind)) }
  if (/^-?(\d+\.\d*|\.\d+)$/.test(kind)) return { ok: true, value: String(Number(kind)) }
  const q = /^(['"])(.*)\1$/.exec(kind)
  if (q) return { ok: true, value: q[2]! }
  return { ok: false }
}

/** GenericCheck._find_in_dict: walk creds by dotted path; lists match if any element does. */
function findInDict(value: unknown, path: string[], match: string): boolean {
  if (path.length === 0) return match === pyStr(value)
  if (value === null || typeof value !== 'object') return false
  const [key, ...rest] = path
  if (!(key! in (value as object))) return false
  const next = (value as Record<string, unknown>)[key!]
  if (Array.isArray(next)) return next.some((v) => findInDict(v, rest, match))
  return findInDict(next, rest, match)
}

const BOOLEAN_FIELDS = new Set(['shared', 'router:external', 'admin_state_up', 'port_security_enabled', 'is_default', 'enable_dhcp'])

/** FieldCheck's convert_to for the boolean attributes (neutron_lib converters.convert_to_boolean). */
function fieldValue(field: string, raw: string): unknown {
  if (!BOOLEAN_FIELDS.has(field)) return raw
  const l = raw.toLowerCase()
  if (l === 'true' || l === '1') return true
  if (l === 'false' || l === '0') return false
  return raw
}

/** oslo's check: true when `check` passes; an unresolved parent counts as a failure. */
export function evaluate(check: Check, target: Target, creds: Credentials, env: EvalEnv): boolean {
  return evaluateTri(check, target, creds, env) === true
}

/** Three-valued check: true, false, or undefined when it depends on a parent not resolved yet. */
export function evaluateTri(check: Check, target: Target, creds: Credentials, env: EvalEnv, depth = 0): boolean | undefined {
  if (depth > 50) return false // a rule that refers to itself: fail closed rather than overflow
  switch (check.kind) {
    case 'true':
      return true
    case 'false':
      return false
    case 'not': {
      const r = evaluateTri(check.rule, target, creds, env, depth + 1)
      return r === undefined ? undefined : !r
    }
    case 'and': {
      let unknown = false
      for (const r of check.rules) {
        const v = evaluateTri(r, target, creds, env, depth + 1)
        if (v === false) return false
        if (v === undefined) unknown = true
      }
      return unknown ? undefined : true
    }
    case 'or': {
      let unknown = false
      for (const r of check.rules) {
        const v = evaluateTri(r, target, creds, env, depth + 1)
        if (v === true) return true
        if (v === undefined) unknown = true
      }
      return unknown ? undefined : false
    }
    case 'rule': {
      const r = env.rule(check.match)
      return r ? evaluateTri(r, target, creds, env, depth + 1) : false
    }
    case 'role': {
      const m = interpolate(check.match, target)
      if (m === MISSING) return false
      return lowerRoles(creds).has(m.toLowerCase())
    }
    case 'generic': {
      const m = interpolate(check.match, target)
      if (m === MISSING) return false
      const lit = literal(check.key)
      if (lit.ok) return m === lit.value
      return findInDict(creds, check.key.split('.'), m)
    }
    case 'owner':
      return ownerCheck(check, target, creds, env)
    case 'field':
      return fieldCheck(check, target, env)
  }
}

/**
 * Whether a check's outcome depends only on the credentials (no `%(…)s` from the target, no
 * owner or field check), following `rule:` references; such a check can be evaluated once per
 * request instead of once per item. A reference `rule` cannot resolve evaluates false, a constant.
 */
export function targetIndependent(check: Check, rule: (name: string) => Check | undefined, depth = 0): boolean {
  if (depth > 50) return false
  switch (check.kind) {
    case 'true':
    case 'false':
      return true
    case 'not':
      return targetIndependent(check.rule, rule, depth + 1)
    case 'and':
    case 'or':
      return check.rules.every((r) => targetIndependent(r, rule, depth + 1))
    case 'rule': {
      const r = rule(check.match)
      return r ? targetIndependent(r, rule, depth + 1) : true
    }
    case 'role':
    case 'generic':
      return !check.match.includes('%(')
    case 'owner':
    case 'field':
      return false
  }
}

function ownerCheck(check: Extract<Check, { kind: 'owner' }>, target: Target, creds: Credentials, env: EvalEnv): boolean | undefined {
  let t = target
  const f = check.targetField
  if (f !== null && !(f in target)) {
    // `network:tenant_id` (or the old `network_tenant_id`): the owner of the parent resource.
    const sep = f.includes(':') ? ':' : f.includes('_') ? '_' : null
    if (!sep) return false
    const i = f.indexOf(sep)
    let parent = f.slice(0, i)
    const field = f.slice(i + 1)
    let fkName = `${parent}_id`
    if (parent === 'ext_parent') {
      // Sub-resources of extensions name their parent `ext_parent_<resource>_id` (e.g. a port
      // forwarding's ext_parent_floatingip_id): the first such key in the target.
      const k = Object.keys(target).find((x) => /^ext_parent_.+_id$/.test(x))
      if (k === undefined) return false
      fkName = k
      parent = k.slice('ext_parent_'.length, -'_id'.length)
    }
    const fk = target[fkName]
    if (typeof fk !== 'string' || !env.resolveParent) {
      env.debug?.(`policy: cannot resolve ${f} (no ${fkName} in target or no resolver)`)
      return false
    }
    const v = env.resolveParent(parent, fk, field)
    if (v === UNRESOLVED) return undefined
    if (v === undefined) return false
    t = { ...target, [f]: v }
  }
  const m = interpolate(check.match, t)
  if (m === MISSING) return false
  return 'tenant_id' in creds && m === pyStr(creds.tenant_id)
}

function fieldCheck(check: Extract<Check, { kind: 'field' }>, target: Target, env: EvalEnv): boolean | undefined {
  let actual: unknown = target[check.field]
  if (!(check.field in target) && check.resource === 'networks' && check.field === 'shared') {
    // A port or subnet target has no `shared`: use its network's (neutron/policy.py FieldCheck).
    if ('network:shared' in target) actual = target['network:shared']
    else if (typeof target.network_id === 'string' && env.resolveParent) actual = env.resolveParent('network', target.network_id, 'shared')
    if (actual === UNRESOLVED) return undefined
  }
  if (actual === undefined || actual === null) return false
  if (check.value.startsWith('~')) {
    if (typeof actual !== 'string') return false
    try {
      return new RegExp(`^(?:${check.value.slice(1)})`).test(actual)
    } catch {
      return false
    }
  }
  const want = fieldValue(check.field, check.value)
  return actual === want
}
