/**
 * Policy enforcement for the API, as Neutron Zed's pecan policy hooks do it
 * (neutron/pecan_wsgi/hooks/policy_enforcement.py, ownership_validation.py; neutron/policy.py),
 * through the oslo.policy engine of src/policy — so a policy file overrides any rule:
 *
 * - POST: after body validation, ports and subnets on a network that is neither the caller's nor
 *   shared are refused (403 HTTPForbidden "Tenant … not allowed to create port on this network";
 *   404 when the caller cannot see the network); then `create_<resource>` AND-ed with the rules
 *   of the enforced attributes the body explicitly sets → 403 PolicyNotAuthorized.
 * - PUT / DELETE: the resource as the caller may see it (404 from the plugin otherwise), merged
 *   with the body, `attributes_to_update` = the body's keys; `update_/delete_<resource>` denied →
 *   404 "The resource could not be found." when `get_<resource>` is denied too (Neutron hides
 *   existence), else 403 PolicyNotAuthorized.
 * - GET: a shown item the caller may not `get_<resource>` → 404; items of a list are dropped.
 *   Every response (GET, POST, PUT) loses the attributes whose `get_<resource>:<attr>` rule fails.
 * - With `[oslo_policy] enforce_new_defaults = false` (Zed) an admin context skips all of it.
 *
 * The plugin still scopes its SQL like Neutron's model_query (non-admins: own resources, shared
 * and external networks): policy can restrict that view, not widen it.
 *
 * Rules that name a parent (`tenant_id:%(network:tenant_id)s`, `field:networks:shared=True` on a
 * port or subnet) resolve it lazily: the check runs without it, and only when the rest of the rule
 * cannot decide are the parents it asked for loaded — in one batch for a whole list — and the
 * check is run again. Rules that depend only on the caller (`get_port:binding:host_id` =
 * `rule:admin_only`) are evaluated once per request, not once per item.
 */
import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '../common/context.js'
import { httpBadRequest, httpForbidden, httpNotFound } from '../common/exceptions.js'
import type { Logger } from '../common/log.js'
import { NOT_SPECIFIED } from '../common/not-specified.js'
import {
  ATTRIBUTES_TO_UPDATE,
  credentialsOf,
  evaluateTri,
  PolicyDenied,
  UNRESOLVED,
  type Credentials,
  type EnforcedAttribute,
  type EvalEnv,
  type NeutronCheckOptions,
  type ParentResolver,
  type PolicyDefault,
  type PolicyEnforcer,
  type Target,
  type Check,
} from '../policy/index.js'
import type { AttrMap } from './attributes.js'
import type { NoAuthContext } from './auth-noauth.js'
import type { Authenticator } from '../auth/authenticator.js'

type Dict = Record<string, any>

/**
 * neutron_lib AttributeInfo.populate_project_id + populate_project_info, run on the raw POST body
 * before anything else (so these 400s win over unknown attributes, as in Neutron).
 */
export function checkProjectOnCreate(ctx: RequestContext, raw: Record<string, unknown>): void {
  const t = raw.tenant_id
  const p = raw.project_id
  if (t !== undefined && p !== undefined && t !== p) throw httpBadRequest("'project_id' and 'tenant_id' do not match")
  const named = t !== undefined ? t : p
  if (named !== undefined && named !== ctx.projectId && !ctx.isAdmin) {
    throw httpBadRequest(
      "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges",
    )
  }
  if (named === undefined && !ctx.isAdmin && (ctx as NoAuthContext).projectFromHeader) {
    throw httpBadRequest('Running without keystone AuthN requires that tenant_id is specified')
  }
}

/** What a request does to a resource's tags: its policy action is `<verb>_<collection>_tags`. */
export type TagVerb = 'get' | 'update' | 'delete'

/** Admin-view dicts of parent resources by id (at least tenant_id; networks also shared). */
export type ParentLoader = (ids: readonly string[]) => Promise<ReadonlyMap<string, Dict>>

