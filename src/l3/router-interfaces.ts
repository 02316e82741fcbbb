/**
 * PUT /v2.0/routers/{id}/add_router_interface and remove_router_interface (neutron/db/l3_db.py):
 * by subnet (a new port holding the subnet's gateway IP; an IPv6 subnet joins the router's
 * existing IPv6 port on the same network) or by an existing unbound port. One transaction with the
 * router row locked, so two requests for one router are serialised and the subnet checks hold.
 */
import type { RequestContext } from '../common/context.js'
import {
  BadRequest,
  PortInUse,
  PortNotFound,
  RouterInterfaceInUseByFloatingIP,
  RouterInterfaceNotFound,
  RouterInterfaceNotFoundForSubnet,
  SubnetMismatchForPort,
  SubnetNotFound,
} from '../common/exceptions.js'
import { getPortRow } from '../db/resources/ports.js'
import type { Queryable, Tx } from '../db/engine.js'
import { bumpRouterRevision, insertRouterPort, routerPorts, type RouterPortInfo, type RouterRow } from '../db/resources/routers.js'
import { cidr as toCidr, cidrContains, ipVersionOf, isUuidLike, parseIp, poolToRange, pyStr } from '../ipam/index.js'
import { checkRoutesDoNotNeed } from './extra-routes.js'
import {
  checkForDupRouterSubnets,
  DEVICE_OWNER_ROUTER_INTF,
  subnetsByIds,
  validateSubnetAddressMode,
  type Dict,
  type L3Core,
  type PortChanges,
  type SubnetLite,
} from './l3-core.js'
import type { RouterOps } from './router-ops.js'

/** The body Neutron answers both calls with (_make_router_interface_info), plus project_id. */
export interface RouterInterfaceInfo {
  id: string
  tenant_id: string
  port_id: string
  network_id: string
  subnet_id: string
  subnet_ids: string[]
  project_id: string
}

interface Attached {
  port: { id: string; project_id: string; network_id: string }
  subnets: SubnetLite[]
}

export class RouterInterfaces {
  constructor(
    private readonly l3: L3Core,
    private readonly routers: RouterOps,
  ) {}

  async add(ctx: RequestContext, routerId: string, body: unknown): Promise<RouterInterfaceInfo> {
    const info = validateInterfaceInfo(body, false)
    // Visibility first, outside the transaction (get_port / get_subnet with the caller's policy).
    if (info.port_id !== undefined) await this.l3.ml2.ports.get(ctx, info.port_id)
    else await this.l3.ml2.subnets.get(ctx, info.subnet_id!)
    // A failed create postcommit deletes the new port, and with it the router port row.
    return this.l3.txn(async (tx, ports) => {
      const router = await this.routers.visibleRow(tx, ctx, routerId, true)
      const attached = await routerPorts(tx, routerId)
      const a =
        info.port_id !== undefined
          ? await this.addByPort(tx, ports, ctx, router, attached, info.port_id)
          : await this.addBySubnet(tx, ports, ctx, router, attached, info.subnet_id!)
      await bumpRouterRevision(tx, routerId, this.l3.timestamp())
      return interfaceInfo(routerId, a.port, a.subnets.at(-1)!.id, a.subnets)
    })
  }

  private async addByPort(tx: Tx, ports: PortChanges, ctx: RequestContext, router: RouterRow, attached: RouterPortInfo[], portId: string): Promise<Attached> {
    // Locked: of two routers taking one port, the second sees the first's device_id.
    const row = await getPortRow(tx, portId, true)
    if (!row) throw new PortNotFound(portId)
    const port = {
      id: portId,
      project_id: row.project_id,
      network_id: row.network_id,
      fixed_ips: await tx.all<{ subnet_id: string; ip_address: string }>('SELECT subnet_id, ip_address FROM ipallocations WHERE port_id = ?', [portId]),
    }
    // _check_router_port(port, device_id=''): only a port nobody uses may become an interface.
    if (row.device_id !== '') throw new PortInUse(row.network_id, portId, row.device_id)
    if (!port.fixed_ips.length) throw new BadRequest('router', 'Router port must have at least one fixed IP')
    const subnets = await subnetsByIds(tx, port.fixed_ips.map((f) => f.subnet_id))
    for (const s of subnets) validateSubnetAddressMode(s)
    ports.updated.push(
      await this.l3.ml2.ports.updateInTx(tx, this.l3.elevated(ctx), portId, { device_id: router.id, device_owner: DEVICE_OWNER_ROUTER_INTF }),
    )
    // _validate_router_port_info
    const hasV6 = (ips: Array<{ ip_address: string }>) => ips.some((f) => ipVersionOf(f.ip_address) === 6)
    if (hasV6(port.fixed_ips)) {
      const other = attached.find((p) => p.port_id !== portId && p.network_id === port.network_id && hasV6(p.fixed_ips))
      if (other) {
        throw new BadRequest(
          'router',
          `Router already contains IPv6 port ${other.port_id} belonging to network id ${other.network_id}. Only one IPv6 port from the same network subnet can be connected to a router.`,
        )
      }
    }
    await checkForDupRouterSubnets(tx, attached, subnets)
    if (subnets.filter((s) => s.ip_version === 4).length > 1) throw new BadRequest('router', 'Cannot have multiple IPv4 subnets on router port')
    if (!ctx.isAdmin) await this.checkPortInRange(tx, ctx, subnets, port)
    await insertRouterPort(tx, router.id, portId, DEVICE_OWNER_ROUTER_INTF)
    return { port: { id: portId, project_id: port.project_id, network_id: port.network_id }, subnets }
  }

