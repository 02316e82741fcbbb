/**
 * Per-project quotas (neutron/quota: DbQuotaDriver semantics, counting without reservations):
 * limits come from the `quotas` table, else from `[quotas] quota_<resource>`, else `default_quota`;
 * -1 is unlimited. `check` counts the project's current resources inside the caller's transaction
 * and refuses a create that would go over with OverQuota (409).
 */
import { randomUUID } from 'node:crypto'
import { OverQuota } from '../common/exceptions.js'
import type { Queryable, Tx } from '../db/engine.js'

/** Quota resource name → the table whose rows count against it. */
export const QUOTA_RESOURCES: Readonly<Record<string, string>> = {
  network: 'networks',
  subnet: 'subnets',
  port: 'ports',
  router: 'routers',
  floatingip: 'floatingips',
  subnetpool: 'subnetpools',
  security_group: 'securitygroups',
  security_group_rule: 'securitygrouprules',
}

export type Limits = Record<string, number>

export class QuotaEngine {
  constructor(private readonly defaults: Limits) {}

  defaultLimits(): Limits {
    return { ...this.defaults }
  }

  async limits(q: Queryable, projectId: string): Promise<Limits> {
    const out = this.defaultLimits()
    const rows = await q.all<{ resource: string; limit: number }>('SELECT resource, "limit" FROM quotas WHERE project_id = ?', [projectId])
    for (const r of rows) if (r.resource in out) out[r.resource] = Number(r.limit)
    return out
  }

  /** Projects that have at least one non-default limit, with their full limit sets. */
  async listNonDefault(q: Queryable): Promise<Array<Record<string, string | number>>> {
    const rows = await q.all<{ project_id: string }>('SELECT DISTINCT project_id FROM quotas ORDER BY project_id')
    const out: Array<Record<string, string | number>> = []
    for (const r of rows) out.push({ project_id: r.project_id, tenant_id: r.project_id, ...(await this.limits(q, r.project_id)) })
    return out
  }

  async usage(q: Queryable, projectId: string): Promise<Limits> {
    const out: Limits = {}
    for (const [res, table] of Object.entries(QUOTA_RESOURCES)) {
      const row = await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ?`, [projectId])
      out[res] = Number(row?.n ?? 0)
    }
    return out
  }

  async set(tx: Tx, projectId: string, limits: Limits): Promise<void> {
    for (const [res, limit] of Object.entries(limits)) {
      const changed = await tx.run('UPDATE quotas SET "limit" = ? WHERE project_id = ? AND resource = ?', [limit, projectId, res])
      if (!changed.changes) {
        await tx.run('INSERT INTO quotas (id, project_id, resource, "limit") VALUES (?, ?, ?, ?)', [randomUUID(), projectId, res, limit])
      }
    }
  }

  async reset(tx: Tx, projectId: string): Promise<void> {
    await tx.run('DELETE FROM quotas WHERE project_id = ?', [projectId])
  }

  /** Throws OverQuota when adding `delta` items of `resource` would exceed the project's limit. */
  async check(q: Queryable, projectId: string, resource: string, delta: number): Promise<void> {
    const table = QUOTA_RESOURCES[resource]
    if (!table || delta <= 0) return
    const limit = (await this.limits(q, projectId))[resource] ?? -1
    if (limit < 0) return
    const row = await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ?`, [projectId])
    if (Number(row?.n ?? 0) + delta > limit) throw new OverQuota(`['${resource}']`)
  }
}
