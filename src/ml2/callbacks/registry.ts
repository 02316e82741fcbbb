/**
 * The callbacks registry (neutron_lib/callbacks/registry.py + manager.py): every module that wants
 * to follow ML2's lifecycle subscribes here instead of being called by name.
 *
 * - Subscribers of an event run one after the other, by priority (lower first), then in
 *   subscription order.
 * - before_* and precommit_* may veto: the first subscriber that throws stops the loop and its own
 *   error propagates. A precommit subscriber runs inside the transaction, so its error rolls the
 *   transaction back and reaches the client unchanged (neutron-lib wraps it in CallbackFailure; we
 *   keep the subscriber's catalogued error so the wire stays the same).
 * - after_* run after the commit; a failure is logged with the subscriber's name and the next
 *   subscriber still runs; the request never fails because of it.
 *
 * One registry per plugin instance, injected (no module-level singleton as in neutron-lib).
 */
import type { Logger } from '../../common/log.js'
import { isVetoEvent, type Event, type Resource } from './events.js'
import type { Callback, EventPayload } from './payload.js'
import { PRIORITY_DEFAULT } from './priorities.js'

interface Subscription {
  readonly callback: Callback<any>
  readonly priority: number
  readonly name: string
}

/** What subscribers and publishers see of the registry. */
export interface CallbacksRegistry {
  subscribe<R extends Resource>(callback: Callback<R>, resource: R, event: Event, priority?: number): void
  unsubscribe<R extends Resource>(callback: Callback<R>, resource: R, event: Event): void
  /** Whether anyone listens (publishers may skip building a payload). */
  has(resource: Resource, event: Event): boolean
  publish<R extends Resource>(resource: R, event: Event, trigger: unknown, payload: EventPayload<R>): Promise<void>
}

export class Registry implements CallbacksRegistry {
  readonly #subs = new Map<string, Subscription[]>()

  constructor(private readonly log: Logger) {}

  subscribe<R extends Resource>(callback: Callback<R>, resource: R, event: Event, priority = PRIORITY_DEFAULT): void {
    if (typeof callback !== 'function') throw new TypeError(`callback for ${resource}.${event} is not a function`)
    const key = `${resource}.${event}`
    const list = this.#subs.get(key) ?? []
    if (list.some((s) => s.callback === callback)) return // neutron-lib: subscribing twice is a no-op
    // Stable insertion: after every subscription of the same or a lower priority.
    let at = list.length
    while (at > 0 && list[at - 1]!.priority > priority) at--
    const next = [...list]
    next.splice(at, 0, { callback, priority, name: callback.name || 'anonymous' })
    this.#subs.set(key, next)
  }

  unsubscribe<R extends Resource>(callback: Callback<R>, resource: R, event: Event): void {
    const key = `${resource}.${event}`
    const list = this.#subs.get(key)
    if (list) this.#subs.set(key, list.filter((s) => s.callback !== callback))
  }

  has(resource: Resource, event: Event): boolean {
    return (this.#subs.get(`${resource}.${event}`)?.length ?? 0) > 0
  }

  async publish<R extends Resource>(resource: R, event: Event, trigger: unknown, payload: EventPayload<R>): Promise<void> {
    // The list is replaced, never mutated, on (un)subscribe: a publish in flight keeps its snapshot.
    const list = this.#subs.get(`${resource}.${event}`)
    if (!list?.length) return
    const veto = isVetoEvent(event)
    for (const s of list) {
      if (veto) {
        await s.callback(resource, event, trigger, payload)
        continue
      }
      try {
        await s.callback(resource, event, trigger, payload)
      } catch (e) {
        this.log.error(`Error during notification for ${s.name} ${resource}.${event} (${payload.resourceId}): ${describe(e)}`)
      }
    }
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)
}
