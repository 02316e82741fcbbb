/**
 * The text form is the contract with the appliers: every flow the dataplane computes must be
 * accepted by a real ovs-vswitchd (netdev) as written, and read back identical (ovs-ofctl
 * diff-flows empty), so a desired-vs-installed diff converges to nothing. The state exercises
 * every feature: VXLAN, GRE, VLAN and flat networks, IPv6, allowed address pairs with CIDRs and
 * their own MACs, port ranges, ICMP types, remote groups sharing members (merged conjunctions),
 * an unsecured and a network:dhcp port.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { DesiredState } from '../../../src/dataplane/desired-state.js'
import { renderFlow } from '../../../src/dataplane/flow.js'
import { nodeFlows } from '../../../src/dataplane/node-flows.js'
import { needComponent } from '../../helpers/components.js'
import { converge, INTEGRATION_BRIDGE, labNode } from '../../helpers/dataplane-lab.js'
import { OvsLab } from '../../helpers/ovs-lab.js'
import { DEFAULT_SG, NET_A, NET_F, NET_G, NET_V, port } from '../../fixtures/dataplane-states.js'

const skip = needComponent('Open vSwitch', ['ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-ofctl', 'ip'])

describe('computed flows on a real ovs-vswitchd', { skip, timeout: 120_000 }, () => {
  let lab: OvsLab
  before(() => {
    lab = new OvsLab('ndp')
    lab.addHypervisor('hv1', '198.51.100.1')
    lab.addHypervisor('hv2', '198.51.100.2')
  })
  after(() => lab?.stop())

  it('installs every flow as written and reads back no difference', async () => {
    const [hv1, hv2] = lab.hypervisors as [typeof lab.hypervisors[0], typeof lab.hypervisors[0]]
    const state: DesiredState = {
      nodes: [labNode(hv1), labNode(hv2)],
      networks: [NET_A, NET_G, NET_V, NET_F],
      securityGroups: [DEFAULT_SG, { id: 'sg-x', tenantId: 't1', rules: [
        { id: 'x-tcp', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: 1000, portRangeMax: 1999, remoteIpPrefix: '192.0.2.0/24' },
        { id: 'x-icmp6', direction: 'ingress', ethertype: 'IPv6', protocol: 'icmp', portRangeMin: 128, portRangeMax: 0, remoteGroupId: 'sg-default' },
        { id: 'x-grp', direction: 'ingress', ethertype: 'IPv4', protocol: 'udp', remoteGroupId: 'sg-default' },
        { id: 'x-e', direction: 'egress', ethertype: 'IPv4', protocol: '132', remoteIpPrefix: '203.0.113.0/25' },
      ] }],
      ports: [
        port('p1', 'net-a', 'hv1', 101, 'fa:16:3e:00:00:01', ['203.0.113.11', '2001:db8::11'], { securityGroupIds: ['sg-default', 'sg-x'],
          allowedAddressPairs: [{ ipAddress: '203.0.113.128/25', macAddress: 'fa:16:3e:aa:bb:cc' }, { ipAddress: '2001:db8:1::/64' }] }),
        port('p2', 'net-a', 'hv2', 101, 'fa:16:3e:00:00:02', ['203.0.113.12'], { securityGroupIds: ['sg-default'] }),
        port('p3', 'net-v', 'hv1', 103, 'fa:16:3e:00:00:03', ['192.0.2.3'], { portSecurityEnabled: false }),
        port('p4', 'net-g', 'hv1', 104, 'fa:16:3e:00:00:04', ['192.0.2.4'], { securityGroupIds: ['sg-x'] }),
        port('p5', 'net-g', 'hv2', 104, 'fa:16:3e:00:00:05', ['192.0.2.5'], { securityGroupIds: ['sg-default'] }),
        port('p6', 'net-f', 'hv1', 106, 'fa:16:3e:00:00:06', ['198.51.100.66']),
        port('p7', 'net-v', 'hv2', 107, 'fa:16:3e:00:00:07', ['192.0.2.7']),
        port('dhcp', 'net-a', 'hv1', 108, 'fa:16:3e:00:00:08', ['203.0.113.2'], { deviceOwner: 'network:dhcp', securityGroupIds: ['sg-default'] }),
      ],
    }
    // rows first (bridges, tunnels, patches), then the flows with the ofports OVSDB assigned
    const filled = await converge(lab, state)
    for (const hv of [hv1, hv2]) {
      const flows = nodeFlows(filled, hv.id)
      assert.ok(flows.some((f) => f.actions.some((a) => a.startsWith('conjunction('))), 'the state exercises conjunctions')
      const file = join(hv.dir, 'desired.flows')
      writeFileSync(file, flows.map(renderFlow).join('\n') + '\n')
      const diff = hv.ofctl('diff-flows', INTEGRATION_BRIDGE, file)
      assert.equal(diff, '', `${hv.id}: installed flows differ from the computed ones:\n${diff}`)
      const n = hv.dumpFlows(INTEGRATION_BRIDGE).length
      assert.equal(n, flows.length, `${hv.id}: ${n} flows installed, ${flows.length} computed`)
    }
  })
})
