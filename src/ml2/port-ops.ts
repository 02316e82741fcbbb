/** Port create/update/delete/get/list: MAC, fixed IPs, address pairs, DHCP options, binding, ML2 hooks. */
import { adminContext, type RequestContext } from '../common/context.js'
import {
  Conflict,
  AllowedAddressPairExhausted,
  InvalidInput,
  MacAddressGenerationFailure,
  MacAddressInUse,
  MechanismDriverError,
  PortNotFound,
} from '../common/exceptions.js'
import { NOT_SPECIFIED } from '../common/not-specified.js'
import type { Queryable, Tx } from '../db/engine.js'
import { planRows, type ListPage, type ListRequest } from '../db/resources/row-query.js'
import {
  deletePortRow,
  getPortRow,
  insertPort,
  listPortKeys,
  listPortKeysPlanned,
  PORT_FILTER_COLUMNS,
  getPortRowsByIds,
  type PortScope,
  portChildren,
  updatePortRow,
  writeBinding,
  writeDhcpOpts,
  writeFixedIps,
  writePairs,
  UNBOUND,
  type BindingRow,
  type PortChildren,
  type PortRow,
} from '../db/resources/ports.js'
import { subnetRowsByNetwork } from '../db/resources/subnets.js'
import { normalizeMac, parseIp, parseNetaddrNetwork, randomMac } from '../ipam/index.js'
import { bindPort, PortContextImpl, type BindingResult } from './binding.js'
import type { NetworkContext } from './driver-api.js'
import type { NetworkOps } from './network-ops.js'
import { projectOf } from './network-ops.js'
import type { Dict, PluginCore } from './plugin-core.js'
import type { AgentLiveness } from './agent-liveness.js'
import type { JsonDict, Port } from './resource-types.js'
import type { SecurityGroupOps } from './securitygroup-ops.js'
import { allocateFixedIps, poolsByNetwork } from './port-ips.js'
import { inOrder } from '../common/in-order.js'
import { DictCache } from './dict-cache.js'
import { TagOps } from './tag-ops.js'

const given = (v: unknown) => v !== NOT_SPECIFIED && v !== undefined

export class PortBound extends Conflict {
  override readonly type = 'PortBound'
  constructor(portId: string, vifType: string, oldMac: string, newMac: string) {
    super(`Unable to complete operation on port ${portId}, port is already bound, port type: ${vifType}, old_mac ${oldMac}, new_mac ${newMac}.`)
  }
}

export class AddressPairAndPortSecurityRequired extends Conflict {
  override readonly type = 'AddressPairAndPortSecurityRequired'
  constructor() {
    super('Port Security must be enabled in order to have allowed address pairs on a port.')
  }
}

export class PortOps {
  private readonly cache = new DictCache<Port>()
  /** standard-attr-tag: a tag change is a new revision of the port (and a new cached dict). */
  readonly tags: TagOps

  constructor(
    private readonly core: PluginCore,
    private readonly networks: NetworkOps,
    private readonly securityGroups: SecurityGroupOps,
    private readonly liveness: AgentLiveness,
  ) {
    this.tags = new TagOps(core, { resourceType: 'ports', visibleRow: (q, ctx, id) => this.visibleRow(q, ctx, id) })
  }

  // ---- create -------------------------------------------------------------------------------
  async createBulk(ctx: RequestContext, bodies: JsonDict[]): Promise<Port[]> {
    for (const b of bodies) await this.core.registry.publish('port', 'before_create', this, { context: ctx, resourceId: '', request: b })
    const projects = [...new Set(bodies.map((b) => projectOf(ctx, b) as string))]
    const created = await this.core.txn(async (tx) => {
      // PORT BEFORE_CREATE: each project's default security group, looked up (or made) in this
      // transaction; the lookup starts now so that it shares the first port's round trip, and
      // bindNewPort gets the same answer without asking again.
      const defaults = Promise.all(projects.map((p) => this.securityGroups.ensureDefault(ctx, p, tx)))
      defaults.catch(() => {}) // awaited below; a failure must not go unhandled meanwhile
      const out: PortContextImpl[] = []
      for (const b of bodies) out.push(await this.createInTx(tx, ctx, b))
      // A port that names its groups does not wait for the default one, but its failure still
      // fails the request, as when it ran before the transaction.
      await defaults
      return out
    })
    const results: Port[] = []
    for (const pctx of created) {
      try {
        await this.afterCreate(pctx)
      } catch (e) {
        this.core.log.error(`mechanism_manager.create_port_postcommit failed, deleting port '${pctx.current.id}'`)
        for (const other of created) await this.deleteInternal(other.current.id).catch(() => {})
        throw e
      }
      results.push(pctx.current)
    }
    return results
  }

