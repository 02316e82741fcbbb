/**
 * Routers: create/update/delete/get/list and tags (neutron/db/l3_db.py, l3_gwmode_db.py,
 * extraroute_db.py). Status is ACTIVE: there is no L3 agent, the router exists in the database.
 * Non-admins see and change only their own routers (Neutron Zed default policy).
 */
import type { RequestContext } from '../common/context.js'
import { RouterExternalGatewayInUseByFloatingIp, RouterInUse, RouterNotFound } from '../common/exceptions.js'
import type { Queryable, Tx } from '../db/engine.js'
import { tagsByResource } from '../db/resources/networks.js'
import {
  bumpRouterRevision,
  deleteRouterRow,
  gatewaysByRouter,
  getRouterRow,
  insertRouter,
  listRouterRows,
  routerPorts,
  routesByRouter,
  updateRouterRow,
  type GatewayInfo,
  type RouterRoute,
  type RouterRow,
} from '../db/resources/routers.js'
import { projectOf } from '../common/project-of.js'
import type { TagService } from '../ml2/service.js'
import { addRoutes, normalizeRoutes, removeRoutes, validateRoutes, writeRoutes } from './extra-routes.js'
import { DEVICE_OWNER_ROUTER_INTF, subnetsByIds, type Dict, type L3Core } from './l3-core.js'
import { RouterGateway } from './router-gateway.js'

export class RouterOps {
  readonly gateway: RouterGateway
  /** standard-attr-tag: a tag change is a new revision of the router. */
  readonly tags: TagService

  constructor(private readonly l3: L3Core) {
    this.gateway = new RouterGateway(l3)
    this.tags = l3.ml2.tagsFor({ resourceType: 'routers', visibleRow: (q, ctx, id) => this.visibleRow(q, ctx, id) })
  }

  // ---- create -------------------------------------------------------------------------------
  async createBulk(ctx: RequestContext, bodies: Dict[]): Promise<Dict[]> {
    return this.l3.txn(
      async (tx, ports) => {
        const out: Dict[] = []
        for (const b of bodies) {
          const now = this.l3.timestamp()
          const row: RouterRow = {
            id: this.l3.runtime.newId(),
            project_id: projectOf(ctx, b),
            name: b.name,
            status: 'ACTIVE',
            admin_state_up: b.admin_state_up,
            gw_port_id: null,
            enable_snat: true, // the column's default; a gateway sets it (enable_snat_by_default)
            description: b.description,
            // Neutron bumps a new router once (its extra-attributes row is written with it).
            revision_number: 1,
            created_at: now,
            updated_at: now,
          }
          await this.l3.runtime.quotas?.check(tx, row.project_id, 'router', 1)
          await insertRouter(tx, row)
          const info = b.external_gateway_info
          // l3_db.create_router: `if gw_info:` — null and {} mean no gateway.
          if (info && Object.keys(info).length) {
            const changes = await this.gateway.update(tx, ports, ctx, row, info)
            await updateRouterRow(tx, row.id, { ...changes, revision_number: row.revision_number + 1 })
          }
          const d = await this.loadOne(tx, (await getRouterRow(tx, row.id))!)
          await this.l3.ml2.registry.publish('router', 'precommit_create', this, { context: ctx, resourceId: row.id, current: d, tx })
          out.push(d)
        }
        return out
      },
      async (created) => {
        for (const r of created) await this.deleteInternal(this.l3.elevated(ctx), r.id).catch(() => {})
      },
    )
  }

  // ---- update -------------------------------------------------------------------------------
  async update(ctx: RequestContext, id: string, b: Dict): Promise<Dict> {
    return this.l3.txn(async (tx, ports) => {
      const row = await this.visibleRow(tx, ctx, id, true)
      let changed = false
      // extraroute first (validated against the current ports), then the gateway, then columns.
      if ('routes' in b) changed = (await this.setRoutes(tx, row, normalizeRoutes(b.routes ?? []))) || changed
      const changes: Partial<RouterRow> = {}
      if ('external_gateway_info' in b) {
        const portsBefore = ports.count
        Object.assign(changes, await this.gateway.update(tx, ports, ctx, row, b.external_gateway_info))
        if (ports.count !== portsBefore) changed = true
      }
      for (const k of ['name', 'description', 'admin_state_up'] as const) {
        if (k in b && b[k] !== row[k]) (changes as Dict)[k] = b[k]
      }
      if (Object.keys(changes).length || changed) {
        changes.revision_number = row.revision_number + 1
        changes.updated_at = this.l3.timestamp()
        await updateRouterRow(tx, id, changes)
      }
      const d = await this.loadOne(tx, { ...row, ...changes })
      if (Object.keys(changes).length) await this.l3.ml2.registry.publish('router', 'precommit_update', this, { context: ctx, resourceId: id, current: d, tx })
      return d
    })
  }

