/**
 * The quotas extension (neutron/extensions/quotasv2.py + quota_details):
 *   GET    /v2.0/quotas                         projects with non-default limits (admin)
 *   GET    /v2.0/quotas/{project_id}            limits of a project (admin or that project)
 *   GET    /v2.0/quotas/{project_id}/default    the configured defaults
 *   GET    /v2.0/quotas/{project_id}/details    {limit, used, reserved} per resource
 *   PUT    /v2.0/quotas/{project_id}            {"quota": {"network": 10, …}} (admin)
 *   DELETE /v2.0/quotas/{project_id}            back to defaults (admin)
 */
import { httpBadRequest, httpNotFound, PolicyNotAuthorized } from '../common/exceptions.js'
import type { Db } from '../db/engine.js'
import { withRetries } from '../db/retry.js'
import type { QuotaEngine } from '../quota/quota-engine.js'
import { toInt } from './attributes.js'
import type { ApiRequest, ApiResponse } from './api-request.js'

const MAX = 2147483647

export class QuotasController {
  readonly collection = 'quotas'

  constructor(
    private readonly db: Db,
    private readonly quotas: QuotaEngine,
  ) {}

  async handle(r: ApiRequest, parts: string[]): Promise<ApiResponse> {
    const [, rawProject, sub] = parts
    const project = rawProject?.replace(/\.json$/, '')
    const ctx = r.ctx
    if (project === undefined) {
      if (r.method !== 'GET') throw httpNotFound()
      if (!ctx.isAdmin) throw new PolicyNotAuthorized('get_quota')
      return { status: 200, body: { quotas: await this.quotas.listNonDefault(this.db) } }
    }
    if (parts.length > 3) throw httpNotFound()
    const own = ctx.isAdmin || ctx.projectId === project
    if (sub !== undefined) {
      if (r.method !== 'GET' || !own) throw own ? httpNotFound() : new PolicyNotAuthorized('get_quota')
      const s = sub.replace(/\.json$/, '')
      if (s === 'default') return { status: 200, body: { quota: this.quotas.defaultLimits() } }
      if (s === 'details') {
        const [limits, used] = await Promise.all([this.quotas.limits(this.db, project), this.quotas.usage(this.db, project)])
        const quota: Record<string, unknown> = {}
        for (const [k, limit] of Object.entries(limits)) quota[k] = { limit, used: used[k] ?? 0, reserved: 0 }
        return { status: 200, body: { quota } }
      }
      throw httpNotFound()
    }
    switch (r.method) {
      case 'GET':
        if (!own) throw new PolicyNotAuthorized('get_quota')
        return { status: 200, body: { quota: await this.quotas.limits(this.db, project) } }
      case 'PUT': {
        if (!ctx.isAdmin) throw new PolicyNotAuthorized('update_quota')
        const body = r.body as Record<string, unknown>
        const q = body && typeof body === 'object' ? (body as Record<string, unknown>).quota : undefined
        if (!q || typeof q !== 'object' || Array.isArray(q)) throw httpBadRequest("Unable to find 'quota' in request body")
        const known = this.quotas.defaultLimits()
        const unknown = Object.keys(q).filter((k) => !(k in known))
        if (unknown.length) throw httpBadRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`)
        const limits: Record<string, number> = {}
        for (const [k, v] of Object.entries(q)) {
          const n = toInt(v) as number
          if (n < -1) throw httpBadRequest(`Invalid input for ${k}. Reason: '${n}' is too small - must be at least '-1'.`)
          if (n > MAX) throw httpBadRequest(`Invalid input for ${k}. Reason: '${n}' is too large - must be no larger than '${MAX}'.`)
          limits[k] = n
        }
        await withRetries(() => this.db.transaction((tx) => this.quotas.set(tx, project, limits)))
        return { status: 200, body: { quota: await this.quotas.limits(this.db, project) } }
      }
      case 'DELETE':
        if (!ctx.isAdmin) throw new PolicyNotAuthorized('delete_quota')
        await withRetries(() => this.db.transaction((tx) => this.quotas.reset(tx, project)))
        return { status: 204 }
      default:
        throw httpNotFound()
    }
  }
}
