/**
 * The ONE adapter between the agent RPC handlers and ML2/the database. Everything the handlers,
 * the notifier and the object builders read or write goes through here: ML2 as `Ml2Service`
 * (src/ml2/service.ts) for API dicts and status changes, and Neutron's tables the agents' RPC alone
 * uses (tunnel endpoints, provisioning blocks, agents' resource versions) by SQL.
 *
 * Port status writes follow Neutron's update_port_status (neutron/plugins/ml2/plugin.py): the
 * status and a new revision in one statement; provisioning blocks as provisioning_blocks.py.
 */
import { adminContext } from '../common/context.js'
import { NeutronException } from '../common/exceptions.js'
import type { Queryable } from '../db/engine.js'
import { deleteProvisioningBlock, L2_AGENT_ENTITY, provisioningBlocks } from '../db/resources/provisioning-blocks.js'
import {
  deleteTunnelEndpoint, deleteTunnelEndpointByHostOrIp, getTunnelEndpointByHost, getTunnelEndpointByIp, insertTunnelEndpoint, listTunnelEndpoints,
  type TunnelEndpoint,
} from '../db/resources/tunnel-endpoints.js'
import type { AgentState, Ml2Service, ReportResult } from '../ml2/service.js'
import type { SegmentRow } from './objects/network-segment.js'

type Dict = Record<string, any>

/** neutron_lib INTERFACE_PREFIXES the server strips from device names (plugin._device_to_port_id). */
const DEVICE_PREFIXES = ['tap', 'qr-', 'qg-', 'sg-', 'ha-', 'fg-', 'rfp-', 'fpr-']
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A port as the device RPC needs it: API dict, binding levels with segments, network dict. */
export interface BoundPort {
  port: Dict
  network: Dict
  levels: Array<{ level: number; driver: string | null; host: string; segment: SegmentRow | null }>
  /** The segment of the lowest binding level (port_context.bottom_bound_segment). */
  bottomSegment: SegmentRow | null
}

/** An ACTIVE port of a network with the tunnel endpoint of the agent on its host (l2pop). */
export interface ActivePortLocation {
  id: string
  host: string
  mac: string
  ips: string[]
  agentIp: string | null
}

export class Ml2Backend {
  private readonly ctx = adminContext('admin', 'req-agent-rpc')

  /** `tunnelTypes`: the tunnel type drivers loaded (`[ml2] type_drivers` ∩ vxlan/gre/geneve). */
  constructor(private readonly plugin: Ml2Service, private readonly tunnelTypes: ReadonlySet<string>) {}

  private get db(): Queryable {
    return this.plugin.runtime.db
  }

  now(): Date {
    return this.plugin.runtime.now()
  }

  // ---- agents -------------------------------------------------------------------------------

  /** agents_db.create_or_update_agent; stores the OVO versions the agent reported (start_flag). */
  async reportState(state: AgentState, resourceVersions: Record<string, string> | null): Promise<ReportResult> {
    const result = await this.plugin.agents.reportState(state)
    if (resourceVersions) {
      await this.db.run('UPDATE agents SET resource_versions = ? WHERE agent_type = ? AND host = ?', [
        JSON.stringify(resourceVersions), state.agent_type, state.host,
      ])
    }
    return result
  }

  /** The agent row of a (binary, host) pair, if any: to refuse a report changing its type. */
  async agentByBinaryHost(binary: string, host: string): Promise<{ id: string; agent_type: string } | undefined> {
    return this.db.get('SELECT id, agent_type FROM agents WHERE "binary" = ? AND host = ? ORDER BY id', [binary, host])
  }

  /** resource_versions of every agent that reported some (version_manager's DB source). */
  async agentsResourceVersions(): Promise<Array<{ agent_type: string; host: string; versions: Record<string, string> }>> {
    const rows = await this.db.all<{ agent_type: string; host: string; resource_versions: string | null }>(
      'SELECT agent_type, host, resource_versions FROM agents WHERE resource_versions IS NOT NULL',
    )
    return rows.flatMap((r) => {
      try {
        const v = JSON.parse(r.resource_versions!)
        return v && typeof v === 'object' ? [{ agent_type: r.agent_type, host: r.host, versions: v }] : []
      } catch {
        return []
      }
    })
  }

  /** An agent's configurations (tunneling_ip, l2_population, …) by type and host; null if none. */
  async agentConfigurations(host: string): Promise<Dict[]> {
    const rows = await this.db.all<{ configurations: string }>('SELECT configurations FROM agents WHERE host = ?', [host])
    return rows.flatMap((r) => {
      try {
        return [JSON.parse(r.configurations)]
      } catch {
        return []
      }
    })
  }

  // ---- ports --------------------------------------------------------------------------------

