/**
 * Provider networks (flat, VLAN) leave and enter br-int through a patch port pair to the
 * physnet's provider bridge (bridge_mappings; facts.md §6 "Bridge setup": patch ports,
 * NetVirt pushes the VLAN on br-int). The tag is the real segmentation id: br-int pushes it
 * before the patch and pops it in the classifier, so the provider bridge itself only does
 * NORMAL switching to the physical NIC.
 */
import type { Network, Node } from '../desired-state.js'

/** br-int side of the patch pair ("int-" + bridge, Neutron's naming), ≤ 15 characters. */
export function intPatchName(providerBridge: string): string {
  return `int-${providerBridge}`.slice(0, 15)
}

/** Provider bridge side of the patch pair ("phy-" + bridge). */
export function phyPatchName(providerBridge: string): string {
  return `phy-${providerBridge}`.slice(0, 15)
}

export function isProviderNetwork(n: Network): boolean {
  return n.type === 'flat' || n.type === 'vlan'
}

/** The provider bridge of a network on a node (undefined: the node does not map its physnet). */
export function providerBridgeOf(node: Node, net: Network): string | undefined {
  return net.physicalNetwork === undefined ? undefined : node.bridgeMappings[net.physicalNetwork]
}

/** br-int ofport of the patch toward a network's provider bridge, if mapped and reported. */
export function providerPatchOfport(node: Node, net: Network): number | undefined {
  const br = providerBridgeOf(node, net)
  return br === undefined ? undefined : node.ofports[intPatchName(br)]
}

/** Actions that send local traffic of a provider network to the physical network. */
export function providerOutput(node: Node, net: Network): string[] {
  const of = providerPatchOfport(node, net)
  if (of === undefined) return []
  if (net.type === 'flat') return [`output:${of}`]
  return ['push_vlan:0x8100', `set_field:0x${(0x1000 | net.segmentationId!).toString(16)}->vlan_vid`, `output:${of}`]
}
