/** Subnet create/update/delete/get/list (neutron db_base_plugin_v2 + ipam_backend_mixin, ML2 hooks). */
import { adminContext, type RequestContext } from '../common/context.js'
import { BadRequest, MechanismDriverError, SubnetInUse, SubnetNotFound } from '../common/exceptions.js'
import { NOT_SPECIFIED } from '../common/not-specified.js'
import type { Queryable, Tx } from '../db/engine.js'
import { tagsByResource } from '../db/resources/networks.js'
import { planRows, type ListPage, type ListRequest } from '../db/resources/row-query.js'
import {
  deleteSubnetRow,
  getSubnetRow,
  insertSubnet,
  listSubnetRows,
  subnetChildren,
  subnetRowsByNetwork,
  updateSubnetRow,
  writeChildren,
  type SubnetChildren,
  type SubnetRow,
  listSubnetRowsPlanned,
  SUBNET_FILTER_COLUMNS,
} from '../db/resources/subnets.js'
import {
  defaultGatewayIp,
  formatIp,
  isAutoAddressSubnet,
  normalizeSubnetCidr,
  parseIp,
  rangeToPool,
  validateAllocationPools,
  validateGatewayOutOfPools,
  poolsToRanges,
  validateSubnetCidrOverlap,
  validateSubnetSpec,
  type IpVersion,
} from '../ipam/index.js'
import type { SubnetContext } from './driver-api.js'
import type { NetworkOps } from './network-ops.js'
import { projectOf, visible } from './network-ops.js'
import type { Dict, PluginCore } from './plugin-core.js'
import type { JsonDict, Subnet } from './resource-types.js'
import { autoAddressPortsFor, ROUTER_OWNERS } from './port-ips.js'
import type { SubnetpoolOps } from './subnetpool-ops.js'
import { TagOps } from './tag-ops.js'
import { inOrder } from '../common/in-order.js'

const given = (v: unknown) => v !== NOT_SPECIFIED && v !== undefined

export class SubnetOps {
  /** standard-attr-tag: a tag change is a new revision of the subnet. */
  readonly tags: TagOps

  constructor(
    private readonly core: PluginCore,
    private readonly networks: NetworkOps,
    private readonly subnetpools: SubnetpoolOps,
  ) {
    this.tags = new TagOps(core, { resourceType: 'subnets', visibleRow: (q, ctx, id) => this.visibleRow(q, ctx, id) })
  }

  async create(ctx: RequestContext, body: JsonDict): Promise<Subnet> {
    return (await this.createBulk(ctx, [body]))[0]!
  }

  async createBulk(ctx: RequestContext, bodies: JsonDict[]): Promise<Subnet[]> {
    const reg = this.core.registry
    for (const b of bodies) await reg.publish('subnet', 'before_create', this, { context: ctx, resourceId: '', request: b })
    const created = await this.core.txn(async (tx) => {
      const out: Array<{ dict: Subnet; sctx: SubnetContext }> = []
      for (const b of bodies) out.push(await this.createInTx(tx, ctx, b))
      return out
    })
    const results: Subnet[] = []
    for (const c of created) {
      try {
        const sctx = { ...c.sctx, tx: undefined }
        await reg.publish('subnet', 'after_create', this, { context: ctx, resourceId: c.dict.id, current: c.dict, subnetContext: sctx })
        await this.core.mech.createSubnetPostcommit(sctx)
      } catch (e) {
        this.core.log.error(`mechanism_manager.create_subnet_postcommit failed, deleting subnet '${c.dict.id}'`)
        for (const other of created) await this.deleteInternal(other.dict.id).catch(() => {})
        throw e
      }
      results.push(c.dict)
    }
    return results
  }

