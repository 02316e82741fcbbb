/**
 * Security groups, their rules and port bindings (neutron havana-eol / icehouse-eol
 * db/securitygroups_db.py, alembic 3cb5d900c5de) as Neutrino's securitygroups,
 * securitygrouprules, securitygroupportbindings and default_security_group (src/db/migrations.ts
 * version 5).
 *
 * Havana and Icehouse have no default_security_group table: a project's default group is its
 * group named 'default' (_ensure_default_security_group looked it up by name). Each project with
 * such a group gets a default_security_group row, so the server finds it instead of creating a
 * second one on the project's first request. Groups are stateful (the only kind before Stein).
 */
import type { Param } from '../db/engine.js'
import { byId, int, list, str, type PlanChecks, type TablePlan } from './plan-util.js'
import type { SourceData } from './read-source.js'

export interface SecurityGroupSummary {
  groups: number
  rules: number
  portBindings: number
  defaults: number
}

export function planSecurityGroups(d: SourceData, c: PlanChecks): { tables: TablePlan[]; summary: SecurityGroupSummary } {
  const { bad, now } = c
  const groups = byId('securitygroups', d.securityGroups, bad)

  const rules: Param[][] = []
  for (const [id, r] of byId('securitygrouprules', d.securityGroupRules, bad)) {
    const sg = str(r.security_group_id)
    if (sg === null || !groups.has(sg)) {
      bad(`securitygrouprules: rule ${id} belongs to security group ${sg ?? 'NULL'}, which does not exist`)
      continue
    }
    const remote = str(r.remote_group_id)
    if (remote !== null && !groups.has(remote)) {
      bad(`securitygrouprules: rule ${id} of security group ${sg} names remote group ${remote}, which does not exist`)
      continue
    }
    const direction = str(r.direction)
    if (direction !== 'ingress' && direction !== 'egress') {
      bad(`securitygrouprules: rule ${id} has direction ${direction === null ? 'NULL' : `'${direction}'`}`)
      continue
    }
    const ethertype = str(r.ethertype)
    if (ethertype !== 'IPv4' && ethertype !== 'IPv6') {
      bad(`securitygrouprules: rule ${id} has ethertype ${ethertype === null ? 'NULL' : `'${ethertype}'`}`)
      continue
    }
    rules.push([
      id, str(r.tenant_id) ?? '', sg, remote, direction, ethertype, str(r.protocol), int(r.port_range_min), int(r.port_range_max), str(r.remote_ip_prefix),
      '', 0, now, now,
    ])
  }

  const bindings: Param[][] = []
  const bound = new Set<string>()
  for (const b of d.securityGroupPorts) {
    const sg = str(b.security_group_id)
    if (!c.needPort('securitygroupportbindings', b.port_id, `the binding to security group ${sg ?? 'NULL'}`)) continue
    const pid = String(b.port_id)
    if (sg === null || !groups.has(sg)) bad(`securitygroupportbindings: port ${pid} is bound to security group ${sg ?? 'NULL'}, which does not exist`)
    else if (bound.has(`${pid} ${sg}`)) bad(`securitygroupportbindings: port ${pid} is bound to security group ${sg} twice`)
    else {
      bound.add(`${pid} ${sg}`)
      bindings.push([pid, sg])
    }
  }

  // The first 'default' group of each project (in id order) is its default group.
  const defaults = new Map<string, string[]>()
  for (const [id, g] of groups) {
    const project = str(g.tenant_id)
    if (g.name !== 'default' || !project) continue
    const ids = defaults.get(project)
    if (ids) ids.push(id)
    else defaults.set(project, [id])
  }
  for (const [project, ids] of defaults) {
    ids.sort()
    if (ids.length > 1) c.warn(`project ${project} has ${ids.length} security groups named 'default' (${list(ids)}); ${ids[0]} becomes its default group`)
  }

  const std = ['description', 'revision_number', 'created_at', 'updated_at']
  return {
    tables: [
      {
        table: 'securitygroups',
        columns: ['id', 'project_id', 'name', 'stateful', ...std],
        key: ['id'],
        mode: 'insert',
        rows: [...groups.values()].map((g) => [String(g.id), str(g.tenant_id) ?? '', str(g.name) ?? '', true, str(g.description) ?? '', 0, now, now]),
      },
      {
        table: 'securitygrouprules',
        columns: ['id', 'project_id', 'security_group_id', 'remote_group_id', 'direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix', ...std],
        key: ['id'],
        mode: 'insert',
        rows: rules,
      },
      { table: 'securitygroupportbindings', columns: ['port_id', 'security_group_id'], key: ['port_id', 'security_group_id'], mode: 'insert', rows: bindings },
      {
        table: 'default_security_group',
        columns: ['project_id', 'security_group_id'],
        key: ['project_id'],
        mode: 'insert',
        rows: [...defaults].map(([project, ids]) => [project, ids[0]!]),
      },
    ],
    summary: { groups: groups.size, rules: rules.length, portBindings: bindings.length, defaults: defaults.size },
  }
}
