/**
 * noauth (auth_strategy = noauth): the project comes from X-Project-Id (or X-Tenant-Id) and roles
 * from X-Roles, as Neutron's noauth pipeline reads them. A request with no project information at
 * all — what `openstack --os-auth-type none` sends — is an admin request of `default_project_id`,
 * so the CLI works out of the box.
 */
import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '../common/context.js'
import type { Authenticator } from './server.js'

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
    return { projectId: project, userId, roles, isAdmin: roles.some((r) => r.toLowerCase() === 'admin'), requestId }
  }
}

function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v
  return s && s.trim() ? s.trim() : undefined
}
