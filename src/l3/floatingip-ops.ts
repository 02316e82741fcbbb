/**
 * Floating IPs (neutron/db/l3_db.py _create_floatingip, _update_fip_assoc, get_router_for_floatingip;
 * l3_fip_port_details.py). A floating IP owns a port on its external network (device_owner
 * network:floatingip, no project, status N/A); associating it with a port needs a router that has
 * a gateway on that network and an interface on the port's subnet. Status stays DOWN: no L3 agent
 * ever reports it ACTIVE, as with Neutron's L3 plugin without agents.
 */
import type { RequestContext } from '../common/context.js'
import {
  BadRequest,
  ExternalGatewayForFloatingIPNotFound,
  ExternalIpAddressExhausted,
  FloatingIPNotFound,
  FloatingIPPortAlreadyAssociated,
  NetworkNotFound,
  PortNotFound,
} from '../common/exceptions.js'
import type { Queryable, Tx } from '../db/engine.js'
import {
  deleteFloatingIpRow,
  getFloatingIpRow,
  insertFloatingIp,
  listFloatingIpRows,
  updateFloatingIpRow,
  type FloatingIpRow,
} from '../db/resources/floatingips.js'
import { getNetworkRow, networkVisibleTo, tagsByResource } from '../db/resources/networks.js'
import { getPortRow, type PortRow } from '../db/resources/ports.js'
import { ipVersionOf } from '../ipam/index.js'
import { projectOf } from '../common/project-of.js'
import type { TagService } from '../ml2/service.js'
import { DEVICE_OWNER_FLOATINGIP, DEVICE_OWNER_ROUTER_GW, ROUTER_INTERFACE_OWNERS, subnetsByIds, subnetsOfNetwork, type Dict, type L3Core } from './l3-core.js'

const given = (v: unknown): boolean => v !== null && v !== undefined

interface Association {
  fixed_port_id: string | null
  fixed_ip_address: string | null
  router_id: string | null
}

type PortDetails = Pick<PortRow, 'name' | 'network_id' | 'mac_address' | 'admin_state_up' | 'status' | 'device_id' | 'device_owner'>

export class FloatingIpOps {
  /** standard-attr-tag: a tag change is a new revision of the floating IP. */
  readonly tags: TagService

  constructor(private readonly l3: L3Core) {
    this.tags = l3.ml2.tagsFor({ resourceType: 'floatingips', visibleRow: (q, ctx, id) => this.visibleRow(q, ctx, id) })
  }

  // ---- create -------------------------------------------------------------------------------
  async createBulk(ctx: RequestContext, bodies: Dict[]): Promise<Dict[]> {
    return this.l3.txn(
      async (tx, ports) => {
        const out: Dict[] = []
        for (const b of bodies) {
          const projectId = projectOf(ctx, b)
          await this.l3.runtime.quotas?.check(tx, projectId, 'floatingip', 1)
          const netId: string = b.floating_network_id
          const net = await getNetworkRow(tx, netId)
          // A network the caller may not see is not found, whatever it is (no existence oracle).
          if (!net || !networkVisibleTo(ctx, net)) throw new NetworkNotFound(netId)
          if (!net.router_external) throw new BadRequest('floatingip', `Network ${netId} is not a valid external network`)
          if (!(await subnetsOfNetwork(tx, netId)).some((s) => s.ip_version === 4)) {
            throw new BadRequest('floatingip', `Network ${netId} does not contain any IPv4 subnet`)
          }
          const id = this.l3.runtime.newId()
          // subnet_id and floating_ip_address both go to the port's IPAM request.
          const fixed: Dict = {}
          if (given(b.subnet_id)) fixed.subnet_id = b.subnet_id
          if (given(b.floating_ip_address)) fixed.ip_address = b.floating_ip_address
          const body = this.l3.portBody({
            tenantId: '', // never shown to the project
            networkId: netId,
            fixedIps: Object.keys(fixed).length ? [fixed] : undefined,
            deviceId: id,
            deviceOwner: DEVICE_OWNER_FLOATINGIP,
            status: 'N/A',
          })
          const pctx = await this.l3.ml2.ports.createInTx(tx, this.l3.elevated(ctx), body, { quota: false })
          ports.created.push(pctx)
          const v4 = (pctx.current.fixed_ips as Array<{ ip_address: string }>).filter((f) => ipVersionOf(f.ip_address) === 4)
          if (!v4.length) throw new ExternalIpAddressExhausted(netId)
          const now = this.l3.timestamp()
          const row: FloatingIpRow = {
            id,
            project_id: projectId,
            floating_ip_address: v4[0]!.ip_address,
            floating_network_id: netId,
            floating_port_id: pctx.current.id,
            fixed_port_id: null,
            fixed_ip_address: null,
            router_id: null,
            last_known_router_id: null,
            status: 'DOWN',
            description: b.description,
            revision_number: 0,
            created_at: now,
            updated_at: now,
          }
          Object.assign(row, await this.association(tx, ctx, b, row))
          await insertFloatingIp(tx, row)
          const d = await this.loadOne(tx, row)
          await this.l3.ml2.registry.publish('floatingip', 'precommit_create', this, { context: ctx, resourceId: id, current: d, tx })
          out.push(d)
        }
        return out
      },
      async (created) => {
        for (const f of created) await this.deleteInternal(this.l3.elevated(ctx), f.id).catch(() => {})
      },
    )
  }

