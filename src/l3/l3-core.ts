/**
 * What the L3 service plugin's parts share: the ML2 plugin it creates ports through, its options,
 * the bookkeeping of ML2 port changes made inside an L3 transaction, and the router-port checks
 * both the gateway and the interfaces need (neutron/db/l3_db.py _check_for_dup_router_subnets).
 *
 * Every L3 write runs in one database transaction that also creates, updates or deletes the ML2
 * ports it needs (through Ml2Service's ports.*InTx methods, so the mechanism drivers' precommits run inside
 * it); their postcommits run after the commit. Neutron does the same in several transactions with
 * compensating deletes — one transaction makes concurrent requests simply retry or fail cleanly.
 */
import { adminContext, type RequestContext } from '../common/context.js'
import { BadRequest } from '../common/exceptions.js'
import { NOT_SPECIFIED } from '../common/not-specified.js'
import type { Queryable, Tx } from '../db/engine.js'
import type { RouterPortInfo } from '../db/resources/routers.js'
import { cidr as toCidr, cidrOverlaps } from '../ipam/index.js'
import type { JsonDict } from '../ml2/resource-types.js'
import type { Ml2Runtime, Ml2Service, PendingPort } from '../ml2/service.js'

/** Routers and floating IPs have no typed dicts yet: they are the JSON the API shows. */
export type Dict = JsonDict

export const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface'
export const DEVICE_OWNER_ROUTER_GW = 'network:router_gateway'
export const DEVICE_OWNER_FLOATINGIP = 'network:floatingip'
export const DEVICE_OWNER_HA_REPLICATED_INT = 'network:ha_router_replicated_interface'
/** constants.ROUTER_INTERFACE_OWNERS */
export const ROUTER_INTERFACE_OWNERS = [DEVICE_OWNER_ROUTER_INTF, 'network:router_interface_distributed', DEVICE_OWNER_HA_REPLICATED_INT]
/** L3_NAT_dbonly_mixin.router_device_owners: ports only the L3 API may delete. */
export const L3_DEVICE_OWNERS = [DEVICE_OWNER_HA_REPLICATED_INT, DEVICE_OWNER_ROUTER_INTF, DEVICE_OWNER_ROUTER_GW, DEVICE_OWNER_FLOATINGIP]

export interface L3Options {
  /** [DEFAULT] enable_snat_by_default: enable_snat when a gateway is set without it. */
  enableSnatByDefault: boolean
  /** [DEFAULT] max_routes: extra routes per router. */
  maxRoutes: number
}

export class L3Core {
  constructor(
    readonly ml2: Ml2Service,
    readonly options: L3Options,
  ) {}

  /** ML2's runtime: L3 writes in the same transactions, with the same clock, ids and quotas. */
  get runtime(): Ml2Runtime {
    return this.ml2.runtime
  }

  get reader(): Queryable {
    return this.ml2.runtime.db
  }

  timestamp(): string {
    return this.ml2.runtime.timestamp()
  }

  /** Neutron's context.elevated(): the L3 plugin's own port operations skip the caller's policy. */
  elevated(ctx: RequestContext): RequestContext {
    return adminContext(ctx.projectId, ctx.requestId)
  }

  /**
   * One transaction collecting the ML2 port changes it makes, then their postcommits. `undo` runs
   * when a create postcommit fails (the port is already gone again): it removes what the L3
   * operation made, so a driver failure leaves nothing half-done.
   */
  async txn<T>(fn: (tx: Tx, ports: PortChanges) => Promise<T>, undo?: (result: T) => Promise<void>): Promise<T> {
    const { result, ports } = await this.runtime.txn(async (tx) => {
      const ports = new PortChanges()
      return { result: await fn(tx, ports), ports }
    })
    try {
      await ports.postcommit(this.ml2)
    } catch (e) {
      if (undo) await undo(result).catch((u) => this.runtime.log.error(`undo after a failed postcommit failed: ${u}`))
      throw e
    }
    return result
  }

