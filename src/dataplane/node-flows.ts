/**
 * Compute, then apply: the complete desired flow table of one node's integration bridge, a
 * pure function of the state. Features contribute in pipeline order; the result is sorted
 * (table, priority, match) so the same state always gives the same list, and two flows with
 * the same OpenFlow identity (table, priority, match) are merged when they agree and refused
 * when they do not (they could not both be installed).
 */
import { DataplaneStateError } from './dataplane-state-error.js'
import type { DesiredState } from './desired-state.js'
import { antiSpoofingFlows } from './features/anti-spoofing.js'
import { arpResponderFlows } from './features/arp-responder.js'
import { classifierFlows } from './features/classifier.js'
import { floodingFlows } from './features/flooding.js'
import { l2ForwardingFlows } from './features/l2-forwarding.js'
import { conntrackBaseFlows, securityGroupFlows } from './features/security-groups.js'
import { compareFlows, flowKey, renderFlow, type Flow } from './flow.js'
import { missFlows } from './pipeline.js'
import { StateIndex } from './state-index.js'

/** The features, in pipeline order; each a pure function (index, node id) → flows. */
export const FEATURES: ReadonlyArray<readonly [string, (index: StateIndex, nodeId: string) => Flow[]]> = [
  ['classifier', classifierFlows],
  ['anti-spoofing', antiSpoofingFlows],
  ['security-groups', securityGroupFlows],
  ['arp-responder', arpResponderFlows],
  ['l2-forwarding', l2ForwardingFlows],
  ['flooding', floodingFlows],
]

export function nodeFlows(state: DesiredState | StateIndex, nodeId: string): Flow[] {
  const index = state instanceof StateIndex ? state : new StateIndex(state)
  if (!index.nodes.has(nodeId)) throw new DataplaneStateError('node', nodeId, 'unknown node')
  const all = [...missFlows(), ...conntrackBaseFlows()]
  for (const [, feature] of FEATURES) all.push(...feature(index, nodeId))
  const byKey = new Map<string, Flow>()
  for (const f of all) {
    const k = flowKey(f)
    const seen = byKey.get(k)
    if (!seen) byKey.set(k, f)
    else if (isConjunction(seen) && isConjunction(f)) {
      // one clause flow serving several conjunctions (two rules, one member address): OVS wants
      // a single flow carrying all the conjunction actions
      byKey.set(k, { ...seen, actions: [...new Set([...seen.actions, ...f.actions])].sort() })
    } else if (seen.actions.join(',') !== f.actions.join(',')) {
      throw new DataplaneStateError('node', nodeId, `conflicting flows for ${k}: ${renderFlow(seen)} vs ${renderFlow(f)}`)
    }
    // identical match and actions from two objects (two groups with the same rule): keep the first
  }
  return [...byKey.values()].sort(compareFlows)
}

function isConjunction(f: Flow): boolean {
  return f.actions.length > 0 && f.actions.every((a) => a.startsWith('conjunction('))
}

/** Every node's flows, keyed by node id (one index for all). */
export function allNodeFlows(state: DesiredState): Map<string, Flow[]> {
  const index = new StateIndex(state)
  return new Map([...index.nodes.keys()].map((id) => [id, nodeFlows(index, id)]))
}
