/**
 * The few core-plugin events a service plugin (L3) subscribes to, in the spirit of
 * neutron_lib.callbacks: PORT BEFORE_DELETE (with l3_port_check), the port delete transaction
 * (Ml2Plugin.delete_port → l3plugin.disassociate_floatingips) and NETWORK BEFORE_DELETE. ML2 only
 * calls the handlers; it knows nothing about routers. Handlers run in registration order and an
 * exception aborts the operation.
 */
import type { RequestContext } from '../common/context.js'
import type { Tx } from '../db/engine.js'
import type { PortRow } from '../db/resources/ports.js'

export interface Ml2Callbacks {
  /** DELETE /v2.0/ports/{id} only, after the visibility check: may refuse (ServicePortInUse). */
  readonly portBeforeApiDelete: Array<(ctx: RequestContext, port: PortRow) => Promise<void>>
  /** Inside every port delete transaction, before the row goes. */
  readonly portPrecommitDelete: Array<(tx: Tx, port: PortRow) => Promise<void>>
  /** DELETE /v2.0/networks/{id}, after the policy check and before the ports-in-use check. */
  readonly networkBeforeDelete: Array<(ctx: RequestContext, networkId: string) => Promise<void>>
  /**
   * The ports of a network that its networkBeforeDelete handlers would remove (a floating IP's
   * port): asked first, so that a network still in use is refused before any handler deletes
   * anything — a 409 loses nothing (compute, then apply).
   */
  readonly networkPortsRemovedBeforeDelete: Array<(networkId: string) => Promise<readonly string[]>>
}

export function newCallbacks(): Ml2Callbacks {
  return { portBeforeApiDelete: [], portPrecommitDelete: [], networkBeforeDelete: [], networkPortsRemovedBeforeDelete: [] }
}
