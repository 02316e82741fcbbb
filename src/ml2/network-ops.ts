/** Network create/update/delete/get/list with ML2 semantics (facts §1.4, plugin.py create_network & co). */
import { NOT_SPECIFIED } from '../common/not-specified.js'
import { DictCache } from './dict-cache.js'
import { inOrder } from '../common/in-order.js'
import { projectOf } from '../common/project-of.js'
import type { RequestContext } from '../common/context.js'
import {
  ExternalNetworkInUse,
  InvalidInput,
  MechanismDriverError,
  NetworkInUse,
  NetworkNotFound,
} from '../common/exceptions.js'
import type { Queryable, Tx } from '../db/engine.js'
import { planRows, type ListPage, type ListRequest } from '../db/resources/row-query.js'
import {
  bumpNetworkRevision,
  deleteNetworkRow,
  getNetworkRow,
  insertNetwork,
  listNetworkRows,
  listNetworkRowsPlanned,
  NETWORK_FILTER_COLUMNS,
  subnetIdsByNetwork,
  tagsByResource,
  updateNetworkRow,
  type NetworkRow,
  networkVisibleTo,
} from '../db/resources/networks.js'
import type { NetworkContext, Segment } from './driver-api.js'
import type { Dict, PluginCore } from './plugin-core.js'
import { segmentsToApi } from './provider-attrs.js'
import { AUTO_DELETE_PORT_OWNERS, type JsonDict, type Network } from './resource-types.js'

export { AUTO_DELETE_PORT_OWNERS }
import { TagOps } from './tag-ops.js'

const PROVIDER_KEYS = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id'] as const


/** NETWORK BEFORE_CREATE's one job here: the project's default security group (securitygroup-ops.ts). */
export interface DefaultSecurityGroup {
  ensureDefault(ctx: RequestContext, projectId: string, tx?: Tx): Promise<string | null>
}

/** delete_network deletes the network's auto-deletable ports and its subnets through their own deletes. */
export interface NetworkCascade {
  deletePort(id: string, ctx: RequestContext): Promise<void>
  deleteSubnet(id: string, ctx: RequestContext): Promise<void>
}

export class NetworkOps {
  /** standard-attr-tag: a tag change is a new revision of the network. */
  readonly tags: TagOps

  constructor(
    private readonly core: PluginCore,
    private readonly securityGroups: DefaultSecurityGroup,
    private readonly cascade: NetworkCascade,
  ) {
    this.tags = new TagOps(core, { resourceType: 'networks', visibleRow: (q, ctx, id) => this.getRowFor(q, ctx, id) })
  }

  // ---- create -------------------------------------------------------------------------------
  async create(ctx: RequestContext, body: JsonDict): Promise<Network> {
    const [net] = await this.createBulk(ctx, [body])
    return net!
  }

