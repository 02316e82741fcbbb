/**
 * The dataplane's input model: what the controller knows about nodes, networks, ports and
 * security groups, independent of Neutron's JSON (the controller's store maps its records onto
 * this). Everything here is plain, immutable data; the features are pure functions of it.
 *
 * Facts: /work/shared/spec/facts.md §6 (NetVirt: node config from OVSDB, Neutron-port mapping
 * by iface-id, ofport from Interface.ofport).
 */

export type NetworkType = 'local' | 'flat' | 'vlan' | 'vxlan' | 'gre'
export type TunnelType = 'vxlan' | 'gre'
export type EtherType = 'IPv4' | 'IPv6'

export interface Node {
  /** Host id (Neutron binding:host_id, OVSDB external_ids:system-id). */
  readonly id: string
  /** Tunnel endpoint, Open_vSwitch other_config:local_ip; undefined = no tunnels from this node. */
  readonly localIp?: string
  /** physnet -> provider bridge name (other_config:provider_mappings / bridge_mappings). */
  readonly bridgeMappings: Readonly<Record<string, string>>
  readonly datapathType: 'system' | 'netdev'
  /** Interface name -> OpenFlow port number on the integration bridge, as read from OVSDB
   *  (tunnel ports `vxlan-<hexip>`, patch ports `int-<bridge>`). Missing = not created yet. */
  readonly ofports: Readonly<Record<string, number>>
}

export interface Network {
  readonly id: string
  readonly tenantId: string
  readonly type: NetworkType
  /** VNI / GRE key / VLAN id; none for local and flat. */
  readonly segmentationId?: number
  /** flat and vlan only. */
  readonly physicalNetwork?: string
  /**
   * Stable per-network number 1..65535 the controller allocates once (like the OVS agent's
   * local VLAN): the value of the network register in every node's pipeline.
   */
  readonly tag: number
}

export interface FixedIp {
  readonly subnetId?: string
  readonly ipAddress: string
}

export interface AllowedAddressPair {
  /** An address or a CIDR. */
  readonly ipAddress: string
  /** Defaults to the port's MAC. */
  readonly macAddress?: string
}

export interface Port {
  readonly id: string
  readonly networkId: string
  /** The node the port is bound to (binding:host_id); undefined = unbound, no flows. */
  readonly nodeId?: string
  /** OpenFlow port number on the node's integration bridge; undefined = not plugged yet. */
  readonly ofport?: number
  readonly macAddress: string
  readonly fixedIps: readonly FixedIp[]
  readonly allowedAddressPairs: readonly AllowedAddressPair[]
  readonly adminStateUp: boolean
  readonly portSecurityEnabled: boolean
  readonly securityGroupIds: readonly string[]
  /** network:dhcp, network:router_interface, compute:nova …: informational, wired like any port. */
  readonly deviceOwner: string
}

export interface SecurityGroupRule {
  readonly id: string
  readonly direction: 'ingress' | 'egress'
  readonly ethertype: EtherType
  /** tcp, udp, icmp, icmpv6 / ipv6-icmp, a number 0..255, or undefined = any. */
  readonly protocol?: string
  /** TCP/UDP destination port range; for ICMP min = type, max = code (Neutron's convention). */
  readonly portRangeMin?: number
  readonly portRangeMax?: number
  readonly remoteIpPrefix?: string
  readonly remoteGroupId?: string
}

export interface SecurityGroup {
  readonly id: string
  readonly tenantId: string
  readonly rules: readonly SecurityGroupRule[]
}

export interface DesiredState {
  readonly nodes: readonly Node[]
  readonly networks: readonly Network[]
  readonly ports: readonly Port[]
  readonly securityGroups: readonly SecurityGroup[]
}

/** Per-node compute settings (from the controller's config). */
export interface NodeSettings {
  readonly integrationBridge: string
  /** OpenFlow controller targets for the integration bridge, e.g. ["tcp:192.0.2.1:6653"]. */
  readonly controllerTargets: readonly string[]
}
