/**
 * Turns the rows read from a monolithic-plugin database into the rows Neutrino's ML2 schema needs
 * (facts §4 "Mapping"), after checking that the source is consistent. Pure: no I/O, so the dry run
 * and the tests see exactly what would be written.
 *
 * Beyond the original script:
 * - the core tables are copied too, since the target is Neutrino's own database (ids kept);
 * - every segment's id is also marked allocated (VLAN, GRE, VXLAN and, which the original forgot,
 *   ml2_flat_allocations), so a pool sync at server start can never hand a migrated id out again;
 * - every port gets an ml2_port_bindings row (unbound ones `vif_type = unbound`), as ML2 keeps one;
 * - routers, floating IPs, security groups, agents and quotas are carried too (plan-l3.ts,
 *   plan-security.ts, plan-agents.ts), checked against the ports and networks planned here.
 */
import type { Param, Row } from '../db/engine.js'
import { DEFAULT_MTU, GRE_ENCAP_OVERHEAD, VXLAN_ENCAP_OVERHEAD, physnetMtu, tunnelMtu, type MtuOptions } from '../ml2/types/mtu.js'
import { MigrationError } from './errors.js'
import { planAgents } from './plan-agents.js'
import { planL3, type L3Summary } from './plan-l3.js'
import { planSecurityGroups, type SecurityGroupSummary } from './plan-security.js'
import { bool, int, list, nonNull, str, type PlanChecks, type TablePlan, type WriteMode } from './plan-util.js'
import type { SourceData } from './read-source.js'

export type { TablePlan, WriteMode } from './plan-util.js'

export type TunnelType = 'gre' | 'vxlan'

export interface PlanOptions {
  /** --tunnel-type: where ovs_tunnel_allocations/ovs_tunnel_endpoints go (openvswitch only). */
  tunnelType?: TunnelType
  /** --vxlan-udp-port, default 4789. */
  vxlanUdpPort?: number
  /** Migration time: created_at/updated_at of every resource. */
  now: Date
  newId: () => string
  mtu?: MtuOptions
}

export interface Summary {
  networks: number
  segments: Record<string, number>
  subnets: number
  ports: number
  boundPorts: number
  unboundPorts: number
  allocations: Record<string, number>
  endpoints: number
  l3: L3Summary
  securityGroups: SecurityGroupSummary
  agents: number
  quotas: number
}

export interface Plan {
  tables: TablePlan[]
  warnings: string[]
  summary: Summary
}

const MAX_LISTED = 20
const VLAN_MIN = 1
const VLAN_MAX = 4094
const TUNNEL_MAX: Record<TunnelType, number> = { gre: 2 ** 32 - 1, vxlan: 2 ** 24 - 1 }
/**
 * The monolithic plugins' FLAT_VLAN_ID (plugins/{openvswitch,linuxbridge}/common/constants.py):
 * linuxbridge encodes a flat network as vlan_id -1 in network_bindings, openvswitch keeps
 * segmentation_id -1 in ovs_network_bindings, and both reserve it (reserve_specific_vlan /
 * reserve_specific_network at Icehouse) as an allocated (physnet, -1) row of ovs_vlan_allocations /
 * network_states. ML2 has no id for a flat network: its segment carries NULL.
 */
const FLAT_VLAN_ID = -1
const LB_LOCAL = -2

export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

interface Segment {
  id: string
  network_id: string
  network_type: string
  physical_network: string | null
  segmentation_id: number | null
}