  /** Bulk create is all-or-nothing: one transaction for every network, then each postcommit. */
  async createBulk(ctx: RequestContext, bodies: JsonDict[]): Promise<Network[]> {
    const reg = this.core.registry
    for (const b of bodies) await reg.publish('network', 'before_create', this, { context: ctx, resourceId: '', request: b })
    const requested = bodies.map((b) => this.core.typeManager.processProviderCreate(stripUnset(b)))
    const projects = [...new Set(bodies.map((b) => projectOf(ctx, b) as string))]
    const created = await this.core.txn(async (tx) => {
      // NETWORK BEFORE_CREATE: each project's default security group (_ensure_default_security_group),
      // looked up together with the first network's quota check and segment allocation — one
      // round trip on PostgreSQL (db/pg pipelines statements issued together).
      const defaults = Promise.all(projects.map((p) => this.securityGroups.ensureDefault(ctx, p, tx)))
      const out: Array<{ dict: Network; ctx: NetworkContext }> = []
      for (let i = 0; i < bodies.length; i++) {
        const b = bodies[i]!
        const now = this.core.timestamp()
        const id = this.core.newId()
        const row: NetworkRow = {
          id,
          project_id: projectOf(ctx, b),
          name: b.name,
          status: 'ACTIVE',
          admin_state_up: b.admin_state_up,
          shared: b.shared,
          router_external: b['router:external'],
          port_security_enabled: b.port_security_enabled,
          mtu: 0,
          availability_zone_hints: JSON.stringify(b.availability_zone_hints ?? []),
          description: b.description,
          // Neutron counts the segment write as a revision: a new network shows 1.
          revision_number: 1,
          created_at: now,
          updated_at: now,
        }
        // Segments are reserved first so the network row goes in once, with its final MTU; the
        // segment rows (which reference it) follow.
        const [, , reserved] = await inOrder([
          i === 0 ? defaults : undefined,
          this.core.quotas?.check(tx, row.project_id, 'network', 1),
          this.core.typeManager.allocateNetworkSegments(tx, requested[i] ?? null),
        ] as const)
        const maxMtu = this.core.typeManager.getNetworkMtu(reserved)
        let mtu = maxMtu
        if (b.mtu !== NOT_SPECIFIED && b.mtu !== undefined) {
          if (maxMtu > 0 && b.mtu > maxMtu) throw new InvalidInput(`Requested MTU is too big, maximum is ${maxMtu}`)
          mtu = b.mtu
        }
        row.mtu = mtu
        // Deferred writes: they go to PostgreSQL with the next statement or the COMMIT.
        insertNetwork(tx, row)
        const segments = await this.core.typeManager.recordNetworkSegments(tx, id, reserved)
        const dict = this.toDict(row, segments, [], [])
        const nctx = this.context(dict, null, segments, tx)
        await reg.publish('network', 'precommit_create', this, { context: ctx, resourceId: id, current: dict, tx, request: b, networkContext: nctx })
        for (const seg of segments) await reg.publish('segment', 'precommit_create', this, { context: ctx, resourceId: seg.id!, current: seg, tx })
        await this.core.mech.createNetworkPrecommit(nctx)
        out.push({ dict, ctx: nctx })
      }
      return out
    })
    const results: Network[] = []
    for (let i = 0; i < created.length; i++) {
      const c = created[i]!
      try {
        const nctx = this.context(c.dict, null, c.ctx.networkSegments)
        await reg.publish('network', 'after_create', this, { context: ctx, resourceId: c.dict.id, current: c.dict, request: bodies[i], networkContext: nctx })
        for (const seg of nctx.networkSegments) await reg.publish('segment', 'after_create', this, { context: ctx, resourceId: seg.id!, current: seg })
        await this.core.mech.createNetworkPostcommit(nctx)
      } catch (e) {
        this.core.log.error(`mechanism_manager.create_network_postcommit failed, deleting network '${c.dict.id}'`)
        // All-or-nothing: undo this network and every other network of the same request.
        for (const other of created) await this.deleteInternal(ctx, other.dict.id, true).catch(() => {})
        throw e
      }
      results.push(c.dict)
    }
    return results
  }