  /**
   * One port inside the caller's transaction; the caller runs `createPostcommit` after its commit.
   * Service plugins (L3) create router and floating IP ports this way, with an admin context,
   * `quota: false` (Neutron counts quotas at the API, not for ports it creates itself) and, for
   * floating IP ports, a `status` (N/A).
   */
  async createInTx(tx: Tx, ctx: RequestContext, b: JsonDict, o: { quota?: boolean } = {}): Promise<PortContextImpl> {
    // Everything the port needs to read before it writes, issued together: one round trip on
    // PostgreSQL. Errors keep their old precedence: an invisible network hides the rest.
    const [net, mac, , subnets, pools] = await inOrder([
      // Visibility only: ownership and policy are checked by the API (src/api/policy.ts).
      this.networks.getRowFor(tx, ctx, b.network_id),
      given(b.mac_address) ? this.checkMac(tx, b.network_id, b.mac_address) : this.generateMac(tx, b.network_id),
      o.quota !== false ? this.core.quotas?.check(tx, projectOf(ctx, b), 'port', 1) : undefined,
      subnetRowsByNetwork(tx, b.network_id),
      poolsByNetwork(tx, b.network_id),
    ] as const)
    const id = this.core.newId()
    const portSecurity = given(b.port_security_enabled) ? b.port_security_enabled : net.port_security_enabled
    const now = this.core.timestamp()
    const row: PortRow = {
      id,
      project_id: projectOf(ctx, b),
      network_id: net.id,
      name: b.name,
      mac_address: mac,
      admin_state_up: b.admin_state_up,
      status: typeof b.status === 'string' ? b.status : 'DOWN',
      device_id: b.device_id,
      device_owner: b.device_owner,
      port_security_enabled: portSecurity,
      description: b.description,
      revision_number: 1,
      created_at: now,
      updated_at: now,
    }
    // The port's writes are deferred: PostgreSQL gets them with the address probe or the COMMIT.
    insertPort(tx, row)
    const fixedIps = await allocateFixedIps(tx, row, b.fixed_ips, subnets, {
      maxFixedIps: this.core.options.maxFixedIpsPerPort,
      random: this.core.random,
      pools,
      viewer: ctx,
    })
    writeFixedIps(tx, id, net.id, fixedIps, false)
    const pairs = given(b.allowed_address_pairs) && b.allowed_address_pairs !== null ? this.pairs(b.allowed_address_pairs, mac) : []
    if (pairs.length && !portSecurity) throw new AddressPairAndPortSecurityRequired()
    writePairs(tx, id, pairs, false)
    const securityGroups = await this.securityGroups.bindNewPort(tx, ctx, row, b.security_groups)
    const opts = given(b.extra_dhcp_opts) && b.extra_dhcp_opts !== null ? dhcpOpts(b.extra_dhcp_opts) : []
    writeDhcpOpts(tx, id, opts, false, this.core.newId)
    const bindingIn = {
      host: b['binding:host_id'] ?? '',
      vnicType: b['binding:vnic_type'] ?? 'normal',
      profile: given(b['binding:profile']) && b['binding:profile'] !== null ? b['binding:profile'] : {},
    }
    const profileText = profileJson(bindingIn.profile)
    const netCtx = await this.networks.contextFromRow(tx, net, tx)
    const children: PortChildren = {
      fixedIps,
      binding: { ...UNBOUND, host: bindingIn.host, vnic_type: bindingIn.vnicType, profile: profileText },
      levels: [],
      pairs,
      dhcpOpts: opts,
      tags: [],
      securityGroups,
    }
    let result: BindingResult = { vifType: 'unbound', vifDetails: {}, levels: [] }
    let current = this.toDict(row, children)
    if (bindingIn.host) {
      const pctx = this.makeContext(current, null, netCtx, tx, bindingIn, null, result, [], ctx, false)
      result = await bindPort(this.core.mech.drivers, pctx, this.core.log)
      if (result.status && result.status !== row.status) row.status = result.status
      // Neutron binds after the create commit and commits the binding result as one more
      // revision, while the create response still shows revision 1 (captured from Zed: create → 1,
      // show → 2). Same on update (see below).
      updatePortRow(tx, id, { status: row.status, revision_number: row.revision_number + 1 })
    }
    children.binding = bindingRow(bindingIn, profileText, result)
    children.levels = result.levels
    writeBinding(tx, id, children.binding, result.levels, false)
    current = this.toDict(row, children)
    const pctx = this.makeContext(current, null, netCtx, tx, bindingIn, null, result, [], ctx, !!bindingIn.host)
    await this.core.registry.publish('port', 'precommit_create', this, { context: ctx, resourceId: id, current, tx, request: b, portContext: pctx })
    await this.core.mech.createPortPrecommit(pctx)
    return pctx
  }

