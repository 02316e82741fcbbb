import type { RequestContext } from './context.js'
import { NOT_SPECIFIED } from './not-specified.js'

/**
 * The project a create body is for: its project_id, else its tenant_id (the older name), else the
 * caller's (Neutron's _get_tenant_id_for_create). Shared by ML2 and the service plugins.
 */
export function projectOf(ctx: RequestContext, body: Record<string, any>): string {
  const p = body.project_id !== NOT_SPECIFIED && body.project_id !== undefined ? body.project_id : body.tenant_id
  return p !== NOT_SPECIFIED && p !== undefined ? p : ctx.projectId
}