  // ---- update -------------------------------------------------------------------------------
  async update(ctx: RequestContext, id: string, body: JsonDict): Promise<Network> {
    const reg = this.core.registry
    await reg.publish('network', 'before_update', this, { context: ctx, resourceId: id, request: body })
    const { dict, nctx } = await this.core.txn(async (tx) => {
      const row = await getNetworkRow(tx, id, true)
      // Who may update a network it can see is policy's decision (src/api/policy.ts).
      if (!row || !visible(ctx, row)) throw new NetworkNotFound(id)
      const segments = await this.core.typeManager.getNetworkSegments(tx, id)
      const original = await this.loadOne(tx, row, segments)
      this.checkProviderUpdate(body, original, segments)
      const changes: Partial<NetworkRow> = {}
      for (const k of ['name', 'description', 'admin_state_up', 'shared', 'port_security_enabled'] as const) {
        if (k in body && body[k] !== original[k]) (changes as JsonDict)[k] = body[k]
      }
      if ('router:external' in body && body['router:external'] !== original['router:external']) {
        // external_net_db._process_l3_update: not while routers use it as their gateway.
        if (!body['router:external'] && (await tx.get("SELECT 1 AS x FROM ports WHERE network_id = ? AND device_owner = 'network:router_gateway'", [id]))) {
          throw new ExternalNetworkInUse(id)
        }
        changes.router_external = body['router:external']
      }
      if ('mtu' in body && body.mtu !== original.mtu) {
        const maxMtu = this.core.typeManager.getNetworkMtu(segments)
        if (maxMtu > 0 && body.mtu > maxMtu) throw new InvalidInput(`Requested MTU is too big, maximum is ${maxMtu}`)
        changes.mtu = body.mtu
      }
      if (Object.keys(changes).length) {
        changes.revision_number = row.revision_number + 1
        changes.updated_at = this.core.timestamp()
        await updateNetworkRow(tx, id, changes)
      }
      const updated = { ...row, ...changes }
      const current = await this.loadOne(tx, updated, segments)
      const nctx = this.context(current, original, segments, tx)
      await reg.publish('network', 'precommit_update', this, { context: ctx, resourceId: id, original, current, tx, request: body, networkContext: nctx })
      await this.core.mech.updateNetworkPrecommit(nctx)
      return { dict: current, nctx }
    })
    const after = this.context(dict, nctx.original, nctx.networkSegments)
    await reg.publish('network', 'after_update', this, { context: ctx, resourceId: id, original: nctx.original, current: dict, request: body, networkContext: after })
    await this.core.mech.updateNetworkPostcommit(after)
    return dict
  }

  /** ML2 accepts provider attributes in an update only when they do not change anything. */
  private checkProviderUpdate(body: JsonDict, original: Network, segments: Segment[]): void {
    const api = segmentsToApi(segments)
    for (const k of PROVIDER_KEYS) {
      if (k in body && body[k] !== NOT_SPECIFIED && body[k] !== (api as JsonDict)[k]) {
        throw new InvalidInput('Plugin does not support updating provider attributes')
      }
    }
    if ('segments' in body && body.segments !== NOT_SPECIFIED && JSON.stringify(body.segments) !== JSON.stringify(original.segments)) {
      throw new InvalidInput('Plugin does not support updating provider attributes')
    }
    for (const k of [...PROVIDER_KEYS, 'segments']) delete body[k]
  }

