/**
 * A connection tracker for FakeOFTable, after OVS's `ct` semantics (ovs-actions(7), "The ct
 * action"): enough to unit-test stateful security groups without a datapath.
 *
 * - `ct(zone=…)` looks the packet up in that zone: the committed direction → +est, the reverse
 *   direction → +est+rpl, otherwise +new; non-IP packets are +inv. Always +trk.
 * - `commit` stores the connection (with ct_mark / ct_label written by `exec(...)`);
 * - `table=N` forks: the original packet continues untracked with the remaining actions, a copy
 *   with ct_state/ct_zone/ct_mark/ct_label set resumes in table N; without `table` only the
 *   commit happens;
 * - `ct_clear` resets the ct fields.
 * Not modelled: NAT (addresses are left as they are), related connections, ALGs, timeouts.
 */
import type { CtAction } from '../ct-action.js'
import type { Action } from '../actions.js'
import { CT_STATE } from '../oxm.js'

type State = Map<string, bigint>

interface Conn {
  mark: bigint
  label: bigint
}

const CT_FIELDS = ['ct_state', 'ct_zone', 'ct_mark', 'ct_label'] as const
/** Reply ICMP types of request types (echo, timestamp, info, address mask; ICMPv6 echo). */
const ICMP_REPLY: Record<string, string> = { '1:8': '0', '1:13': '14', '1:15': '16', '1:17': '18', '58:128': '129' }

export class FakeConntrack {
  /** Committed connections: `zone|proto|src|sport|dst|dport` of the committing direction. */
  readonly connections = new Map<string, Conn>()

  clear(): void {
    this.connections.clear()
  }

  /** The tuple keys of a packet: [forward, reverse], or undefined when it is not trackable IP. */
  private tuples(st: State, zone: bigint): [string, string] | undefined {
    const et = st.get('eth_type')
    const v6 = et === 0x86ddn
    if (et !== 0x0800n && !v6) return undefined
    const proto = st.get('ip_proto') ?? 0n
    const src = st.get(v6 ? 'ipv6_src' : 'ipv4_src') ?? 0n
    const dst = st.get(v6 ? 'ipv6_dst' : 'ipv4_dst') ?? 0n
    let sport = '', dport = '', rsport = '', rdport = ''
    if (proto === 6n || proto === 17n) {
      const l4 = proto === 6n ? 'tcp' : 'udp'
      sport = String(st.get(`${l4}_src`) ?? 0n)
      dport = String(st.get(`${l4}_dst`) ?? 0n)
      rsport = dport
      rdport = sport
    } else if (proto === 1n || proto === 58n) {
      const type = String(st.get(proto === 1n ? 'icmpv4_type' : 'icmpv6_type') ?? 0n)
      sport = type
      // a reply's tuple names the request type it answers
      const req = Object.entries(ICMP_REPLY).find(([k, r]) => k.startsWith(`${proto}:`) && r === type)
      rsport = req ? req[0].split(':')[1]! : `r${type}`
    }
    return [`${zone}|${proto}|${src}|${sport}|${dst}|${dport}`, `${zone}|${proto}|${dst}|${rsport}|${src}|${rdport}`]
  }

  /**
   * Runs `ct` on `st`: commits as asked and returns the field values the recirculated copy
   * carries. `exec` runs the nested set_field / reg_load actions on those values.
   */
  track(st: State, a: CtAction<Action>, zone: bigint, exec: (fields: State, actions: readonly Action[]) => void): State {
    const fields: State = new Map([['ct_zone', zone], ['ct_mark', 0n], ['ct_label', 0n]])
    const t = this.tuples(st, zone)
    if (!t) {
      fields.set('ct_state', BigInt(CT_STATE.trk | CT_STATE.inv))
      return fields
    }
    const [fwd, rev] = t
    const byFwd = this.connections.get(fwd)
    const byRev = this.connections.get(rev)
    const conn = byFwd ?? byRev
    let state = CT_STATE.trk | (conn ? CT_STATE.est : CT_STATE.new)
    if (!byFwd && byRev) state |= CT_STATE.rpl
    fields.set('ct_state', BigInt(state))
    if (conn) {
      fields.set('ct_mark', conn.mark)
      fields.set('ct_label', conn.label)
    }
    exec(fields, a.actions.filter((x) => x.type !== 'nat'))
    if (a.commit) {
      const c = conn ?? { mark: 0n, label: 0n }
      c.mark = fields.get('ct_mark')!
      c.label = fields.get('ct_label')!
      if (!conn) this.connections.set(fwd, c)
    }
    return fields
  }
}

/** Applies the ct fields to a packet state (the recirculated copy, or ct_clear with zeros). */
export function setCtFields(st: State, fields?: State): void {
  for (const k of CT_FIELDS) st.set(k, fields?.get(k) ?? 0n)
}
