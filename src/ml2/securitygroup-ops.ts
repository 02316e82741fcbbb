/**
 * Security groups at the API/DB level (neutron/db/securitygroups_db.py SecurityGroupDbMixin with
 * the ML2 port hooks): groups, each project's default group, and the groups of a port. Nothing is
 * enforced on the data plane yet; the controller will read these tables.
 *
 * Default group (_ensure_default_security_group): created on a project's first group list, rule
 * list, group create, network create, port create or update — by that project or an admin — with
 * Neutron's four rules (egress IPv4/IPv6 to anywhere, ingress IPv4/IPv6 from the group itself).
 * default_security_group's primary key (project_id) decides between concurrent first requests:
 * the loser's transaction fails on it, is re-run (RetryRequest) and finds the winner's group.
 *
 * Visibility is Neutron's model_query scoping without RBAC: admins see every group, others their
 * project's. Who may update or delete what they see is policy's (src/api/policy.ts).
 */
import { adminContext, type RequestContext } from '../common/context.js'
import {
  OverQuota,
  PortSecurityAndIPRequiredForSecurityGroups,
  PortSecurityPortHasSecurityGroup,
  SecurityGroupCannotRemoveDefault,
  SecurityGroupCannotUpdateDefault,
  SecurityGroupConflict,
  SecurityGroupInUse,
  SecurityGroupNotFound,
} from '../common/exceptions.js'
import { NOT_SPECIFIED } from '../common/not-specified.js'
import type { Queryable, Tx } from '../db/engine.js'
import { tagsByResource } from '../db/resources/networks.js'
import {
  bumpSecurityGroupRevision,
  defaultSecurityGroupId,
  deleteSecurityGroupRow,
  getSecurityGroupRow,
  groupsReferencingRemote,
  insertDefaultSecurityGroup,
  insertSecurityGroup,
  insertSecurityGroupRule,
  listSecurityGroupRows,
  listSecurityGroupRuleRows,
  securityGroupInUse,
  updateSecurityGroupRow,
  writePortSecurityGroups,
  type SecurityGroupRow,
  type SecurityGroupRuleRow,
} from '../db/resources/securitygroups.js'
import { projectOf } from './network-ops.js'
import type { Dict, PluginCore } from './plugin-core.js'
import { ETHERTYPES, normalizedCidr } from './securitygroup-rules.js'
import { TagOps } from './tag-ops.js'

const DEFAULT_SG_DESCRIPTION = 'Default security group'
const given = (v: unknown) => v !== NOT_SPECIFIED && v !== undefined

/** Model-query scoping without RBAC: admins see all groups, others their project's. */
export function securityGroupVisible(ctx: RequestContext, row: { project_id: string }): boolean {
  return ctx.isAdmin || row.project_id === ctx.projectId
}

/** neutron_lib.utils.net.is_port_trusted: network:* ports (DHCP, routers) get no security groups. */
export const isTrustedOwner = (deviceOwner: unknown) => typeof deviceOwner === 'string' && deviceOwner.startsWith('network:')

/** The project a list is about: its first project_id/tenant_id filter, else the caller's. */
export function listedProject(ctx: RequestContext, filters: Map<string, string[]>): string {
  return filters.get('project_id')?.[0] || filters.get('tenant_id')?.[0] || ctx.projectId
}

export class SecurityGroupOps {
  /** standard-attr-tag: a tag change is a new revision of the group. */
  readonly tags: TagOps

  constructor(private readonly core: PluginCore) {
    this.tags = new TagOps(core, { resourceType: 'security_groups', table: 'securitygroups', visibleRow: (q, ctx, id) => this.visibleRow(q, ctx, id) })
  }