  // ---- delete -------------------------------------------------------------------------------
  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.deleteInternal(ctx, id, false)
  }

  /**
   * Neutron's loop: refuse if user ports remain; delete auto-deletable ports and all subnets through
   * their own delete calls (so driver hooks run); then the network itself.
   */
  async deleteInternal(ctx: RequestContext, id: string, force: boolean): Promise<void> {
    const reg = this.core.registry
    for (let round = 0; round < 10; round++) {
      const row = await getNetworkRow(this.core.reader, id)
      if (!row || !visible(ctx, row)) throw new NetworkNotFound(id)
      // NETWORK BEFORE_DELETE: e.g. the L3 plugin deletes disassociated floating IPs first (after
      // making sure no other port keeps the network in use: a refused delete must cost nothing).
      if (round === 0 && !force) await reg.publish('network', 'before_delete', this, { context: ctx, resourceId: id })
      const ports = await this.core.reader.all<{ id: string; device_owner: string }>(
        'SELECT id, device_owner FROM ports WHERE network_id = ? ORDER BY id',
        [id],
      )
      const inUse = ports.filter((p) => !AUTO_DELETE_PORT_OWNERS.includes(p.device_owner))
      if (inUse.length && !force) throw new NetworkInUse(id, inUse.map((p) => p.id))
      for (const p of ports) await this.cascade.deletePort(p.id, ctx)
      const subnets = await this.core.reader.all<{ id: string }>('SELECT id FROM subnets WHERE network_id = ?', [id])
      for (const s of subnets) await this.cascade.deleteSubnet(s.id, ctx)
      const done = await this.core.txn(async (tx) => {
        const cur = await getNetworkRow(tx, id, true)
        if (!cur) throw new NetworkNotFound(id)
        const left = await tx.get('SELECT 1 AS x FROM ports WHERE network_id = ? UNION ALL SELECT 1 AS x FROM subnets WHERE network_id = ?', [id, id])
        if (left) return null // a port or subnet appeared concurrently: loop again
        const segments = await this.core.typeManager.getNetworkSegments(tx, id)
        const dict = await this.loadOne(tx, cur, segments)
        const nctx = this.context(dict, null, segments, tx)
        await reg.publish('network', 'precommit_delete', this, { context: ctx, resourceId: id, current: dict, tx, networkContext: nctx })
        for (const seg of segments) await reg.publish('segment', 'precommit_delete', this, { context: ctx, resourceId: seg.id!, current: seg, tx })
        await this.core.mech.deleteNetworkPrecommit(nctx)
        await this.core.typeManager.releaseNetworkSegments(tx, id)
        await deleteNetworkRow(tx, id)
        return nctx
      })
      if (!done) continue
      const after = this.context(done.current, null, done.networkSegments)
      await reg.publish('network', 'after_delete', this, { context: ctx, resourceId: id, current: done.current, networkContext: after })
      for (const seg of after.networkSegments) await reg.publish('segment', 'after_delete', this, { context: ctx, resourceId: seg.id!, current: seg })
      try {
        await this.core.mech.deleteNetworkPostcommit(after)
      } catch (e) {
        if (!(e instanceof MechanismDriverError)) throw e
        this.core.log.error(`mechanism_manager.delete_network_postcommit failed for network ${id}; the network is deleted`)
      }
      return
    }
    throw new NetworkInUse(id, [])
  }

  // ---- read ---------------------------------------------------------------------------------
  async get(ctx: RequestContext, id: string): Promise<Network> {
    const row = await getNetworkRow(this.core.reader, id)
    if (!row || !visible(ctx, row)) throw new NetworkNotFound(id)
    return this.loadOne(this.core.reader, row, await this.core.typeManager.getNetworkSegments(this.core.reader, id))
  }

  /** The network row if the caller may use it (e.g. to create a port or subnet on it). */
  async getRowFor(q: Queryable, ctx: RequestContext, id: string): Promise<NetworkRow> {
    const row = await getNetworkRow(q, id)
    if (!row || !visible(ctx, row)) throw new NetworkNotFound(id)
    return row
  }

  async list(ctx: RequestContext): Promise<Network[]> {
    const q = this.core.reader
    const rows = await listNetworkRows(q, ctx.isAdmin ? {} : { projectId: ctx.projectId })
    const all = ctx.isAdmin
    const ids = rows.map((r) => r.id)
    const [segs, subnets, tags] = await Promise.all([
      this.core.typeManager.getSegmentsForNetworks(q, ids),
      subnetIdsByNetwork(q, all ? null : ids),
      tagsByResource(q, 'networks', all ? null : ids),
    ])
    return rows.map((r) => this.toDict(r, segs.get(r.id) ?? [], subnets.get(r.id) ?? [], tags.get(r.id) ?? []))
  }

  /**
   * A list request planned in SQL (issue 15): filters, and for the id order the marker and limit,
   * select the rows; segments, subnets and tags are then loaded for those rows only.
   */
  async listPage(ctx: RequestContext, req: ListRequest): Promise<ListPage<Network>> {
    const q = this.core.reader
    const plan = planRows(req, NETWORK_FILTER_COLUMNS, 'networks')
    const { rows, markerFound } = await listNetworkRowsPlanned(q, this.core.db.dialect, ctx.isAdmin ? undefined : ctx.projectId, plan)
    const ids = rows.map((r) => r.id)
    // Every network selected (an admin's unfiltered, unpaged list): whole tables in one query each.
    const every = ctx.isAdmin && plan.conditions.length === 0 && plan.page === null
    const [segs, subnets, tags] = await Promise.all([
      this.core.typeManager.getSegmentsForNetworks(q, ids),
      subnetIdsByNetwork(q, every ? null : ids),
      tagsByResource(q, 'networks', every ? null : ids),
    ])
    const items = rows.map((r) => this.toDict(r, segs.get(r.id) ?? [], subnets.get(r.id) ?? [], tags.get(r.id) ?? []))
    return { items, rest: plan.rest, paged: plan.page !== null, markerFound }
  }

  async loadOne(q: Queryable, row: NetworkRow, segments: Segment[]): Promise<Network> {
    const [subnets, tags] = await Promise.all([subnetIdsByNetwork(q, [row.id]), tagsByResource(q, 'networks', [row.id])])
    return this.toDict(row, segments, subnets.get(row.id) ?? [], tags.get(row.id) ?? [])
  }

  /** The network context of an operation that does not change the network (per-revision cache). */
  async contextFor(q: Queryable, networkId: string, tx?: Tx): Promise<NetworkContext> {
    const row = await getNetworkRow(q, networkId)
    if (!row) throw new NetworkNotFound(networkId)
    return this.contextFromRow(q, row, tx)
  }

  /**
   * The network context after this transaction changed the network (a subnet added or removed):
   * the row, its segments, subnets and tags read together, one round trip on PostgreSQL. Not kept
   * in the per-revision cache: the transaction may still roll back, and the revision it never
   * committed would then be reused by the next change, with other contents.
   */
  async freshContext(q: Queryable, networkId: string, tx?: Tx): Promise<NetworkContext> {
    const [row, segments, subnets, tags] = await Promise.all([
      getNetworkRow(q, networkId),
      this.core.typeManager.getNetworkSegments(q, networkId),
      subnetIdsByNetwork(q, [networkId]),
      tagsByResource(q, 'networks', [networkId]),
    ])
    if (!row) throw new NetworkNotFound(networkId)
    return this.context(this.toDict(row, segments, subnets.get(row.id) ?? [], tags.get(row.id) ?? []), null, segments, tx)
  }

  /**
   * The network context of a port operation from a network row the caller has just read. The dict
   * and segments are kept per (id, revision_number) — a subnet added or removed, a tag, any update
   * bumps the network's revision — so a port create on a known network costs no further reads.
   */
  async contextFromRow(q: Queryable, row: NetworkRow, tx?: Tx): Promise<NetworkContext> {
    let hit = this.#contexts.get(row.id, row.revision_number)
    if (!hit) {
      const segments = await this.core.typeManager.getNetworkSegments(q, row.id)
      hit = { dict: await this.loadOne(q, row, segments), segments }
      this.#contexts.set(row.id, row.revision_number, hit)
    }
    return this.context(hit.dict, null, hit.segments, tx)
  }

  readonly #contexts = new DictCache<{ dict: Network; segments: Segment[] }>(10_000)

  context(current: Network, original: Network | null, segments: Segment[], tx?: Tx): NetworkContext {
    return { current, original, networkSegments: segments, tx }
  }

  bumpRevision(tx: Tx, id: string): void {
    bumpNetworkRevision(tx, id, this.core.timestamp())
  }

  toDict(r: NetworkRow, segments: Segment[], subnets: string[], tags: string[]): Network {
    return {
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      admin_state_up: r.admin_state_up,
      mtu: r.mtu,
      status: r.status,
      subnets,
      shared: r.shared,
      availability_zone_hints: JSON.parse(r.availability_zone_hints),
      availability_zones: [],
      ipv4_address_scope: null,
      ipv6_address_scope: null,
      'router:external': r.router_external,
      description: r.description,
      port_security_enabled: r.port_security_enabled,
      tags,
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
      project_id: r.project_id,
      ...segmentsToApi(segments),
    }
  }
}

/** Policy scoping (Neutron default policy): admins see all; others their own, shared and external. */
export function visible(ctx: RequestContext, row: NetworkRow): boolean {
  return networkVisibleTo(ctx, row)
}

export { projectOf }

function stripUnset(b: Dict): Dict {
  const out: Dict = {}
  for (const [k, v] of Object.entries(b)) if (v !== NOT_SPECIFIED) out[k] = v
  return out
}
