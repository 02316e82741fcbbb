/** Small desired states for the dataplane unit tests. */
import type { DesiredState, Network, Node, Port, SecurityGroup } from '../../../src/dataplane/desired-state.js'

export function node(id: string, localIp: string | undefined, ofports: Record<string, number> = {}, bridgeMappings: Record<string, string> = {}): Node {
  return { id, ...(localIp ? { localIp } : {}), bridgeMappings, datapathType: 'netdev', ofports }
}

export function port(id: string, networkId: string, nodeId: string | undefined, ofport: number | undefined, mac: string, ips: string[], over: Partial<Port> = {}): Port {
  return {
    id, networkId, ...(nodeId ? { nodeId } : {}), ...(ofport !== undefined ? { ofport } : {}), macAddress: mac,
    fixedIps: ips.map((ipAddress) => ({ ipAddress })), allowedAddressPairs: [], adminStateUp: true,
    portSecurityEnabled: true, securityGroupIds: [], deviceOwner: 'compute:nova', ...over,
  }
}

export const NET_A: Network = { id: 'net-a', tenantId: 't1', type: 'vxlan', segmentationId: 100, tag: 1 }
export const NET_G: Network = { id: 'net-g', tenantId: 't1', type: 'gre', segmentationId: 200, tag: 2 }
export const NET_V: Network = { id: 'net-v', tenantId: 't1', type: 'vlan', segmentationId: 42, physicalNetwork: 'physnet1', tag: 3 }
export const NET_F: Network = { id: 'net-f', tenantId: 't1', type: 'flat', physicalNetwork: 'physnet1', tag: 4 }

export const DEFAULT_SG: SecurityGroup = {
  id: 'sg-default', tenantId: 't1', rules: [
    { id: 'd-e4', direction: 'egress', ethertype: 'IPv4' },
    { id: 'd-e6', direction: 'egress', ethertype: 'IPv6' },
    { id: 'd-i4', direction: 'ingress', ethertype: 'IPv4', remoteGroupId: 'sg-default' },
    { id: 'd-i6', direction: 'ingress', ethertype: 'IPv6', remoteGroupId: 'sg-default' },
  ],
}

/**
 * hv1 (198.51.100.1): p1 (net-a, ofport 1), p3 (net-v, ofport 3); hv2 (198.51.100.2): p2
 * (net-a, ofport 1); hv3 (198.51.100.3): p4 (net-g). Tunnel and patch ports reported.
 */
export function threeNodes(): DesiredState {
  return {
    nodes: [
      node('hv1', '198.51.100.1', { 'vxlan-c6336402': 10, 'vxlan-c6336403': 11, 'int-brphy': 20 }, { physnet1: 'brphy' }),
      node('hv2', '198.51.100.2', { 'vxlan-c6336401': 10, 'int-brphy': 20 }, { physnet1: 'brphy' }),
      node('hv3', '198.51.100.3', { 'gre-c6336401': 12 }, {}),
    ],
    networks: [NET_A, NET_G, NET_V, NET_F],
    ports: [
      port('p1', 'net-a', 'hv1', 1, 'fa:16:3e:00:00:01', ['203.0.113.11', '2001:db8::11'], { securityGroupIds: ['sg-default'] }),
      port('p2', 'net-a', 'hv2', 1, 'fa:16:3e:00:00:02', ['203.0.113.12'], { securityGroupIds: ['sg-default'] }),
      port('p3', 'net-v', 'hv1', 3, 'fa:16:3e:00:00:03', ['192.0.2.3'], { portSecurityEnabled: false }),
      port('p4', 'net-g', 'hv3', 4, 'fa:16:3e:00:00:04', ['192.0.2.4']),
    ],
    securityGroups: [DEFAULT_SG],
  }
}