  /**
   * plugin._device_to_port_id + db.get_port's prefix match: strip a known interface prefix, then
   * the port whose id starts with what is left; null when none or several match.
   */
  async resolveDevice(device: string): Promise<string | null> {
    let prefix = device
    const stripped = DEVICE_PREFIXES.find((p) => device.startsWith(p))
    if (stripped) prefix = device.slice(stripped.length)
    else if (!UUID.test(device)) {
      const byMac = await this.db.all<{ id: string }>('SELECT id FROM ports WHERE mac_address = ? LIMIT 2', [device.toLowerCase()])
      if (byMac.length === 1) return byMac[0]!.id
    }
    if (prefix.length === 36) {
      const r = await this.db.get<{ id: string }>('SELECT id FROM ports WHERE id = ?', [prefix])
      return r?.id ?? null
    }
    const rows = await this.db.all<{ id: string }>('SELECT id FROM ports WHERE id LIKE ? LIMIT 2', [`${prefix.replace(/[%_\\]/g, '')}%`])
    return rows.length === 1 ? rows[0]!.id : null
  }

  async port(portId: string): Promise<Dict | null> {
    try {
      return await this.plugin.ports.get(this.ctx, portId)
    } catch (e) {
      if (e instanceof NeutronException && e.type === 'PortNotFound') return null
      throw e
    }
  }

  async network(networkId: string): Promise<Dict> {
    return this.plugin.networks.get(this.ctx, networkId)
  }

  async segments(networkIds: readonly string[]): Promise<Map<string, SegmentRow[]>> {
    const out = new Map<string, SegmentRow[]>()
    if (!networkIds.length) return out
    const rows = await this.db.all<SegmentRow>(
      `SELECT id, network_id, network_type, physical_network, segmentation_id, is_dynamic, segment_index FROM ml2_network_segments
        WHERE network_id IN (${networkIds.map(() => '?').join(', ')}) ORDER BY segment_index, id`,
      [...networkIds],
    )
    for (const r of rows) {
      const s = { ...r, is_dynamic: !!r.is_dynamic, segmentation_id: r.segmentation_id === null ? null : Number(r.segmentation_id) }
      const l = out.get(r.network_id) ?? []
      l.push(s)
      out.set(r.network_id, l)
    }
    return out
  }

  async bindingLevels(portIds: readonly string[]): Promise<Map<string, Array<{ level: number; driver: string | null; host: string; segment_id: string | null }>>> {
    const out = new Map<string, Array<{ level: number; driver: string | null; host: string; segment_id: string | null }>>()
    if (!portIds.length) return out
    const rows = await this.db.all(
      `SELECT port_id, host, level, driver, segment_id FROM ml2_port_binding_levels WHERE port_id IN (${portIds.map(() => '?').join(', ')}) ORDER BY level`,
      [...portIds],
    )
    for (const r of rows) {
      const l = out.get(r.port_id) ?? []
      l.push({ level: Number(r.level), driver: r.driver, host: r.host, segment_id: r.segment_id })
      out.set(r.port_id, l)
    }
    return out
  }

  /** get_bound_port_context: the port with its levels and bottom bound segment, or null. */
  async boundPort(portId: string): Promise<BoundPort | null> {
    const port = await this.port(portId)
    if (!port) return null
    const [network, segs, levels] = await Promise.all([
      this.network(port.network_id),
      this.segments([port.network_id]),
      this.bindingLevels([portId]),
    ])
    const byId = new Map((segs.get(port.network_id) ?? []).map((s) => [s.id, s]))
    const lv = (levels.get(portId) ?? []).map((l) => ({ level: l.level, driver: l.driver, host: l.host, segment: l.segment_id ? byId.get(l.segment_id) ?? null : null }))
    return { port, network, levels: lv, bottomSegment: lv.at(-1)?.segment ?? null }
  }

  /**
   * update_port_status: the new status and one more revision; returns the updated port dict and
   * the status it replaced, or null when the port does not exist (any more). A compare-and-swap
   * on the old status: when two servers handle the same agent report (q-plugin is round-robin,
   * an agent retries), exactly one of them changes the row, so the change is notified once.
   */
  async setPortStatus(portId: string, status: string): Promise<{ port: Dict; changed: boolean; from: string } | null> {
    const r = await this.plugin.runtime.txn(async (tx) => {
      const row = await tx.get<{ status: string }>('SELECT status FROM ports WHERE id = ?', [portId])
      if (!row) return null
      if (row.status === status) return { changed: false, from: row.status }
      const n = await tx.run('UPDATE ports SET status = ?, revision_number = revision_number + 1, updated_at = ? WHERE id = ? AND status = ?', [
        status, this.plugin.runtime.timestamp(), portId, row.status,
      ])
      return { changed: n.changes === 1, from: row.status }
    })
    if (!r) return null
    const port = await this.port(portId)
    return port ? { port, ...r } : null
  }

