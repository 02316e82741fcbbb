/**
 * q-plugin security group methods for iptables-firewall agents (neutron/api/rpc/handlers/
 * securitygroups_rpc.py SecurityGroupServerRpcCallback, target 1.3; db/securitygroups_rpc_base.py).
 *
 * security_group_info_for_devices (recorded, seq 182): per port its API dict + the provider
 * rules the server adds (DHCP replies in, IPv6 DHCP replies from link-local), the groups it
 * references as remote, and `device`; per group its rules in the compact form (direction,
 * ethertype, stateful, then only the set fields, the prefix named source_/dest_ip_prefix by
 * direction); per referenced group the member (ip, mac) pairs.
 * security_group_rules_for_devices (older agents): the same ports with every rule expanded,
 * remote groups replaced by their members' prefixes.
 */
import type { Logger } from '../../common/log.js'
import type { RpcEndpoint } from '../../messaging/types.js'
import type { Ml2Backend } from '../ml2-backend.js'
import { strList } from '../rpc-failures.js'
import { endpoint } from './endpoint.js'

type Dict = Record<string, any>
type Args = Record<string, unknown>

export class SecurityGroupsRpc {
  constructor(
    private readonly backend: Ml2Backend,
    private readonly log: Logger,
  ) {}

  endpoint(): RpcEndpoint {
    return endpoint('1.3', {
      security_group_info_for_devices: (_c, a) => this.infoForDevices(a),
      security_group_rules_for_devices: (_c, a) => this.rulesForDevices(a),
    }, this.log)
  }

  /** The devices' ports (device name → port dict), unknown devices left out as Neutron does. */
  private async ports(devices: string[]): Promise<Array<{ device: string; port: Dict }>> {
    const out: Array<{ device: string; port: Dict }> = []
    for (const device of devices) {
      const id = await this.backend.resolveDevice(device)
      const port = id ? await this.backend.port(id) : null
      if (port) out.push({ device, port })
    }
    return out
  }

  private portEntry(device: string, port: Dict, levels: Array<{ level: number; driver: string | null }>): Dict {
    const v4 = (port.fixed_ips ?? []).filter((f: Dict) => !String(f.ip_address).includes(':'))
    const hasV6 = (port.fixed_ips ?? []).some((f: Dict) => String(f.ip_address).includes(':'))
    const dhcp = (ethertype: string, min: number, src: number, prefix: string) => ({
      direction: 'ingress', ethertype, protocol: 'udp', port_range_min: min, port_range_max: min,
      source_port_range_min: src, source_port_range_max: src, dest_ip_prefix: prefix,
    })
    const rules = [
      ...v4.map((f: Dict) => dhcp('IPv4', 68, 67, `${f.ip_address}/32`)),
      ...(v4.length ? [dhcp('IPv4', 68, 67, '255.255.255.255/32')] : []),
      ...(v4.length || hasV6 ? [dhcp('IPv6', 546, 547, 'fe80::/64')] : []),
    ]
    const details = { ...(port['binding:vif_details'] ?? {}) }
    if (levels.length) details.bound_drivers = Object.fromEntries(levels.map((l) => [String(l.level), l.driver]))
    return {
      ...port,
      fixed_ips: (port.fixed_ips ?? []).map((f: Dict) => f.ip_address),
      'binding:vif_details': details,
      security_group_rules: rules,
      device,
    }
  }

  async infoForDevices(a: Args): Promise<Dict> {
    const found = await this.ports(strList(a, 'devices', 'security_group_info_for_devices'))
    const levels = await this.backend.bindingLevels(found.map((f) => f.port.id))
    const groupIds = [...new Set(found.flatMap((f) => f.port.security_groups as string[]))].sort()
    const rules = await this.backend.securityGroupRules({ security_group_id: groupIds })
    const stateful = new Map((await this.backend.securityGroups(groupIds)).map((g) => [g.group.id, g.group.stateful]))
    const securityGroups: Record<string, Dict[]> = Object.fromEntries(groupIds.map((g) => [g, []]))
    const remotes = new Set<string>()
    for (const r of rules) {
      const c: Dict = { direction: r.direction, ethertype: r.ethertype, stateful: stateful.get(r.security_group_id) ?? true }
      if (r.protocol !== null) c.protocol = r.protocol
      if (r.port_range_min !== null) c.port_range_min = r.port_range_min
      if (r.port_range_max !== null) c.port_range_max = r.port_range_max
      if (r.remote_ip_prefix !== null) c[r.direction === 'ingress' ? 'source_ip_prefix' : 'dest_ip_prefix'] = r.remote_ip_prefix
      if (r.remote_group_id !== null) {
        c.remote_group_id = r.remote_group_id
        remotes.add(r.remote_group_id)
      }
      securityGroups[r.security_group_id]!.push(c)
    }
    const devices: Record<string, Dict> = {}
    for (const f of found) {
      const e = this.portEntry(f.device, f.port, levels.get(f.port.id) ?? [])
      const sources = (f.port.security_groups as string[]).filter((g) => remotes.has(g) || rules.some((r) => r.security_group_id === g && r.remote_group_id))
      const { device, ...rest } = e
      devices[f.port.id] = { ...rest, security_group_source_groups: [...new Set(sources)], security_group_remote_address_groups: [], device }
    }
    return { devices, security_groups: securityGroups, sg_member_ips: await this.backend.securityGroupMemberIps([...remotes].sort()) }
  }

  async rulesForDevices(a: Args): Promise<Dict> {
    const info = await this.infoForDevices({ devices: strList(a, 'devices', 'security_group_rules_for_devices') })
    const out: Record<string, Dict> = {}
    for (const [id, port] of Object.entries(info.devices as Record<string, Dict>)) {
      const expanded: Dict[] = [...port.security_group_rules]
      for (const g of port.security_groups as string[]) {
        for (const r of (info.security_groups[g] ?? []) as Dict[]) {
          const { remote_group_id: remote, ...rest } = r
          if (!remote) {
            expanded.push({ ...rest, security_group_id: g })
            continue
          }
          const members = (info.sg_member_ips[remote]?.[r.ethertype] ?? []) as Array<[string, string | null]>
          for (const [ip] of members) {
            if ((port.fixed_ips as string[]).includes(ip)) continue
            const key = r.direction === 'ingress' ? 'source_ip_prefix' : 'dest_ip_prefix'
            expanded.push({ ...rest, security_group_id: g, [key]: `${ip}/${ip.includes(':') ? 128 : 32}` })
          }
        }
      }
      out[id] = { ...port, security_group_rules: expanded }
    }
    return out
  }
}
