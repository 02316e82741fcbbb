/**
 * noauth (auth_strategy = noauth): the project comes from X-Project-Id (or X-Tenant-Id) and roles
 * from X-Roles, as Neutron's noauth pipeline reads them. A request with no project information at
 * all — what `openstack --os-auth-type none` sends — is an admin request of `default_project_id`,
 * so the CLI works out of the box. A non-admin create must carry tenant_id/project_id in the body
 * (as real Neutron under noauth requires); it must equal the X-Project-Id header.
 */
import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '../common/context.js'
import type { Authenticator } from '../auth/authenticator.js'

/**
 * A noauth context whose project came from a header. Neutron's noauth context carries no
 * authenticated project, so a non-admin create must name its project in the body
 * ("Running without keystone AuthN requires that tenant_id is specified", api/v2 attributes
 * populate_project_id); the header still scopes what the caller sees.
 */
export interface NoAuthContext extends RequestContext {
  readonly projectFromHeader?: boolean
}

export class NoAuth implements Authenticator {
  constructor(private readonly defaultProjectId: string) {}

  authenticate(req: IncomingMessage, requestId: string): RequestContext {
    const h = req.headers
    const project = first(h['x-project-id']) ?? first(h['x-tenant-id'])
    const roles = (first(h['x-roles']) ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r)
    const userId = first(h['x-user-id']) ?? null
    if (!project) {
      return {
        projectId: this.defaultProjectId,
        userId,
        roles: roles.includes('admin') ? roles : ['admin', ...roles],
        isAdmin: true,
        requestId,
        isDefaultProject: true,
      }
    }
    const ctx: NoAuthContext = {
      projectId: project,
      userId,
      roles,
      isAdmin: roles.some((r) => r.toLowerCase() === 'admin'),
      requestId,
      projectFromHeader: true,
    }
    return ctx
  }
}

function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v
  return s && s.trim() ? s.trim() : undefined
}
