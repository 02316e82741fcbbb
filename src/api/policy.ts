/**
 * Attribute-level policy, as Neutron's default policy (neutron/conf/policies/*.py at Zed):
 * provider:* / segments / binding:host_id / binding:profile are admin-only for create, update and
 * get; binding:vif_type and vif_details are admin-only for get; shared and router:external are
 * admin-only to set. Resource-level scoping (own project vs shared) lives in the plugin.
 */
import type { RequestContext } from '../common/context.js'
import { NOT_SPECIFIED } from '../common/not-specified.js'
import { httpBadRequest, PolicyNotAuthorized } from '../common/exceptions.js'
import type { AttrMap } from './attributes.js'
import type { NoAuthContext } from './auth-noauth.js'

export function enforceWrite(
  ctx: RequestContext,
  action: 'create' | 'update',
  resource: string,
  map: AttrMap,
  body: Record<string, unknown>,
  given: Record<string, unknown>,
): void {
  if (ctx.isAdmin) return
  // neutron/policy.py _is_attribute_explicitly_set: on create an attribute equal to its default
  // does not count; on update every attribute in the body counts.
  const enforced: string[] = []
  let denied = false
  for (const [name, spec] of Object.entries(map)) {
    if (!(name in given)) continue
    const v = body[name]
    if (v === NOT_SPECIFIED) continue
    if (action === 'create' && 'default' in spec && typeof spec.default !== 'function' && deepEqual(v, spec.default)) continue
    if (!(spec.enforcePolicy || spec.adminOnly || spec.adminOnlySet)) continue
    enforced.push(name)
    if (spec.adminOnly || spec.adminOnlySet) denied = true
  }
  if (denied) throw new PolicyNotAuthorized(`${action}_${resource}`, enforced)
}

function deepEqual(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

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

/** Removes what the caller may not see. */
export function filterVisible(ctx: RequestContext, map: AttrMap, dict: Record<string, unknown>): Record<string, unknown> {
  if (ctx.isAdmin) return dict
  const out: Record<string, unknown> = {}
  for (const k in dict) {
    const spec = map[k]
    if (spec?.adminOnly) continue
    out[k] = dict[k]
  }
  return out
}