  /** _validate_port_in_range_or_admin: outside the pools only on the caller's own subnets. */
  private async checkPortInRange(q: Queryable, ctx: RequestContext, subnets: SubnetLite[], port: { id: string; fixed_ips: Array<{ subnet_id: string; ip_address: string }> }): Promise<void> {
    for (const f of port.fixed_ips) {
      const s = subnets.find((x) => x.id === f.subnet_id)!
      const pools = await q.all<{ first_ip: string; last_ip: string }>('SELECT first_ip, last_ip FROM ipallocationpools WHERE subnet_id = ?', [s.id])
      const ip = parseIp(f.ip_address)!.value
      const inPool = pools.some((p) => {
        const r = poolToRange({ start: p.first_ip, end: p.last_ip })
        return !!r && r.first <= ip && ip <= r.last
      })
      if (!inPool && ctx.projectId !== s.project_id) {
        throw new BadRequest(
          'router',
          `Cannot add interface to router because specified port ${port.id} has an IP address out of the allocation pool of subnet ${s.id}, which is not owned by the project making the request`,
        )
      }
    }
  }

  private async addBySubnet(tx: Tx, ports: PortChanges, ctx: RequestContext, router: RouterRow, attached: RouterPortInfo[], subnetId: string): Promise<Attached> {
    const [subnet] = await subnetsByIds(tx, [subnetId])
    if (!subnet) throw new SubnetNotFound(subnetId)
    if (!subnet.gateway_ip) throw new BadRequest('router', 'Subnet for router interface must have a gateway IP')
    if (!ctx.isAdmin && subnet.project_id !== ctx.projectId) {
      // No RBAC here: a network shared with everyone does not let others attach routers (LP 1757482).
      throw new BadRequest('router', `Cannot add interface to router because subnet ${subnetId} is not owned by project making the request`)
    }
    validateSubnetAddressMode(subnet)
    await checkForDupRouterSubnets(tx, attached, [subnet])
    const fixedIp = { ip_address: subnet.gateway_ip, subnet_id: subnet.id }
    const admin = this.l3.elevated(ctx)
    if (subnet.ip_version === 6) {
      // Another prefix on the router's IPv6 port of that network, if it has one.
      const v6 = attached.find(
        (p) => p.device_owner === DEVICE_OWNER_ROUTER_INTF && p.network_id === subnet.network_id && p.fixed_ips.some((f) => ipVersionOf(f.ip_address) === 6),
      )
      if (v6) {
        ports.updated.push(await this.l3.ml2.ports.updateInTx(tx, admin, v6.port_id, { fixed_ips: [...v6.fixed_ips, fixedIp] }))
        return { port: { id: v6.port_id, project_id: v6.project_id, network_id: v6.network_id }, subnets: [subnet] }
      }
    }
    const body = this.l3.portBody({
      tenantId: router.project_id,
      networkId: subnet.network_id,
      fixedIps: [fixedIp],
      deviceId: router.id,
      deviceOwner: DEVICE_OWNER_ROUTER_INTF,
    })
    const pctx = await this.l3.ml2.ports.createInTx(tx, admin, body, { quota: false })
    ports.created.push(pctx)
    await insertRouterPort(tx, router.id, pctx.current.id, DEVICE_OWNER_ROUTER_INTF)
    return { port: { id: pctx.current.id, project_id: router.project_id, network_id: subnet.network_id }, subnets: [subnet] }
  }

