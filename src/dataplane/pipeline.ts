/**
 * The integration bridge's OpenFlow pipeline, declared once (faucet_pipeline.py style): every
 * table's number, purpose, the tables it may jump to and its miss action. Features jump only
 * through goto()/ctTo(), which refuse an undeclared jump; docs/dataplane.md's table is
 * rendered from this declaration and a unit test fails on drift.
 *
 * Layout follows the NetVirt OF1.3 idea (facts.md §6: classifier, ARP responder, egress ACL,
 * ingress ACL, L2 forwarding, reg0 local/remote marker) with conntrack-based ACLs.
 */
import { cookie, CookieCategory } from './cookie.js'
import { flow, type Flow } from './flow.js'

export type Miss = 'drop' | { readonly goto: TableName }

export interface TableDecl {
  readonly number: number
  readonly purpose: string
  readonly next: readonly TableName[]
  readonly miss: Miss
}

export type TableName =
  | 'CLASSIFIER' | 'PORT_SECURITY' | 'EGRESS_CT' | 'EGRESS_ACL' | 'ARP_RESPONDER'
  | 'L2_FORWARDING' | 'FLOOD' | 'INGRESS_CT' | 'INGRESS_ACL' | 'OUTPUT'

export const PIPELINE: Readonly<Record<TableName, TableDecl>> = {
  CLASSIFIER: {
    number: 0,
    purpose: 'Identify the network: VM port (in_port) → reg6=tag, reg5=ofport, reg0=1; tunnel (in_port+tun_id) or provider patch (in_port+VLAN, pop_vlan) → reg6=tag, reg0=2. Admin-down and unknown ports have no entry.',
    next: ['PORT_SECURITY', 'L2_FORWARDING'],
    miss: 'drop',
  },
  PORT_SECURITY: {
    number: 10,
    purpose: 'Anti-spoofing per VM port: source MAC with its fixed IPs and allowed address pairs, ARP sha/spa, IPv6 ND nd_sll/nd_target, DHCP client; anything else from the port is dropped. Ports without port security pass.',
    next: ['EGRESS_CT'],
    miss: 'drop',
  },
  EGRESS_CT: {
    number: 20,
    purpose: 'IPv4/IPv6 from a port with port security goes through conntrack in the port\'s zone (reg5); ports without port security, DHCP/ND client traffic and non-IP (ARP) skip the ACL.',
    next: ['EGRESS_ACL', 'ARP_RESPONDER'],
    miss: { goto: 'ARP_RESPONDER' },
  },
  EGRESS_ACL: {
    number: 21,
    purpose: 'Security groups, egress: invalid dropped, established/related pass, new connections allowed by the port\'s egress rules are committed.',
    next: ['ARP_RESPONDER'],
    miss: 'drop',
  },
  ARP_RESPONDER: {
    number: 30,
    purpose: 'Answers ARP requests for known IPv4 addresses of the network (fixed IPs of bound, admin-up ports) back out of the in_port.',
    next: ['L2_FORWARDING'],
    miss: { goto: 'L2_FORWARDING' },
  },
  L2_FORWARDING: {
    number: 40,
    purpose: 'Known destination MAC: local port → reg7=ofport; remote port → tun_id + tunnel port, or VLAN push + patch port (local origin only). Everything else is flooded.',
    next: ['FLOOD', 'INGRESS_CT'],
    miss: { goto: 'FLOOD' },
  },
  FLOOD: {
    number: 45,
    purpose: 'Broadcast, multicast and unknown unicast within the network only: to local ports, and (local origin only: split horizon) to the tunnels of nodes that have the network or the provider patch. IP floods reach ports with port security only for DHCP/ND.',
    next: [],
    miss: 'drop',
  },
  INGRESS_CT: {
    number: 50,
    purpose: 'IPv4/IPv6 to a port with port security goes through conntrack in the destination port\'s zone (reg7); DHCP/ND replies and the rest go straight to output.',
    next: ['INGRESS_ACL', 'OUTPUT'],
    miss: { goto: 'OUTPUT' },
  },
  INGRESS_ACL: {
    number: 51,
    purpose: 'Security groups, ingress: invalid dropped, established/related pass, new connections allowed by the port\'s ingress rules (remote prefix or remote group members) are committed.',
    next: ['OUTPUT'],
    miss: 'drop',
  },
  OUTPUT: {
    number: 60,
    purpose: 'reg7=ofport → output to that port.',
    next: [],
    miss: 'drop',
  },
}

export const TABLE_NAMES = (Object.keys(PIPELINE) as TableName[]).sort((a, b) => PIPELINE[a].number - PIPELINE[b].number)

/** Table number of a declared table. */
export function T(name: TableName): number {
  return PIPELINE[name].number
}

function checkJump(from: TableName, to: TableName): void {
  const decl = PIPELINE[from]
  if (!decl.next.includes(to)) throw new Error(`pipeline: ${from} may not jump to ${to} (declared next: ${decl.next.join(', ') || 'none'})`)
}

/** The goto_table instruction from `from` to `to`; throws for an undeclared jump. */
export function goto(from: TableName, to: TableName): string {
  checkJump(from, to)
  return `goto_table:${T(to)}`
}

/** ct(table=…) from `from` to `to` in the zone held by a register (a declared jump too). */
export function ctTo(from: TableName, to: TableName, zoneReg: 'reg5' | 'reg7'): string {
  checkJump(from, to)
  return `ct(table=${T(to)},zone=NXM_NX_${zoneReg.toUpperCase()}[0..15])`
}

/** ct(commit) in a register's zone, then goto. */
export function commitTo(from: TableName, to: TableName, zoneReg: 'reg5' | 'reg7'): string[] {
  return [`ct(commit,zone=NXM_NX_${zoneReg.toUpperCase()}[0..15])`, goto(from, to)]
}

/** Priority-0 miss flows of every table, from the declaration. */
export function missFlows(): Flow[] {
  const c = cookie(CookieCategory.Pipeline)
  return TABLE_NAMES.map((name) => {
    const m = PIPELINE[name].miss
    return flow(T(name), 0, c, {}, m === 'drop' ? ['drop'] : [goto(name, m.goto)])
  })
}

/** The Markdown table docs/dataplane.md carries between its pipeline markers. */
export function renderPipelineMarkdown(): string {
  const rows = TABLE_NAMES.map((n) => {
    const d = PIPELINE[n]
    const miss = d.miss === 'drop' ? 'drop' : `goto ${d.miss.goto} (${T(d.miss.goto)})`
    const next = d.next.map((x) => `${x} (${T(x)})`).join(', ') || '—'
    return `| ${d.number} | ${n} | ${d.purpose} | ${next} | ${miss} |`
  })
  return ['| Table | Name | Purpose | May jump to | Miss |', '|---|---|---|---|---|', ...rows].join('\n')
}
