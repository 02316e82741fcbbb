/**
 * A router's external gateway (neutron/db/l3_db.py _update_router_gw_info, l3_gwmode_db): a port
 * owned by no project (device_owner network:router_gateway) on an external network, with
 * addresses from its subnets or the requested external_fixed_ips, and the SNAT flag.
 */
import type { RequestContext } from '../common/context.js'
import { BadRequest, NetworkNotFound, RouterExternalGatewayInUseByFloatingIp } from '../common/exceptions.js'
import type { Tx } from '../db/engine.js'
import { getNetworkRow, networkVisibleTo } from '../db/resources/networks.js'
import { insertRouterPort, routerPorts, routesByRouter, type RouterPortInfo, type RouterRow } from '../db/resources/routers.js'
import { validateRoutes } from './extra-routes.js'
import {
  checkForDupRouterSubnets,
  DEVICE_OWNER_ROUTER_GW,
  subnetsByIds,
  subnetsOfNetwork,
  type Dict,
  type L3Core,
  type PortChanges,
} from './l3-core.js'

export class RouterGateway {
  constructor(private readonly l3: L3Core) {}

  /**
   * Applies `info` (null or {} clears the gateway) to a locked router inside `tx`; returns the
   * router columns that change (enable_snat, gw_port_id).
   */
  async update(tx: Tx, ports: PortChanges, ctx: RequestContext, router: RouterRow, info: Dict | null): Promise<Partial<RouterRow>> {
    const changes: Partial<RouterRow> = {}
    const enableSnat = info && 'enable_snat' in info ? !!info.enable_snat : this.l3.options.enableSnatByDefault
    if (enableSnat !== router.enable_snat) changes.enable_snat = enableSnat
    const attached = await routerPorts(tx, router.id)
    const gw = router.gw_port_id ? attached.find((p) => p.port_id === router.gw_port_id) : undefined
    const extIps: Dict[] = (info?.external_fixed_ips as Dict[] | undefined) ?? []
    const networkId = await this.validate(tx, ctx, info, extIps, router, attached)
    const admin = this.l3.elevated(ctx)
    if (gw && externalIpChange(gw, extIps) && gw.network_id === networkId) {
      ports.updated.push(await this.l3.ml2.ports.updateInTx(tx, admin, gw.port_id, { fixed_ips: extIps }))
      return changes
    }
    let remaining = attached
    if (gw && gw.network_id !== networkId) {
      if (await tx.get('SELECT 1 AS x FROM floatingips WHERE router_id = ?', [router.id])) {
        throw new RouterExternalGatewayInUseByFloatingIp(router.id, gw.network_id)
      }
      ports.deleted.push(await this.l3.ml2.ports.deleteInTx(tx, gw.port_id))
      changes.gw_port_id = null
      remaining = attached.filter((p) => p.port_id !== gw.port_id)
    }
    if (networkId && (!gw || gw.network_id !== networkId)) {
      await checkForDupRouterSubnets(tx, remaining, await subnetsOfNetwork(tx, networkId))
      const body = this.l3.portBody({
        tenantId: '', // hidden from the project, as in Neutron
        networkId,
        fixedIps: extIps.length ? extIps : undefined,
        deviceId: router.id,
        deviceOwner: DEVICE_OWNER_ROUTER_GW,
      })
      const pctx = await this.l3.ml2.ports.createInTx(tx, admin, body, { quota: false })
      ports.created.push(pctx)
      await insertRouterPort(tx, router.id, pctx.current.id, DEVICE_OWNER_ROUTER_GW)
      changes.gw_port_id = pctx.current.id
    }
    return changes
  }

  /** _validate_gw_info: an existing external network, no gateway-IP clash, and routes still reachable. */
  private async validate(tx: Tx, ctx: RequestContext, info: Dict | null, extIps: Dict[], router: RouterRow, attached: RouterPortInfo[]): Promise<string | null> {
    const networkId: string | null = info?.network_id ?? null
    const gwSubnets = networkId ? await subnetsOfNetwork(tx, networkId) : []
    if (networkId) {
      const net = await getNetworkRow(tx, networkId)
      // A network the caller may not see is not found, whatever it is (no existence oracle).
      if (!net || !networkVisibleTo(ctx, net)) throw new NetworkNotFound(networkId)
      if (!net.router_external) throw new BadRequest('router', `Network ${networkId} is not an external network`)
      for (const ip of extIps) {
        for (const s of gwSubnets) {
          if (s.gateway_ip && ip.ip_address === s.gateway_ip) throw new BadRequest('router', `External IP ${ip.ip_address} is the same as the gateway IP`)
        }
      }
    }
    const routes = (await routesByRouter(tx, [router.id])).get(router.id) ?? []
    if (routes.length) {
      const ports = attached.filter((p) => p.port_id !== router.gw_port_id)
      const ips = ports.flatMap((p) => p.fixed_ips)
      const cidrs = (await subnetsByIds(tx, ips.map((i) => i.subnet_id))).map((s) => s.cidr)
      validateRoutes(router.id, routes, [...cidrs, ...gwSubnets.map((s) => s.cidr)], ips.map((i) => i.ip_address), this.l3.options.maxRoutes)
    }
    return networkId
  }
}

/** _check_for_external_ip_change: requested external_fixed_ips differ from the gateway port's. */
function externalIpChange(gw: RouterPortInfo, extIps: Dict[]): boolean {
  if (!extIps.length) return false
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x))
  const subnets = new Set(gw.fixed_ips.map((i) => i.subnet_id))
  const wantSubnets = new Set(extIps.filter((f) => f.subnet_id).map((f) => f.subnet_id as string))
  if (!same(subnets, wantSubnets)) return true
  const ips = new Set(gw.fixed_ips.map((i) => i.ip_address))
  const wantIps = new Set(extIps.filter((f) => f.ip_address).map((f) => f.ip_address as string))
  return !same(ips, wantIps)
}
