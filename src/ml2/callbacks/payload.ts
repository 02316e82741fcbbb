/**
 * Typed event payloads (neutron_lib/callbacks/events.py DBEventPayload: context, states, resource
 * id, request body, metadata). `original`/`current` are Neutron's `states` (first and last), and
 * `tx` is set exactly for the precommit events, whose subscribers run inside the transaction.
 */
import type { RequestContext } from '../../common/context.js'
import type { Tx } from '../../db/engine.js'
import type { NetworkContext, PortContext, SubnetContext } from '../driver-api.js'
import type { JsonDict, Network, Port, Segment, Subnet } from '../resource-types.js'
import type { Event, Resource } from './events.js'

/** What each resource's `original` / `current` is. */
export interface ResourceTypes {
  network: Network
  subnet: Subnet
  port: Port
  segment: Segment
  router: JsonDict
  floatingip: JsonDict
  security_group: JsonDict
  security_group_rule: JsonDict
  subnetpool: JsonDict
  agent: JsonDict
}

/** Per-resource extras: the driver context ML2 built, for subscribers that need segments or binding. */
export interface PayloadExtras {
  network: { readonly networkContext?: NetworkContext }
  subnet: { readonly subnetContext?: SubnetContext }
  port: {
    readonly portContext?: PortContext
    /** before_delete: true for DELETE /v2.0/ports (l3_port_check); only that delete publishes it. */
    readonly portCheck?: boolean
    /** before_delete: the port's device_owner and device_id, so a veto needs no read of the port. */
    readonly device?: { readonly owner: string; readonly id: string }
  }
  segment: {}
  router: {}
  floatingip: {}
  security_group: {}
  security_group_rule: {}
  subnetpool: {}
  agent: {
    /** report_state's outcome: after_create for 'new', after_update for 'alive' and 'revived'. */
    readonly reportResult?: 'new' | 'alive' | 'revived'
  }
}

export type EventPayload<R extends Resource = Resource> = {
  readonly context: RequestContext
  /** The resource's id; '' in before_create, where there is none yet (`request` has the body). */
  readonly resourceId: string
  /** The resource before the change (updates and deletes). */
  readonly original?: ResourceTypes[R] | null
  /** The resource after the change (creates, updates); on delete events the resource being deleted. */
  readonly current?: ResourceTypes[R]
  /** The open transaction: precommit_* events only. */
  readonly tx?: Tx
  /** The API request body, when there was one. */
  readonly request?: JsonDict
} & PayloadExtras[R]

/** neutron-lib's callback signature: (resource, event, trigger, payload). */
export type Callback<R extends Resource = Resource> = (
  resource: R,
  event: Event,
  trigger: unknown,
  payload: EventPayload<R>,
) => void | Promise<void>