  /**
   * _check_and_get_fip_assoc: the (port, fixed IP, router) the request leads to. `req` is the
   * POST body or the PUT body (where an absent port_id keeps the current port).
   */
  private async association(tx: Tx, ctx: RequestContext, req: Dict, fip: FloatingIpRow): Promise<Association> {
    if (given(req.fixed_ip_address) && !given(req.port_id)) {
      throw new BadRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id')
    }
    if (given(req.port_id)) {
      const a = await this.assocData(tx, ctx, req.port_id, req.fixed_ip_address, fip)
      if (a.fixed_port_id === fip.fixed_port_id) return a
      const taken = await tx.get<{ id: string }>(
        'SELECT id FROM floatingips WHERE fixed_port_id = ? AND floating_network_id = ? AND fixed_ip_address = ?',
        [a.fixed_port_id, fip.floating_network_id, a.fixed_ip_address],
      )
      if (taken) throw new FloatingIPPortAlreadyAssociated(fip.floating_ip_address, fip.id, req.port_id, a.fixed_ip_address!, fip.floating_network_id)
      return a
    }
    if (!('port_id' in req) && fip.fixed_port_id) return this.assocData(tx, ctx, fip.fixed_port_id, undefined, fip)
    return { fixed_port_id: null, fixed_ip_address: null, router_id: null }
  }

  /** _internal_fip_assoc_data + get_router_for_floatingip. */
  private async assocData(tx: Tx, ctx: RequestContext, portId: string, fixedIp: string | undefined, fip: FloatingIpRow): Promise<Association> {
    const port = await getPortRow(tx, portId)
    if (!port || !(await this.portVisible(tx, ctx, port))) throw new PortNotFound(portId)
    if (port.project_id !== fip.project_id && !ctx.isAdmin) {
      throw new BadRequest('floatingip', `Cannot process floating IP association with Port ${portId}, since that port is owned by a different tenant`)
    }
    if (port.device_owner === 'network:dhcp') {
      // Neutron's text leaves the placeholder unformatted (l3_db._internal_fip_assoc_data).
      throw new BadRequest('floatingip', 'Port %(id)s is unable to be assigned a floating IP')
    }
    const ips = await tx.all<{ subnet_id: string; ip_address: string }>('SELECT subnet_id, ip_address FROM ipallocations WHERE port_id = ?', [portId])
    let chosen: { subnet_id: string; ip_address: string }
    if (given(fixedIp)) {
      if (ipVersionOf(fixedIp!) !== 4) {
        throw new BadRequest('floatingip', `Cannot process floating IP association with ${fixedIp}, since that is not an IPv4 address`)
      }
      const hit = ips.find((i) => i.ip_address === fixedIp)
      if (!hit) throw new BadRequest('floatingip', `Port ${portId} does not have fixed ip ${fixedIp}`)
      chosen = hit
    } else {
      const v4 = ips.filter((i) => ipVersionOf(i.ip_address) === 4)
      if (!v4.length) throw new BadRequest('floatingip', `Cannot add floating IP to port ${portId} that has no fixed IPv4 addresses`)
      if (v4.length > 1) {
        throw new BadRequest('floatingip', `Port ${portId} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`)
      }
      chosen = v4[0]!
    }
    const routerId = await this.routerFor(tx, port, chosen.subnet_id, fip.floating_network_id)
    return { fixed_port_id: portId, fixed_ip_address: chosen.ip_address, router_id: routerId }
  }