  /** Validates routes against the router's ports and stores them; true when something changed. */
  private async setRoutes(tx: Tx, row: RouterRow, routes: RouterRoute[]): Promise<boolean> {
    const ips = (await routerPorts(tx, row.id)).flatMap((p) => p.fixed_ips)
    const cidrs = (await subnetsByIds(tx, ips.map((i) => i.subnet_id))).map((s) => s.cidr)
    validateRoutes(row.id, routes, cidrs, ips.map((i) => i.ip_address), this.l3.options.maxRoutes)
    return writeRoutes(tx, row.id, routes)
  }

  /** extraroute-atomic: PUT /routers/{id}/add_extraroutes and remove_extraroutes. */
  async editRoutes(ctx: RequestContext, id: string, routes: RouterRoute[], op: 'add' | 'remove'): Promise<Dict> {
    return this.l3.txn(async (tx) => {
      const row = await this.visibleRow(tx, ctx, id, true)
      const old = (await routesByRouter(tx, [id])).get(id) ?? []
      const next = op === 'add' ? addRoutes(old, routes) : removeRoutes(old, routes)
      if (await this.setRoutes(tx, row, next)) await bumpRouterRevision(tx, id, this.l3.timestamp())
      return this.loadOne(tx, (await getRouterRow(tx, id))!)
    })
  }

  // ---- delete -------------------------------------------------------------------------------
  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.deleteInternal(ctx, id)
  }

  /** Refuses while interfaces remain (RouterInUse) or floating IPs need the gateway; removes the gateway port. */
  async deleteInternal(ctx: RequestContext, id: string): Promise<void> {
    await this.l3.txn(async (tx, ports) => {
      const row = await this.visibleRow(tx, ctx, id, true)
      const attached = await routerPorts(tx, id)
      const interfaces = attached.filter((p) => p.port_type === DEVICE_OWNER_ROUTER_INTF)
      if (interfaces.length) throw new RouterInUse(id, 'has ports still attached: ' + interfaces.map((p) => p.port_id).join(', '))
      const gw = attached.find((p) => p.port_id === row.gw_port_id)
      if (gw && (await tx.get('SELECT 1 AS x FROM floatingips WHERE router_id = ?', [id]))) {
        throw new RouterExternalGatewayInUseByFloatingIp(id, gw.network_id)
      }
      const current = await this.loadOne(tx, row)
      for (const p of attached) ports.deleted.push(await this.l3.ml2.ports.deleteInTx(tx, p.port_id))
      await this.l3.ml2.registry.publish('router', 'precommit_delete', this, { context: ctx, resourceId: id, current, tx })
      await deleteRouterRow(tx, id)
    })
  }

  // ---- read ---------------------------------------------------------------------------------
  /** The router if the caller may see it: admins all, others their project's (get_router). */
  async visibleRow(q: Queryable, ctx: RequestContext, id: string, forUpdate = false): Promise<RouterRow> {
    const row = await getRouterRow(q, id, forUpdate)
    if (!row || (!ctx.isAdmin && row.project_id !== ctx.projectId)) throw new RouterNotFound(id)
    return row
  }

  async get(ctx: RequestContext, id: string): Promise<Dict> {
    return this.loadOne(this.l3.reader, await this.visibleRow(this.l3.reader, ctx, id))
  }

  async list(ctx: RequestContext, _filters: Map<string, string[]>): Promise<Dict[]> {
    const q = this.l3.reader
    const rows = await listRouterRows(q, ctx.isAdmin ? undefined : ctx.projectId)
    const ids = ctx.isAdmin ? null : rows.map((r) => r.id)
    const [gws, routes, tags] = await Promise.all([gatewaysByRouter(q, ids), routesByRouter(q, ids), tagsByResource(q, 'routers', ids)])
    return rows.map((r) => this.toDict(r, gws.get(r.id) ?? null, routes.get(r.id) ?? [], tags.get(r.id) ?? []))
  }

  async loadOne(q: Queryable, row: RouterRow): Promise<Dict> {
    const [gws, routes, tags] = await Promise.all([gatewaysByRouter(q, [row.id]), routesByRouter(q, [row.id]), tagsByResource(q, 'routers', [row.id])])
    return this.toDict(row, gws.get(row.id) ?? null, routes.get(row.id) ?? [], tags.get(row.id) ?? [])
  }

  toDict(r: RouterRow, gw: GatewayInfo | null, routes: RouterRoute[], tags: string[]): Dict {
    return {
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      admin_state_up: r.admin_state_up,
      status: r.status,
      external_gateway_info: gw
        ? { network_id: gw.network_id, enable_snat: r.enable_snat, external_fixed_ips: gw.fixed_ips.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })) }
        : null,
      description: r.description,
      routes,
      tags,
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
      project_id: r.project_id,
    }
  }
}

