/**
 * Tunnels: one `vxlan-<hexip>` / `gre-<hexip>` port per peer node that shares a network of that
 * type (created lazily, removed with the last shared network: facts.md §6 "Tunnels"), with
 * options key=flow so the VNI/GRE key is tun_id per flow (§8 TUNNEL_ID). This file names the
 * ports, lists them per node and says how local traffic reaches a peer; the classifier and
 * flooding use it.
 */
import { ipv4Hex } from '../addr.js'
import type { Network, Node, TunnelType } from '../desired-state.js'
import type { StateIndex } from '../state-index.js'

export interface TunnelPort {
  readonly name: string
  readonly type: TunnelType
  readonly peer: Node
  readonly localIp: string
  readonly remoteIp: string
}

export function isTunnelNetwork(n: Network): n is Network & { type: TunnelType } {
  return n.type === 'vxlan' || n.type === 'gre'
}

/** `vxlan-c6336402`: type and the peer's local_ip in hex (≤ 15 characters, an interface name). */
export function tunnelPortName(type: TunnelType, remoteIp: string): string {
  return `${type}-${ipv4Hex(remoteIp)}`
}

/** Tunnel ports the node needs, sorted by name: exactly the peers that share a network of that type. */
export function tunnelPorts(index: StateIndex, nodeId: string): TunnelPort[] {
  const self = index.nodes.get(nodeId)
  if (!self?.localIp) return []
  const out = new Map<string, TunnelPort>()
  for (const net of index.networksOn(nodeId)) {
    if (!isTunnelNetwork(net)) continue
    for (const peer of index.tunnelPeers(nodeId, net.id)) {
      const name = tunnelPortName(net.type, peer.localIp!)
      out.set(name, { name, type: net.type, peer, localIp: self.localIp, remoteIp: peer.localIp! })
    }
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1))
}

/** OpenFlow port of the tunnel to `peer` for a network, if OVSDB has reported it yet. */
export function tunnelOfport(node: Node, net: Network & { type: TunnelType }, peer: Node): number | undefined {
  return peer.localIp ? node.ofports[tunnelPortName(net.type, peer.localIp)] : undefined
}

/** Actions that send local traffic of a tunnel network to the given peers (ports known so far). */
export function tunnelOutput(node: Node, net: Network & { type: TunnelType }, peers: readonly Node[]): string[] {
  const outs = peers.map((p) => tunnelOfport(node, net, p)).filter((x): x is number => x !== undefined)
  return outs.length ? [`set_field:0x${net.segmentationId!.toString(16)}->tun_id`, ...outs.map((o) => `output:${o}`)] : []
}