  /**
   * get_router_for_floatingip: routers with an interface on the port's subnet and a gateway on the
   * floating network; the one whose interface holds the subnet's gateway IP wins, else the first.
   */
  private async routerFor(q: Queryable, port: PortRow, subnetId: string, extNetId: string): Promise<string> {
    const rows = await q.all<{ router_id: string; ip_address: string }>(
      `SELECT DISTINCT rp.router_id, a.ip_address
         FROM routerports rp
         JOIN ports p ON p.id = rp.port_id
         JOIN ipallocations a ON a.port_id = p.id
         JOIN ports gw ON gw.device_id = rp.router_id
        WHERE p.network_id = ? AND rp.port_type IN (${ROUTER_INTERFACE_OWNERS.map(() => '?').join(',')}) AND a.subnet_id = ?
          AND gw.network_id = ? AND gw.device_owner = ?
        ORDER BY rp.router_id`,
      [port.network_id, ...ROUTER_INTERFACE_OWNERS, subnetId, extNetId, DEVICE_OWNER_ROUTER_GW],
    )
    const [subnet] = await subnetsByIds(q, [subnetId])
    const best = rows.find((r) => r.ip_address === subnet?.gateway_ip) ?? rows[0]
    if (!best) throw new ExternalGatewayForFloatingIPNotFound(extNetId, subnetId, port.id)
    return best.router_id
  }

  /** get_port policy: admin, the port's project, or the owner of its network. */
  private async portVisible(q: Queryable, ctx: RequestContext, port: PortRow): Promise<boolean> {
    if (ctx.isAdmin || port.project_id === ctx.projectId) return true
    const net = await q.get<{ project_id: string }>('SELECT project_id FROM networks WHERE id = ?', [port.network_id])
    return net?.project_id === ctx.projectId
  }

  // ---- update -------------------------------------------------------------------------------
  async update(ctx: RequestContext, id: string, b: Dict): Promise<Dict> {
    return this.l3.txn(async (tx) => {
      const row = await this.visibleRow(tx, ctx, id, true)
      const a = await this.association(tx, ctx, b, row)
      const changes: Partial<FloatingIpRow> = {}
      if (a.fixed_port_id !== row.fixed_port_id || a.fixed_ip_address !== row.fixed_ip_address || a.router_id !== row.router_id) {
        Object.assign(changes, a, { last_known_router_id: row.router_id })
      }
      if ('description' in b && b.description !== row.description) changes.description = b.description
      if (Object.keys(changes).length) {
        changes.revision_number = row.revision_number + 1
        changes.updated_at = this.l3.timestamp()
        await updateFloatingIpRow(tx, id, changes)
      }
      const d = await this.loadOne(tx, { ...row, ...changes })
      if (Object.keys(changes).length) await this.l3.ml2.registry.publish('floatingip', 'precommit_update', this, { context: ctx, resourceId: id, current: d, tx })
      return d
    })
  }

