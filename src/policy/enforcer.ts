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
import { ENFORCED_ATTRIBUTES } from './attributes.js'
import { evaluate, type Credentials, type ParentResolver, type Target } from './checks.js'
import { NEUTRON_DEFAULT_POLICIES, type PolicyDefault } from './defaults.js'
import { andCheck, checkToString, orCheck, parseRule, ruleCheck, type Check } from './parser.js'
import { findPolicyFile, loadPolicyFile, type PolicyRules } from './policy-file.js'

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
  /** Keys of the update body (else target[ATTRIBUTES_TO_UPDATE]); marks the action an update. */
  attributesToUpdate?: readonly string[]
  /** Collection when the action's resource is not `<singular>s`. */
  pluralized?: string
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
    extra: { log?: Logger; resolveParent?: ParentResolver } = {},
  ): PolicyEnforcer {
    const path = findPolicyFile(c.policy_file, configFiles)
    const fileRules = path ? loadPolicyFile(path) : {}
    if (path) extra.log?.info(`policy: ${Object.keys(fileRules).length} rules from ${path}`)
    return new PolicyEnforcer({
      fileRules,
      policyFile: path,
      enforceNewDefaults: c.enforce_new_defaults,
      defaultRule: c.policy_default_rule,
      ...extra,
    })
  }

  /** Re-reads the policy file when its mtime changed (oslo checks on every enforce); true if reloaded. */
  reloadIfChanged(): boolean {
    const f = this.#opts.policyFile
    if (!f) return false
    const m = mtime(f)
    if (m === this.#fileMtime) return false
    this.#fileMtime = m
    this.#load(m < 0 ? {} : loadPolicyFile(f))
    this.#opts.log?.info(`policy: reloaded ${f}`)
    return true
  }

  #load(fileRules: PolicyRules): void {
    const rules = new Map<string, Check>()
    const onError = (rule: string, e: Error) => this.#opts.log?.error(`policy: cannot parse rule "${rule}" (${e.message}); it denies everything`)
    for (const d of this.#opts.defaults ?? NEUTRON_DEFAULT_POLICIES) {
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

  /** oslo Enforcer.enforce(do_raise=False): an action name or a parsed check. */
  enforce(action: string | Check, target: Target, creds: Credentials): boolean {
    const check = typeof action === 'string' ? this.#lookup(action) : action
    if (!check) return false
    return evaluate(check, target, creds, {
      rule: this.#lookup,
      ...(this.#opts.resolveParent ? { resolveParent: this.#opts.resolveParent } : {}),
      debug: (m) => this.#opts.log?.debug(m),
    })
  }

  /** oslo Enforcer.enforce(do_raise=True): throws PolicyDenied. */
  authorize(action: string | Check, target: Target, creds: Credentials): void {
    if (!this.enforce(action, target, creds)) throw new PolicyDenied(typeof action === 'string' ? ruleCheck(action) : action)
  }

  /** `rule:context_is_admin` for these credentials (neutron_lib policy_engine.check_is_admin). */
  isAdmin(creds: Omit<Credentials, 'is_admin'>): boolean {
    return this.enforce('context_is_admin', {}, { ...creds, is_admin: false } as Credentials)
  }

  /** neutron/policy.py _build_match_rule. */
  matchRule(action: string, target: Target, o: NeutronCheckOptions = {}): Check {
    let match: Check = ruleCheck(action)
    const verb = action.split(':', 1)[0]!.split('_')
    if (verb[0] === 'get' || verb[0] === 'delete') return match
    const resource = o.pluralized ?? `${verb.slice(1).join('_')}s`
    const toUpdate = o.attributesToUpdate ?? (Array.isArray(target[ATTRIBUTES_TO_UPDATE]) ? (target[ATTRIBUTES_TO_UPDATE] as string[]) : undefined)
    for (const attr of ENFORCED_ATTRIBUTES[resource] ?? []) {
      if (!explicitlySet(attr.name, attr.default, target, toUpdate)) continue
      let attrRule: Check = ruleCheck(`${action}:${attr.name}`)
      const v = target[attr.name]
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
    if (!this.enforceNewDefaults && ctx.isAdmin) return true
    return this.enforce(this.matchRule(action, target, o), target, credentialsOf(ctx))
  }

  /** neutron.policy.enforce: like check, but throws PolicyDenied naming the whole match rule. */
  authorizeAction(ctx: RequestContext, action: string, target: Target, o: NeutronCheckOptions = {}): void {
    if (!this.enforceNewDefaults && ctx.isAdmin) return
    this.authorize(this.matchRule(action, target, o), target, credentialsOf(ctx))
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
