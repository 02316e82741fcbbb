/**
 * Evaluates a parsed rule against a target (the resource) and credentials (the caller), with
 * oslo.policy's semantics (oslo_policy/_checks.py) and Neutron's two custom checks
 * (neutron/policy.py OwnerCheck and FieldCheck):
 * - `%(key)s` in a match is Python %-interpolation from the target; a missing key fails the check;
 * - values compare as Python's str() renders them (True, False, None);
 * - `tenant_id:%(network:tenant_id)s` reads the target, else asks `resolveParent` for the parent
 *   network's field through the target's `network_id`;
 * - `field:networks:shared=True` reads target.shared, else target['network:shared'], else the
 *   parent network through `resolveParent`; `=~regex` values match from the start.
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

/** Looks up `field` of the parent `resource` (singular, e.g. 'network') with id `id`. */
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

/** `match % target`; MISSING when a referenced key is absent (Python raises KeyError). */
function interpolate(match: string, target: Target): string | typeof MISSING {
  let missing = false
  const out = match.replace(/%\(([^)]*)\)s|%%/g, (all, key: string | undefined) => {
    if (all === '%%') return '%'
    if (!(key! in target)) {
      missing = true
      return ''
    }
    return pyStr(target[key!])
  })
  return missing ? MISSING : out
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

export function evaluate(check: Check, target: Target, creds: Credentials, env: EvalEnv, depth = 0): boolean {
  if (depth > 50) return false // a rule that refers to itself: fail closed rather than overflow
  switch (check.kind) {
    case 'true':
      return true
    case 'false':
      return false
    case 'not':
      return !evaluate(check.rule, target, creds, env, depth + 1)
    case 'and':
      return check.rules.every((r) => evaluate(r, target, creds, env, depth + 1))
    case 'or':
      return check.rules.some((r) => evaluate(r, target, creds, env, depth + 1))
    case 'rule': {
      const r = env.rule(check.match)
      return r ? evaluate(r, target, creds, env, depth + 1) : false
    }
    case 'role': {
      const m = interpolate(check.match, target)
      if (m === MISSING) return false
      const want = m.toLowerCase()
      return creds.roles.some((r) => r.toLowerCase() === want)
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

function ownerCheck(check: Extract<Check, { kind: 'owner' }>, target: Target, creds: Credentials, env: EvalEnv): boolean {
  let t = target
  const f = check.targetField
  if (f !== null && !(f in target)) {
    // `network:tenant_id` (or the old `network_tenant_id`): the owner of the parent resource.
    const sep = f.includes(':') ? ':' : f.includes('_') ? '_' : null
    if (!sep) return false
    const i = f.indexOf(sep)
    const parent = f.slice(0, i)
    const field = f.slice(i + 1)
    const fk = target[`${parent}_id`]
    if (typeof fk !== 'string' || !env.resolveParent) {
      env.debug?.(`policy: cannot resolve ${f} (no ${parent}_id in target or no resolver)`)
      return false
    }
    const v = env.resolveParent(parent, fk, field)
    if (v === undefined) return false
    t = { ...target, [f]: v }
  }
  const m = interpolate(check.match, t)
  if (m === MISSING) return false
  return 'tenant_id' in creds && m === pyStr(creds.tenant_id)
}

function fieldCheck(check: Extract<Check, { kind: 'field' }>, target: Target, env: EvalEnv): boolean {
  let actual: unknown = target[check.field]
  if (!(check.field in target) && check.resource === 'networks' && check.field === 'shared') {
    // Subnets carry `shared`; ports do not: use their network's (neutron/policy.py FieldCheck).
    if ('network:shared' in target) actual = target['network:shared']
    else if (typeof target.network_id === 'string' && env.resolveParent) actual = env.resolveParent('network', target.network_id, 'shared')
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