  // ---- the default group --------------------------------------------------------------------
  /**
   * The project's default group id, created first if missing; null when the caller may not
   * create it (another project's, not admin: bug 1987410). Inside `tx` it is created in that
   * transaction (a lost race then re-runs the caller's whole operation).
   */
  async ensureDefault(ctx: RequestContext, projectId: string, tx?: Tx): Promise<string | null> {
    if (!projectId || (projectId !== ctx.projectId && !ctx.isAdmin)) return null
    if (tx) {
      // Once per transaction and project: a port create asks before its reads (so the lookup
      // shares their round trip) and again when it binds its groups.
      let known = this.#inTx.get(tx)
      if (!known) this.#inTx.set(tx, (known = new Map()))
      let id = known.get(projectId)
      if (!id) known.set(projectId, (id = this.#ensureInTx(tx, projectId)))
      return id
    }
    const found = await defaultSecurityGroupId(this.core.reader, projectId)
    if (found) return found
    return this.core.txn(async (t) => (await defaultSecurityGroupId(t, projectId)) ?? this.createDefaultInTx(t, projectId))
  }

  readonly #inTx = new WeakMap<Tx, Map<string, Promise<string>>>()

  async #ensureInTx(tx: Tx, projectId: string): Promise<string> {
    return (await defaultSecurityGroupId(tx, projectId)) ?? this.createDefaultInTx(tx, projectId)
  }

  private async createDefaultInTx(tx: Tx, projectId: string): Promise<string> {
    await this.ruleLimitCheck(tx, projectId, ETHERTYPES.length * 2)
    const row = this.newRow(projectId, 'default', DEFAULT_SG_DESCRIPTION, true)
    await insertSecurityGroup(tx, row)
    // First, so that of two concurrent creators the second fails here, before more writes.
    await insertDefaultSecurityGroup(tx, projectId, row.id)
    const rules: SecurityGroupRuleRow[] = []
    for (const ethertype of ETHERTYPES) {
      rules.push(this.newRule(row, 'ingress', ethertype, row.id), this.newRule(row, 'egress', ethertype, null))
      for (const r of rules.slice(-2)) await insertSecurityGroupRule(tx, r)
    }
    await this.precommitCreate(tx, adminContext(projectId), row, rules)
    return row.id
  }

  /**
   * precommit_create for a new group and the rules it comes with, inside its transaction
   * (networking-odl records the group, then each rule, in the same transaction).
   */
  private async precommitCreate(tx: Tx, ctx: RequestContext, row: SecurityGroupRow, rules: SecurityGroupRuleRow[]): Promise<void> {
    const reg = this.core.registry
    if (!reg.has('security_group', 'precommit_create') && !reg.has('security_group_rule', 'precommit_create')) return
    await reg.publish('security_group', 'precommit_create', this, { context: ctx, resourceId: row.id, current: this.toDict(row, rules, []), tx })
    for (const r of rules) await reg.publish('security_group_rule', 'precommit_create', this, { context: ctx, resourceId: r.id, current: ruleToDict(r), tx })
  }

  /** quota_limit_check(security_group_rule=n): the rules a new group brings must fit the limit itself. */
  private async ruleLimitCheck(q: Queryable, projectId: string, n: number): Promise<void> {
    const limit = this.core.quotas ? (await this.core.quotas.limits(q, projectId)).security_group_rule : undefined
    if (limit !== undefined && limit >= 0 && limit < n) throw new OverQuota("['security_group_rule']")
  }

  private newRow(projectId: string, name: string, description: string, stateful: boolean): SecurityGroupRow {
    const now = this.core.timestamp()
    // The rules written with it are one more revision (revises_on_change): Neutron shows 1.
    return { id: this.core.newId(), project_id: projectId, name, stateful, description, revision_number: 1, created_at: now, updated_at: now }
  }

  private newRule(sg: SecurityGroupRow, direction: string, ethertype: string, remoteGroupId: string | null): SecurityGroupRuleRow {
    return {
      id: this.core.newId(),
      project_id: sg.project_id,
      security_group_id: sg.id,
      remote_group_id: remoteGroupId,
      direction,
      ethertype,
      protocol: null,
      port_range_min: null,
      port_range_max: null,
      remote_ip_prefix: null,
      description: null,
      revision_number: 0,
      created_at: sg.created_at,
      updated_at: sg.created_at,
    }
  }

  // ---- groups -------------------------------------------------------------------------------
  async createBulk(ctx: RequestContext, bodies: Dict[]): Promise<Dict[]> {
    const projects = [...new Set(bodies.map((b) => projectOf(ctx, b) as string))]
    for (const p of projects) await this.ensureDefault(ctx, p)
    const rows = await this.core.txn(async (tx) => {
      const out: Array<{ row: SecurityGroupRow; rules: SecurityGroupRuleRow[] }> = []
      for (const b of bodies) {
        const row = this.newRow(projectOf(ctx, b), b.name, b.description, b.stateful !== false)
        await this.core.quotas?.check(tx, row.project_id, 'security_group', 1)
        await this.ruleLimitCheck(tx, row.project_id, ETHERTYPES.length)
        await insertSecurityGroup(tx, row)
        const rules = ETHERTYPES.map((e) => this.newRule(row, 'egress', e, null))
        for (const r of rules) await insertSecurityGroupRule(tx, r)
        await this.precommitCreate(tx, ctx, row, rules)
        out.push({ row, rules })
      }
      return out
    })
    return rows.map(({ row, rules }) => this.toDict(row, rules, []))
  }

  async update(ctx: RequestContext, id: string, b: Dict): Promise<Dict> {
    return this.core.txn(async (tx) => {
      const row = await getSecurityGroupRow(tx, id, true)
      if (!row || !securityGroupVisible(ctx, row)) throw new SecurityGroupNotFound(id)
      if (given(b.stateful) && b.stateful !== row.stateful && (await securityGroupInUse(tx, id))) throw new SecurityGroupInUse(id)
      if (row.name === 'default' && given(b.name)) throw new SecurityGroupCannotUpdateDefault()
      const changes: Partial<SecurityGroupRow> = {}
      for (const k of ['name', 'description', 'stateful'] as const) if (given(b[k]) && b[k] !== row[k]) (changes as Dict)[k] = b[k]
      if (Object.keys(changes).length) {
        changes.revision_number = row.revision_number + 1
        changes.updated_at = this.core.timestamp()
        await updateSecurityGroupRow(tx, id, changes)
      }
      const current = await this.loadOne(tx, { ...row, ...changes })
      if (Object.keys(changes).length) await this.core.registry.publish('security_group', 'precommit_update', this, { context: ctx, resourceId: id, current, tx })
      return current
    })
  }

  /**
   * delete_security_group: in use by a port → 409 (checked first, as Neutron); the default
   * group only by an admin. Rules of other groups naming it as remote group go with it.
   */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.core.txn(async (tx) => {
      // The row lock first: a port binding it in a concurrent transaction holds the foreign key's
      // share lock on it, so the in-use check below sees that binding once it is committed.
      const row = await getSecurityGroupRow(tx, id, true)
      if (await securityGroupInUse(tx, id)) throw new SecurityGroupInUse(id)
      if (!row || !securityGroupVisible(ctx, row)) throw new SecurityGroupNotFound(id)
      if (row.name === 'default' && !ctx.isAdmin) throw new SecurityGroupCannotRemoveDefault()
      const now = this.core.timestamp()
      for (const other of await groupsReferencingRemote(tx, id)) await bumpSecurityGroupRevision(tx, other, now)
      await this.precommitDelete(tx, ctx, row)
      if (!(await deleteSecurityGroupRow(tx, id))) throw new SecurityGroupNotFound(id)
    })
  }

