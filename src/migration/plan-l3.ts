/**
 * Routers, their ports and extra routes, and floating IPs (neutron havana-eol / icehouse-eol
 * db/l3_db.py, l3_gwmode_db.py, extraroute_db.py) as Neutrino's routers, routerports,
 * routerroutes and floatingips (src/db/migrations.ts version 3).
 *
 * Havana and Icehouse have no routerports table (Kilo's 544673ac99ab_add_router_port_table added
 * it): a router's gateway and interfaces are the ports whose device_owner is
 * network:router_gateway / network:router_interface and whose device_id is the router's id. Each
 * becomes a routerports row with port_type = device_owner, as 544673ac99ab filled the table
 * (without its tenant filter: a port the old plugin treated as the router's stays the router's,
 * or is reported). DVR and HA device owners came with Juno and cannot occur here.
 */
import type { Param } from '../db/engine.js'
import { bool, byId, list, nonNull, str, type PlanChecks, type TablePlan } from './plan-util.js'
import type { SourceData } from './read-source.js'

export const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface'
export const DEVICE_OWNER_ROUTER_GW = 'network:router_gateway'
export const DEVICE_OWNER_FLOATINGIP = 'network:floatingip'

export interface L3Summary {
  routers: number
  gateways: number
  interfaces: number
  routes: number
  floatingIps: number
  associated: number
}

export function planL3(d: SourceData, c: PlanChecks): { tables: TablePlan[]; summary: L3Summary } {
  const { bad, now } = c
  const routers = byId('routers', d.routers, bad)

  // A router's gw_port_id must be its gateway port; every router-owned port must have its router.
  for (const [id, r] of routers) {
    const gw = str(r.gw_port_id)
    if (gw === null || !c.needPort('routers', gw, `the gateway of router ${id}`)) continue
    const p = c.ports.get(gw)!
    if (p.device_owner !== DEVICE_OWNER_ROUTER_GW || str(p.device_id) !== id) {
      bad(`routers: the gateway port ${gw} of router ${id} has device_owner '${p.device_owner}' and device_id '${p.device_id}'`)
    }
  }
  const routerPorts: Param[][] = []
  let interfaces = 0
  for (const [pid, p] of c.ports) {
    const owner = String(p.device_owner)
    if (owner !== DEVICE_OWNER_ROUTER_INTF && owner !== DEVICE_OWNER_ROUTER_GW) continue
    const rid = String(p.device_id)
    const r = routers.get(rid)
    if (!r) {
      bad(`ports: port ${pid} (${owner}) belongs to router '${rid}', which does not exist`)
      continue
    }
    if (owner === DEVICE_OWNER_ROUTER_GW && str(r.gw_port_id) !== pid) {
      bad(`ports: port ${pid} is a gateway port of router ${rid}, whose gw_port_id is ${str(r.gw_port_id) ?? 'NULL'}`)
      continue
    }
    if (owner === DEVICE_OWNER_ROUTER_INTF) interfaces++
    routerPorts.push([rid, pid, owner])
  }

  const routes: Param[][] = []
  for (const rt of d.routerRoutes) {
    const rid = str(rt.router_id)
    if (rid === null || !routers.has(rid)) bad(`routerroutes: route ${rt.destination} via ${rt.nexthop} belongs to router ${rid ?? 'NULL'}, which does not exist`)
    else if (nonNull('routerroutes', rt, ['destination', 'nexthop'], bad, `of router ${rid}`)) routes.push([String(rt.destination), String(rt.nexthop), rid])
  }

  const fips: Param[][] = []
  const associations = new Map<string, string>()
  for (const [id, f] of byId('floatingips', d.floatingIps, bad)) {
    if (!nonNull('floatingips', f, ['floating_ip_address', 'floating_network_id', 'floating_port_id'], bad)) continue
    const net = String(f.floating_network_id)
    if (!c.networks.has(net)) {
      bad(`floatingips: floating IP ${id} is on network ${net}, which does not exist`)
      continue
    }
    if (!c.needPort('floatingips', f.floating_port_id, `floating IP ${id}`)) continue
    const fixed = str(f.fixed_port_id)
    if (fixed !== null && !c.needPort('floatingips', fixed, `the association of floating IP ${id}`)) continue
    const rid = str(f.router_id)
    if (rid !== null && !routers.has(rid)) {
      bad(`floatingips: floating IP ${id} is associated through router ${rid}, which does not exist`)
      continue
    }
    const fixedIp = str(f.fixed_ip_address)
    if (fixed !== null && fixedIp !== null) {
      // Neutrino's uniq_floatingips0floatingnetworkid0fixedportid0fixedipaddress (Neutron's since Liberty).
      const key = `${net} ${fixed} ${fixedIp}`
      const other = associations.get(key)
      if (other) {
        bad(`floatingips: floating IPs ${other} and ${id} on network ${net} are both associated with ${fixedIp} of port ${fixed}`)
        continue
      }
      associations.set(key, id)
    }
    // status is NULL before Icehouse's 2eeaf963a447 and until an agent reported it: DOWN, what
    // Neutrino shows for a floating IP no agent has reported.
    fips.push([id, str(f.tenant_id) ?? '', String(f.floating_ip_address), net, String(f.floating_port_id), fixed, fixedIp, rid, str(f.last_known_router_id), str(f.status) ?? 'DOWN', '', 0, now, now])
  }

  // A floating IP's port left behind by its floating IP (a failed delete): kept, but said.
  const fipPorts = new Set(d.floatingIps.map((f) => str(f.floating_port_id)))
  const orphans = [...c.ports].filter(([pid, p]) => p.device_owner === DEVICE_OWNER_FLOATINGIP && !fipPorts.has(pid)).map(([pid]) => pid)
  if (orphans.length) c.warn(`${orphans.length} port(s) owned by network:floatingip belong to no floating IP (migrated as they are): ${list(orphans)}`)

  const std = ['description', 'revision_number', 'created_at', 'updated_at']
  const routerRows = [...routers.values()].map((r): Param[] => [
    String(r.id), str(r.tenant_id) ?? '', str(r.name) ?? '', str(r.status) ?? 'ACTIVE', bool(r.admin_state_up, true), str(r.gw_port_id),
    // ext-gw-mode's column default; NULL only where the source lacks the column.
    bool(r.enable_snat, true), '', 0, now, now,
  ])
  return {
    tables: [
      { table: 'routers', columns: ['id', 'project_id', 'name', 'status', 'admin_state_up', 'gw_port_id', 'enable_snat', ...std], key: ['id'], mode: 'insert', rows: routerRows },
      { table: 'routerports', columns: ['router_id', 'port_id', 'port_type'], key: ['router_id', 'port_id'], mode: 'insert', rows: routerPorts },
      { table: 'routerroutes', columns: ['destination', 'nexthop', 'router_id'], key: ['destination', 'nexthop', 'router_id'], mode: 'insert', rows: routes },
      {
        table: 'floatingips',
        columns: ['id', 'project_id', 'floating_ip_address', 'floating_network_id', 'floating_port_id', 'fixed_port_id', 'fixed_ip_address', 'router_id', 'last_known_router_id', 'status', ...std],
        key: ['id'],
        mode: 'insert',
        rows: fips,
      },
    ],
    summary: {
      routers: routers.size,
      gateways: routerRows.filter((r) => r[5] !== null).length,
      interfaces,
      routes: routes.length,
      floatingIps: fips.length,
      associated: fips.filter((f) => f[5] !== null).length,
    },
  }
}