export function buildPlan(d: SourceData, o: PlanOptions): Plan {
  const problems: string[] = []
  const warnings: string[] = []
  const bad = (m: string) => problems.push(m)
  const now = isoSeconds(o.now)
  const mtuOpts = o.mtu ?? DEFAULT_MTU
  const vifType = d.plugin === 'openvswitch' ? 'ovs' : 'bridge'
  const driver = d.plugin

  // ---- networks
  const networks = new Map<string, Row>()
  for (const n of d.networks) {
    const id = str(n.id)
    if (!id) bad('networks: a row has no id')
    else if (networks.has(id)) bad(`networks: duplicate id ${id}`)
    else networks.set(id, n)
  }

  // ---- segments (one per network in the monolithic plugins)
  const segments = new Map<string, Segment>()
  const segKeys = new Map<string, string>()
  const segTable = d.plugin === 'openvswitch' ? 'ovs_network_bindings' : 'network_bindings'
  for (const b of d.segments) {
    const nid = str(b.network_id)
    if (!nid || !networks.has(nid)) {
      bad(`${segTable}: binding of network ${nid ?? 'NULL'}, which does not exist`)
      continue
    }
    if (segments.has(nid)) {
      bad(`${segTable}: duplicate binding for network ${nid}`)
      continue
    }
    let type: string | null
    let segid: number | null
    const physnet = str(b.physical_network)
    if (d.plugin === 'linuxbridge') {
      const v = int(b.vlan_id)
      if (v === null) {
        bad(`${segTable}: network ${nid} has no vlan_id`)
        continue
      }
      ;[type, segid] = v === LB_LOCAL ? ['local', null] : v === FLAT_VLAN_ID ? ['flat', null] : ['vlan', v]
    } else {
      type = str(b.network_type)
      segid = int(b.segmentation_id)
      // openvswitch wrote FLAT_VLAN_ID for flat networks; anything else there is corrupt.
      if (type === 'flat' && segid !== null) {
        if (segid !== FLAT_VLAN_ID) {
          bad(`${segTable}: network ${nid}: flat binding with segmentation_id ${segid} (expected ${FLAT_VLAN_ID})`)
          continue
        }
        segid = null
      }
    }
    const seg: Segment = { id: o.newId(), network_id: nid, network_type: type ?? '', physical_network: physnet, segmentation_id: segid }
    const err = segmentError(seg)
    if (err) {
      bad(`${segTable}: network ${nid}: ${err}`)
      continue
    }
    // Local/flat/vlan/tunnel ids are exclusive: two networks on one id is a corrupt source.
    const key = seg.network_type === 'local' ? null : `${seg.network_type}:${seg.network_type === 'flat' || seg.network_type === 'vlan' ? seg.physical_network : ''}:${seg.segmentation_id ?? ''}`
    if (key !== null) {
      const other = segKeys.get(key)
      if (other) {
        bad(`${segTable}: networks ${other} and ${nid} are both bound to ${describe(seg)}`)
        continue
      }
      segKeys.set(key, nid)
    }
    segments.set(nid, seg)
  }
  const unsegmented = [...networks.keys()].filter((id) => !segments.has(id))
  if (unsegmented.length) warnings.push(`${unsegmented.length} network(s) without a ${segTable} row get no segment: ${list(unsegmented)}`)

  // ---- subnets and their children
  // Rows hanging off a rejected subnet/port are counted, not listed: one cause, one message.
  const rejected = new Set<string>()
  let dependents = 0
  const subnets = new Map<string, Row>()
  for (const s of d.subnets) {
    const id = str(s.id)
    const nid = str(s.network_id)
    if (id && !subnets.has(id)) rejected.add(id)
    if (!id) bad('subnets: a row has no id')
    else if (subnets.has(id)) bad(`subnets: duplicate id ${id}`)
    else if (!nid || !networks.has(nid)) bad(`subnets: subnet ${id} is on network ${nid ?? 'NULL'}, which does not exist`)
    else if (int(s.ip_version) !== 4 && int(s.ip_version) !== 6) bad(`subnets: subnet ${id} has ip_version ${s.ip_version}`)
    else if (!str(s.cidr)) bad(`subnets: subnet ${id} has no cidr`)
    else {
      rejected.delete(id)
      subnets.set(id, s)
    }
  }
  const needSubnet = (table: string, sid: unknown, what: string): boolean => {
    const id = str(sid)
    if (id && subnets.has(id)) return true
    if (id && rejected.has(id)) return (dependents++, false)
    bad(`${table}: ${what} refers to subnet ${id ?? 'NULL'}, which does not exist`)
    return false
  }
  const pools = d.pools.filter((p) => {
    if (p.subnet_id === null || p.subnet_id === undefined) {
      warnings.push(`ipallocationpools: pool ${p.id} belongs to no subnet; skipped`)
      return false
    }
    return needSubnet('ipallocationpools', p.subnet_id, `pool ${p.id}`) && nonNull('ipallocationpools', p, ['id', 'first_ip', 'last_ip'], bad)
  })
  const dns = d.dns.filter((r) => needSubnet('dnsnameservers', r.subnet_id, `nameserver ${r.address}`))
  const routes = d.routes.filter((r) => needSubnet('subnetroutes', r.subnet_id, `route ${r.destination} via ${r.nexthop}`))

  // ---- ports and their children
  const ports = new Map<string, Row>()
  const macs = new Set<string>()
  for (const p of d.ports) {
    const id = str(p.id)
    const nid = str(p.network_id)
    if (id && !ports.has(id)) rejected.add(id)
    if (!id) bad('ports: a row has no id')
    else if (ports.has(id)) bad(`ports: duplicate id ${id}`)
    else if (!nid || !networks.has(nid)) bad(`ports: port ${id} is on network ${nid ?? 'NULL'}, which does not exist`)
    else if (!nonNull('ports', p, ['mac_address', 'status', 'device_id', 'device_owner'], bad)) continue
    else if (macs.has(`${nid} ${String(p.mac_address).toLowerCase()}`)) bad(`ports: port ${id} repeats MAC ${p.mac_address} on network ${nid}`)
    else {
      macs.add(`${nid} ${String(p.mac_address).toLowerCase()}`)
      rejected.delete(id)
      ports.set(id, p)
    }
  }
  const needPort = (table: string, pid: unknown, what: string): boolean => {
    const id = str(pid)
    if (id && ports.has(id)) return true
    if (id && rejected.has(id)) return (dependents++, false)
    bad(`${table}: ${what} refers to port ${id ?? 'NULL'}, which does not exist`)
    return false
  }
  const ips = d.ips.filter((a) => {
    const what = `address ${a.ip_address}`
    if (!needSubnet('ipallocations', a.subnet_id, what)) return false
    if (a.port_id !== null && a.port_id !== undefined && !needPort('ipallocations', a.port_id, what)) return false
    const sn = subnets.get(String(a.subnet_id))!
    if (str(a.network_id) !== str(sn.network_id)) {
      bad(`ipallocations: ${what} is on network ${a.network_id} but its subnet ${a.subnet_id} is on ${sn.network_id}`)
      return false
    }
    return true
  })
  const pairs = d.pairs.filter((r) => needPort('allowedaddresspairs', r.port_id, `pair ${r.ip_address}`))
  const opts = d.dhcpOpts.filter((r) => needPort('extradhcpopts', r.port_id, `option ${r.opt_name}`))

  const bindings = new Map<string, string>()
  for (const b of d.portBindings) {
    const pid = str(b.port_id)
    if (!needPort('portbindingports', pid, 'binding')) continue
    if (bindings.has(pid!)) bad(`portbindingports: duplicate binding for port ${pid}`)
    else bindings.set(pid!, str(b.host) ?? '')
  }

  // ---- allocations
  const tunnelTypes = new Set([...segments.values()].map((s) => s.network_type).filter((t): t is TunnelType => t === 'gre' || t === 'vxlan'))
  const tunnelType: TunnelType | undefined = o.tunnelType ?? (tunnelTypes.size === 1 ? [...tunnelTypes][0] : undefined)
  const vlanAlloc = new Map<string, [string, number]>()
  const flatAlloc = new Set<string>()
  for (const a of d.vlanAllocated) {
    const v = int(a.vlan_id)
    const p = str(a.physical_network)
    // (physnet, FLAT_VLAN_ID): the physnet's flat network (kept reserved even if it has none left).
    if (p && v === FLAT_VLAN_ID) {
      flatAlloc.add(p)
      continue
    }
    if (!p || v === null || v < VLAN_MIN || v > VLAN_MAX) {
      bad(`${d.plugin === 'openvswitch' ? 'ovs_vlan_allocations' : 'network_states'}: invalid allocated VLAN ${p}:${a.vlan_id}`)
      continue
    }
    vlanAlloc.set(`${p}\u0000${v}`, [p, v])
  }
  const tunAlloc: Record<TunnelType, Set<number>> = { gre: new Set(), vxlan: new Set() }
  for (const s of segments.values()) {
    if (s.network_type === 'vlan') vlanAlloc.set(`${s.physical_network}\u0000${s.segmentation_id}`, [s.physical_network!, s.segmentation_id!])
    else if (s.network_type === 'flat') flatAlloc.add(s.physical_network!)
    else if (s.network_type === 'gre' || s.network_type === 'vxlan') tunAlloc[s.network_type].add(s.segmentation_id!)
  }
  let leaked = 0
  for (const a of d.tunnelAllocated) {
    const t = int(a.tunnel_id)
    if (t === null || t < 1) {
      bad(`ovs_tunnel_allocations: invalid allocated tunnel id ${a.tunnel_id}`)
      continue
    }
    if (tunnelType) {
      if (t > TUNNEL_MAX[tunnelType]) bad(`ovs_tunnel_allocations: tunnel id ${t} is out of range for ${tunnelType}`)
      else tunAlloc[tunnelType].add(t)
    } else if (!tunAlloc.gre.has(t) && !tunAlloc.vxlan.has(t)) leaked++
  }
  if (leaked) warnings.push(`${leaked} allocated tunnel id(s) used by no network were not migrated: give --tunnel-type to keep them allocated`)
  const endpoints: Param[][] = []
  if (d.tunnelEndpoints.length && !o.tunnelType) {
    warnings.push(`${d.tunnelEndpoints.length} tunnel endpoint(s) not migrated: give --tunnel-type gre|vxlan (agents re-register them at start)`)
  } else if (o.tunnelType) {
    for (const e of d.tunnelEndpoints) {
      const ip = str(e.ip_address)
      if (!ip) bad('ovs_tunnel_endpoints: a row has no ip_address')
      else endpoints.push(o.tunnelType === 'gre' ? [ip] : [ip, o.vxlanUdpPort ?? 4789])
    }
  }

  // ---- the extensions' tables (routers, floating IPs, security groups, agents, quotas)
  const checks: PlanChecks = { bad, warn: (m) => warnings.push(m), needPort, networks, ports, now }
  const l3 = planL3(d, checks)
  const sg = planSecurityGroups(d, checks)
  const agents = planAgents(d, checks)

  if (problems.length && dependents) problems.push(`${dependents} more row(s) refer to the rows above`)
  if (problems.length) {
    const shown = problems.slice(0, MAX_LISTED)
    if (problems.length > MAX_LISTED) shown.push(`… and ${problems.length - MAX_LISTED} more`)
    throw new MigrationError(`The source database is inconsistent (${problems.length} problem(s)); nothing was written:`, shown)
  }

  // ---- target rows
  const secNet = new Map(d.netSecurity.map((r) => [String(r.network_id), bool(r.port_security_enabled, true)]))
  const secPort = new Map(d.portSecurity.map((r) => [String(r.port_id), bool(r.port_security_enabled, true)]))
  const external = new Set(d.external.map((r) => String(r.network_id)))
  const segMtu = (s: Segment): number => {
    if (s.network_type === 'flat' || s.network_type === 'vlan') return physnetMtu(mtuOpts, s.physical_network)
    if (s.network_type === 'gre') return tunnelMtu(mtuOpts, 4, GRE_ENCAP_OVERHEAD)
    if (s.network_type === 'vxlan') return tunnelMtu(mtuOpts, 4, VXLAN_ENCAP_OVERHEAD)
    return 0
  }
  const netMtu = (id: string): number => {
    const s = segments.get(id)
    const m = s ? segMtu(s) : 0
    return m > 0 ? m : mtuOpts.globalPhysnetMtu > 0 ? mtuOpts.globalPhysnetMtu : 1500
  }
  // Neutron's standard-attributes migration gave existing resources revision_number 0.
  const std = ['description', 'revision_number', 'created_at', 'updated_at'] as const
  const stdVals = ['', 0, now, now]
  const tables: TablePlan[] = []
  const add = (table: string, columns: readonly string[], key: readonly string[], mode: WriteMode, rows: Param[][]) =>
    tables.push({ table, columns, key, mode, rows })

  add('networks', ['id', 'project_id', 'name', 'status', 'admin_state_up', 'shared', 'router_external', 'port_security_enabled', 'mtu', 'availability_zone_hints', ...std], ['id'], 'insert',
    [...networks.values()].map((n) => {
      const id = String(n.id)
      return [id, str(n.tenant_id) ?? '', str(n.name) ?? '', str(n.status) ?? 'ACTIVE', bool(n.admin_state_up, true), bool(n.shared, false), external.has(id), secNet.get(id) ?? true, netMtu(id), '[]', ...stdVals]
    }))
  add('ml2_network_segments', ['id', 'network_id', 'network_type', 'physical_network', 'segmentation_id', 'is_dynamic', 'segment_index'], ['id'], 'insert',
    [...segments.values()].map((s) => [s.id, s.network_id, s.network_type, s.physical_network, s.segmentation_id, false, 0]))
  add('subnets', ['id', 'project_id', 'network_id', 'name', 'ip_version', 'cidr', 'gateway_ip', 'enable_dhcp', 'ipv6_ra_mode', 'ipv6_address_mode', ...std], ['id'], 'insert',
    [...subnets.values()].map((s) => [String(s.id), str(s.tenant_id) ?? '', String(s.network_id), str(s.name) ?? '', int(s.ip_version), String(s.cidr), str(s.gateway_ip), bool(s.enable_dhcp, false), str(s.ipv6_ra_mode), str(s.ipv6_address_mode), ...stdVals]))
  add('ipallocationpools', ['id', 'subnet_id', 'first_ip', 'last_ip'], ['id'], 'insert', pools.map((p) => [String(p.id), String(p.subnet_id), String(p.first_ip), String(p.last_ip)]))
  const order = new Map<string, number>()
  add('dnsnameservers', ['address', 'subnet_id', 'order'], ['address', 'subnet_id'], 'insert', dns.map((r) => {
    const sid = String(r.subnet_id)
    const i = order.get(sid) ?? 0
    order.set(sid, i + 1)
    return [String(r.address), sid, i]
  }))
  add('subnetroutes', ['destination', 'nexthop', 'subnet_id'], ['destination', 'nexthop', 'subnet_id'], 'insert', routes.map((r) => [String(r.destination), String(r.nexthop), String(r.subnet_id)]))
  add('ports', ['id', 'project_id', 'network_id', 'name', 'mac_address', 'admin_state_up', 'status', 'device_id', 'device_owner', 'port_security_enabled', ...std], ['id'], 'insert',
    [...ports.values()].map((p) => {
      const id = String(p.id)
      return [id, str(p.tenant_id) ?? '', String(p.network_id), str(p.name) ?? '', String(p.mac_address), bool(p.admin_state_up, true), String(p.status), String(p.device_id), String(p.device_owner), secPort.get(id) ?? true, ...stdVals]
    }))
  add('ipallocations', ['port_id', 'ip_address', 'subnet_id', 'network_id'], ['ip_address', 'subnet_id'], 'insert', ips.map((a) => [str(a.port_id), String(a.ip_address), String(a.subnet_id), String(a.network_id)]))
  add('allowedaddresspairs', ['port_id', 'mac_address', 'ip_address'], ['port_id', 'mac_address', 'ip_address'], 'insert', pairs.map((r) => [String(r.port_id), String(r.mac_address), String(r.ip_address)]))
  // ip_version came with Kilo's DHCP-options-per-IP-version change; older options are IPv4 ones.
  add('extradhcpopts', ['id', 'port_id', 'opt_name', 'opt_value', 'ip_version'], ['id'], 'insert', opts.map((r) => [String(r.id), String(r.port_id), String(r.opt_name), String(r.opt_value), 4]))
  const bindingRows: Param[][] = []
  const levelRows: Param[][] = []
  let bound = 0
  for (const [id, p] of ports) {
    const host = bindings.get(id) ?? ''
    if (host) {
      bound++
      bindingRows.push([id, host, 'normal', '', vifType, ''])
      levelRows.push([id, host, 0, driver, segments.get(String(p.network_id))?.id ?? null])
    } else {
      bindingRows.push([id, '', 'normal', '', 'unbound', ''])
    }
  }
  const emptyHosts = [...bindings.values()].filter((h) => h === '').length
  if (emptyHosts) warnings.push(`${emptyHosts} portbindingports row(s) with an empty host migrated as unbound ports`)
  add('ml2_port_bindings', ['port_id', 'host', 'vnic_type', 'profile', 'vif_type', 'vif_details'], ['port_id'], 'insert', bindingRows)
  add('ml2_port_binding_levels', ['port_id', 'host', 'level', 'driver', 'segment_id'], ['port_id', 'host', 'level'], 'insert', levelRows)
  add('ml2_vlan_allocations', ['physical_network', 'vlan_id', 'allocated'], ['physical_network', 'vlan_id'], 'allocate', [...vlanAlloc.values()].sort(cmpPair).map(([p, v]) => [p, v, true]))
  add('ml2_flat_allocations', ['physical_network'], ['physical_network'], 'allocate', [...flatAlloc].sort().map((p) => [p]))
  add('ml2_gre_allocations', ['gre_id', 'allocated'], ['gre_id'], 'allocate', [...tunAlloc.gre].sort((a, b) => a - b).map((t) => [t, true]))
  add('ml2_vxlan_allocations', ['vxlan_vni', 'allocated'], ['vxlan_vni'], 'allocate', [...tunAlloc.vxlan].sort((a, b) => a - b).map((t) => [t, true]))
  if (o.tunnelType === 'gre') add('ml2_gre_endpoints', ['ip_address'], ['ip_address'], 'merge', endpoints)
  if (o.tunnelType === 'vxlan') add('ml2_vxlan_endpoints', ['ip_address', 'udp_port'], ['ip_address'], 'merge', endpoints)
  // Foreign keys: groups before the ports' bindings, ports before routers (gw_port_id), routers
  // before their ports, routes and floating IPs.
  tables.push(...sg.tables, ...l3.tables, ...agents.tables)

  const segCounts: Record<string, number> = {}
  for (const s of segments.values()) segCounts[s.network_type] = (segCounts[s.network_type] ?? 0) + 1
  return {
    tables,
    warnings,
    summary: {
      networks: networks.size,
      segments: segCounts,
      subnets: subnets.size,
      ports: ports.size,
      boundPorts: bound,
      unboundPorts: ports.size - bound,
      allocations: { vlan: vlanAlloc.size, flat: flatAlloc.size, gre: tunAlloc.gre.size, vxlan: tunAlloc.vxlan.size },
      endpoints: endpoints.length,
      l3: l3.summary,
      securityGroups: sg.summary,
      agents: agents.summary.agents,
      quotas: agents.summary.quotas,
    },
  }
}