  /** precommit_delete for the rules that go with the group (its own, and others' naming it as remote), then the group. */
  private async precommitDelete(tx: Tx, ctx: RequestContext, row: SecurityGroupRow): Promise<void> {
    const reg = this.core.registry
    if (!reg.has('security_group', 'precommit_delete') && !reg.has('security_group_rule', 'precommit_delete')) return
    const rules = await tx.all<{ id: string; security_group_id: string; remote_group_id: string | null }>(
      'SELECT id, security_group_id, remote_group_id FROM securitygrouprules WHERE security_group_id = ? OR remote_group_id = ? ORDER BY id',
      [row.id, row.id],
    )
    for (const r of rules) await reg.publish('security_group_rule', 'precommit_delete', this, { context: ctx, resourceId: r.id, current: { ...r }, tx })
    await reg.publish('security_group', 'precommit_delete', this, { context: ctx, resourceId: row.id, current: { id: row.id }, tx })
  }

  async get(ctx: RequestContext, id: string): Promise<Dict> {
    const q = this.core.reader
    const row = await getSecurityGroupRow(q, id)
    if (!row || !securityGroupVisible(ctx, row)) throw new SecurityGroupNotFound(id)
    return this.loadOne(q, row)
  }

  async list(ctx: RequestContext, filters: Map<string, string[]>): Promise<Dict[]> {
    await this.ensureDefault(ctx, listedProject(ctx, filters))
    const q = this.core.reader
    const ids = filters.get('id')
    const rows = await listSecurityGroupRows(q, ids && ids.length <= 500 ? { ids } : ctx.isAdmin ? {} : { projectId: ctx.projectId })
    const visible = rows.filter((r) => securityGroupVisible(ctx, r))
    const groupIds = visible.map((r) => r.id)
    const [rules, tags] = await Promise.all([
      listSecurityGroupRuleRows(q, { groupIds }),
      tagsByResource(q, 'security_groups', ctx.isAdmin && !ids ? null : groupIds),
    ])
    const byGroup = new Map<string, SecurityGroupRuleRow[]>()
    for (const r of rules) {
      let list = byGroup.get(r.security_group_id)
      if (!list) byGroup.set(r.security_group_id, (list = []))
      list.push(r)
    }
    return visible.map((r) => this.toDict(r, byGroup.get(r.id) ?? [], tags.get(r.id) ?? []))
  }

