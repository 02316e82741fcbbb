/**
 * The routers' member actions, PUT /v2.0/routers/{id}/{action} (neutron_lib l3 ACTION_MAP and
 * extraroute-atomic): the body goes to the L3 plugin as it is, as in Neutron. The router must be
 * one the caller can see (404 RouterNotFound otherwise) and the action's own rule must pass
 * (add_router_interface, …: owner or admin by default).
 */
import type { L3Plugin } from '../l3/plugin.js'
import { parseRoutesBody } from '../l3/extra-routes.js'
import type { ResourceController } from './resources.js'
import type { ApiRequest, ApiResponse } from './api-request.js'

type Action = (r: ApiRequest, id: string) => Promise<ApiResponse>

export function routerActions(l3: L3Plugin, controller: () => ResourceController): Record<string, Action> {
  const authorize = async (r: ApiRequest, action: string, id: string) => {
    const router = await l3.routers.get(r.ctx, id)
    // No attribute rules for actions (neutron/policy.py: 'router_interfaces' is no resource).
    await controller().policy.view(r.ctx)?.authorize(action, router, [])
  }
  return {
    add_router_interface: async (r, id) => {
      await authorize(r, 'add_router_interface', id)
      return { status: 200, body: await l3.interfaces.add(r.ctx, id, r.body) }
    },
    remove_router_interface: async (r, id) => {
      await authorize(r, 'remove_router_interface', id)
      return { status: 200, body: await l3.interfaces.remove(r.ctx, id, r.body) }
    },
    add_extraroutes: async (r, id) => {
      await authorize(r, 'add_extraroutes', id)
      return { status: 200, body: { router: await l3.routers.editRoutes(r.ctx, id, parseRoutesBody(r.body), 'add') } }
    },
    remove_extraroutes: async (r, id) => {
      await authorize(r, 'remove_extraroutes', id)
      return { status: 200, body: { router: await l3.routers.editRoutes(r.ctx, id, parseRoutesBody(r.body), 'remove') } }
    },
  }
}