  private async createInTx(tx: Tx, ctx: RequestContext, b: JsonDict): Promise<{ dict: Subnet; sctx: SubnetContext }> {
    // Reads that do not depend on each other go together (one round trip on PostgreSQL). The
    // quota check's answer is looked at only after validation, so a bad request stays a 400.
    const quota = this.core.quotas?.check(tx, projectOf(ctx, b), 'subnet', 1)
    quota?.catch(() => {})
    const onNetworkRead = subnetRowsByNetwork(tx, b.network_id)
    onNetworkRead.catch(() => {})
    // Visibility only: who may create a subnet on a network is policy's decision (src/api/policy.ts).
    // _create_subnet_precommit: a cidr, or a subnet pool to allocate one from (subnetpool-ops.ts).
    const [net, poolId] = await inOrder([this.networks.getRowFor(tx, ctx, b.network_id), this.subnetpools.subnetpoolIdFor(tx, ctx, b)] as const)
    const cidrGiven = given(b.cidr) && b.cidr !== null
    if (cidrGiven && given(b.prefixlen) && b.prefixlen !== null) {
      throw new BadRequest('subnets', 'cidr and prefixlen must not be supplied together')
    }
    if (!cidrGiven && !poolId) throw new BadRequest('subnets', 'a subnetpool must be specified in the absence of a cidr')
    if (poolId && !cidrGiven && given(b.allocation_pools) && b.allocation_pools !== null) {
      throw new BadRequest('subnets', 'allocation_pools allowed only for specific subnet requests.')
    }
    const ipVersion = b.ip_version as IpVersion
    let cidr: string | undefined = cidrGiven ? normalizeSubnetCidr(b.cidr) : undefined
    let gateway: string | null | undefined = given(b.gateway_ip) ? b.gateway_ip : cidr && defaultGatewayIp(cidr)
    const dns: string[] = given(b.dns_nameservers) && b.dns_nameservers !== null ? b.dns_nameservers : []
    const routes = given(b.host_routes) && b.host_routes !== null ? b.host_routes : []
    const raMode = given(b.ipv6_ra_mode) ? b.ipv6_ra_mode : null
    const addrMode = given(b.ipv6_address_mode) ? b.ipv6_address_mode : null
    validateSubnetSpec(
      { ip_version: ipVersion, cidr, enable_dhcp: b.enable_dhcp, gateway_ip: gateway, dns_nameservers: dns, host_routes: routes, ipv6_ra_mode: raMode, ipv6_address_mode: addrMode },
      { maxDnsNameservers: this.core.options.maxDnsNameservers, maxSubnetHostRoutes: this.core.options.maxSubnetHostRoutes },
    )
    const pool = poolId ? await this.subnetpools.poolForSubnet(tx, ctx, poolId, ipVersion) : undefined
    const poolsIn = given(b.allocation_pools) && b.allocation_pools !== null ? b.allocation_pools : null
    let ranges = cidr ? validateAllocationPools(poolsIn, cidr, gateway) : []
    if (pool) {
      const prefixlen = given(b.prefixlen) && b.prefixlen !== null ? (b.prefixlen as number) : undefined
      const gatewayIp = typeof b.gateway_ip === 'string' ? b.gateway_ip : undefined
      const got = await this.subnetpools.allocate(tx, pool, { cidr, gatewayIp, prefixlen })
      if (!cidr) {
        cidr = got.cidr
        gateway = got.gatewayIp
        ranges = validateAllocationPools(null, cidr, gateway)
      }
    }
    if (!cidr) throw new BadRequest('subnets', 'a subnetpool must be specified in the absence of a cidr')
    const onNetwork = await onNetworkRead
    const existing = this.core.options.allowOverlappingIps ? onNetwork : await listSubnetRows(tx, null)
    validateSubnetCidrOverlap(cidr, net.id, existing.map((s) => s.cidr))
    this.subnetpools.checkNetworkAffinity(onNetwork, ipVersion, poolId)
    const now = this.core.timestamp()
    const row: SubnetRow = {
      id: this.core.newId(),
      project_id: projectOf(ctx, b),
      network_id: net.id,
      name: b.name,
      ip_version: ipVersion,
      cidr,
      gateway_ip: gateway ?? null,
      enable_dhcp: b.enable_dhcp,
      ipv6_ra_mode: raMode,
      ipv6_address_mode: addrMode,
      subnetpool_id: poolId,
      description: b.description,
      revision_number: 0,
      // Stored with milliseconds so subnets keep their creation order (IPs are allocated from the
      // first subnet with room, as Neutron does); shown with second precision.
      created_at: this.core.now().toISOString(),
      updated_at: now,
    }
    const children: SubnetChildren = {
      pools: ranges.map(rangeToPool),
      dns: dns.map((d) => formatIp(ipVersion, parseIp(d)!.value)),
      routes: routes.map((r: Dict) => ({ destination: r.destination, nexthop: r.nexthop })),
    }
    await quota
    insertSubnet(tx, row, children, this.core.newId)
    this.networks.bumpRevision(tx, net.id)
    // SLAAC / DHCPv6-stateless: every existing non-router port on the network gets its EUI-64 address.
    if (ipVersion === 6 && isAutoAddressSubnet(row)) await autoAddressPortsFor(tx, row, now)
    const dict = this.toDict(row, children, [])
    const sctx: SubnetContext = { current: dict, original: null, network: await this.networks.freshContext(tx, net.id, tx), tx }
    await this.core.registry.publish('subnet', 'precommit_create', this, { context: ctx, resourceId: row.id, current: dict, tx, request: b, subnetContext: sctx })
    await this.core.mech.createSubnetPrecommit(sctx)
    return { dict, sctx }
  }