  /** A port body for ports.createInTx, as l3_db builds it (name '', admin up, no tenant for gateway/FIP ports). */
  portBody(o: { tenantId: string; networkId: string; fixedIps?: unknown; deviceId: string; deviceOwner: string; status?: string }): Dict {
    return {
      tenant_id: o.tenantId,
      project_id: NOT_SPECIFIED,
      network_id: o.networkId,
      name: '',
      description: '',
      admin_state_up: true,
      mac_address: NOT_SPECIFIED,
      fixed_ips: o.fixedIps ?? NOT_SPECIFIED,
      device_id: o.deviceId,
      device_owner: o.deviceOwner,
      port_security_enabled: NOT_SPECIFIED,
      allowed_address_pairs: NOT_SPECIFIED,
      extra_dhcp_opts: NOT_SPECIFIED,
      'binding:host_id': '',
      'binding:vnic_type': 'normal',
      'binding:profile': NOT_SPECIFIED,
      ...(o.status ? { status: o.status } : {}),
    }
  }
}

/** ML2 port changes made inside an L3 transaction; their postcommits run after the commit. */
export class PortChanges {
  readonly created: PendingPort[] = []
  readonly updated: PendingPort[] = []
  readonly deleted: PendingPort[] = []

  get count(): number {
    return this.created.length + this.updated.length + this.deleted.length
  }

  async postcommit(ml2: Ml2Service): Promise<void> {
    for (const p of this.deleted) await ml2.ports.deletePostcommit(p)
    for (const p of this.updated) await ml2.ports.updatePostcommit(p)
    for (const p of this.created) await ml2.ports.createPostcommit(p)
  }
}

export interface SubnetLite {
  id: string
  cidr: string
  network_id: string
  ip_version: number
  gateway_ip: string | null
  project_id: string
  ipv6_ra_mode: string | null
  ipv6_address_mode: string | null
}

const SUBNET_COLS = 'id, cidr, network_id, ip_version, gateway_ip, project_id, ipv6_ra_mode, ipv6_address_mode'

export async function subnetsByIds(q: Queryable, ids: string[]): Promise<SubnetLite[]> {
  const unique = [...new Set(ids)]
  if (!unique.length) return []
  const rows = await q.all<SubnetLite>(`SELECT ${SUBNET_COLS} FROM subnets WHERE id IN (${unique.map(() => '?').join(',')}) ORDER BY created_at, id`, unique)
  return rows.map((r) => ({ ...r, ip_version: Number(r.ip_version) }))
}

export async function subnetsOfNetwork(q: Queryable, networkId: string): Promise<SubnetLite[]> {
  const rows = await q.all<SubnetLite>(`SELECT ${SUBNET_COLS} FROM subnets WHERE network_id = ? ORDER BY created_at, id`, [networkId])
  return rows.map((r) => ({ ...r, ip_version: Number(r.ip_version) }))
}

/** _raise_on_subnets_overlap: `next` is the subnet being added, `existing` one the router has. */
export function raiseOnSubnetsOverlap(existing: SubnetLite, next: SubnetLite): void {
  if (cidrOverlaps(toCidr(existing.cidr), toCidr(next.cidr))) {
    throw new BadRequest('router', `Cidr ${next.cidr} of subnet ${next.id} overlaps with cidr ${existing.cidr} of subnet ${existing.id}`)
  }
}

/**
 * _check_for_dup_router_subnets: a router may hold one port per subnet, and no two of its subnets
 * may overlap; the gateway port stands for every subnet of the external network.
 */
export async function checkForDupRouterSubnets(q: Queryable, attached: RouterPortInfo[], newSubnets: SubnetLite[]): Promise<void> {
  const newIds = new Set(newSubnets.map((s) => s.id))
  const routerSubnetIds: string[] = []
  for (const p of attached) {
    for (const ip of p.fixed_ips) {
      if (newIds.has(ip.subnet_id)) throw new BadRequest('router', `Router already has a port on subnet ${ip.subnet_id}`)
      if (p.device_owner === DEVICE_OWNER_ROUTER_GW) {
        for (const s of await subnetsOfNetwork(q, p.network_id)) routerSubnetIds.push(s.id)
      } else {
        routerSubnetIds.push(ip.subnet_id)
      }
    }
  }
  for (const sub of await subnetsByIds(q, routerSubnetIds)) for (const s of newSubnets) raiseOnSubnetsOverlap(sub, s)
}

/** _validate_subnet_address_mode: an IPv6 subnet whose RAs come from an outside router cannot join a Neutron router. */
export function validateSubnetAddressMode(s: SubnetLite): void {
  if (s.ip_version === 6 && s.ipv6_ra_mode === null && s.ipv6_address_mode !== null) {
    throw new BadRequest('router', `IPv6 subnet ${s.id} configured to receive RAs from an external router cannot be added to Neutron Router.`)
  }
}
