/**
 * The L3 service plugin (neutron/services/l3_router/l3_router_plugin.py without agents): routers
 * (router, ext-gw-mode, extraroute, extraroute-atomic) and floating IPs (fip-port-details), kept in
 * the database and served by the API; there is no dataplane. It subscribes to ML2's port and
 * network events the way Neutron's L3 DB mixin does (src/ml2/callbacks.ts).
 */
import type { RequestContext } from '../common/context.js'
import { FipAssociated, ServicePortInUse } from '../common/exceptions.js'
import type { PortRow } from '../db/resources/ports.js'
import type { Ml2Plugin } from '../ml2/plugin.js'
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

  constructor(ml2: Ml2Plugin, options: L3Options) {
    this.core = new L3Core(ml2, options)
    this.routers = new RouterOps(this.core)
    this.interfaces = new RouterInterfaces(this.core, this.routers)
    this.floatingips = new FloatingIpOps(this.core)
    const cb = ml2.core.callbacks
    cb.portBeforeApiDelete.push((ctx, port) => this.preventL3PortDeletion(ctx, port))
    cb.portPrecommitDelete.push((tx, port) => this.floatingips.disassociatePort(tx, port.id))
    cb.networkBeforeDelete.push((ctx, networkId) => this.floatingips.deleteDisassociated(ctx, networkId))
    cb.networkPortsRemovedBeforeDelete.push((networkId) => this.floatingips.disassociatedPortIds(networkId))
  }

  /**
   * prevent_l3_port_deletion: router and floating IP ports are removed through their own API
   * (unless their router or floating IP is gone already); disassociate_floatingips' rule that a
   * non-admin may not take another project's floating IP association away with the port.
   */
  private async preventL3PortDeletion(ctx: RequestContext, port: PortRow): Promise<void> {
    if (L3_DEVICE_OWNERS.includes(port.device_owner)) {
      const table = port.device_owner === DEVICE_OWNER_FLOATINGIP ? 'floatingips' : 'routers'
      if (await this.core.reader.get(`SELECT 1 AS x FROM ${table} WHERE id = ?`, [port.device_id])) {
        throw new ServicePortInUse(port.id, `has device owner ${port.device_owner}`)
      }
    }
    if (await this.floatingips.othersAssociated(ctx, port.id)) throw new FipAssociated(port.id)
  }
}