  private pairs(list: unknown, portMac: string): Array<{ ip_address: string; mac_address: string }> {
    if (!Array.isArray(list)) throw new InvalidInput('Allowed address pairs must be a list.')
    // The limit first, as neutron-lib's validator: the work below is per pair.
    const max = this.core.options.maxAllowedAddressPair ?? 10
    if (list.length > max) throw new AllowedAddressPairExhausted(max)
    const out: Array<{ ip_address: string; mac_address: string }> = []
    const seen = new Set<string>()
    for (const p of list) {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new InvalidInput(`Invalid input for allowed_address_pairs: '${JSON.stringify(p)}' is not a dict`)
      const keys = Object.keys(p).filter((k) => k !== 'ip_address' && k !== 'mac_address')
      if (keys.length) throw new InvalidInput(`Unrecognized attribute(s) '${keys.join(', ')}'`)
      if (!Object.hasOwn(p, 'ip_address')) throw new InvalidInput('AllowedAddressPair must contain ip_address')
      const ip = (p as Dict).ip_address
      if (typeof ip !== 'string' || !(parseIp(ip) || (ip.includes('/') && parseNetaddrNetwork(ip)))) {
        throw new InvalidInput(`AllowedAddressPair ip_address '${typeof ip === 'string' ? ip : JSON.stringify(ip)}' is not a valid IP address or CIDR`)
      }
      const rawMac = (p as Dict).mac_address
      const mac = rawMac === undefined || rawMac === null ? portMac : normalizeMac(String(rawMac))
      if (!mac) throw new InvalidInput(`'${typeof rawMac === 'string' ? rawMac : JSON.stringify(rawMac)}' is not a valid MAC address`)
      if (seen.has(`${mac}|${ip}`)) {
        throw new InvalidInput('Request contains duplicate address pair: mac_address ' + mac + ' ip_address ' + ip + '.')
      }
      seen.add(`${mac}|${ip}`)
      out.push({ ip_address: ip, mac_address: mac })
    }
    return out
  }

  private async checkMac(q: Queryable, networkId: string, mac: string): Promise<string> {
    const m = normalizeMac(mac)!
    const used = await q.get('SELECT 1 AS x FROM ports WHERE network_id = ? AND mac_address = ?', [networkId, m])
    if (used) throw new MacAddressInUse(networkId, m)
    return m
  }

  /** A random MAC under base_mac, unique on the network (retried mac_generation_retries times). */
  private async generateMac(q: Queryable, networkId: string): Promise<string> {
    for (let i = 0; i < this.core.options.macGenerationRetries; i++) {
      const mac = randomMac(this.core.options.baseMac, this.core.random)
      const used = await q.get('SELECT 1 AS x FROM ports WHERE network_id = ? AND mac_address = ?', [networkId, mac])
      if (!used) return mac
    }
    throw new MacAddressGenerationFailure(networkId)
  }

