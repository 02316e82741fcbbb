/**
 * Drives an OvsLab with the dataplane compute, the way the controller will: compute the OVSDB
 * rows, apply them, read the ofports OVSDB assigned, compute the flows with them, replace the
 * flow tables (ovs-ofctl sends only the difference). Standing on ovs-lab.ts, for the full-stack
 * tests of the dataplane and, later, of the controller.
 */
import type { DesiredState, Node } from '../../src/dataplane/desired-state.js'
import { nodeFlows } from '../../src/dataplane/node-flows.js'
import { nodeOvsdbRows } from '../../src/dataplane/ovsdb-rows.js'
import { renderFlow } from '../../src/dataplane/flow.js'
import { StateIndex } from '../../src/dataplane/state-index.js'
import type { Hypervisor, OvsLab } from './ovs-lab.js'

export const INTEGRATION_BRIDGE = 'brint'

/** A lab hypervisor as a dataplane node (ofports filled in by converge). */
export function labNode(hv: Hypervisor, physnets: Record<string, string> = { physnet1: hv.providerBridge }): Node {
  return { id: hv.id, localIp: hv.underlayIp, bridgeMappings: physnets, datapathType: 'netdev', ofports: {} }
}

/** Rows, then ofports, then flows, on every hypervisor. Returns the state with ofports filled in. */
export async function converge(lab: OvsLab, state: DesiredState): Promise<DesiredState> {
  const settings = { integrationBridge: INTEGRATION_BRIDGE, controllerTargets: [] }
  const first = new StateIndex(state)
  for (const hv of lab.hypervisors) {
    if (first.nodes.has(hv.id)) hv.applyRows(nodeOvsdbRows(first, hv.id, settings))
  }
  const nodes: Node[] = []
  for (const n of state.nodes) {
    const hv = lab.hypervisors.find((h) => h.id === n.id)
    if (!hv) { nodes.push(n); continue }
    const wanted = nodeOvsdbRows(first, n.id, settings).flatMap((b) => b.ports.map((p) => p.name))
    nodes.push({ ...n, ofports: await hv.waitOfports(wanted) })
  }
  const filled: DesiredState = { ...state, nodes }
  const index = new StateIndex(filled)
  for (const hv of lab.hypervisors) {
    if (index.nodes.has(hv.id)) hv.replaceFlows(INTEGRATION_BRIDGE, nodeFlows(index, hv.id).map(renderFlow))
  }
  return filled
}
