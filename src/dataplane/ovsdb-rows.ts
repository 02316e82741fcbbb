/**
 * The OVSDB rows a node must have, as plain data the OVSDB ensure helpers (or ovs-vsctl) apply:
 * the integration bridge (fail_mode=secure, OpenFlow13, our controller, in-band disabled, the
 * configured datapath type: facts.md §6 "Bridge setup"), one tunnel port per peer that shares a
 * network (key=flow, local_ip/remote_ip), and for each mapped physnet in use a patch pair to the
 * provider bridge. Only ports we own are listed: VM ports belong to Nova (external_ids:iface-id)
 * and a provider bridge's physical NIC to the operator, so an applier must leave other ports alone.
 */
import { DataplaneStateError } from './dataplane-state-error.js'
import type { DesiredState, NodeSettings } from './desired-state.js'
import { intPatchName, isProviderNetwork, phyPatchName, providerBridgeOf } from './features/provider.js'
import { tunnelPorts } from './features/tunnels.js'
import { StateIndex } from './state-index.js'

export interface InterfaceRow {
  readonly name: string
  /** '' = system (OVS's default), or vxlan, gre, patch, internal. */
  readonly type: string
  readonly options: Readonly<Record<string, string>>
  readonly externalIds: Readonly<Record<string, string>>
}

export interface PortRow {
  readonly name: string
  readonly interfaces: readonly InterfaceRow[]
}

export interface BridgeRow {
  readonly name: string
  readonly datapathType: 'system' | 'netdev'
  /** undefined = leave OVS's default (standalone: provider bridges switch NORMAL). */
  readonly failMode?: 'secure' | 'standalone'
  readonly protocols?: readonly string[]
  readonly controllers: readonly string[]
  readonly otherConfig: Readonly<Record<string, string>>
  /** Ports this bridge must have and we own, sorted by name. */
  readonly ports: readonly PortRow[]
}

/** external_ids marking ports the controller created, so it removes only those. */
export const OWNER_EXTERNAL_IDS = { 'neutrino-owned': 'true' } as const

export function nodeOvsdbRows(state: DesiredState | StateIndex, nodeId: string, settings: NodeSettings): BridgeRow[] {
  const index = state instanceof StateIndex ? state : new StateIndex(state)
  const node = index.nodes.get(nodeId)
  if (!node) throw new DataplaneStateError('node', nodeId, 'unknown node')
  const intPorts: PortRow[] = tunnelPorts(index, nodeId).map((t) => ({
    name: t.name,
    interfaces: [{
      name: t.name, type: t.type,
      options: { key: 'flow', local_ip: t.localIp, remote_ip: t.remoteIp },
      externalIds: { ...OWNER_EXTERNAL_IDS, 'neutrino-peer': t.peer.id },
    }],
  }))
  const providers = new Set<string>()
  for (const net of index.networksOn(nodeId)) {
    const br = isProviderNetwork(net) ? providerBridgeOf(node, net) : undefined
    if (br !== undefined) providers.add(br)
  }
  const patch = (name: string, peer: string): PortRow => ({
    name, interfaces: [{ name, type: 'patch', options: { peer }, externalIds: { ...OWNER_EXTERNAL_IDS } }],
  })
  const providerRows: BridgeRow[] = [...providers].sort().map((br) => ({
    name: br, datapathType: node.datapathType, controllers: [], otherConfig: {},
    ports: [patch(phyPatchName(br), intPatchName(br))],
  }))
  for (const br of [...providers].sort()) intPorts.push(patch(intPatchName(br), phyPatchName(br)))
  intPorts.sort((a, b) => (a.name < b.name ? -1 : 1))
  return [{
    name: settings.integrationBridge,
    datapathType: node.datapathType,
    failMode: 'secure',
    protocols: ['OpenFlow13'],
    controllers: [...settings.controllerTargets],
    otherConfig: { 'disable-in-band': 'true' },
    ports: intPorts,
  }, ...providerRows]
}