/** The provider-segment rules of the Icehouse type drivers (facts §2.5), as a consistency check. */
function segmentError(s: Segment): string | null {
  switch (s.network_type) {
    case 'local':
      return null
    case 'flat':
      return s.physical_network ? null : 'flat binding without physical_network'
    case 'vlan':
      if (!s.physical_network) return 'vlan binding without physical_network'
      if (s.segmentation_id === null || !Number.isInteger(s.segmentation_id) || s.segmentation_id < VLAN_MIN || s.segmentation_id > VLAN_MAX) {
        return `VLAN id ${s.segmentation_id} out of range (1 through 4094)`
      }
      return null
    case 'gre':
    case 'vxlan':
      if (s.segmentation_id === null || !Number.isInteger(s.segmentation_id) || s.segmentation_id < 1 || s.segmentation_id > TUNNEL_MAX[s.network_type]) {
        return `${s.network_type} id ${s.segmentation_id} out of range`
      }
      return null
    default:
      return `unknown network_type '${s.network_type}'`
  }
}

function describe(s: Segment): string {
  if (s.network_type === 'flat') return `flat physical network ${s.physical_network}`
  if (s.network_type === 'vlan') return `VLAN ${s.segmentation_id} on ${s.physical_network}`
  return `${s.network_type} id ${s.segmentation_id}`
}

function cmpPair(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]
}

/** Rows the plan writes, all tables. */
export function planRowCount(p: Plan): number {
  return p.tables.reduce((n, t) => n + t.rows.length, 0)
}
