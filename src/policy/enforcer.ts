/**
 * The policy enforcer: oslo.policy's Enforcer (rules = registered defaults overridden by the
 * policy file; deprecated defaults OR-ed in while enforce_new_defaults is off; unknown rules fall
 * back to `default`) plus the Neutron layer of neutron/policy.py and the pecan policy hook:
 * - the match rule of a create/update is `rule:<action>` AND-ed with `rule:<action>:<attr>` for
 *   each enforced attribute the body sets, and `rule:<action>:<attr>:<key>` for the keys of
 *   list-of-dict attributes (fixed_ips, allowed_address_pairs);
 * - with enforce_new_defaults off an admin context passes without evaluating anything (Zed);
 * - GET responses drop attributes whose `get_<resource>:<attr>` rule fails.
 * A denial raises PolicyDenied, a PolicyNotAuthorized whose message is oslo's
 * `<str(rule)> is disallowed by policy`, e.g. "(rule:create_network and
 * rule:create_network:shared) is disallowed by policy".
 */
import { statSync } from 'node:fs'
import type { RequestContext } from '../common/context.js'
import { PolicyNotAuthorized } from '../common/exceptions.js'
import type { Logger } from '../common/log.js'
import { NOT_SPECIFIED } from '../common/not-specified.js'
import { ENFORCED_ATTRIBUTES, type EnforcedAttribute } from './attributes.js'
import { evaluateTri, targetIndependent, type Credentials, type EvalEnv, type ParentResolver, type Target } from './checks.js'
import { NEUTRON_DEFAULT_POLICIES, type PolicyDefault } from './defaults.js'
import { andCheck, checkToString, orCheck, parseRule, ruleCheck, type Check } from './parser.js'
import { findPolicyFile, loadPolicyFile, PolicyFileError, validatePolicyRules, type PolicyRules } from './policy-file.js'

/** neutron_lib.constants.ATTRIBUTES_TO_UPDATE: the keys of an update body, set in the target. */
export const ATTRIBUTES_TO_UPDATE = 'attributes_to_update'

export class PolicyDenied extends PolicyNotAuthorized {
  readonly rule: string
  constructor(rule: Check) {
    super('')
    this.rule = checkToString(rule)
    this.message = `${this.rule} is disallowed by policy`
  }
}

export interface PolicyEnforcerOptions {
  defaults?: readonly PolicyDefault[]
  /** Rules from the policy file (override the defaults of the same name; others are added). */
  fileRules?: PolicyRules
  /** [oslo_policy] enforce_new_defaults (false in Zed). */
  enforceNewDefaults?: boolean
  /** [oslo_policy] policy_default_rule. */
  defaultRule?: string
  log?: Logger
  /** Resolves `network:tenant_id` / `networks:shared` of a port or subnet's network. */
  resolveParent?: ParentResolver
  /** File the rules came from, for reloadIfChanged(). */
  policyFile?: string | null
}

export interface NeutronCheckOptions {
  /**
   * Keys of the update body; marks the action an update: only these attributes are checked.
   * Without it target[ATTRIBUTES_TO_UPDATE] is used the way Neutron does (`if
   * target.get(ATTRIBUTES_TO_UPDATE)`): an empty list there means create semantics.
   */
  attributesToUpdate?: readonly string[]
  /** Collection when the action's resource is not `<singular>s`. */
  pluralized?: string
  /** The resource's policy-enforced attributes (else ENFORCED_ATTRIBUTES[collection]). */
  enforced?: readonly EnforcedAttribute[]
  /** Resolves parents for this call (else the enforcer's resolveParent). */
  resolveParent?: ParentResolver
}

/** neutron_lib context.to_policy_values() for a request context. */
export function credentialsOf(ctx: RequestContext): Credentials {
  const c = ctx as RequestContext & { userDomainId?: string | null; projectDomainId?: string | null }
  return {
    user_id: ctx.userId,
    project_id: ctx.projectId,
    tenant_id: ctx.projectId,
    roles: ctx.roles,
    is_admin: ctx.isAdmin,
    is_advsvc: ctx.roles.some((r) => r.toLowerCase() === 'advsvc'),
    user_domain_id: c.userDomainId ?? null,
    project_domain_id: c.projectDomainId ?? null,
    system_scope: null,
    domain_id: null,
  }
}

