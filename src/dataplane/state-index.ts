/**
 * Validates a DesiredState once and indexes it for the per-node features: networks by id,
 * ports by network, which nodes have which network, remote group membership. Every list is
 * sorted by id so the output never depends on input order (determinism).
 */
import { linkLocalOf, normaliseMac, parsePrefix, type Prefix } from './addr.js'
import { DataplaneStateError } from './dataplane-state-error.js'
import { validateRule } from './sg-rule-match.js'
import type { DesiredState, Network, Node, Port, SecurityGroup } from './desired-state.js'

/** A port with its addresses parsed; only ports that carry traffic (bound, plugged, admin up). */
export interface PortAddrs {
  /** Fixed IPs, host prefixes. */
  readonly fixedIps: readonly Prefix[]
  /** Allowed address pairs: prefix + MAC. */
  readonly pairs: ReadonlyArray<{ readonly prefix: Prefix; readonly mac: string }>
}

export interface LivePort extends PortAddrs {
  readonly port: Port
  readonly network: Network
  readonly node: Node
  readonly ofport: number
  readonly mac: string
  readonly linkLocal: string
  /**
   * Anti-spoofing and security groups apply: port security on and not a network:* port (DHCP,
   * router): Neutron's firewall drivers treat those as trusted (neutron-lib
   * utils.is_port_trusted), yet they are wired like any other port.
   */
  readonly secured: boolean
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
const TUNNEL_TYPES = new Set(['vxlan', 'gre'])

export class StateIndex {
  readonly nodes = new Map<string, Node>()
  readonly networks = new Map<string, Network>()
  readonly groups = new Map<string, SecurityGroup>()
  /** Live ports, sorted by id. */
  readonly livePorts: LivePort[] = []
  readonly portsByNetwork = new Map<string, LivePort[]>()
  /** network id -> sorted node ids with at least one live port on it. */
  readonly nodesByNetwork = new Map<string, string[]>()
  /** Parsed addresses of every port (live or not): remote-group members need them all. */
  readonly addrs = new Map<string, PortAddrs>()
  /** security group id -> ids of every port in the group (sorted), Neutron's remote group membership. */
  readonly members = new Map<string, string[]>()
  private readonly portsByNode = new Map<string, LivePort[]>()
  // per-index memo of derived lists the features ask for again and again (the index is immutable)
  private readonly memo = new Map<string, unknown>()