  /** After a commit that created ports through createInTx: a postcommit failure deletes the port again. */
  async createPostcommit(pctx: PortContextImpl): Promise<void> {
    try {
      await this.afterCreate(pctx)
    } catch (e) {
      this.core.log.error(`mechanism_manager.create_port_postcommit failed, deleting port '${pctx.current.id}'`)
      await this.deleteInternal(pctx.current.id).catch(() => {})
      throw e
    }
  }

  /** PORT AFTER_CREATE (and AFTER_BIND), then the drivers' create postcommit. */
  private async afterCreate(pctx: PortContextImpl): Promise<void> {
    const after = this.withoutTx(pctx)
    const reg = this.core.registry
    const base = { context: pctx.requestContext, resourceId: after.current.id, current: after.current, portContext: after }
    await reg.publish('port', 'after_create', this, base)
    if (pctx.justBound && isBound(after.vifType)) await reg.publish('port', 'after_bind', this, base)
    await this.core.mech.createPortPostcommit(after)
  }

  // ---- update -------------------------------------------------------------------------------
  async update(ctx: RequestContext, id: string, b: JsonDict): Promise<Port> {
    await this.core.registry.publish('port', 'before_update', this, { context: ctx, resourceId: id, request: b })
    const pctx = await this.core.txn((tx) => this.updateInTx(tx, ctx, id, b, { ensureDefaultGroup: true }))
    await this.updatePostcommit(pctx)
    return pctx.current
  }

  /** PORT AFTER_UPDATE (and AFTER_BIND), then the drivers' update postcommit (its failure: error, change kept). */
  async updatePostcommit(pctx: PortContextImpl): Promise<void> {
    const after = this.withoutTx(pctx)
    const reg = this.core.registry
    const base = { context: pctx.requestContext, resourceId: after.current.id, original: after.original, current: after.current, portContext: after }
    await reg.publish('port', 'after_update', this, base)
    if (pctx.justBound && isBound(after.vifType)) await reg.publish('port', 'after_bind', this, base)
    await this.core.mech.updatePortPostcommit(after)
  }

  /**
   * update_port_status: agents and the controller report a port up or down. Like any update it is
   * a new revision with the update precommit/postcommit and AFTER_UPDATE; an unchanged status
   * writes nothing and publishes nothing.
   */
  async updateStatus(ctx: RequestContext, id: string, status: string): Promise<Port> {
    if (typeof status !== 'string' || !status) throw new InvalidInput(`Invalid port status ${JSON.stringify(status)}`)
    const pctx = await this.core.txn(async (tx) => {
      const row = await getPortRow(tx, id, true)
      if (!row) throw new PortNotFound(id)
      return row.status === status ? null : this.updateInTx(tx, ctx, id, { status }, { statusUpdate: true })
    })
    if (!pctx) return this.get(ctx, id)
    await this.updatePostcommit(pctx)
    return pctx.current
  }