export class PolicyEnforcer {
  #rules = new Map<string, Check>()
  #fileMtime = -1
  readonly #opts: PolicyEnforcerOptions
  readonly enforceNewDefaults: boolean
  readonly defaultRule: string

  constructor(opts: PolicyEnforcerOptions = {}) {
    this.#opts = opts
    this.enforceNewDefaults = opts.enforceNewDefaults ?? false
    this.defaultRule = opts.defaultRule ?? 'default'
    this.#load(opts.fileRules ?? {})
    if (opts.policyFile) this.#fileMtime = mtime(opts.policyFile)
  }

  /**
   * From `[oslo_policy]`: finds policy_file next to the config files (or in /etc/neutron), loads
   * it when present. A present but broken file throws (the server must not start on it).
   */
  static fromConfig(
    c: { policy_file: string; enforce_new_defaults: boolean; policy_default_rule: string },
    configFiles: readonly string[],
    extra: { log?: Logger; resolveParent?: ParentResolver; configDirs?: readonly string[]; defaults?: readonly PolicyDefault[] } = {},
  ): PolicyEnforcer {
    const path = findPolicyFile(c.policy_file, configFiles, undefined, extra.configDirs)
    const fileRules = path ? loadPolicyFile(path) : {}
    if (path) {
      for (const w of validatePolicyRules(fileRules, path, extra.defaults ?? NEUTRON_DEFAULT_POLICIES)) extra.log?.warn(w)
      extra.log?.info(`policy: ${Object.keys(fileRules).length} rules from ${path}`)
    }
    const { configDirs: _dirs, ...rest } = extra
    return new PolicyEnforcer({
      fileRules,
      policyFile: path,
      enforceNewDefaults: c.enforce_new_defaults,
      defaultRule: c.policy_default_rule,
      ...rest,
    })
  }

