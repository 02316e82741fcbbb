/**
 * extraroute / extraroute-atomic (neutron/db/extraroute_db.py): a router's static routes. A
 * nexthop must lie on a subnet the router is attached to (interfaces or gateway) and must not be
 * one of the router's own addresses; at most [DEFAULT] max_routes routes.
 */
import { httpBadRequest, InvalidRoutes, RouterInterfaceInUseByRoute, RoutesExhausted } from '../common/exceptions.js'
import type { Queryable, Tx } from '../db/engine.js'
import { deleteRoute, insertRoute, routesByRouter, type RouterRoute } from '../db/resources/routers.js'
import { cidr as toCidr, cidrContains, formatCidr, formatIp, parseCidr, parseIp, pyRepr, validateHostroutes } from '../ipam/index.js'
import type { SubnetLite } from './l3-core.js'

/** The nexthop rules (_validate_routes_nexthop), over the CIDRs and addresses of the router's ports. */
export function validateRoutes(routerId: string, routes: RouterRoute[], cidrs: string[], ips: string[], maxRoutes: number): void {
  if (routes.length > maxRoutes) throw new RoutesExhausted(routerId, maxRoutes)
  const nets = cidrs.map(toCidr)
  const own = new Set(ips.map(canonicalIp))
  for (const r of routes) {
    const hop = parseIp(r.nexthop)!
    if (!nets.some((n) => cidrContains(n, hop.version, hop.value))) {
      throw new InvalidRoutes(pyRepr(routes), 'the nexthop is not connected with router')
    }
    if (own.has(formatIp(hop.version, hop.value))) throw new InvalidRoutes(pyRepr(routes), 'the nexthop is used by router')
  }
}

/** Routes as stored and shown: canonical text (Neutron keeps netaddr objects). */
export function normalizeRoutes(routes: RouterRoute[]): RouterRoute[] {
  return routes.map((r) => ({ destination: formatCidr(parseCidr(r.destination)!), nexthop: canonicalIp(r.nexthop) }))
}

function canonicalIp(text: string): string {
  const a = parseIp(text)
  return a ? formatIp(a.version, a.value) : text
}

/** Replaces a router's routes with `routes` (already validated), writing only the difference. */
export async function writeRoutes(tx: Tx, routerId: string, routes: RouterRoute[]): Promise<boolean> {
  const old = (await routesByRouter(tx, [routerId])).get(routerId) ?? []
  const key = routeKey
  const want = new Set(routes.map(key))
  const have = new Set(old.map(key))
  let changed = false
  for (const r of old) {
    if (!want.has(key(r))) {
      await deleteRoute(tx, routerId, r)
      changed = true
    }
  }
  for (const r of routes) {
    if (!have.has(key(r))) {
      await insertRoute(tx, routerId, r)
      have.add(key(r))
      changed = true
    }
  }
  return changed
}

/** ExtraRoute_dbonly_mixin._confirm_router_interface_not_in_use: no route may need the subnet's nexthops. */
export async function checkRoutesDoNotNeed(q: Queryable, routerId: string, subnet: SubnetLite): Promise<void> {
  const net = toCidr(subnet.cidr)
  for (const r of (await routesByRouter(q, [routerId])).get(routerId) ?? []) {
    const hop = parseIp(r.nexthop)
    if (hop && cidrContains(net, hop.version, hop.value)) throw new RouterInterfaceInUseByRoute(routerId, subnet.id)
  }
}

/** _add_extra_routes: the union; exact duplicates merged (one Set lookup per route: linear). */
export function addRoutes(old: RouterRoute[], add: RouterRoute[]): RouterRoute[] {
  const seen = new Set<string>()
  const out: RouterRoute[] = []
  for (const r of [...old, ...add]) {
    const k = routeKey(r)
    if (!seen.has(k)) {
      seen.add(k)
      out.push(r)
    }
  }
  return out
}

/** _remove_extra_routes: what is in `old` and not in `remove` (missing ones are fine). */
export function removeRoutes(old: RouterRoute[], remove: RouterRoute[]): RouterRoute[] {
  const gone = new Set(remove.map(routeKey))
  return old.filter((r) => !gone.has(routeKey(r)))
}

const routeKey = (r: RouterRoute) => `${r.destination}|${r.nexthop}`

/**
 * The body of add_extraroutes / remove_extraroutes: {"router": {"routes": [...]}}. Neutron checks
 * the routes only when it applies the merged list; here a malformed list is refused first, as the
 * `routes` attribute of a PUT would be.
 */
export function parseRoutesBody(body: unknown): RouterRoute[] {
  const router = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).router : undefined
  if (router === null || typeof router !== 'object' || Array.isArray(router) || !('routes' in router)) {
    throw httpBadRequest("Unable to find 'router' with 'routes' in request body")
  }
  const routes = (router as Record<string, unknown>).routes ?? []
  const msg = validateHostroutes(routes)
  if (msg) throw httpBadRequest(`Invalid input for routes. Reason: ${msg}.`)
  return normalizeRoutes(routes as RouterRoute[])
}