  /**
   * A port update inside the caller's transaction (`b` holds only what changes); then
   * `updatePostcommit`. `ensureDefaultGroup`: PORT BEFORE_UPDATE of an API update, the port's
   * project gets its default security group (looked up with the port's children and network).
   */
  async updateInTx(
    tx: Tx,
    ctx: RequestContext,
    id: string,
    b: JsonDict,
    o: { ensureDefaultGroup?: boolean; statusUpdate?: boolean } = {},
  ): Promise<PortContextImpl> {
    const row = await this.visibleRow(tx, ctx, id, true)
    const [children, netCtx] = await inOrder([
      portChildren(tx, [id]),
      this.networks.contextFor(tx, row.network_id, tx),
      o.ensureDefaultGroup ? this.securityGroups.ensureDefault(ctx, row.project_id, tx) : undefined,
    ] as const)
    const ch = children.get(id)!
    const original = this.toDict(row, ch)
    const origBinding = bindingInput(ch.binding)
    const changes: Partial<PortRow> = {}
    for (const k of ['name', 'description', 'admin_state_up', 'device_id', 'device_owner', 'port_security_enabled'] as const) {
      if (given(b[k]) && b[k] !== row[k]) (changes as Dict)[k] = b[k]
    }
    // Only update_port_status changes the status: the API's attribute map refuses it in a PUT.
    if (o.statusUpdate && b.status !== row.status) changes.status = b.status
    if (given(b.mac_address) && normalizeMac(b.mac_address) !== row.mac_address) {
      if (ch.binding.vif_type !== 'unbound' && ch.binding.vif_type !== 'binding_failed') {
        throw new PortBound(id, ch.binding.vif_type, row.mac_address, b.mac_address)
      }
      changes.mac_address = await this.checkMac(tx, row.network_id, b.mac_address)
    }
    const next: PortChildren = { ...ch }
    const merged = { ...row, ...changes }
    if (given(b.fixed_ips)) {
      const subnets = await subnetRowsByNetwork(tx, row.network_id)
      const ips = await allocateFixedIps(tx, merged, b.fixed_ips ?? [], subnets, {
        maxFixedIps: this.core.options.maxFixedIpsPerPort,
        random: this.core.random,
        keep: ch.fixedIps,
        viewer: ctx,
      })
      writeFixedIps(tx, id, row.network_id, ips, true)
      next.fixedIps = ips
    }
    if (given(b.allowed_address_pairs)) {
      next.pairs = this.pairs(b.allowed_address_pairs ?? [], merged.mac_address)
      writePairs(tx, id, next.pairs, true)
    }
    if (next.pairs.length && !merged.port_security_enabled) throw new AddressPairAndPortSecurityRequired()
    const sgBefore = ch.securityGroups ?? []
    next.securityGroups = await this.securityGroups.bindUpdatedPort(tx, ctx, id, merged.port_security_enabled, b, sgBefore)
    const sgChanged = (next.securityGroups ?? []).join() !== sgBefore.join()
    if (given(b.extra_dhcp_opts)) {
      next.dhcpOpts = mergeDhcpOpts(ch.dhcpOpts, dhcpOpts(b.extra_dhcp_opts ?? []))
      writeDhcpOpts(tx, id, next.dhcpOpts, true, this.core.newId)
    }
    const bindingIn = {
      host: given(b['binding:host_id']) ? b['binding:host_id'] : origBinding.host,
      vnicType: given(b['binding:vnic_type']) ? b['binding:vnic_type'] : origBinding.vnicType,
      profile: given(b['binding:profile']) ? b['binding:profile'] ?? {} : origBinding.profile,
    }
    const profileText = profileJson(bindingIn.profile)
    const bindingChanged =
      bindingIn.host !== origBinding.host || bindingIn.vnicType !== origBinding.vnicType || profileText !== ch.binding.profile
    let result: BindingResult = { vifType: ch.binding.vif_type, vifDetails: parseJson(ch.binding.vif_details), levels: ch.levels }
    const origCtxBinding = { ...origBinding, vifType: ch.binding.vif_type }
    let bindCommit = 0
    if (bindingChanged || (given(b.mac_address) && changes.mac_address)) {
      // Any change of the binding inputs clears the old binding first (facts §1.5).
      result = { vifType: 'unbound', vifDetails: {}, levels: [] }
      if (bindingIn.host) {
        const tmp = this.makeContext(this.toDict(merged, next), original, netCtx, tx, bindingIn, origCtxBinding, result, ch.levels, ctx, false)
        result = await bindPort(this.core.mech.drivers, tmp, this.core.log)
        if (result.status && result.status !== merged.status) changes.status = result.status
      } else if (merged.status !== 'DOWN') {
        changes.status = 'DOWN'
      }
      next.binding = bindingRow(bindingIn, profileText, result)
      next.levels = result.levels
      writeBinding(tx, id, next.binding, result.levels, true)
      if (bindingIn.host) bindCommit = 1
    }
    const anyChange =
      Object.keys(changes).length || given(b.fixed_ips) || given(b.allowed_address_pairs) || given(b.extra_dhcp_opts) || bindingChanged || sgChanged
    if (anyChange) {
      changes.revision_number = row.revision_number + 1
      changes.updated_at = this.core.timestamp()
      // A binding attempt is one more commit in Neutron, not shown in this response (Zed capture:
      // update → 3, then show → 4).
      updatePortRow(tx, id, { ...changes, revision_number: row.revision_number + 1 + bindCommit })
    }
    const current = this.toDict({ ...row, ...changes }, next)
    const pctx = this.makeContext(current, original, netCtx, tx, bindingIn, origCtxBinding, result, ch.levels, ctx, bindCommit === 1)
    await this.core.registry.publish('port', 'precommit_update', this, { context: ctx, resourceId: id, original, current, tx, request: b, portContext: pctx })
    await this.core.mech.updatePortPrecommit(pctx)
    return pctx
  }

