/**
 * How local traffic of a network leaves this node toward other nodes: the tunnels to the peers
 * that have the network, or the provider patch. Used by L2 forwarding (one peer) and flooding
 * (all peers); never applied to traffic that arrived from outside (split horizon).
 */
import type { Network, Node } from '../desired-state.js'
import type { StateIndex } from '../state-index.js'
import { isProviderNetwork, providerOutput } from './provider.js'
import { isTunnelNetwork, tunnelOutput } from './tunnels.js'

/** Actions to every other node with the network ([] for local networks or nothing reported yet). */
export function outputToPeers(index: StateIndex, node: Node, net: Network): string[] {
  if (isTunnelNetwork(net)) return tunnelOutput(node, net, index.tunnelPeers(node.id, net.id))
  if (isProviderNetwork(net)) return providerOutput(node, net)
  return []
}

/** Actions to one remote node for a unicast destination on it. */
export function outputToNode(index: StateIndex, node: Node, net: Network, peer: Node): string[] {
  if (isTunnelNetwork(net)) return index.tunnelPeers(node.id, net.id).some((p) => p.id === peer.id) ? tunnelOutput(node, net, [peer]) : []
  if (isProviderNetwork(net)) return providerOutput(node, net)
  return []
}