  /**
   * provisioning_blocks.provisioning_complete for the L2 agent: its block goes; with none left
   * the port is provisioned and, when bound, becomes ACTIVE (ml2 _port_provisioned).
   */
  async completeL2Provisioning(portId: string): Promise<{ port: Dict; changed: boolean; from: string } | null> {
    await deleteProvisioningBlock(this.db, portId, L2_AGENT_ENTITY)
    if ((await provisioningBlocks(this.db, portId)).length) return null
    const p = await this.port(portId)
    if (!p || p['binding:vif_type'] === 'unbound' || p['binding:vif_type'] === 'binding_failed') return null
    return this.setPortStatus(portId, 'ACTIVE')
  }

  /** ACTIVE ports of a network bound somewhere, with their host's tunneling_ip (l2pop). */
  async activePortLocations(networkId: string): Promise<ActivePortLocation[]> {
    const rows = await this.db.all<{ id: string; mac_address: string; host: string }>(
      `SELECT p.id, p.mac_address, b.host FROM ports p JOIN ml2_port_bindings b ON b.port_id = p.id
        WHERE p.network_id = ? AND p.status = 'ACTIVE' AND b.host <> '' ORDER BY p.id`,
      [networkId],
    )
    if (!rows.length) return []
    const ips = await this.db.all<{ port_id: string; ip_address: string }>(
      `SELECT port_id, ip_address FROM ipallocations WHERE port_id IN (${rows.map(() => '?').join(', ')}) ORDER BY ip_address`,
      rows.map((r) => r.id),
    )
    const hostIps = new Map<string, string | null>()
    for (const h of new Set(rows.map((r) => r.host))) hostIps.set(h, await this.tunnelingIp(h))
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      mac: r.mac_address,
      ips: ips.filter((i) => i.port_id === r.id).map((i) => i.ip_address),
      agentIp: hostIps.get(r.host) ?? null,
    }))
  }

  /** The tunneling_ip of an l2population-enabled agent on the host, or null. */
  async tunnelingIp(host: string): Promise<string | null> {
    for (const c of await this.agentConfigurations(host)) {
      if (c && c.l2_population && typeof c.tunneling_ip === 'string' && c.tunneling_ip) return c.tunneling_ip
    }
    return null
  }

  // ---- tunnels ------------------------------------------------------------------------------

  /** Tunnel types this server has a type driver for (TunnelRpcCallbackMixin's lookup). */
  hasTunnelTypeDriver(type: string): boolean {
    return ['vxlan', 'gre', 'geneve'].includes(type) && this.tunnelTypes.has(type)
  }

  endpointByHost(type: string, host: string): Promise<TunnelEndpoint | undefined> {
    return getTunnelEndpointByHost(this.db, type, host)
  }

  endpointByIp(type: string, ip: string): Promise<TunnelEndpoint | undefined> {
    return getTunnelEndpointByIp(this.db, type, ip)
  }

  deleteEndpoint(type: string, ip: string): Promise<void> {
    return deleteTunnelEndpoint(this.db, type, ip)
  }

  deleteEndpointByHostOrIp(type: string, host: string | null, ip: string): Promise<void> {
    return deleteTunnelEndpointByHostOrIp(this.db, type, host, ip)
  }

  /** add_endpoint: vxlan endpoints carry the UDP port (4789), gre/geneve do not. */
  async addEndpoint(type: string, ip: string, host: string | null): Promise<void> {
    await insertTunnelEndpoint(this.db, type, { ip_address: ip, udp_port: type === 'vxlan' ? 4789 : null, host })
  }

  endpoints(type: string): Promise<TunnelEndpoint[]> {
    return listTunnelEndpoints(this.db, type)
  }

  // ---- objects (resources RPC) --------------------------------------------------------------

  /** Port ids by filter: `id`, `network_id`, `security_group_ids` (bulk_pull filter_kwargs). */
  async portIds(filters: { id?: string[]; network_id?: string[]; security_group_ids?: string[] }): Promise<string[]> {
    if (filters.security_group_ids) {
      if (!filters.security_group_ids.length) return []
      const rows = await this.db.all<{ port_id: string }>(
        `SELECT DISTINCT port_id FROM securitygroupportbindings WHERE security_group_id IN (${filters.security_group_ids.map(() => '?').join(', ')}) ORDER BY port_id`,
        filters.security_group_ids,
      )
      return rows.map((r) => r.port_id)
    }
    const w = whereIn(filters, ['id', 'network_id'])
    if (!w) return []
    const rows = await this.db.all<{ id: string }>(`SELECT id FROM ports${w.sql} ORDER BY id`, w.params)
    return rows.map((r) => r.id)
  }

  /** Port dicts by id, issued together (one round trip on PostgreSQL; per-revision dict cache). */
  async ports(ids: readonly string[]): Promise<Dict[]> {
    return (await Promise.all(ids.map((id) => this.port(id)))).filter((p): p is Dict => p !== null)
  }

  /** Network dicts by id (unknown ids left out), or every network. */
  async networks(ids: readonly string[] | null): Promise<Dict[]> {
    if (!ids) return this.plugin.networks.list(this.ctx, new Map())
    const got = await Promise.all(ids.map((id) => this.plugin.networks.get(this.ctx, id).then((n): Dict => n, (e) => {
      if (e instanceof NeutronException && e.type === 'NetworkNotFound') return null
      throw e
    })))
    return got.filter((n) => n !== null)
  }

  async subnets(filters: { id?: string[]; network_id?: string[] }): Promise<Array<{ subnet: Dict; pools: Array<{ id: string; start: string; end: string }> }>> {
    const scope = new Map<string, string[]>(filters.network_id ? [['network_id', filters.network_id]] : [])
    const all: Dict[] = await this.plugin.subnets.list(this.ctx, scope)
    const picked = all.filter((s) => !filters.id || filters.id.includes(s.id))
    const out = []
    for (const s of picked) {
      const pools = await this.db.all<{ id: string; start: string; end: string }>(
        'SELECT id, first_ip AS start, last_ip AS "end" FROM ipallocationpools WHERE subnet_id = ? ORDER BY first_ip',
        [s.id],
      )
      out.push({ subnet: s, pools })
    }
    return out
  }

  /** Security group rows (API dicts without rules) by id, and whether each is its project's default. */
  async securityGroups(ids: readonly string[] | null): Promise<Array<{ group: Dict; isDefault: boolean }>> {
    const where = ids ? (ids.length ? `WHERE id IN (${ids.map(() => '?').join(', ')})` : 'WHERE 1 = 0') : ''
    const groups = await this.db.all(`SELECT id, project_id, name, stateful, description, revision_number, created_at, updated_at FROM securitygroups ${where} ORDER BY id`, ids ? [...ids] : [])
    const defaults = new Set((await this.db.all<{ security_group_id: string }>('SELECT security_group_id FROM default_security_group')).map((r) => r.security_group_id))
    const rules = await this.securityGroupRules({ security_group_id: groups.map((g) => g.id) })
    return groups.map((g) => ({
      group: { ...g, stateful: !!g.stateful, security_group_rules: rules.filter((r) => r.security_group_id === g.id) },
      isDefault: defaults.has(g.id),
    }))
  }

  /** Rule rows (nullable columns as stored: unset fields stay null) by id or group. */
  async securityGroupRules(filters: { id?: string[]; security_group_id?: string[] }): Promise<Dict[]> {
    const w = whereIn(filters, ['id', 'security_group_id'])
    if (!w) return []
    return this.db.all(
      `SELECT id, project_id, security_group_id, remote_group_id, direction, ethertype, protocol, port_range_min, port_range_max,
              remote_ip_prefix, description, revision_number, created_at, updated_at
         FROM securitygrouprules${w.sql} ORDER BY created_at, id`,
      w.params,
    )
  }

  /** (ip, mac-or-null) of every port in the groups, by group and ethertype (sg_member_ips). */
  async securityGroupMemberIps(groupIds: readonly string[]): Promise<Record<string, { IPv4: Array<[string, string | null]>; IPv6: Array<[string, string | null]> }>> {
    const out: Record<string, { IPv4: Array<[string, string | null]>; IPv6: Array<[string, string | null]> }> = {}
    for (const g of groupIds) out[g] = { IPv4: [], IPv6: [] }
    if (!groupIds.length) return out
    const rows = await this.db.all<{ security_group_id: string; ip_address: string }>(
      `SELECT b.security_group_id, a.ip_address FROM securitygroupportbindings b JOIN ipallocations a ON a.port_id = b.port_id
        WHERE b.security_group_id IN (${groupIds.map(() => '?').join(', ')}) ORDER BY a.ip_address`,
      [...groupIds],
    )
    for (const r of rows) out[r.security_group_id]![r.ip_address.includes(':') ? 'IPv6' : 'IPv4'].push([r.ip_address, null])
    return out
  }
}

/**
 * ` WHERE k IN (…) AND …` for the filters given (bulk_pull's lists); null when a filter is an
 * empty list (nothing can match: no query).
 */
function whereIn(filters: Record<string, string[] | undefined>, keys: readonly string[]): { sql: string; params: string[] } | null {
  const conds: string[] = []
  const params: string[] = []
  for (const k of keys) {
    const v = filters[k]
    if (!v) continue
    if (!v.length) return null
    conds.push(`${k} IN (${v.map(() => '?').join(', ')})`)
    params.push(...v)
  }
  return { sql: conds.length ? ` WHERE ${conds.join(' AND ')}` : '', params }
}
