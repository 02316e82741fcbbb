/**
 * The agent notifier as a subscriber of ML2's callbacks registry (neutron-lib callbacks): every
 * committed change of a network, subnet, port, security group or rule reaches the agents, as
 * Neutron's AgentNotifierApi and ovo_rpc handlers subscribe to AFTER_CREATE/UPDATE/DELETE.
 * Subscribed at PRIORITY_NOTIFIER, after every in-process subscriber has seen the change.
 *
 * The API never waits for the agents: a cast resolves only once published, and while RabbitMQ is
 * down the transport holds it until the broker is back — the request would hang with it. So the
 * callbacks return at once and the notifications go out through one queue, in commit order
 * (each still awaited before the next: the agents' caches order by revision, and port_update
 * must not overtake the push it follows). A failed notification is logged and the next runs.
 */
import type { Event, Resource } from '../ml2/callbacks/events.js'
import type { Callback } from '../ml2/callbacks/payload.js'
import { PRIORITY_NOTIFIER } from '../ml2/callbacks/priorities.js'
import type { CallbacksRegistry } from '../ml2/callbacks/registry.js'
import type { Logger } from '../common/log.js'
import type { AgentNotifier } from './agent-notifier.js'

type Dict = Record<string, any>

export interface NotifierSubscription {
  unsubscribe(): void
  /** Resolves when every notification queued so far has been handled (tests, shutdown). */
  drain(): Promise<void>
}

/** Subscribes `n` to the registry. */
export function subscribeAgentNotifier(registry: CallbacksRegistry, n: AgentNotifier, log: Logger): NotifierSubscription {
  const subs: Array<[Resource, Event, Callback<any>]> = []
  let queue: Promise<void> = Promise.resolve()
  const on = <R extends Resource>(resource: R, event: Event, send: Callback<R>) => {
    const cb: Callback<R> = (r, e, t, p) => {
      queue = queue.then(() => send(r, e, t, p)).catch((err) => {
        log.error(`Agent notification for ${resource}.${event} (${p.resourceId}) failed: ${(err as Error)?.message ?? err}`)
      })
    }
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
  return {
    unsubscribe() {
      for (const [r, e, cb] of subs.splice(0)) registry.unsubscribe(cb, r, e)
    },
    drain: () => queue,
  }
}