export interface ApiPolicyOptions {
  /** Loaders by singular parent name, for `%(network:tenant_id)s` and `networks:shared` checks. */
  parents?: Readonly<Record<string, ParentLoader>>
  /**
   * The network as `ctx` may see it (its NotFound otherwise), with tenant_id and shared: Neutron's
   * OwnershipValidationHook for POST of ports and subnets. Without it that check is skipped.
   */
  visibleNetwork?: (ctx: RequestContext, id: string) => Promise<Dict>
  /** Milliseconds between two checks of the policy file's mtime (0: never reload). */
  reloadIntervalMs?: number
  now?: () => number
  log?: Logger
}

/** The policy of one API server: the enforcer, parent loaders, policy-file reloads. */
export class ApiPolicy {
  #nextReload = 0

  constructor(
    readonly enforcer: PolicyEnforcer,
    readonly opts: ApiPolicyOptions = {},
  ) {}

  /** The policy of one resource, from its names and attribute map. */
  forResource(resource: string, collection: string, map: AttrMap): ResourcePolicy {
    return new ResourcePolicy(this, resource, collection, map)
  }

  /**
   * Wraps an authenticator: reloads a changed policy file (at most every reloadIntervalMs) and
   * decides `isAdmin` by the `context_is_admin` rule, as neutron_lib's Context does — so
   * `context_is_admin: "role:admin or role:cloud_admin"` makes cloud admins admins. The noauth
   * request without any project header stays an admin request (Neutrino's noauth convention).
   */
  authenticator(inner: Authenticator): Authenticator {
    return {
      authenticate: async (req: IncomingMessage, requestId: string) => {
        this.maybeReload()
        const ctx = await inner.authenticate(req, requestId)
        if (ctx.isDefaultProject) return ctx
        const isAdmin = this.enforcer.isAdmin(credentialsOf(ctx))
        return isAdmin === ctx.isAdmin ? ctx : { ...ctx, isAdmin }
      },
    }
  }

  maybeReload(): void {
    const every = this.opts.reloadIntervalMs ?? 1000
    if (every <= 0) return
    const now = (this.opts.now ?? Date.now)()
    if (now < this.#nextReload) return
    this.#nextReload = now + every
    this.enforcer.reloadIfChanged()
  }
}

/** Neutron's per-resource policy: action names, enforced attributes, attribute visibility. */
export class ResourcePolicy {
  readonly enforced: readonly EnforcedAttribute[]
  /** Attributes whose neutron-lib default differs from the map's (binding:host_id): that default. */
  readonly policyDefaults: ReadonlyMap<string, unknown>
  readonly #check: NeutronCheckOptions
  /** Attribute plans by credentials (they depend on nothing else), for the rules' generation. */
  #plans = new Map<string, AttributePlan>()
  #plansGeneration = -1

  constructor(
    readonly api: ApiPolicy,
    readonly resource: string,
    readonly collection: string,
    readonly map: AttrMap,
  ) {
    const enforced: EnforcedAttribute[] = []
    const extra: PolicyDefault[] = []
    const policyDefaults = new Map<string, unknown>()
    for (const [name, spec] of Object.entries(map)) {
      if ('policyDefault' in spec) policyDefaults.set(name, spec.policyDefault)
      if (!(spec.enforcePolicy || spec.adminOnly || spec.adminOnlySet)) continue
      const dflt = 'policyDefault' in spec ? spec.policyDefault : 'default' in spec && typeof spec.default !== 'function' ? spec.default : NOT_SPECIFIED
      enforced.push({ name, default: dflt, ...(spec.policySubAttributes ? { subAttributes: spec.policySubAttributes } : {}) })
      if (spec.adminOnly || spec.adminOnlySet) {
        if (spec.allowPost) extra.push({ name: `create_${resource}:${name}`, checkStr: 'rule:admin_only' })
        if (spec.allowPut) extra.push({ name: `update_${resource}:${name}`, checkStr: 'rule:admin_only' })
      }
      if (spec.adminOnly) extra.push({ name: `get_${resource}:${name}`, checkStr: 'rule:admin_only' })
    }
    this.enforced = enforced
    this.policyDefaults = policyDefaults
    this.#check = { pluralized: collection, enforced }
    api.enforcer.registerDefaults(extra)
  }