  async update(ctx: RequestContext, id: string, b: JsonDict): Promise<Subnet> {
    const reg = this.core.registry
    await reg.publish('subnet', 'before_update', this, { context: ctx, resourceId: id, request: b })
    const { dict, sctx } = await this.core.txn(async (tx) => {
      const row = await this.visibleRow(tx, ctx, id)
      const children = (await subnetChildren(tx, [id])).get(id)!
      const original = this.toDict(row, children, (await tagsByResource(tx, 'subnets', [id])).get(id) ?? [])
      const changes: Partial<SubnetRow> = {}
      for (const k of ['name', 'description', 'enable_dhcp'] as const) if (k in b && b[k] !== row[k]) (changes as Dict)[k] = b[k]
      for (const k of ['ipv6_ra_mode', 'ipv6_address_mode'] as const) {
        if (given(b[k]) && b[k] !== row[k]) throw new BadRequest('subnets', `Cannot update read-only attribute ${k}`)
      }
      const gateway = 'gateway_ip' in b && given(b.gateway_ip) ? b.gateway_ip : row.gateway_ip
      if (gateway !== row.gateway_ip) changes.gateway_ip = gateway
      const newChildren: Partial<SubnetChildren> = {}
      if (given(b.dns_nameservers)) newChildren.dns = b.dns_nameservers ?? []
      if (given(b.host_routes)) newChildren.routes = (b.host_routes ?? []).map((r: Dict) => ({ destination: r.destination, nexthop: r.nexthop }))
      validateSubnetSpec(
        {
          id,
          ip_version: row.ip_version as IpVersion,
          cidr: row.cidr,
          enable_dhcp: changes.enable_dhcp ?? row.enable_dhcp,
          gateway_ip: gateway,
          dns_nameservers: newChildren.dns,
          host_routes: newChildren.routes,
          ipv6_ra_mode: row.ipv6_ra_mode,
          ipv6_address_mode: row.ipv6_address_mode,
        },
        {
          current: { enable_dhcp: row.enable_dhcp, ipv6_ra_mode: row.ipv6_ra_mode, ipv6_address_mode: row.ipv6_address_mode },
          maxDnsNameservers: this.core.options.maxDnsNameservers,
          maxSubnetHostRoutes: this.core.options.maxSubnetHostRoutes,
        },
      )
      if (given(b.allocation_pools)) {
        const ranges = validateAllocationPools(b.allocation_pools ?? [], row.cidr, gateway)
        newChildren.pools = ranges.map(rangeToPool)
      } else if (changes.gateway_ip) {
        validateGatewayOutOfPools(changes.gateway_ip, poolsToRanges(children.pools))
      }
      if (Object.keys(changes).length || Object.keys(newChildren).length) {
        changes.revision_number = row.revision_number + 1
        changes.updated_at = this.core.timestamp()
        updateSubnetRow(tx, id, changes)
        writeChildren(tx, id, newChildren, this.core.newId)
      }
      const cur = { ...row, ...changes }
      const dict = this.toDict(cur, { ...children, ...newChildren }, original.tags)
      const sctx: SubnetContext = { current: dict, original, network: await this.networks.contextFor(tx, row.network_id, tx), tx }
      await reg.publish('subnet', 'precommit_update', this, { context: ctx, resourceId: id, original, current: dict, tx, request: b, subnetContext: sctx })
      await this.core.mech.updateSubnetPrecommit(sctx)
      return { dict, sctx }
    })
    const after = { ...sctx, tx: undefined }
    await reg.publish('subnet', 'after_update', this, { context: ctx, resourceId: id, original: sctx.original, current: dict, request: b, subnetContext: after })
    await this.core.mech.updateSubnetPostcommit(after)
    return dict
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.visibleRow(this.core.reader, ctx, id)
    await this.core.registry.publish('subnet', 'before_delete', this, { context: ctx, resourceId: id })
    await this.deleteInternal(id, ctx)
  }

