/**
 * What the journal's full sync and recovery read of Neutrino's own state: every object of a type,
 * or one by id, as the API shows it (admin view). Built from the ML2 service and, when the L3
 * service plugin runs, its routers and floating IPs.
 */
import { adminContext } from '../../../common/context.js'
import { NotFound } from '../../../common/exceptions.js'
import type { CollectionService, Ml2Service } from '../../service.js'
import type { Obj, ObjectType } from './filters.js'

export interface ResourceReader {
  /** The types this server has (routers and floating IPs only with the L3 plugin). */
  readonly types: readonly ObjectType[]
  list(type: ObjectType): Promise<Obj[]>
  /** null when the object does not exist. */
  get(type: ObjectType, id: string): Promise<Obj | null>
}

/** The order a full sync records creates in: parents before children (full_sync.py ALL_RESOURCES). */
export const SYNC_ORDER: readonly ObjectType[] = ['security_group', 'security_group_rule', 'network', 'subnet', 'router', 'port', 'floatingip']

export function serviceReader(s: Ml2Service, l3?: { routers?: CollectionService; floatingips?: CollectionService }): ResourceReader {
  const services: Partial<Record<ObjectType, CollectionService<any>>> = {
    network: s.networks,
    subnet: s.subnets,
    port: s.ports,
    security_group: s.securityGroups,
    security_group_rule: s.securityGroupRules,
    ...(l3?.routers ? { router: l3.routers } : {}),
    ...(l3?.floatingips ? { floatingip: l3.floatingips } : {}),
  }
  const ctx = adminContext()
  return {
    types: SYNC_ORDER.filter((t) => services[t]),
    async list(type) {
      const svc = services[type]
      return svc ? ((await svc.list(ctx, new Map())) as Obj[]) : []
    },
    async get(type, id) {
      const svc = services[type]
      if (!svc) return null
      try {
        return (await svc.get(ctx, id)) as Obj
      } catch (e) {
        if (e instanceof NotFound) return null
        throw e
      }
    },
  }
}