  constructor(readonly state: DesiredState) {
    const tags = new Map<number, string>()
    for (const n of [...state.nodes].sort(byId)) {
      if (this.nodes.has(n.id)) throw new DataplaneStateError('node', n.id, 'duplicate id')
      if (n.localIp !== undefined && parsePrefix(n.localIp)?.family !== 4) throw new DataplaneStateError('node', n.id, `local_ip ${n.localIp} is not an IPv4 address`)
      for (const [name, of] of Object.entries(n.ofports)) {
        if (!Number.isInteger(of) || of < 1 || of > 0xfffe) throw new DataplaneStateError('node', n.id, `ofport of ${name} is ${of}, not 1..65534`)
      }
      this.nodes.set(n.id, n)
    }
    for (const net of [...state.networks].sort(byId)) {
      if (this.networks.has(net.id)) throw new DataplaneStateError('network', net.id, 'duplicate id')
      if (!Number.isInteger(net.tag) || net.tag < 1 || net.tag > 0xffff) throw new DataplaneStateError('network', net.id, `tag ${net.tag} is not 1..65535`)
      const other = tags.get(net.tag)
      if (other) throw new DataplaneStateError('network', net.id, `tag ${net.tag} is already used by network ${other}`)
      tags.set(net.tag, net.id)
      const seg = net.segmentationId
      if (net.type === 'vlan' && (seg === undefined || !Number.isInteger(seg) || seg < 1 || seg > 4094)) throw new DataplaneStateError('network', net.id, `vlan segmentation id ${seg} is not 1..4094`)
      if (TUNNEL_TYPES.has(net.type) && (seg === undefined || !Number.isInteger(seg) || seg < 1 || seg > 0xffffff)) throw new DataplaneStateError('network', net.id, `${net.type} segmentation id ${seg} is not 1..16777215`)
      if ((net.type === 'vlan' || net.type === 'flat') && !net.physicalNetwork) throw new DataplaneStateError('network', net.id, `${net.type} network without physical network`)
      if (!['local', 'flat', 'vlan', 'vxlan', 'gre'].includes(net.type)) throw new DataplaneStateError('network', net.id, `unknown network type ${net.type}`)
      this.networks.set(net.id, net)
    }
    for (const g of [...state.securityGroups].sort(byId)) {
      if (this.groups.has(g.id)) throw new DataplaneStateError('security group', g.id, 'duplicate id')
      this.groups.set(g.id, g)
    }
    const seenPorts = new Set<string>()
    const ofportOwner = new Map<string, string>()
    for (const p of [...state.ports].sort(byId)) {
      if (seenPorts.has(p.id)) throw new DataplaneStateError('port', p.id, 'duplicate id')
      seenPorts.add(p.id)
      const network = this.networks.get(p.networkId)
      if (!network) throw new DataplaneStateError('port', p.id, `unknown network ${p.networkId}`)
      const mac = normaliseMac(p.macAddress)
      if (!mac) throw new DataplaneStateError('port', p.id, `MAC address ${p.macAddress} does not parse`)
      const fixedIps = p.fixedIps.map((f) => {
        const pr = parsePrefix(f.ipAddress)
        if (!pr || pr.length !== (pr.family === 4 ? 32 : 128)) throw new DataplaneStateError('port', p.id, `fixed IP ${f.ipAddress} is not an address`)
        return pr
      })
      const pairs = p.allowedAddressPairs.map((a) => {
        const pr = parsePrefix(a.ipAddress)
        if (!pr) throw new DataplaneStateError('port', p.id, `allowed address pair ${a.ipAddress} does not parse`)
        const m = a.macAddress === undefined ? mac : normaliseMac(a.macAddress)
        if (!m) throw new DataplaneStateError('port', p.id, `allowed address pair MAC ${a.macAddress} does not parse`)
        return { prefix: pr, mac: m }
      })
      for (const g of p.securityGroupIds) {
        if (!this.groups.has(g)) throw new DataplaneStateError('port', p.id, `unknown security group ${g}`)
        push(this.members, g, p.id)
      }
      this.addrs.set(p.id, { fixedIps, pairs })
      if (p.nodeId === undefined || p.ofport === undefined || !p.adminStateUp) continue
      const node = this.nodes.get(p.nodeId)
      if (!node) throw new DataplaneStateError('port', p.id, `unknown node ${p.nodeId}`)
      if (!Number.isInteger(p.ofport) || p.ofport < 1 || p.ofport > 0xfeff) throw new DataplaneStateError('port', p.id, `ofport ${p.ofport} is not 1..65279`)
      const key = `${node.id}/${p.ofport}`
      if (ofportOwner.has(key)) throw new DataplaneStateError('port', p.id, `ofport ${p.ofport} on node ${node.id} is already port ${ofportOwner.get(key)}`)
      ofportOwner.set(key, p.id)
      const live: LivePort = { port: p, network, node, ofport: p.ofport, mac, fixedIps, pairs, linkLocal: linkLocalOf(mac), secured: p.portSecurityEnabled && !p.deviceOwner.startsWith('network:') }
      this.livePorts.push(live)
      push(this.portsByNode, node.id, live)
      push(this.portsByNetwork, network.id, live)
      const nodes = this.nodesByNetwork.get(network.id) ?? []
      if (!nodes.includes(node.id)) nodes.push(node.id)
      this.nodesByNetwork.set(network.id, nodes)
    }
    for (const l of this.nodesByNetwork.values()) l.sort()
    for (const g of this.groups.values()) {
      for (const r of g.rules) validateRule(r, (id) => this.groups.has(id), g.id)
    }
  }

  /** Live ports bound to a node, sorted by id. */
  portsOn(nodeId: string): LivePort[] {
    return this.portsByNode.get(nodeId) ?? []
  }

  /** Networks with a live port on the node, sorted by id. */
  networksOn(nodeId: string): Network[] {
    return this.cached(`networksOn/${nodeId}`, () => [...this.networks.values()].filter((n) => this.nodesByNetwork.get(n.id)?.includes(nodeId)))
  }

  private cached<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute())
    return this.memo.get(key) as T
  }

  /** Addresses (prefixes) of the members of a security group, one family, deduplicated, sorted. */
  memberPrefixes(groupId: string, family: 4 | 6): Prefix[] {
    return this.cached(`members/${groupId}/${family}`, () => this.computeMemberPrefixes(groupId, family))
  }

  private computeMemberPrefixes(groupId: string, family: 4 | 6): Prefix[] {
    const seen = new Map<string, Prefix>()
    for (const id of this.members.get(groupId) ?? []) {
      const a = this.addrs.get(id)!
      for (const pr of [...a.fixedIps, ...a.pairs.map((x) => x.prefix)]) {
        if (pr.family === family) seen.set(`${pr.address}/${pr.length}`, pr)
      }
    }
    return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p)
  }

  /** Other nodes (sorted) that have the network and a tunnel endpoint. */
  tunnelPeers(nodeId: string, networkId: string): Node[] {
    return this.cached(`peers/${nodeId}/${networkId}`, () => this.computeTunnelPeers(nodeId, networkId))
  }

  private computeTunnelPeers(nodeId: string, networkId: string): Node[] {
    const self = this.nodes.get(nodeId)
    if (!self?.localIp) return []
    return (this.nodesByNetwork.get(networkId) ?? [])
      .filter((id) => id !== nodeId)
      .map((id) => this.nodes.get(id)!)
      .filter((n) => n.localIp !== undefined && n.localIp !== self.localIp)
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k)
  if (l) l.push(v)
  else m.set(k, [v])
}