  /** A visible group row, or SecurityGroupNotFound. */
  async visibleRow(q: Queryable, ctx: RequestContext, id: string): Promise<SecurityGroupRow> {
    const row = await getSecurityGroupRow(q, id)
    if (!row || !securityGroupVisible(ctx, row)) throw new SecurityGroupNotFound(id)
    return row
  }

  async loadOne(q: Queryable, row: SecurityGroupRow): Promise<Dict> {
    const [rules, tags] = await Promise.all([
      listSecurityGroupRuleRows(q, { groupIds: [row.id] }),
      tagsByResource(q, 'security_groups', [row.id]),
    ])
    return this.toDict(row, rules, tags.get(row.id) ?? [])
  }

  // ---- ports (ML2's _portsec_ext_port_*_processing and the securitygroups_db port hooks) -------
  /**
   * The groups of a new port, bound inside the port's transaction. With port security, no
   * `security_groups` given and an untrusted owner, the project's default group; without port
   * security, groups are refused. network:* ports get none, whatever was asked.
   */
  async bindNewPort(
    tx: Tx,
    ctx: RequestContext,
    port: { id: string; project_id: string; device_owner: string; port_security_enabled: boolean },
    requested: unknown,
  ): Promise<string[]> {
    let ids: string[] | null = given(requested) ? (requested as string[]) : null
    const trusted = isTrustedOwner(port.device_owner)
    let fromDefault = false
    if (port.port_security_enabled) {
      if (ids === null && !trusted) {
        const dflt = await this.ensureDefault(ctx, port.project_id, tx)
        if (dflt) (ids = [dflt]), (fromDefault = true)
      }
    } else if (ids !== null && ids.length) {
      throw new PortSecurityAndIPRequiredForSecurityGroups()
    }
    if (ids === null || trusted) return []
    // The project's default group was just read (or made) in this transaction: it exists and is the
    // port's project's own, so only groups the request names need looking up.
    const groups = fromDefault ? ids : await this.groupsForPort(tx, ctx, ids)
    await writePortSecurityGroups(tx, port.id, groups, false)
    return groups
  }