  /**
   * Refuses while user ports hold an address from the subnet (SubnetInUse); addresses of DHCP ports
   * and automatic (SLAAC) addresses are removed with the subnet, as Neutron does.
   */
  async deleteInternal(id: string, ctx: RequestContext = adminContext()): Promise<void> {
    const reg = this.core.registry
    const sctx = await this.core.txn(async (tx) => {
      const row = await getSubnetRow(tx, id)
      if (!row) throw new SubnetNotFound(id)
      const auto = row.ip_version === 6 && isAutoAddressSubnet(row)
      const allocs = await tx.all<{ port_id: string; device_owner: string }>(
        'SELECT a.port_id, p.device_owner FROM ipallocations a JOIN ports p ON p.id = a.port_id WHERE a.subnet_id = ?',
        [id],
      )
      const blocking = allocs.filter((a) => a.device_owner !== 'network:dhcp' && !(auto && !ROUTER_OWNERS.includes(a.device_owner)))
      if (blocking.length) throw new SubnetInUse(id, blocking.map((a) => a.port_id))
      const children = (await subnetChildren(tx, [id])).get(id)!
      const dict = this.toDict(row, children, [])
      const sctx: SubnetContext = { current: dict, original: null, network: await this.networks.contextFor(tx, row.network_id, tx), tx }
      await reg.publish('subnet', 'precommit_delete', this, { context: ctx, resourceId: id, current: dict, tx, subnetContext: sctx })
      await this.core.mech.deleteSubnetPrecommit(sctx)
      // Ports losing an address (DHCP ports, SLAAC addresses) change: bump their revisions.
      await tx.run(
        'UPDATE ports SET revision_number = revision_number + 1, updated_at = ? WHERE id IN (SELECT port_id FROM ipallocations WHERE subnet_id = ?)',
        [this.core.timestamp(), id],
      )
      await tx.run('DELETE FROM ipallocations WHERE subnet_id = ?', [id])
      deleteSubnetRow(tx, id)
      await this.networks.bumpRevision(tx, row.network_id)
      return sctx
    })
    const after = { ...sctx, tx: undefined }
    await reg.publish('subnet', 'after_delete', this, { context: ctx, resourceId: id, current: sctx.current, subnetContext: after })
    try {
      await this.core.mech.deleteSubnetPostcommit(after)
    } catch (e) {
      if (!(e instanceof MechanismDriverError)) throw e
      this.core.log.error(`mechanism_manager.delete_subnet_postcommit failed for subnet ${id}; the subnet is deleted`)
    }
  }

