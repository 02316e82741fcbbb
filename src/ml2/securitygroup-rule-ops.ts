/**
 * Security group rules (securitygroups_db create_security_group_rule[_bulk_native] & co): create
 * (one or a bulk of one group and one project, all or nothing), show, list, delete. Rules cannot
 * be updated. A rule added or removed is a new revision of its group.
 *
 * Checks, in Neutron's order: the in-memory ones (securitygroup-rules.ts checkRule), the remote
 * group, then the group itself (both must be visible to the caller: SecurityGroupNotFound);
 * then, in the transaction that holds the group's row lock, duplicates within the request
 * (DuplicateSecurityGroupRuleInPost) and against the group's rules (SecurityGroupRuleExists).
 * The lock serialises rule writes of one group, so two concurrent identical rules cannot both pass.
 */
import type { RequestContext } from '../common/context.js'
import {
  DuplicateSecurityGroupRuleInPost,
  httpMethodNotAllowed,
  SecurityGroupNotFound,
  SecurityGroupNotSingleGroupRules,
  SecurityGroupRuleExists,
  SecurityGroupRuleNotFound,
  SecurityGroupRulesNotSingleTenant,
} from '../common/exceptions.js'
import type { Queryable } from '../db/engine.js'
import {
  bumpSecurityGroupRevision,
  deleteSecurityGroupRuleRow,
  getSecurityGroupRow,
  getSecurityGroupRuleRow,
  insertSecurityGroupRule,
  listSecurityGroupRuleRows,
  type SecurityGroupRuleRow,
} from '../db/resources/securitygroups.js'
import { pyStr } from '../ipam/index.js'
import { projectOf } from './network-ops.js'
import type { Dict, PluginCore } from './plugin-core.js'
import { listedProject, ruleToDict, securityGroupVisible, type SecurityGroupOps } from './securitygroup-ops.js'
import { checkRule, ruleKey, type RuleInput } from './securitygroup-rules.js'

export class SecurityGroupRuleOps {
  constructor(
    private readonly core: PluginCore,
    private readonly groups: SecurityGroupOps,
  ) {}

  async createBulk(ctx: RequestContext, bodies: Dict[]): Promise<Dict[]> {
    // _validate_single_tenant_and_group
    const sgIds = new Set<unknown>()
    const projects = new Set<string>()
    for (const b of bodies) {
      sgIds.add(b.security_group_id)
      if (sgIds.size > 1) throw new SecurityGroupNotSingleGroupRules()
      projects.add(projectOf(ctx, b))
      if (projects.size > 1) throw new SecurityGroupRulesNotSingleTenant()
    }
    const project = [...projects][0]!
    const inputs = bodies.map((b) => this.input(b))
    for (const r of inputs) {
      checkRule(r)
      if (r.remote_group_id !== null) await this.checkGroup(this.core.reader, ctx, r.remote_group_id)
      await this.checkGroup(this.core.reader, ctx, r.security_group_id)
    }
    const sgId = inputs[0]!.security_group_id
    const rows = await this.core.txn(async (tx) => {
      const sg = await getSecurityGroupRow(tx, sgId, true)
      if (!sg) throw new SecurityGroupNotFound(sgId)
      const keys = new Set<string>()
      for (const r of inputs) {
        const k = ruleKey(r)
        if (keys.has(k)) throw new DuplicateSecurityGroupRuleInPost()
        keys.add(k)
      }
      for (const existing of await listSecurityGroupRuleRows(tx, { groupIds: [sgId] })) {
        if (keys.has(ruleKey(existing))) throw new SecurityGroupRuleExists(existing.id)
      }
      await this.core.quotas?.check(tx, project, 'security_group_rule', inputs.length)
      const now = this.core.timestamp()
      const out: SecurityGroupRuleRow[] = inputs.map((r, i) => ({
        id: this.core.newId(),
        project_id: project,
        ...r,
        description: bodies[i]!.description,
        revision_number: 0,
        created_at: now,
        updated_at: now,
      }))
      for (const row of out) await insertSecurityGroupRule(tx, row)
      for (const row of out) await this.core.registry.publish('security_group_rule', 'precommit_create', this, { context: ctx, resourceId: row.id, current: ruleToDict(row), tx })
      await bumpSecurityGroupRevision(tx, sgId, now)
      return out
    })
    return rows.map(ruleToDict)
  }

