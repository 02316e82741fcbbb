/**
 * Which other objects a journal row must wait for (networking-odl journal/dependency_validations.py):
 * the ids an object refers to. A create or update waits for pending rows of these parents; a
 * delete of a parent waits for pending rows that name it here (children deleted first).
 */
import type { Obj, ObjectType } from './filters.js'

export function parentIds(type: ObjectType, obj: Obj): string[] {
  const ids: unknown[] = []
  switch (type) {
    case 'network':
      ids.push(obj.qos_policy_id)
      break
    case 'subnet':
      ids.push(obj.network_id)
      break
    case 'port':
      ids.push(obj.network_id, obj.qos_policy_id)
      if (Array.isArray(obj.fixed_ips)) for (const f of obj.fixed_ips) ids.push((f as Obj)?.subnet_id)
      if (Array.isArray(obj.security_groups)) for (const g of obj.security_groups) ids.push(typeof g === 'string' ? g : (g as Obj)?.id)
      // Router ports name their router: the router's delete waits for theirs (as recorded: interface
      // and gateway ports are deleted before routers/<id>).
      if (typeof obj.device_owner === 'string' && obj.device_owner.startsWith('network:router_')) ids.push(obj.device_id)
      break
    case 'security_group_rule':
      ids.push(obj.security_group_id, obj.remote_group_id)
      break
    case 'router':
      ids.push(obj.gw_port_id, (obj.external_gateway_info as Obj | null)?.network_id)
      break
    case 'floatingip':
      ids.push(obj.floating_network_id, obj.port_id, obj.router_id)
      break
    case 'security_group':
      break
  }
  return [...new Set(ids.filter((v): v is string => typeof v === 'string' && v !== ''))]
}
