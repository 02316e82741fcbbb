/**
 * The northbound's Neutron objects (as networking-odl V2 sends them, odl-northbound.md §3) plus
 * what the southbound sees on the nodes → the dataplane's `DesiredState` (pure compute).
 *
 * Neutron's JSON is loose: `security_groups` is a list of ids or of `{"id"}` objects,
 * `provider:segmentation_id` may be a string, `port_security_enabled` may be absent (true). An
 * object that cannot be mapped (a port of an unknown network, an unparsable MAC) is left out and
 * named in `skipped`, so one bad object never stops the rest of the network from being programmed.
 */
import type { AllowedAddressPair, DesiredState, FixedIp, Network, NetworkType, Node, Port, SecurityGroup, SecurityGroupRule } from '../../dataplane/desired-state.js'
import { DataplaneStateError } from '../../dataplane/dataplane-state-error.js'
import { StateIndex } from '../../dataplane/state-index.js'
import type { NbObject } from '../store/object-store.js'

/** A node as the southbound sees it. */
export interface NodeView {
  /** Host id (external_ids:system-id or hostname), Neutron's binding:host_id. */
  readonly id: string
  readonly localIp?: string
  readonly bridgeMappings: Readonly<Record<string, string>>
  readonly datapathType: 'system' | 'netdev'
  /** Interface name → ofport on the integration bridge (tunnel and patch ports). */
  readonly ofports: Readonly<Record<string, number>>
  /** Neutron port id (Interface external_ids:iface-id) → ofport on the integration bridge. */
  readonly vifs: ReadonlyMap<string, number>
}

export interface StoreView {
  list(collection: string): NbObject[]
}

export interface DesiredResult {
  readonly state: DesiredState
  /** "ports/<id>: why" for every object left out. */
  readonly skipped: string[]
}

const NETWORK_TYPES = new Set<NetworkType>(['local', 'flat', 'vlan', 'vxlan', 'gre'])
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

function int(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined
}

function bool(v: unknown, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : dflt
}

function tenantOf(o: NbObject): string {
  return str(o.tenant_id) ?? str(o.project_id) ?? ''
}

function ids(v: unknown): string[] {
  if (!Array.isArray(v)) return []
  const out: string[] = []
  for (const x of v) {
    const id = typeof x === 'string' ? x : x && typeof x === 'object' ? str((x as Record<string, unknown>).id) : undefined
    if (id) out.push(id)
  }
  return [...new Set(out)].sort()
}

function network(o: NbObject, tag: number | undefined): Network | string {
  if (tag === undefined) return 'no tag allocated'
  const type = (str(o['provider:network_type']) ?? 'vxlan').toLowerCase() as NetworkType
  if (!NETWORK_TYPES.has(type)) return `network type ${type} is not supported`
  const seg = int(o['provider:segmentation_id'])
  const phys = str(o['provider:physical_network'])
  return {
    id: o.id, tenantId: tenantOf(o), type, tag,
    ...(seg !== undefined && type !== 'flat' && type !== 'local' ? { segmentationId: seg } : {}),
    ...(phys !== undefined && (type === 'flat' || type === 'vlan') ? { physicalNetwork: phys } : {}),
  }
}

function rule(o: NbObject): SecurityGroupRule | string {
  const direction = o.direction
  if (direction !== 'ingress' && direction !== 'egress') return `direction ${String(direction)}`
  const ethertype = o.ethertype === 'IPv6' ? 'IPv6' : 'IPv4'
  const proto = o.protocol === null || o.protocol === undefined || o.protocol === 'any' ? undefined : String(o.protocol).toLowerCase()
  const min = int(o.port_range_min)
  const max = int(o.port_range_max)
  const prefix = str(o.remote_ip_prefix)
  const group = str(o.remote_group_id)
  return {
    id: o.id, direction, ethertype,
    ...(proto !== undefined ? { protocol: proto } : {}),
    ...(min !== undefined ? { portRangeMin: min } : {}),
    ...(max !== undefined ? { portRangeMax: max } : {}),
    ...(prefix !== undefined ? { remoteIpPrefix: prefix } : {}),
    ...(group !== undefined ? { remoteGroupId: group } : {}),
  }
}

function fixedIps(v: unknown): FixedIp[] {
  if (!Array.isArray(v)) return []
  const out: FixedIp[] = []
  for (const f of v) {
    if (!f || typeof f !== 'object') continue
    const r = f as Record<string, unknown>
    const ip = str(r.ip_address)
    if (ip) out.push({ ipAddress: ip, ...(str(r.subnet_id) ? { subnetId: str(r.subnet_id)! } : {}) })
  }
  return out
}

function pairs(v: unknown): AllowedAddressPair[] {
  if (!Array.isArray(v)) return []
  const out: AllowedAddressPair[] = []
  for (const f of v) {
    if (!f || typeof f !== 'object') continue
    const r = f as Record<string, unknown>
    const ip = str(r.ip_address)
    if (ip) out.push({ ipAddress: ip, ...(str(r.mac_address) ? { macAddress: str(r.mac_address)! } : {}) })
  }
  return out
}