  private async visibleRow(q: Queryable, ctx: RequestContext, id: string): Promise<SubnetRow> {
    const row = await getSubnetRow(q, id)
    if (!row) throw new SubnetNotFound(id)
    if (!ctx.isAdmin && row.project_id !== ctx.projectId) {
      const net = await this.networks.getRowFor(q, ctx, row.network_id).catch(() => undefined)
      if (!net || !visible(ctx, net)) throw new SubnetNotFound(id)
    }
    return row
  }

  async get(ctx: RequestContext, id: string): Promise<Subnet> {
    const q = this.core.reader
    const row = await this.visibleRow(q, ctx, id)
    const children = (await subnetChildren(q, [id])).get(id)!
    return this.toDict(row, children, (await tagsByResource(q, 'subnets', [id])).get(id) ?? [])
  }

  async list(ctx: RequestContext, filters: Map<string, string[]>): Promise<Subnet[]> {
    const q = this.core.reader
    let netIds: string[] | null = filters.get('network_id') ?? null
    if (!ctx.isAdmin) {
      const nets = await this.networks.list(ctx)
      const allowed = new Set(nets.map((n) => n.id))
      netIds = netIds ? netIds.filter((i) => allowed.has(i)) : [...allowed]
    }
    const rows = await listSubnetRows(q, netIds)
    const ids = netIds === null ? null : rows.map((r) => r.id)
    const [children, tags] = await Promise.all([subnetChildren(q, ids), tagsByResource(q, 'subnets', ids)])
    return rows.map((r) => this.toDict(r, children.get(r.id) ?? { pools: [], dns: [], routes: [] }, tags.get(r.id) ?? []))
  }

  /**
   * A list request planned in SQL (issue 15): filters, and for the id order the marker and limit,
   * select the subnets; pools, DNS servers, routes and tags are loaded for those only.
   */
  async listPage(ctx: RequestContext, req: ListRequest): Promise<ListPage<Subnet>> {
    const q = this.core.reader
    const plan = planRows(req, SUBNET_FILTER_COLUMNS, 'subnets')
    const { rows, markerFound } = await listSubnetRowsPlanned(q, this.core.db.dialect, ctx.isAdmin ? undefined : ctx.projectId, plan)
    const every = ctx.isAdmin && plan.conditions.length === 0 && plan.page === null
    const ids = every ? null : rows.map((r) => r.id)
    const [children, tags] = await Promise.all([subnetChildren(q, ids), tagsByResource(q, 'subnets', ids)])
    const items = rows.map((r) => this.toDict(r, children.get(r.id) ?? { pools: [], dns: [], routes: [] }, tags.get(r.id) ?? []))
    return { items, rest: plan.rest, paged: plan.page !== null, markerFound }
  }

  toDict(r: SubnetRow, c: SubnetChildren, tags: string[]): Subnet {
    const version = r.ip_version as IpVersion
    const pools = [...c.pools].sort((a, b) => cmpAddr(version, a.start, b.start))
    return {
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      network_id: r.network_id,
      ip_version: r.ip_version,
      subnetpool_id: r.subnetpool_id,
      enable_dhcp: r.enable_dhcp,
      ipv6_ra_mode: r.ipv6_ra_mode,
      ipv6_address_mode: r.ipv6_address_mode,
      gateway_ip: r.gateway_ip,
      cidr: r.cidr,
      allocation_pools: pools,
      host_routes: c.routes,
      dns_nameservers: c.dns,
      description: r.description,
      service_types: [],
      tags,
      created_at: r.created_at.replace(/\.\d+Z$/, 'Z'),
      updated_at: r.updated_at,
      revision_number: r.revision_number,
      project_id: r.project_id,
    }
  }
}

function cmpAddr(v: IpVersion, a: string, b: string): number {
  const x = parseIp(a)?.value ?? 0n
  const y = parseIp(b)?.value ?? 0n
  return x < y ? -1 : x > y ? 1 : 0
}
