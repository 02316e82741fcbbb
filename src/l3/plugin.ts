/**
 * The L3 service plugin (neutron/services/l3_router/l3_router_plugin.py without agents): routers
 * (router, ext-gw-mode, extraroute, extraroute-atomic) and floating IPs (fip-port-details), kept in
 * the database and served by the API; there is no dataplane. It subscribes to ML2's port and
 * network events the way Neutron's L3 DB mixin does (src/ml2/callbacks/registry.ts):
 *
 *   port    before_delete     prevent_l3_port_deletion (DELETE /v2.0/ports only: port_check)
 *   port    precommit_delete  disassociate_floatingips, in the port delete's transaction
 *   network before_delete     delete the network's unassociated floating IPs first
 */
import type { RequestContext } from '../common/context.js'
import { FipAssociated, NetworkInUse, ServicePortInUse } from '../common/exceptions.js'
import type { EventPayload } from '../ml2/callbacks/payload.js'
import { PRIORITY_L3 } from '../ml2/callbacks/priorities.js'
import { publishing } from '../ml2/callbacks/publishing.js'
import { AUTO_DELETE_PORT_OWNERS } from '../ml2/resource-types.js'
import type { Ml2Service } from '../ml2/service.js'
import { FloatingIpOps } from './floatingip-ops.js'
import { DEVICE_OWNER_FLOATINGIP, L3_DEVICE_OWNERS, L3Core, type L3Options } from './l3-core.js'
import { RouterInterfaces } from './router-interfaces.js'
import { RouterOps } from './router-ops.js'

export type { L3Options }

export class L3Plugin {
  readonly core: L3Core
  readonly routers: RouterOps
  readonly interfaces: RouterInterfaces
  readonly floatingips: FloatingIpOps

  constructor(ml2: Ml2Service, options: L3Options) {
    this.core = new L3Core(ml2, options)
    const reg = ml2.registry
    this.routers = publishing(reg, 'router', new RouterOps(this.core))
    this.interfaces = new RouterInterfaces(this.core, this.routers)
    this.floatingips = publishing(reg, 'floatingip', new FloatingIpOps(this.core))
    reg.subscribe(this.preventL3PortDeletion, 'port', 'before_delete', PRIORITY_L3)
    reg.subscribe(this.disassociateFloatingIps, 'port', 'precommit_delete', PRIORITY_L3)
    reg.subscribe(this.deleteUnassociatedFloatingIps, 'network', 'before_delete', PRIORITY_L3)
  }

  /** PORT PRECOMMIT_DELETE: in the port delete's transaction (ML2 delete_port → disassociate_floatingips). */
  private readonly disassociateFloatingIps = async (_r: 'port', _e: unknown, _t: unknown, p: EventPayload<'port'>) => {
    await this.floatingips.disassociatePort(p.tx!, p.resourceId, p.context)
  }

  /**
   * NETWORK BEFORE_DELETE: unassociated floating IPs of an external network go with it — but only
   * once it is certain the delete will not be refused: ports other than those floating IPs' (and
   * the ones ML2 removes itself) make the network in use, refused before anything is deleted, so a
   * 409 costs nothing (issue 15; compute, then apply).
   */
  private readonly deleteUnassociatedFloatingIps = async (_r: 'network', _e: unknown, _t: unknown, p: EventPayload<'network'>) => {
    const removable = new Set(await this.floatingips.disassociatedPortIds(p.resourceId))
    const ports = await this.core.reader.all<{ id: string; device_owner: string }>('SELECT id, device_owner FROM ports WHERE network_id = ? ORDER BY id', [p.resourceId])
    const blocking = ports.filter((x) => !AUTO_DELETE_PORT_OWNERS.includes(x.device_owner) && !removable.has(x.id))
    if (blocking.length) throw new NetworkInUse(p.resourceId, blocking.map((x) => x.id))
    await this.floatingips.deleteDisassociated(p.context, p.resourceId)
  }

  /**
   * PORT BEFORE_DELETE, prevent_l3_port_deletion: router and floating IP ports are removed through
   * their own API (unless their router or floating IP is gone already); disassociate_floatingips'
   * rule that a non-admin may not take another project's floating IP association away with the port.
   */
  private readonly preventL3PortDeletion = async (_r: 'port', _e: unknown, _t: unknown, p: EventPayload<'port'>) => {
    if (!p.portCheck || !p.device) return
    const ctx: RequestContext = p.context
    const { owner, id: deviceId } = p.device
    if (L3_DEVICE_OWNERS.includes(owner)) {
      const table = owner === DEVICE_OWNER_FLOATINGIP ? 'floatingips' : 'routers'
      if (await this.core.reader.get(`SELECT 1 AS x FROM ${table} WHERE id = ?`, [deviceId])) {
        throw new ServicePortInUse(p.resourceId, `has device owner ${owner}`)
      }
    }
    if (await this.floatingips.othersAssociated(ctx, p.resourceId)) throw new FipAssociated(p.resourceId)
  }
}
