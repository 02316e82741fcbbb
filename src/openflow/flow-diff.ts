/**
 * Desired-vs-installed flow diff: the minimal flow mods that turn the flows dumped from a switch
 * (FLOW stats, OF1.3 §7.3.5.2) into the desired ones, for a controller that owns the flows
 * whose cookie matches its cookie/mask.
 *
 * - a desired flow with no installed flow of the same key (flow-key.ts) → ADD;
 * - same key, different instructions → MODIFY_STRICT, which keeps the flow's counters and
 *   duration (a re-ADD would reset them, OF1.3 §6.4); OF1.3 MODIFY leaves the cookie as it is;
 * - same key, different idle/hard timeout or flags (which MODIFY cannot change) → DELETE_STRICT
 *   then ADD, the only case that replaces a flow;
 * - an installed flow that nobody desires → DELETE_STRICT, only when its cookie is owned, and
 *   filtered by the owner's cookie/mask so the switch itself never deletes a foreign flow;
 * - identical flows → nothing, whatever their cookie (the cookie is not part of a flow's identity).
 *
 * `mods` orders deletes first, then modifies, then adds (faucet's ordering: a replaced flow's
 * delete must precede its add).
 */
import { FlowModFlags } from './constants.js'
import { flowMod } from './flow-mod.js'
import { flowKey, instructionsKey } from './flow-key.js'
import type { FlowMod, FlowStats } from './messages.js'

export interface FlowOwner {
  /** Installed flows with (cookie & cookieMask) === (owner cookie & cookieMask) are ours to delete. */
  readonly cookie: bigint
  readonly cookieMask: bigint
}

export interface FlowDiff {
  readonly add: readonly FlowMod[]
  readonly modify: readonly FlowMod[]
  readonly delete: readonly FlowMod[]
  /** delete, modify, add: what to send (then a barrier). */
  readonly mods: readonly FlowMod[]
  /** Desired flows already installed as they are. */
  readonly unchanged: number
}

export class FlowDiffError extends Error {
  override name = 'FlowDiffError'
}

type Installed = Pick<FlowStats, 'table' | 'priority' | 'cookie' | 'idleTimeout' | 'hardTimeout' | 'flags' | 'match' | 'instructions'>

// CHECK_OVERLAP is a property of the request, not of the stored flow (OVS does not report it)
const STORED_FLAGS = ~FlowModFlags.CHECK_OVERLAP

export function diffFlows(desired: readonly FlowMod[], installed: readonly Installed[], owner: FlowOwner): FlowDiff {
  const want = new Map<string, FlowMod>()
  for (const d of desired) {
    if (d.command !== 'add') throw new FlowDiffError(`desired flows must be ADD flow mods, got ${d.command} (table ${d.table}, priority ${d.priority})`)
    const k = flowKey(d)
    if (want.has(k)) {
      throw new FlowDiffError(`two desired flows have the same table, priority and match (table ${d.table}, priority ${d.priority}): a switch holds only one`)
    }
    want.set(k, d)
  }
  const owned = (c: bigint): boolean => (c & owner.cookieMask) === (owner.cookie & owner.cookieMask)
  const add: FlowMod[] = []
  const modify: FlowMod[] = []
  const del: FlowMod[] = []
  let unchanged = 0
  const seen = new Set<string>()
  for (const f of installed) {
    const k = flowKey(f)
    seen.add(k)
    const d = want.get(k)
    if (!d) {
      if (owned(f.cookie)) del.push(deleteStrict(f, owner))
      continue
    }
    const sameAttrs = d.idleTimeout === f.idleTimeout && d.hardTimeout === f.hardTimeout &&
      (d.flags & STORED_FLAGS) === (f.flags & STORED_FLAGS)
    if (!sameAttrs) {
      del.push(deleteStrict(f, { cookie: 0n, cookieMask: 0n }))
      add.push(d)
    } else if (instructionsKey(d.instructions) !== instructionsKey(f.instructions)) {
      modify.push(flowMod({
        command: 'modify_strict', table: d.table, priority: d.priority, match: d.match, instructions: d.instructions,
        // RESET_COUNTS on a modify would zero the counters this modify exists to keep
        cookie: d.cookie, flags: d.flags & ~FlowModFlags.RESET_COUNTS, checkPrerequisites: false,
      }))
    } else unchanged++
  }
  for (const [k, d] of want) if (!seen.has(k)) add.push(d)
  return { add, modify, delete: del, mods: [...del, ...modify, ...add], unchanged }
}

function deleteStrict(f: Installed, by: FlowOwner): FlowMod {
  return flowMod({
    command: 'delete_strict', table: f.table, priority: f.priority, match: f.match, cookie: by.cookie, cookieMask: by.cookieMask,
    checkPrerequisites: false,
  })
}