  // ---- delete -------------------------------------------------------------------------------
  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.deleteInternal(ctx, id)
  }

  /** The floating IP and its port (Neutron deletes the port; the row follows by cascade). */
  async deleteInternal(ctx: RequestContext, id: string): Promise<void> {
    await this.l3.txn(async (tx, ports) => {
      const row = await this.visibleRow(tx, ctx, id, true)
      await this.l3.ml2.registry.publish('floatingip', 'precommit_delete', this, { context: ctx, resourceId: id, current: await this.loadOne(tx, row), tx })
      await deleteFloatingIpRow(tx, id)
      if (await getPortRow(tx, row.floating_port_id)) ports.deleted.push(await this.l3.ml2.ports.deleteInTx(tx, row.floating_port_id))
    })
  }

  // ---- read ---------------------------------------------------------------------------------
  async visibleRow(q: Queryable, ctx: RequestContext, id: string, forUpdate = false): Promise<FloatingIpRow> {
    const row = await getFloatingIpRow(q, id, forUpdate)
    if (!row || (!ctx.isAdmin && row.project_id !== ctx.projectId)) throw new FloatingIPNotFound(id)
    return row
  }

  async get(ctx: RequestContext, id: string): Promise<Dict> {
    return this.loadOne(this.l3.reader, await this.visibleRow(this.l3.reader, ctx, id))
  }

  async list(ctx: RequestContext, filters: Map<string, string[]>): Promise<Dict[]> {
    const q = this.l3.reader
    const where: Parameters<typeof listFloatingIpRows>[1] = ctx.isAdmin ? {} : { project_id: ctx.projectId }
    // Narrow the SQL on the common single-valued filters; the API applies every filter afterwards.
    for (const k of ['router_id', 'floating_network_id'] as const) {
      const v = filters.get(k)
      if (v?.length === 1 && v[0]) where[k] = v[0]
    }
    const portFilter = filters.get('port_id')
    if (portFilter?.length === 1 && portFilter[0]) where.fixed_port_id = portFilter[0]
    const rows = await listFloatingIpRows(q, where)
    const ids = rows.map((r) => r.id)
    const [tags, details] = await Promise.all([
      tagsByResource(q, 'floatingips', ids),
      portDetails(q, rows.map((r) => r.fixed_port_id).filter((p): p is string => p !== null)),
    ])
    return rows.map((r) => this.toDict(r, tags.get(r.id) ?? [], r.fixed_port_id ? details.get(r.fixed_port_id) ?? null : null))
  }

  async loadOne(q: Queryable, row: FloatingIpRow): Promise<Dict> {
    const [tags, details] = await Promise.all([tagsByResource(q, 'floatingips', [row.id]), portDetails(q, row.fixed_port_id ? [row.fixed_port_id] : [])])
    return this.toDict(row, tags.get(row.id) ?? [], row.fixed_port_id ? details.get(row.fixed_port_id) ?? null : null)
  }

  toDict(r: FloatingIpRow, tags: string[], details: PortDetails | null): Dict {
    return {
      id: r.id,
      tenant_id: r.project_id,
      floating_ip_address: r.floating_ip_address,
      floating_network_id: r.floating_network_id,
      router_id: r.router_id,
      port_id: r.fixed_port_id,
      fixed_ip_address: r.fixed_ip_address,
      status: r.status,
      description: r.description,
      port_details: details,
      tags,
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
      project_id: r.project_id,
    }
  }

  // ---- ML2 events -----------------------------------------------------------------------------
  /** Ml2Plugin.delete_port → disassociate_floatingips, inside the port delete transaction. */
  async disassociatePort(tx: Tx, portId: string, ctx?: RequestContext): Promise<void> {
    const sql = 'UPDATE floatingips SET fixed_port_id = NULL, fixed_ip_address = NULL, router_id = NULL, revision_number = revision_number + 1, updated_at = ? WHERE fixed_port_id = ?'
    const params = [this.l3.timestamp(), portId]
    const reg = this.l3.ml2.registry
    if (!ctx || !reg.has('floatingip', 'precommit_update')) return tx.defer(sql, params)
    // Someone follows floating IPs (the opendaylight journal): each one disassociated is an update.
    const ids = await tx.all<{ id: string }>('SELECT id FROM floatingips WHERE fixed_port_id = ?', [portId])
    await tx.run(sql, params)
    for (const { id } of ids) {
      const row = await getFloatingIpRow(tx, id)
      if (row) await reg.publish('floatingip', 'precommit_update', this, { context: ctx, resourceId: id, current: await this.loadOne(tx, row), tx })
    }
  }

  /** A non-admin may not delete a port that another project's floating IP uses (FipAssociated). */
  async othersAssociated(ctx: RequestContext, portId: string): Promise<boolean> {
    if (ctx.isAdmin) return false
    return !!(await this.l3.reader.get('SELECT 1 AS x FROM floatingips WHERE fixed_port_id = ? AND project_id <> ?', [portId, ctx.projectId]))
  }

  /** external_net_db._process_l3_delete: an external network's unassociated floating IPs go with it. */
  /** The ports deleteDisassociated would remove with their floating IPs. */
  async disassociatedPortIds(networkId: string): Promise<string[]> {
    const rows = await this.l3.reader.all<{ floating_port_id: string }>(
      'SELECT floating_port_id FROM floatingips WHERE floating_network_id = ? AND fixed_port_id IS NULL',
      [networkId],
    )
    return rows.map((r) => r.floating_port_id)
  }

  async deleteDisassociated(ctx: RequestContext, networkId: string): Promise<void> {
    const ids = await this.l3.reader.all<{ id: string }>('SELECT id FROM floatingips WHERE floating_network_id = ? AND fixed_port_id IS NULL', [networkId])
    for (const { id } of ids) {
      await this.deleteInternal(this.l3.elevated(ctx), id).catch((e) => {
        if (!(e instanceof FloatingIPNotFound)) throw e
      })
    }
  }
}

/** fip-port-details: a summary of the associated port. */
async function portDetails(q: Queryable, portIds: string[]): Promise<Map<string, PortDetails>> {
  const out = new Map<string, PortDetails>()
  const ids = [...new Set(portIds)]
  if (!ids.length) return out
  const rows = await q.all<Dict>(
    `SELECT id, name, network_id, mac_address, admin_state_up, status, device_id, device_owner FROM ports WHERE id IN (${ids.map(() => '?').join(',')})`,
    ids,
  )
  for (const r of rows) {
    out.set(r.id, {
      name: r.name,
      network_id: r.network_id,
      mac_address: r.mac_address,
      admin_state_up: !!r.admin_state_up,
      status: r.status,
      device_id: r.device_id,
      device_owner: r.device_owner,
    })
  }
  return out
}