  /**
   * A port update's effect on its groups: `body.security_groups` (when given) replaces them;
   * port security off refuses groups being given (400) or kept (409), as Neutron. Returns the
   * port's groups afterwards.
   */
  async bindUpdatedPort(
    tx: Tx,
    ctx: RequestContext,
    portId: string,
    portSecurityEnabled: boolean,
    body: Dict,
    current: readonly string[],
  ): Promise<string[]> {
    const requested: string[] | null = given(body.security_groups) ? (body.security_groups as string[]) : null
    if (!portSecurityEnabled) {
      if (requested !== null && requested.length) throw new PortSecurityAndIPRequiredForSecurityGroups()
      if (requested === null && current.length) throw new PortSecurityPortHasSecurityGroup()
    }
    if (requested === null || sameSet(requested, current)) return [...current]
    // securitygroups_db _get_security_groups_on_port looks at the request's device_owner only.
    const groups = isTrustedOwner(body.device_owner) ? [] : await this.groupsForPort(tx, ctx, requested)
    await writePortSecurityGroups(tx, portId, groups, true)
    return groups
  }

  /** _get_security_groups_on_port + _validate_sgs_for_port: existing, usable, all stateful or none. */
  private async groupsForPort(q: Queryable, ctx: RequestContext, requested: readonly string[]): Promise<string[]> {
    const rows = await listSecurityGroupRows(q, { ids: [...new Set(requested)] })
    const usable = rows.filter((r) => securityGroupVisible(ctx, r))
    const ok = new Set(usable.map((r) => r.id))
    const missing = [...new Set(requested)].filter((id) => !ok.has(id))
    if (missing.length) throw new SecurityGroupNotFound(missing.join(', '))
    if (new Set(usable.map((r) => r.stateful)).size > 1) {
      throw new SecurityGroupConflict('Cannot apply both stateful and stateless security groups on the same port at the same time')
    }
    return usable.map((r) => r.id).sort()
  }

  // ---- dicts --------------------------------------------------------------------------------
  /** _make_security_group_dict (+ standard attributes); `shared` is always false without RBAC. */
  toDict(r: SecurityGroupRow, rules: SecurityGroupRuleRow[], tags: string[]): Dict {
    return {
      id: r.id,
      name: r.name,
      stateful: r.stateful,
      tenant_id: r.project_id,
      description: r.description,
      shared: false,
      security_group_rules: sortRulesOfGroup(rules).map(ruleToDict),
      tags,
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
      project_id: r.project_id,
    }
  }
}

/** _make_security_group_rule_dict (+ standard attributes; rules take no tags). */
export function ruleToDict(r: SecurityGroupRuleRow): Dict {
  return {
    id: r.id,
    tenant_id: r.project_id,
    security_group_id: r.security_group_id,
    ethertype: r.ethertype,
    direction: r.direction,
    protocol: r.protocol,
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix,
    normalized_cidr: normalizedCidr(r.remote_ip_prefix),
    remote_group_id: r.remote_group_id,
    description: r.description,
    tags: [],
    created_at: r.created_at,
    updated_at: r.updated_at,
    revision_number: r.revision_number,
    project_id: r.project_id,
  }
}

/**
 * A group's rules in creation order as Neutron lists them (its rows come back in insert order);
 * rules written in the same second keep Neutron's order for the ones it writes itself: per
 * ethertype, ingress before egress.
 */
function sortRulesOfGroup(rules: SecurityGroupRuleRow[]): SecurityGroupRuleRow[] {
  const rank = (r: SecurityGroupRuleRow) => `${r.created_at}|${r.ethertype}|${r.direction === 'ingress' ? 0 : 1}|${r.id}`
  return [...rules].sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0))
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a)
  const sb = new Set(b)
  return sa.size === sb.size && [...sa].every((x) => sb.has(x))
}
