/**
 * Flows as data: what every feature returns and what the controller's sender diffs and applies.
 * The match is a list of canonical key/value pairs in ovs-ofctl field names (ovs-fields(7));
 * the renderer writes the `ovs-ofctl -O OpenFlow13 add-flows` text form, which is the contract
 * with the appliers (the OpenFlow codec grows conntrack in parallel).
 */
export interface Flow {
  readonly table: number
  readonly priority: number
  readonly cookie: bigint
  /** Canonical order (see MATCH_ORDER); values are ovs-ofctl text, '' for flag-only fields. */
  readonly match: ReadonlyArray<readonly [string, string]>
  /** Actions in order; the last may be `goto_table:N` (an OF1.3 instruction in ofctl's syntax). */
  readonly actions: readonly string[]
}

/**
 * Field order of a canonical match: prerequisites first (ovs-ofctl and OVS check them in
 * order, facts.md §8 "Prerequisites are enforced"), then metadata, then L2, L3, L4.
 */
export const MATCH_ORDER = [
  'conj_id', 'in_port', 'tun_id', 'reg0', 'reg5', 'reg6', 'reg7', 'ct_state',
  'dl_vlan', 'vlan_tci', 'dl_src', 'dl_dst', 'dl_type', 'nw_proto',
  'arp_op', 'arp_spa', 'arp_tpa', 'arp_sha', 'arp_tha',
  'nw_src', 'nw_dst', 'ipv6_src', 'ipv6_dst',
  'tp_src', 'tp_dst', 'icmp_type', 'icmp_code', 'icmpv6_type', 'icmpv6_code', 'nd_target', 'nd_sll', 'nd_tll',
] as const
export type MatchField = (typeof MATCH_ORDER)[number]
export type Match = Partial<Record<MatchField, string | number>>

const RANK = new Map<string, number>(MATCH_ORDER.map((f, i) => [f, i]))

/** A canonical match list from a record (unknown fields are a programming error). */
export function canonicalMatch(m: Match): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = []
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue
    if (!RANK.has(k)) throw new Error(`flow match field ${k} is not declared in MATCH_ORDER`)
    // registers and tunnel ids are written in hex everywhere, so equal values render equally
    const hexField = k.startsWith('reg') || k === 'tun_id'
    out.push([k, typeof v === 'number' ? (hexField ? `0x${v.toString(16)}` : String(v)) : v])
  }
  return out.sort((a, b) => RANK.get(a[0])! - RANK.get(b[0])!)
}

export function cookieText(c: bigint): string {
  return `0x${c.toString(16)}`
}

// Flows are immutable, so their match text is computed once (sorting and diffing ask often).
const MATCH_TEXT = new WeakMap<object, string>()

/** The match part only: `reg6=0x1,dl_dst=…` (also the identity of a flow within table+priority). */
export function matchText(f: Pick<Flow, 'match'>): string {
  let t = MATCH_TEXT.get(f.match)
  if (t === undefined) {
    t = f.match.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(',')
    MATCH_TEXT.set(f.match, t)
  }
  return t
}

/** One line of `ovs-ofctl add-flows` input. */
export function renderFlow(f: Flow): string {
  const m = matchText(f)
  const acts = f.actions.length ? f.actions.join(',') : 'drop'
  return `table=${f.table},priority=${f.priority},cookie=${cookieText(f.cookie)}${m ? ',' + m : ''},actions=${acts}`
}

/**
 * Identity of a flow in OpenFlow terms (table, priority, match): two flows with the same key
 * cannot coexist in a switch; the sender diffs desired vs installed by this key.
 */
export function flowKey(f: Flow): string {
  return `${f.table}/${f.priority}/${matchText(f)}`
}

/** The deterministic order of a flow list: table, then priority high to low, then match text. */
export function compareFlows(a: Flow, b: Flow): number {
  if (a.table !== b.table) return a.table - b.table
  if (a.priority !== b.priority) return b.priority - a.priority
  const ma = matchText(a), mb = matchText(b)
  return ma < mb ? -1 : ma > mb ? 1 : 0
}

/** Convenience used by features: one place builds a Flow. */
export function flow(table: number, priority: number, cookie: bigint, match: Match, actions: readonly string[]): Flow {
  return { table, priority, cookie, match: canonicalMatch(match), actions }
}