  // ---- delete -------------------------------------------------------------------------------
  async delete(ctx: RequestContext, id: string): Promise<void> {
    const row = await this.visibleRow(this.core.reader, ctx, id)
    // PORT BEFORE_DELETE with port_check (Neutron's l3_port_check): the L3 plugin refuses router and
    // floating IP ports, which go through their own resources.
    const device = { owner: row.device_owner, id: row.device_id }
    await this.core.registry.publish('port', 'before_delete', this, { context: ctx, resourceId: id, portCheck: true, device })
    await this.deleteInternal(id, ctx)
  }

  /** ML2's own deletes (network delete, undoing a failed create): no port_check, no before_delete veto. */
  async deleteInternal(id: string, ctx: RequestContext = adminContext()): Promise<void> {
    const pctx = await this.core.txn((tx) => this.deleteInTx(tx, id, ctx))
    await this.deletePostcommit(pctx)
  }

  /** A port delete inside the caller's transaction; then `deletePostcommit`. */
  async deleteInTx(tx: Tx, id: string, ctx: RequestContext = adminContext()): Promise<PortContextImpl> {
    const [row, children] = await inOrder([getPortRow(tx, id), portChildren(tx, [id])] as const)
    if (!row) throw new PortNotFound(id)
    const ch = children.get(id)!
    const current = this.toDict(row, ch)
    const netCtx = await this.networks.contextFor(tx, row.network_id, tx)
    const b = bindingInput(ch.binding)
    const result = { vifType: ch.binding.vif_type, vifDetails: parseJson(ch.binding.vif_details), levels: ch.levels }
    const pctx = this.makeContext(current, null, netCtx, tx, b, null, result, ch.levels, ctx, false)
    await this.core.mech.deletePortPrecommit(pctx)
    // PORT PRECOMMIT_DELETE: e.g. the L3 plugin disassociates the port's floating IPs in this
    // transaction (ML2 delete_port → l3plugin.disassociate_floatingips).
    await this.core.registry.publish('port', 'precommit_delete', this, { context: ctx, resourceId: id, current, tx, portContext: pctx })
    deletePortRow(tx, id)
    this.cache.delete(id)
    return pctx
  }

  async deletePostcommit(pctx: PortContextImpl): Promise<void> {
    const after = this.withoutTx(pctx)
    await this.core.registry.publish('port', 'after_delete', this, { context: pctx.requestContext, resourceId: after.current.id, current: after.current, portContext: after })
    try {
      await this.core.mech.deletePortPostcommit(after)
    } catch (e) {
      if (!(e instanceof MechanismDriverError)) throw e
      this.core.log.error(`mechanism_manager.delete_port_postcommit failed for port ${pctx.current.id}; the port is deleted`)
    }
  }

  // ---- read ---------------------------------------------------------------------------------
  /** Owner, admin, or owner of the port's network may see a port (Neutron default policy). */
  private async visibleRow(q: Queryable, ctx: RequestContext, id: string, forUpdate = false): Promise<PortRow> {
    const row = await getPortRow(q, id, forUpdate)
    if (!row) throw new PortNotFound(id)
    if (!ctx.isAdmin && row.project_id !== ctx.projectId) {
      const owner = await q.get<{ project_id: string }>('SELECT project_id FROM networks WHERE id = ?', [row.network_id])
      if (owner?.project_id !== ctx.projectId) throw new PortNotFound(id)
    }
    return row
  }