  /** The policy of one request; null when the caller bypasses policy (admin, Zed defaults). */
  view(ctx: RequestContext): PolicyView | null {
    return this.api.enforcer.bypasses(ctx) ? null : new PolicyView(this, ctx, this.#check)
  }

  /**
   * Which attributes `get_<resource>:<attr>` hides from these credentials: decided here when the
   * rule depends on the caller only (`rule:admin_only`), else listed as decided per item. Cached
   * per credentials until the rules change.
   */
  attributePlan(creds: Credentials): AttributePlan {
    const enforcer = this.api.enforcer
    if (this.#plansGeneration !== enforcer.generation) {
      this.#plans = new Map()
      this.#plansGeneration = enforcer.generation
    }
    const key = JSON.stringify(creds)
    let plan = this.#plans.get(key)
    if (plan) return plan
    const hidden = new Set<string>()
    const dynamic: string[] = []
    for (const attr of Object.keys(this.map)) {
      if (attr === 'project_id') continue
      const action = `get_${this.resource}:${attr}`
      if (!enforcer.hasRule(action)) continue // neutron check(might_not_exist=True)
      if (!enforcer.isTargetIndependent(action)) dynamic.push(attr)
      else if (!enforcer.enforce(action, {}, creds)) {
        hidden.add(attr)
        if (attr === 'tenant_id') hidden.add('project_id')
      }
    }
    plan = { hidden, dynamic }
    if (this.#plans.size >= 1000) this.#plans.clear()
    this.#plans.set(key, plan)
    return plan
  }
}

interface AttributePlan {
  readonly hidden: ReadonlySet<string>
  readonly dynamic: readonly string[]
}

const MAX_ROUNDS = 4

/** One request's policy decisions: credentials and loaded parents are shared by all its items. */
export class PolicyView {
  readonly creds: Credentials
  readonly #enforcer: PolicyEnforcer
  readonly #parents = new Map<string, Dict | null>()
  readonly #missing = new Map<string, Set<string>>()
  #env: EvalEnv | undefined

  constructor(
    readonly policy: ResourcePolicy,
    readonly ctx: RequestContext,
    readonly checkOptions: NeutronCheckOptions,
  ) {
    this.creds = credentialsOf(ctx)
    this.#enforcer = policy.api.enforcer
  }

  readonly #resolve: ParentResolver = (resource, id, field) => {
    const d = this.#parents.get(`${resource}/${id}`)
    if (d === undefined) {
      let ids = this.#missing.get(resource)
      if (!ids) this.#missing.set(resource, (ids = new Set()))
      ids.add(id)
      return UNRESOLVED
    }
    return d === null ? undefined : d[field]
  }

  /** Loads the parents the last evaluations asked for; false when there was nothing to load. */
  async #loadMissing(): Promise<boolean> {
    if (this.#missing.size === 0) return false
    const batches = [...this.#missing]
    this.#missing.clear()
    for (const [resource, ids] of batches) {
      const loader = this.policy.api.opts.parents?.[resource]
      const found = loader ? await loader([...ids]) : new Map<string, Dict>()
      for (const id of ids) this.#parents.set(`${resource}/${id}`, found.get(id) ?? null)
    }
    return true
  }

  /** Decides n three-valued questions, loading the parents the undecided ones need, in rounds. */
  async #decideAll(n: number, ask: (i: number) => boolean | undefined): Promise<boolean[]> {
    const out = new Array<boolean>(n)
    let pending: number[] = []
    for (let i = 0; i < n; i++) {
      const v = ask(i)
      if (v === undefined) pending.push(i)
      else out[i] = v
    }
    for (let round = 0; pending.length && round < MAX_ROUNDS; round++) {
      if (!(await this.#loadMissing())) break
      const next: number[] = []
      for (const i of pending) {
        const v = ask(i)
        if (v === undefined) next.push(i)
        else out[i] = v
      }
      pending = next
    }
    for (const i of pending) out[i] = false
    this.#missing.clear()
    return out
  }

  /** neutron.policy.check, resolving parents as needed (a view exists only for callers policy applies to). */
  async check(action: string, target: Target, o: NeutronCheckOptions = this.checkOptions): Promise<boolean> {
    const rule = action.startsWith('get_') ? this.#enforcer.lookup(action) : this.#enforcer.matchRule(action, target, o)
    return (await this.#decideAll(1, () => this.#eval(rule, target)))[0]!
  }

  /** neutron.policy.enforce: throws PolicyDenied with the whole match rule. */
  async authorize(action: string, target: Target, attributesToUpdate?: readonly string[]): Promise<void> {
    const o = attributesToUpdate ? { ...this.checkOptions, attributesToUpdate } : this.checkOptions
    const rule = this.#enforcer.matchRule(action, target, o)
    const [ok] = await this.#decideAll(1, () => this.#eval(rule, target))
    if (!ok) throw new PolicyDenied(rule)
  }

  #attributePlan(): AttributePlan {
    return this.policy.attributePlan(this.creds)
  }

  /** evaluateTri with this request's credentials and parent resolver. */
  #eval(check: Check | undefined, target: Target): boolean | undefined {
    if (!check) return false
    return evaluateTri(check, target, this.creds, (this.#env ??= this.#enforcer.env(this.#resolve)))
  }

  /** Removes the filters on attributes the caller can never see (so they cannot probe them). */
  dropHiddenFilters(filters: Map<string, unknown>): void {
    const { hidden } = this.#attributePlan()
    for (const k of [...filters.keys()]) if (hidden.has(k)) filters.delete(k)
  }

  /** The items the caller may `get_<resource>` (pecan PolicyHook.after, plural case). */
  async visible<T extends Dict>(items: T[]): Promise<T[]> {
    if (items.length === 0) return items
    const action = `get_${this.policy.resource}`
    if (this.#enforcer.isTargetIndependent(action)) return (await this.check(action, {})) ? items : []
    const rule = this.#enforcer.lookup(action)
    const ok = await this.#decideAll(items.length, (i) => this.#eval(rule, items[i]!))
    return ok.every((x) => x) ? items : items.filter((_, i) => ok[i])
  }

  /** A shown item: 404 unless the caller may `get_<resource>` it; then without hidden attributes. */
  async show(item: Dict, fields: readonly string[] | null = null): Promise<Dict> {
    if (!(await this.check(`get_${this.policy.resource}`, item))) throw httpNotFound()
    return (await this.strip([item], fields))[0]!
  }

  /**
   * Items without the attributes whose `get_<resource>:<attr>` rule fails
   * (_exclude_attributes_by_policy); with `fields`, only those of them (`fields=` of a GET), so
   * that rules on attributes nobody asked for are not evaluated.
   */
  async strip(items: Dict[], fields: readonly string[] | null = null): Promise<Dict[]> {
    const plan = this.#attributePlan()
    const hidden = plan.hidden
    const dynamic = fields ? plan.dynamic.filter((a) => fields.includes(a) || (a === 'tenant_id' && fields.includes('project_id'))) : plan.dynamic
    let perItem: Array<Set<string> | undefined> = []
    if (dynamic.length) {
      const pairs: Array<[number, string]> = []
      items.forEach((it, i) => {
        for (const a of dynamic) if (a in it) pairs.push([i, a])
      })
      const rules = new Map(dynamic.map((a) => [a, this.#enforcer.lookup(`get_${this.policy.resource}:${a}`)]))
      const ok = await this.#decideAll(pairs.length, (k) => this.#eval(rules.get(pairs[k]![1]), items[pairs[k]![0]]!))
      perItem = new Array(items.length)
      pairs.forEach(([i, a], k) => {
        if (ok[k]) return
        const s = (perItem[i] ??= new Set())
        s.add(a)
        if (a === 'tenant_id') s.add('project_id')
      })
    }
    if (fields) {
      const shown = fields.filter((f) => !hidden.has(f))
      return items.map((it, i) => {
        const extra = perItem[i]
        const out: Dict = {}
        for (const f of shown) if (f in it && !extra?.has(f)) out[f] = it[f]
        return out
      })
    }
    if (hidden.size === 0 && dynamic.length === 0) return items
    return items.map((it, i) => {
      const extra = perItem[i]
      if (!extra && !Object.keys(it).some((k) => hidden.has(k))) return it
      const out: Dict = {}
      for (const k in it) if (!hidden.has(k) && !extra?.has(k)) out[k] = it[k]
      return out
    })
  }

  /**
   * The create target: the prepared body with the project filled in (populate_project_info), and
   * neutron-lib's default for what the request did not give where the map fills another one.
   */
  createTarget(item: Dict, raw?: Dict): Dict {
    const map = this.policy.map
    const out: Dict = { ...item }
    if (raw) for (const [k, d] of this.policy.policyDefaults) if (!(k in raw) && k in out) out[k] = d
    if (!('project_id' in map) && !('tenant_id' in map)) return out
    const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED
    const project = given(item.project_id) ? item.project_id : given(item.tenant_id) ? item.tenant_id : this.ctx.projectId
    out.tenant_id = project
    out.project_id = project
    return out
  }

  /**
   * POST: Neutron's OwnershipValidationHook for ports and subnets, then `create_<resource>` with
   * its attribute rules, item by item (a bulk request fails on its first denied item).
   */
  async authorizeCreate(items: Dict[], raws?: Dict[]): Promise<void> {
    const targets = items.map((it, i) => this.createTarget(it, raws?.[i]))
    const { resource } = this.policy
    const visibleNetwork = this.policy.api.opts.visibleNetwork
    if ((resource === 'port' || resource === 'subnet') && visibleNetwork && !this.ctx.isAdmin && !this.#enforcer.isAdvsvc(this.creds)) {
      for (const t of targets) {
        if (typeof t.network_id !== 'string') continue
        const net = await visibleNetwork(this.ctx, t.network_id)
        this.#parents.set(`network/${t.network_id}`, net)
        if (net.shared) continue
        if (net.tenant_id !== t.tenant_id) throw httpForbidden(`Tenant ${t.tenant_id} not allowed to create ${resource} on this network`)
      }
    }
    for (const t of targets) await this.authorize(`create_${resource}`, t)
  }

  /**
   * PUT: the stored resource merged with the body (`attributes_to_update` = the body's keys)
   * must pass `update_<resource>`; a denial is a 404 when the caller may not even see it.
   */
  async authorizeUpdate(original: Dict, body: Dict): Promise<void> {
    // An empty body checks update_<resource> alone. (Neutron, whose prefetched original holds only
    // the required_by_policy attributes, would also check update_network:shared and
    // :router:external of a network that has them set.)
    const keys = Object.keys(body)
    await this.#authorizeChange(`update_${this.policy.resource}`, { ...original, ...body, [ATTRIBUTES_TO_UPDATE]: keys }, keys)
  }

  /** DELETE: `delete_<resource>` on the stored resource, 404 when the caller may not see it. */
  async authorizeDelete(original: Dict): Promise<void> {
    await this.#authorizeChange(`delete_${this.policy.resource}`, { ...original, [ATTRIBUTES_TO_UPDATE]: [] }, [])
  }

  /**
   * The tags sub-resource: `<verb>_<collection>_tags` (Neutron 2024.1's names, e.g.
   * `update_networks_tags`) on the resource as shown to the caller (with every attribute, as
   * Neutron 2025.1 passes it), no attribute rules; denied as an update or delete is.
   */
  async authorizeTags(verb: TagVerb, item: Dict): Promise<void> {
    await this.#authorizeChange(`${verb}_${this.policy.collection}_tags`, item, [])
  }

  async #authorizeChange(action: string, target: Dict, attributesToUpdate: readonly string[]): Promise<void> {
    try {
      await this.authorize(action, target, attributesToUpdate)
    } catch (e) {
      if (e instanceof PolicyDenied && !(await this.check(`get_${this.policy.resource}`, target))) throw httpNotFound()
      throw e
    }
  }
}