/**
 * Where a port lives: the node whose integration bridge has an interface with its iface-id (what
 * os-vif plugged is the truth), else its binding:host_id when that node is known (no flows until
 * plugged, but it counts for the node's view).
 */
function placement(o: NbObject, nodes: readonly NodeView[]): { nodeId?: string; ofport?: number } {
  for (const n of nodes) {
    const of = n.vifs.get(o.id)
    if (of !== undefined) return { nodeId: n.id, ofport: of }
  }
  const host = str(o['binding:host_id'])
  return host !== undefined && nodes.some((n) => n.id === host) ? { nodeId: host } : {}
}

export function desiredFromStore(store: StoreView, nodes: readonly NodeView[], tags: ReadonlyMap<string, number>): DesiredResult {
  const skipped: string[] = []
  const networks: Network[] = []
  for (const o of store.list('networks')) {
    const n = network(o, tags.get(o.id))
    if (typeof n === 'string') skipped.push(`networks/${o.id}: ${n}`)
    else networks.push(n)
  }
  const rulesByGroup = new Map<string, SecurityGroupRule[]>()
  const seenRules = new Set<string>()
  const addRule = (groupId: string | undefined, o: NbObject): void => {
    if (!groupId || seenRules.has(o.id)) return
    const r = rule(o)
    if (typeof r === 'string') { skipped.push(`security-group-rules/${o.id}: ${r}`); return }
    seenRules.add(o.id)
    let list = rulesByGroup.get(groupId)
    if (!list) rulesByGroup.set(groupId, (list = []))
    list.push(r)
  }
  for (const o of store.list('security-group-rules')) addRule(str(o.security_group_id), o)
  const groups: SecurityGroup[] = []
  for (const g of store.list('security-groups')) {
    // networking-odl also embeds the group's rules in the group body on create
    const embedded = Array.isArray(g.security_group_rules) ? g.security_group_rules : []
    for (const r of embedded) if (r && typeof r === 'object' && str((r as NbObject).id)) addRule(g.id, r as NbObject)
    groups.push({ id: g.id, tenantId: tenantOf(g), rules: (rulesByGroup.get(g.id) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1)) })
  }
  const groupIds = new Set(groups.map((g) => g.id))
  const netIds = new Set(networks.map((n) => n.id))
  const ports: Port[] = []
  for (const o of store.list('ports')) {
    const networkId = str(o.network_id)
    if (!networkId || !netIds.has(networkId)) { skipped.push(`ports/${o.id}: network ${String(networkId)} is not known`); continue }
    const mac = str(o.mac_address)
    if (!mac || !MAC_RE.test(mac)) { skipped.push(`ports/${o.id}: MAC ${String(mac)} does not parse`); continue }
    const sgs = ids(o.security_groups)
    const unknown = sgs.filter((g) => !groupIds.has(g))
    if (unknown.length) { skipped.push(`ports/${o.id}: unknown security groups ${unknown.join(', ')}`); continue }
    ports.push({
      id: o.id, networkId, macAddress: mac.toLowerCase(),
      ...placement(o, nodes),
      fixedIps: fixedIps(o.fixed_ips),
      allowedAddressPairs: pairs(o.allowed_address_pairs),
      adminStateUp: bool(o.admin_state_up, true),
      portSecurityEnabled: bool(o.port_security_enabled, true),
      securityGroupIds: sgs,
      deviceOwner: str(o.device_owner) ?? '',
    })
  }
  const stateNodes: Node[] = nodes.map((n) => ({
    id: n.id, bridgeMappings: n.bridgeMappings, datapathType: n.datapathType, ofports: n.ofports,
    ...(n.localIp !== undefined ? { localIp: n.localIp } : {}),
  }))
  return { state: { nodes: stateNodes, networks, ports, securityGroups: groups }, skipped }
}

/**
 * The dataplane index of a desired state, leaving out each object the dataplane refuses (a fixed
 * IP that does not parse, a duplicate, a node with a bad local_ip …) one at a time, so one bad
 * object never stops the rest of the network from being programmed. Objects that depended on a
 * left-out one (ports on its network or node) are refused in turn and left out too.
 */
export function indexDesired(r: DesiredResult): { index: StateIndex; skipped: string[] } {
  let state = r.state
  const skipped = [...r.skipped]
  const bound = state.nodes.length + state.networks.length + state.ports.length + state.securityGroups.length + 1
  for (let i = 0; ; i++) {
    try {
      return { index: new StateIndex(state), skipped }
    } catch (e) {
      if (!(e instanceof DataplaneStateError) || i >= bound) throw e
      const drop = <T extends { id: string }>(list: readonly T[]): T[] => {
        const out = list.filter((x) => x.id !== e.objectId)
        if (out.length === list.length) throw e
        return out
      }
      const kind = e.objectKind
      if (kind === 'port') state = { ...state, ports: drop(state.ports) }
      else if (kind === 'network') state = { ...state, networks: drop(state.networks) }
      else if (kind === 'security group') state = { ...state, securityGroups: drop(state.securityGroups) }
      else if (kind === 'node') state = { ...state, nodes: drop(state.nodes) }
      else throw e
      skipped.push(`${kind} ${e.objectId}: ${e.message}`)
    }
  }
}
