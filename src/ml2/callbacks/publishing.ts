/**
 * after_* events for a collection without mechanism-driver hooks (security groups and their
 * rules, subnet pools, agents through the API, routers, floating IPs): the collection is wrapped
 * once where it is built, instead of a publish call in each of its write paths. Its other
 * methods are the collection's own, and the calls it makes on itself do not publish: only the
 * writes that come through the wrapper (the API's, a service plugin's) do.
 *
 * after_update carries `current` only (no extra read for `original`); after_delete the id, and the
 * item as `original` when after_delete has subscribers.
 */
import type { RequestContext } from '../../common/context.js'
import type { CollectionService } from '../service.js'
import type { Resource } from './events.js'
import type { EventPayload, ResourceTypes } from './payload.js'
import type { CallbacksRegistry } from './registry.js'

export function publishing<R extends Resource, S extends CollectionService<any>>(registry: CallbacksRegistry, resource: R, ops: S): S {
  const own: Partial<CollectionService<ResourceTypes[R]>> = {
    async createBulk(ctx: RequestContext, bodies) {
      const out = await ops.createBulk(ctx, bodies)
      for (const d of out) await registry.publish(resource, 'after_create', ops, { context: ctx, resourceId: d.id, current: d } as EventPayload<R>)
      return out
    },
    async update(ctx: RequestContext, id: string, body) {
      const d = await ops.update(ctx, id, body)
      await registry.publish(resource, 'after_update', ops, { context: ctx, resourceId: id, current: d } as EventPayload<R>)
      return d
    },
    async delete(ctx: RequestContext, id: string) {
      // Only when someone listens: the deleted item as `original` (Neutron's AFTER_DELETE carries
      // e.g. a rule's security_group_id, which the agents' rule_updated cast names).
      const original = registry.has(resource, 'after_delete') ? await ops.get(ctx, id).catch(() => null) : null
      await ops.delete(ctx, id)
      await registry.publish(resource, 'after_delete', ops, { context: ctx, resourceId: id, original } as EventPayload<R>)
    },
  }
  // Everything else is the collection's own, called on the collection itself (its #private
  // members need the real `this`).
  return new Proxy(ops, {
    get(target, key) {
      if (key in own) return own[key as keyof typeof own]
      const v = Reflect.get(target, key, target)
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}