  /**
   * Re-reads the policy file when its mtime changed (oslo checks on every enforce); true if
   * reloaded. A file that became invalid is not applied: the rules in force stay, with an error
   * logged (a server never starts on a bad file, and never drops to a half-read one).
   */
  reloadIfChanged(): boolean {
    const f = this.#opts.policyFile
    if (!f) return false
    const m = mtime(f)
    if (m === this.#fileMtime) return false
    this.#fileMtime = m
    let rules: PolicyRules = {}
    if (m >= 0) {
      try {
        rules = loadPolicyFile(f)
        for (const w of validatePolicyRules(rules, f, this.#defaults())) this.#opts.log?.warn(w)
      } catch (e) {
        if (!(e instanceof PolicyFileError)) throw e
        this.#opts.log?.error(`policy: not reloaded, keeping the rules in force: ${e.message}`)
        return false
      }
    }
    this.#load(rules)
    this.#opts.log?.info(`policy: reloaded ${f}`)
    return true
  }

  #fileRules: PolicyRules = {}
  #extraDefaults: PolicyDefault[] = []
  #independent = new Map<string, boolean>()

  #defaults(): readonly PolicyDefault[] {
    const base = this.#opts.defaults ?? NEUTRON_DEFAULT_POLICIES
    return this.#extraDefaults.length ? [...base, ...this.#extraDefaults] : base
  }

  /**
   * oslo Enforcer.register_defaults for rules a resource needs but the defaults lack (e.g. the
   * admin-only attributes an attribute map declares): a name already registered is kept.
   */
  registerDefaults(defaults: readonly PolicyDefault[]): void {
    const known = new Set(this.#defaults().map((d) => d.name))
    const fresh = defaults.filter((d) => !known.has(d.name) && (known.add(d.name), true))
    if (!fresh.length) return
    this.#extraDefaults.push(...fresh)
    this.#load(this.#fileRules)
  }

  /** Changes whenever the rules do (reload, registerDefaults): caches keyed on rules check it. */
  generation = 0

  #load(fileRules: PolicyRules): void {
    this.generation++
    this.#fileRules = fileRules
    this.#independent = new Map()
    const rules = new Map<string, Check>()
    const onError = (rule: string, e: Error) => this.#opts.log?.error(`policy: cannot parse rule "${rule}" (${e.message}); it denies everything`)
    for (const d of this.#defaults()) {
      if (d.name in fileRules) continue
      const check = parseRule(d.checkStr, onError)
      if (!this.enforceNewDefaults && d.deprecatedCheckStr !== undefined && d.deprecatedCheckStr !== d.checkStr) {
        rules.set(d.name, orCheck(check, parseRule(d.deprecatedCheckStr, onError)))
      } else rules.set(d.name, check)
    }
    for (const [name, r] of Object.entries(fileRules)) rules.set(name, parseRule(r, onError))
    this.#rules = rules
  }

  hasRule(name: string): boolean {
    return this.#rules.has(name)
  }

  /** The effective rule of a name, as oslo would print it. */
  ruleString(name: string): string | undefined {
    const r = this.#rules.get(name)
    return r ? checkToString(r) : undefined
  }

  /** oslo Rules[name]: the rule, else the default rule, else nothing (deny). */
  #lookup = (name: string): Check | undefined => this.#rules.get(name) ?? (name === this.defaultRule ? undefined : this.#rules.get(this.defaultRule))

  /** The rule an action evaluates (its own, else the default rule); undefined denies. */
  lookup(name: string): Check | undefined {
    return this.#lookup(name)
  }

  /** An evaluation environment to reuse across many evaluateTri() calls (one per request). */
  env(resolveParent?: ParentResolver): EvalEnv {
    return this.#env(resolveParent)
  }

  /** oslo Enforcer.enforce(do_raise=False): an action name or a parsed check. */
  enforce(action: string | Check, target: Target, creds: Credentials, resolveParent?: ParentResolver): boolean {
    return this.enforceTri(action, target, creds, resolveParent) === true
  }

  /** enforce() in three values: undefined while a parent the rule needs is UNRESOLVED. */
  enforceTri(action: string | Check, target: Target, creds: Credentials, resolveParent?: ParentResolver): boolean | undefined {
    const check = typeof action === 'string' ? this.#lookup(action) : action
    if (!check) return false
    return evaluateTri(check, target, creds, this.#env(resolveParent))
  }

  #env(resolveParent: ParentResolver | undefined): EvalEnv {
    const r = resolveParent ?? this.#opts.resolveParent
    const log = this.#opts.log
    return { rule: this.#lookup, ...(r ? { resolveParent: r } : {}), ...(log ? { debug: (m: string) => log.debug(m) } : {}) }
  }

  /**
   * Whether the rule `name` (after `rule:` references and the default-rule fallback) depends on
   * nothing but the credentials, so that one evaluation per request decides it for every item.
   */
  isTargetIndependent(name: string): boolean {
    let v = this.#independent.get(name)
    if (v === undefined) {
      const r = this.#lookup(name)
      v = r ? targetIndependent(r, this.#lookup) : true
      this.#independent.set(name, v)
    }
    return v
  }

  /** oslo Enforcer.enforce(do_raise=True): throws PolicyDenied. */
  authorize(action: string | Check, target: Target, creds: Credentials): void {
    if (!this.enforce(action, target, creds)) throw new PolicyDenied(typeof action === 'string' ? ruleCheck(action) : action)
  }

  /**
   * `rule:context_is_admin` for these credentials (neutron_lib policy_engine.check_is_admin, which
   * passes the credentials as the target too). False when the rule is not defined at all.
   */
  isAdmin(creds: Omit<Credentials, 'is_admin'>): boolean {
    if (!this.#rules.has('context_is_admin')) return false
    const c = { ...creds, is_admin: false } as Credentials
    return this.enforce('context_is_admin', c, c)
  }

  /** `rule:context_is_advsvc` (neutron_lib policy_engine.check_is_advsvc). */
  isAdvsvc(creds: Credentials): boolean {
    if (!this.#rules.has('context_is_advsvc')) return false
    return this.enforce('context_is_advsvc', creds, creds)
  }

  /** Neutron's shortcut: with enforce_new_defaults off an admin context passes every check. */
  bypasses(ctx: RequestContext): boolean {
    return !this.enforceNewDefaults && ctx.isAdmin
  }

  /** neutron/policy.py _build_match_rule. */
  matchRule(action: string, target: Target, o: NeutronCheckOptions = {}): Check {
    let match: Check = ruleCheck(action)
    const verb = action.split(':', 1)[0]!.split('_')
    if (verb[0] === 'get' || verb[0] === 'delete') return match
    const resource = o.pluralized ?? `${verb.slice(1).join('_')}s`
    const inTarget = target[ATTRIBUTES_TO_UPDATE]
    const toUpdate = o.attributesToUpdate ?? (Array.isArray(inTarget) && inTarget.length > 0 ? (inTarget as readonly string[]) : undefined)
    for (const attr of o.enforced ?? ENFORCED_ATTRIBUTES[resource] ?? []) {
      if (!explicitlySet(attr.name, attr.default, target, toUpdate)) continue
      let attrRule: Check = ruleCheck(`${action}:${attr.name}`)
      const v = target[attr.name]
      if (attr.subAttributes && v !== null && typeof v === 'object' && !Array.isArray(v)) {
        // A dict with a declared schema: its known keys (neutron _build_subattr_match_rule).
        const keys = attr.subAttributes.filter((k) => k in (v as object))
        attrRule = andCheck(attrRule, andCheck(...keys.map((k) => ruleCheck(`${action}:${attr.name}:${k}`))))
      }
      if (Array.isArray(v)) {
        const subs: Check[] = []
        for (const item of v) {
          if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
            for (const k of Object.keys(item)) subs.push(ruleCheck(`${action}:${attr.name}:${k}`))
          }
        }
        if (subs.length) attrRule = andCheck(attrRule, andCheck(...subs))
      }
      match = andCheck(match, attrRule)
    }
    return match
  }

  /** neutron.policy.check: may the context do `action` on `target` (attributes included)? */
  check(ctx: RequestContext, action: string, target: Target, o: NeutronCheckOptions = {}): boolean {
    return this.checkTri(ctx, action, target, o) === true
  }

  /** check() in three values (undefined while a parent is UNRESOLVED); `creds` saves rebuilding them. */
  checkTri(ctx: RequestContext, action: string, target: Target, o: NeutronCheckOptions = {}, creds?: Credentials): boolean | undefined {
    if (this.bypasses(ctx)) return true
    return this.enforceTri(this.matchRule(action, target, o), target, creds ?? credentialsOf(ctx), o.resolveParent)
  }

  /** neutron.policy.enforce: like check, but throws PolicyDenied naming the whole match rule. */
  authorizeAction(ctx: RequestContext, action: string, target: Target, o: NeutronCheckOptions = {}): void {
    if (this.bypasses(ctx)) return
    const rule = this.matchRule(action, target, o)
    if (!this.enforce(rule, target, credentialsOf(ctx), o.resolveParent)) throw new PolicyDenied(rule)
  }

  /**
   * The attributes of a resource dict the context may not see (pecan policy hook
   * _exclude_attributes_by_policy): those with a `get_<resource>:<attr>` rule that fails.
   * `resource` is singular ('port').
   */
  hiddenAttributes(ctx: RequestContext, resource: string, item: Target): string[] {
    if (!this.enforceNewDefaults && ctx.isAdmin) return []
    const creds = credentialsOf(ctx)
    const hidden: string[] = []
    for (const attr of Object.keys(item)) {
      if (attr === 'project_id') continue
      const action = `get_${resource}:${attr}`
      if (!this.#rules.has(action)) continue
      if (!this.enforce(action, item, creds)) {
        hidden.push(attr)
        if (attr === 'tenant_id') hidden.push('project_id')
      }
    }
    return hidden
  }

  /** A copy of `item` without the hidden attributes. */
  filterAttributes<T extends Record<string, unknown>>(ctx: RequestContext, resource: string, item: T): Partial<T> {
    const hidden = this.hiddenAttributes(ctx, resource, item)
    if (hidden.length === 0) return item
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(item)) if (!hidden.includes(k)) out[k] = item[k]
    return out as Partial<T>
  }
}

/** neutron/policy.py _is_attribute_explicitly_set. */
function explicitlySet(name: string, dflt: unknown, target: Target, toUpdate: readonly string[] | undefined): boolean {
  const v = target[name]
  const given = name in target && v !== NOT_SPECIFIED && v !== undefined
  if (toUpdate) return toUpdate.includes(name) && given
  if (!given) return false
  if (dflt !== NOT_SPECIFIED) return !sameValue(v, dflt)
  return true
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return -1
  }
}