  async get(ctx: RequestContext, id: string): Promise<Port> {
    const q = this.core.reader
    const row = await this.visibleRow(q, ctx, id)
    const hit = this.cache.get(id, row.revision_number)
    if (hit) return hit
    const dict = this.toDict(row, (await portChildren(q, [id])).get(id)!)
    this.cache.set(id, row.revision_number, dict)
    return dict
  }

  /**
   * Visible ports in id order. One narrow query (id, revision) decides which cached dicts are still
   * current; only the others are read in full, with their child rows.
   */
  async list(ctx: RequestContext, filters: Map<string, string[]>): Promise<Port[]> {
    const q = this.core.reader
    const scope: PortScope = {}
    if (filters.has('network_id')) scope.networkIds = filters.get('network_id')
    if (filters.has('device_id')) scope.deviceIds = filters.get('device_id')
    if (!ctx.isAdmin) {
      const owned = await q.all<{ id: string }>('SELECT id FROM networks WHERE project_id = ?', [ctx.projectId])
      scope.projectOrNetworks = { projectId: ctx.projectId, networkIds: owned.map((n) => n.id) }
    }
    const keys = await listPortKeys(q, scope)
    return this.#dictsOf(q, keys, ctx.isAdmin && !scope.networkIds && !scope.deviceIds)
  }

  /**
   * A list request planned in SQL (issue 15): filters, and for the id order the marker and limit,
   * select the ports; dicts come from the per-revision cache or are built for those ports only.
   */
  async listPage(ctx: RequestContext, req: ListRequest): Promise<ListPage<Port>> {
    const q = this.core.reader
    const plan = planRows(req, PORT_FILTER_COLUMNS, 'ports')
    const { keys, markerFound } = await listPortKeysPlanned(q, this.core.db.dialect, ctx.isAdmin ? undefined : ctx.projectId, plan)
    const items = await this.#dictsOf(q, keys, ctx.isAdmin && plan.conditions.length === 0 && plan.page === null)
    // A port deleted between the two queries is left out, as in list().
    return { items, rest: plan.rest, paged: plan.page !== null, markerFound }
  }

  /** Dicts of the given ports, in their order; `unscoped`: every port is listed (whole child tables may be read). */
  async #dictsOf(q: Queryable, keys: ReadonlyArray<{ id: string; revision_number: number }>, unscoped: boolean): Promise<Port[]> {
    const out: Port[] = new Array(keys.length)
    const missing: string[] = []
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      const hit = this.cache.get(k.id, Number(k.revision_number))
      if (hit) out[i] = hit
      else missing.push(k.id)
    }
    if (missing.length) {
      const rows = await getPortRowsByIds(q, missing)
      // Whole child tables only for an admin's unfiltered list: anyone else's cost stays with its rows.
      const everything = unscoped && missing.length > 200
      const children = await portChildren(q, everything ? null : missing)
      const empty: PortChildren = { fixedIps: [], binding: UNBOUND, levels: [], pairs: [], dhcpOpts: [], tags: [] }
      const byId = new Map<string, Port>()
      for (const r of rows) {
        const d = this.toDict(r, children.get(r.id) ?? empty)
        this.cache.set(r.id, r.revision_number, d)
        byId.set(r.id, d)
      }
      for (let i = 0; i < keys.length; i++) {
        if (!out[i]) out[i] = byId.get(keys[i]!.id)!
      }
    }
    // A port deleted between the two queries leaves a hole: drop it.
    return out.filter((d) => d !== undefined)
  }

  // ---- helpers ------------------------------------------------------------------------------
  private makeContext(
    current: Port,
    original: Port | null,
    network: NetworkContext,
    tx: Tx | undefined,
    binding: { host: string; vnicType: string; profile: Record<string, unknown> },
    originalBinding: ({ host: string; vnicType: string; profile: Record<string, unknown> } & { vifType: string }) | null,
    result: BindingResult,
    originalLevels: BindingResult['levels'],
    requestContext: RequestContext,
    justBound: boolean,
  ): PortContextImpl {
    return new PortContextImpl({
      requestContext,
      justBound,
      current,
      original,
      network,
      tx,
      binding,
      originalBinding,
      result,
      originalLevels,
      agents: (type, host) => this.liveness.hostAgents(tx ?? this.core.reader, type, host),
    })
  }

  private withoutTx(p: PortContextImpl): PortContextImpl {
    const init = (p as unknown as { init: ConstructorParameters<typeof PortContextImpl>[0] }).init
    return new PortContextImpl({ ...init, tx: undefined, network: { ...init.network, tx: undefined } })
  }

  toDict(r: PortRow, c: PortChildren): Port {
    return {
      id: r.id,
      name: r.name,
      network_id: r.network_id,
      tenant_id: r.project_id,
      mac_address: r.mac_address,
      admin_state_up: r.admin_state_up,
      status: r.status,
      device_id: r.device_id,
      device_owner: r.device_owner,
      fixed_ips: c.fixedIps,
      allowed_address_pairs: c.pairs,
      extra_dhcp_opts: c.dhcpOpts,
      security_groups: c.securityGroups ?? [],
      description: r.description,
      'binding:vnic_type': c.binding.vnic_type,
      'binding:profile': parseJson(c.binding.profile),
      'binding:host_id': c.binding.host,
      'binding:vif_type': c.binding.vif_type,
      'binding:vif_details': parseJson(c.binding.vif_details),
      port_security_enabled: r.port_security_enabled,
      tags: c.tags,
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
      project_id: r.project_id,
    }
  }
}