  async remove(ctx: RequestContext, routerId: string, body: unknown): Promise<RouterInterfaceInfo> {
    const info = validateInterfaceInfo(body, true)
    if (info.port_id === undefined) await this.l3.ml2.subnets.get(ctx, info.subnet_id!)
    return this.l3.txn(async (tx, ports) => {
      await this.routers.visibleRow(tx, ctx, routerId, true)
      const attached = (await routerPorts(tx, routerId)).filter((p) => p.port_type === DEVICE_OWNER_ROUTER_INTF)
      let done: Attached
      if (info.port_id !== undefined) {
        const p = attached.find((x) => x.port_id === info.port_id)
        if (!p) throw new RouterInterfaceNotFound(routerId, info.port_id)
        const subnetIds = p.fixed_ips.map((f) => f.subnet_id)
        if (info.subnet_id !== undefined && !subnetIds.includes(info.subnet_id)) throw new SubnetMismatchForPort(info.port_id, info.subnet_id)
        const subnets = await subnetsByIds(tx, subnetIds)
        for (const s of subnets) await this.confirmNotInUse(tx, routerId, s)
        ports.deleted.push(await this.l3.ml2.ports.deleteInTx(tx, p.port_id))
        done = { port: { id: p.port_id, project_id: p.project_id, network_id: p.network_id }, subnets }
      } else {
        const [subnet] = await subnetsByIds(tx, [info.subnet_id!])
        const onNet = subnet ? attached.filter((p) => p.network_id === subnet.network_id) : []
        if (onNet.length) await this.confirmNotInUse(tx, routerId, subnet!)
        const p = onNet.find((x) => x.fixed_ips.some((f) => f.subnet_id === info.subnet_id))
        if (!p) throw new RouterInterfaceNotFoundForSubnet(routerId, info.subnet_id!)
        if (p.fixed_ips.length > 1) {
          // A multi-prefix (IPv6) port loses one prefix; the port stays.
          const rest = p.fixed_ips.filter((f) => f.subnet_id !== info.subnet_id)
          ports.updated.push(await this.l3.ml2.ports.updateInTx(tx, this.l3.elevated(ctx), p.port_id, { fixed_ips: rest }))
        } else {
          ports.deleted.push(await this.l3.ml2.ports.deleteInTx(tx, p.port_id))
        }
        done = { port: { id: p.port_id, project_id: p.project_id, network_id: p.network_id }, subnets: [subnet!] }
      }
      await bumpRouterRevision(tx, routerId, this.l3.timestamp())
      return interfaceInfo(routerId, done.port, done.subnets[0]!.id, done.subnets)
    })
  }

  /** _confirm_router_interface_not_in_use: no floating IP of the router, and no route, needs the subnet. */
  private async confirmNotInUse(q: Queryable, routerId: string, subnet: SubnetLite): Promise<void> {
    const net = toCidr(subnet.cidr)
    const fips = await q.all<{ fixed_ip_address: string | null; fixed_port_id: string | null }>(
      'SELECT fixed_ip_address, fixed_port_id FROM floatingips WHERE router_id = ?',
      [routerId],
    )
    if (fips.length) {
      const onSubnet = new Set((await q.all<{ port_id: string }>('SELECT port_id FROM ipallocations WHERE subnet_id = ?', [subnet.id])).map((r) => r.port_id))
      for (const f of fips) {
        const a = f.fixed_ip_address ? parseIp(f.fixed_ip_address) : undefined
        if (a && cidrContains(net, a.version, a.value) && f.fixed_port_id && onSubnet.has(f.fixed_port_id)) {
          throw new RouterInterfaceInUseByFloatingIP(routerId, subnet.id)
        }
      }
    }
    await checkRoutesDoNotNeed(q, routerId, subnet)
  }
}

/** _validate_interface_info: subnet_id or port_id (both only when removing), each a UUID. */
export function validateInterfaceInfo(body: unknown, forRemoval: boolean): { port_id?: string; subnet_id?: string } {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Dict) : {}
  const byPort = 'port_id' in b
  const bySubnet = 'subnet_id' in b
  if (!byPort && !bySubnet) throw new BadRequest('router', 'Either subnet_id or port_id must be specified')
  for (const k of ['port_id', 'subnet_id'] as const) {
    if (k in b && !isUuidLike(b[k])) throw new BadRequest('router', `'${pyStr(b[k])}' is not a valid UUID`)
  }
  if (!forRemoval && byPort && bySubnet) throw new BadRequest('router', 'Cannot specify both subnet-id and port-id')
  return { port_id: byPort ? b.port_id : undefined, subnet_id: bySubnet ? b.subnet_id : undefined }
}

function interfaceInfo(routerId: string, port: Attached['port'], subnetId: string, subnets: SubnetLite[]): RouterInterfaceInfo {
  return {
    id: routerId,
    tenant_id: port.project_id,
    port_id: port.id,
    network_id: port.network_id,
    subnet_id: subnetId,
    subnet_ids: subnets.map((s) => s.id),
    project_id: port.project_id,
  }
}