  /** The converted body as the checks see it; a remote_group_id of '' means none. */
  private input(b: Dict): RuleInput {
    const remote = b.remote_group_id === '' || b.remote_group_id === undefined ? null : b.remote_group_id
    return {
      direction: b.direction,
      ethertype: b.ethertype,
      protocol: b.protocol ?? null,
      port_range_min: b.port_range_min ?? null,
      port_range_max: b.port_range_max ?? null,
      remote_ip_prefix: b.remote_ip_prefix ?? null,
      // Neutron does not validate it: whatever it is, an unknown group is a 404.
      remote_group_id: remote === null ? null : typeof remote === 'string' ? remote : pyStr(remote),
      security_group_id: b.security_group_id,
    }
  }

  /** _check_security_group: the group exists and the caller may use it. */
  private async checkGroup(q: Queryable, ctx: RequestContext, id: string): Promise<void> {
    const row = await getSecurityGroupRow(q, id)
    if (!row || !securityGroupVisible(ctx, row)) throw new SecurityGroupNotFound(id)
  }

  async update(_ctx: RequestContext, _id: string, _body: Dict): Promise<Dict> {
    // Neutron has no update_security_group_rule.
    throw httpMethodNotAllowed('The method PUT is not allowed for this resource.')
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.core.txn(async (tx) => {
      const row = await getSecurityGroupRuleRow(tx, id)
      if (!row || !ruleVisible(ctx, row, await this.groupOwner(tx, row))) throw new SecurityGroupRuleNotFound(id)
      // The group's row lock orders this against rule creates of the same group.
      await getSecurityGroupRow(tx, row.security_group_id, true)
      await this.core.registry.publish('security_group_rule', 'precommit_delete', this, { context: ctx, resourceId: id, current: ruleToDict(row), tx })
      await deleteSecurityGroupRuleRow(tx, id)
      await bumpSecurityGroupRevision(tx, row.security_group_id, this.core.timestamp())
    })
  }

  /**
   * A rule the caller may see under Neutron's default `get_security_group_rule` (admin, the
   * rule's owner or its group's owner); a policy file can narrow that, not widen it.
   */
  async get(ctx: RequestContext, id: string): Promise<Dict> {
    const row = await getSecurityGroupRuleRow(this.core.reader, id)
    if (!row || !ruleVisible(ctx, row, await this.groupOwner(this.core.reader, row))) throw new SecurityGroupRuleNotFound(id)
    return ruleToDict(row)
  }

  /** Rules the caller may see (own, or in its groups), after ensuring the listed project's default group. */
  async list(ctx: RequestContext, filters: Map<string, string[]>): Promise<Dict[]> {
    await this.groups.ensureDefault(ctx, listedProject(ctx, filters))
    const sgIds = filters.get('security_group_id')
    const scope = !ctx.isAdmin ? { visibleTo: ctx.projectId } : sgIds && sgIds.length <= 500 ? { groupIds: sgIds } : {}
    return (await listSecurityGroupRuleRows(this.core.reader, scope)).map(ruleToDict)
  }

  private async groupOwner(q: Queryable, row: SecurityGroupRuleRow): Promise<string | undefined> {
    return (await getSecurityGroupRow(q, row.security_group_id))?.project_id
  }
}

/** The default get_security_group_rule: admin, the rule's owner, or its group's owner (sg_owner). */
function ruleVisible(ctx: RequestContext, row: SecurityGroupRuleRow, groupOwner: string | undefined): boolean {
  return ctx.isAdmin || row.project_id === ctx.projectId || groupOwner === ctx.projectId
}