function parseJson(text: string): Record<string, unknown> {
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    return {}
  }
}

/** A binding a driver completed (after_bind), as opposed to none or a failed attempt. */
function isBound(vifType: string): boolean {
  return vifType !== 'unbound' && vifType !== 'binding_failed'
}

function profileJson(profile: Record<string, unknown>): string {
  const text = Object.keys(profile).length ? JSON.stringify(profile) : ''
  if (text.length > 4095) throw new InvalidInput('binding:profile value too large')
  return text
}

function bindingInput(b: BindingRow) {
  return { host: b.host, vnicType: b.vnic_type, profile: parseJson(b.profile) }
}

function bindingRow(i: { host: string; vnicType: string }, profile: string, r: BindingResult): BindingRow {
  return {
    host: i.host,
    vnic_type: i.vnicType,
    profile,
    vif_type: r.vifType,
    vif_details: Object.keys(r.vifDetails).length ? JSON.stringify(r.vifDetails) : '',
  }
}

/** extra_dhcp_opts entries: {opt_name, opt_value, ip_version=4}. */
function dhcpOpts(list: unknown): PortChildren['dhcpOpts'] {
  if (!Array.isArray(list)) throw new InvalidInput(`Invalid data format for extra-dhcp-opt: ${JSON.stringify(list)}`)
  return list.map((o) => {
    if (o === null || typeof o !== 'object' || typeof (o as Dict).opt_name !== 'string' || !(o as Dict).opt_name) {
      throw new InvalidInput(`Invalid data format for extra-dhcp-opt: ${JSON.stringify(o)}`)
    }
    const v = (o as Dict).ip_version ?? 4
    const ipVersion = Number(v)
    if (ipVersion !== 4 && ipVersion !== 6) throw new InvalidInput(`Invalid data format for extra-dhcp-opt: ${JSON.stringify(o)}`)
    const value = (o as Dict).opt_value
    return { opt_name: (o as Dict).opt_name, opt_value: value === null || value === undefined ? '' : String(value), ip_version: ipVersion }
  })
}

/** On update, options are merged by (name, version); a null opt_value removes one (extradhcpopt_db). */
function mergeDhcpOpts(old: PortChildren['dhcpOpts'], upd: PortChildren['dhcpOpts']): PortChildren['dhcpOpts'] {
  const out = [...old]
  for (const u of upd) {
    const i = out.findIndex((o) => o.opt_name === u.opt_name && o.ip_version === u.ip_version)
    if (u.opt_value === '') {
      if (i >= 0) out.splice(i, 1)
    } else if (i >= 0) out[i] = u
    else out.push(u)
  }
  return out
}

