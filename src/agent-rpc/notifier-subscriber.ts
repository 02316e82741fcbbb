/**
 * The agent notifier as a subscriber of ML2's callbacks registry (neutron-lib callbacks): every
 * committed change of a network, subnet, port, security group or rule reaches the agents, as
 * Neutron's AgentNotifierApi and ovo_rpc handlers subscribe to AFTER_CREATE/UPDATE/DELETE.
 * Subscribed at PRIORITY_NOTIFIER, after every in-process subscriber has seen the change.
 * A failed cast never fails the API call: the registry logs after_* failures with the
 * subscriber's name and goes on (the transport buffers while disconnected).
 */
import type { Event, Resource } from '../ml2/callbacks/events.js'
import type { Callback } from '../ml2/callbacks/payload.js'
import { PRIORITY_NOTIFIER } from '../ml2/callbacks/priorities.js'
import type { CallbacksRegistry } from '../ml2/callbacks/registry.js'
import type { AgentNotifier } from './agent-notifier.js'

type Dict = Record<string, any>

/** Subscribes `n` to the registry; returns the unsubscribe. */
export function subscribeAgentNotifier(registry: CallbacksRegistry, n: AgentNotifier): () => void {
  const subs: Array<[Resource, Event, Callback<any>]> = []
  const on = <R extends Resource>(resource: R, event: Event, cb: Callback<R>) => {
    // Named so the registry's failure log says who failed (`Error during notification for …`).
    Object.defineProperty(cb, 'name', { value: `agent_notifier.${resource}.${event}` })
    registry.subscribe(cb, resource, event, PRIORITY_NOTIFIER)
    subs.push([resource, event, cb])
  }
  on('network', 'after_create', (_r, _e, _t, p) => n.networkCreated(p.current as Dict))
  on('network', 'after_update', (_r, _e, _t, p) => n.networkUpdated(p.current as Dict))
  on('network', 'after_delete', (_r, _e, _t, p) => n.networkDeleted(p.resourceId))
  on('subnet', 'after_create', (_r, _e, _t, p) => n.subnetChanged(p.current as Dict))
  on('subnet', 'after_update', (_r, _e, _t, p) => n.subnetChanged(p.current as Dict))
  on('subnet', 'after_delete', (_r, _e, _t, p) => n.subnetDeleted(p.resourceId))
  on('port', 'after_create', (_r, _e, _t, p) => n.portCreated(p.current as Dict))
  on('port', 'after_update', (_r, _e, _t, p) => n.portUpdated(p.current as Dict, (p.original ?? p.current) as Dict))
  on('port', 'after_delete', (_r, _e, _t, p) => n.portDeleted(p.current as Dict))
  on('security_group', 'after_create', (_r, _e, _t, p) => n.securityGroupChanged(p.current as Dict))
  on('security_group', 'after_update', (_r, _e, _t, p) => n.securityGroupChanged(p.current as Dict))
  on('security_group', 'after_delete', (_r, _e, _t, p) => n.securityGroupDeleted(p.resourceId))
  on('security_group_rule', 'after_create', (_r, _e, _t, p) => n.securityGroupRuleCreated(p.current as Dict))
  // The rule is gone: its group comes from `original` (publishing.ts reads it before the delete).
  on('security_group_rule', 'after_delete', (_r, _e, _t, p) => n.securityGroupRuleDeleted((p.original ?? { id: p.resourceId }) as Dict))
  return () => {
    for (const [r, e, cb] of subs.splice(0)) registry.unsubscribe(cb, r, e)
  }
}
