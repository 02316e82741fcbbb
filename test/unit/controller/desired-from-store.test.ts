/**
 * The store → DesiredState mapping (networking-odl's JSON shapes) and the persistent network
 * tag allocator.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { desiredFromStore, indexDesired, type NodeView } from '../../../src/controller/state/desired-from-store.js'
import { NetworkTags } from '../../../src/controller/state/network-tags.js'
import type { NbObject } from '../../../src/controller/store/object-store.js'
import { nodeFlows } from '../../../src/dataplane/node-flows.js'
import { openDb } from '../../../src/db/connect.js'

function store(objs: Record<string, NbObject[]>) {
  return { list: (c: string) => objs[c] ?? [] }
}

const NODE: NodeView = { id: 'hv1', localIp: '192.0.2.11', bridgeMappings: {}, datapathType: 'netdev', ofports: {}, vifs: new Map([['p1', 5]]) }

describe('desiredFromStore', () => {
  const objs = {
    networks: [
      { id: 'n1', tenant_id: 't1', 'provider:network_type': 'vxlan', 'provider:segmentation_id': '1001', 'provider:physical_network': null },
      { id: 'n2', project_id: 't2', 'provider:network_type': 'geneve', 'provider:segmentation_id': 5 },
    ],
    'security-groups': [{ id: 'sg1', tenant_id: 't1', security_group_rules: [{ id: 'r0', security_group_id: 'sg1', direction: 'egress', ethertype: 'IPv4' }] }],
    'security-group-rules': [
      { id: 'r1', security_group_id: 'sg1', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0', remote_group_id: null },
      { id: 'r0', security_group_id: 'sg1', direction: 'egress', ethertype: 'IPv4' },
      { id: 'bad', security_group_id: 'sg1', direction: 'sideways', ethertype: 'IPv4' },
    ],
    ports: [
      { id: 'p1', network_id: 'n1', mac_address: 'FA:16:3E:00:00:01', fixed_ips: [{ subnet_id: 's1', ip_address: '203.0.113.5' }], security_groups: [{ id: 'sg1' }], 'binding:host_id': 'hv9', allowed_address_pairs: [{ ip_address: '203.0.113.64/26' }], device_owner: 'compute:nova' },
      { id: 'p2', network_id: 'n1', mac_address: 'fa:16:3e:00:00:02', fixed_ips: [], security_groups: ['sg1'], 'binding:host_id': 'hv1', admin_state_up: false, port_security_enabled: false },
      { id: 'p3', network_id: 'n2', mac_address: 'fa:16:3e:00:00:03' },
      { id: 'p4', network_id: 'n1', mac_address: 'not-a-mac' },
      { id: 'p5', network_id: 'n1', mac_address: 'fa:16:3e:00:00:05', security_groups: ['missing'] },
    ],
  } as unknown as Record<string, NbObject[]>

  it('maps networking-odl bodies and leaves out what it cannot map, saying why', () => {
    const { state, skipped } = desiredFromStore(store(objs), [NODE], new Map([['n1', 1], ['n2', 2]]))
    assert.deepEqual(state.networks, [{ id: 'n1', tenantId: 't1', type: 'vxlan', tag: 1, segmentationId: 1001 }])
    assert.deepEqual(state.securityGroups[0]!.rules.map((r) => r.id), ['r0', 'r1'])
    assert.deepEqual(state.securityGroups[0]!.rules[1], { id: 'r1', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '0.0.0.0/0' })
    const [p1, p2] = state.ports
    // plugged on hv1 (iface-id seen there) wins over a stale binding:host_id
    assert.equal(p1!.nodeId, 'hv1')
    assert.equal(p1!.ofport, 5)
    assert.equal(p1!.macAddress, 'fa:16:3e:00:00:01')
    assert.deepEqual(p1!.securityGroupIds, ['sg1'])
    assert.deepEqual(p1!.allowedAddressPairs, [{ ipAddress: '203.0.113.64/26' }])
    assert.equal(p2!.nodeId, 'hv1')
    assert.equal(p2!.ofport, undefined)
    assert.equal(p2!.adminStateUp, false)
    assert.equal(p2!.portSecurityEnabled, false)
    assert.equal(state.ports.length, 2)
    assert.deepEqual(skipped.sort(), [
      'networks/n2: network type geneve is not supported',
      'ports/p3: network n2 is not known',
      'ports/p4: MAC not-a-mac does not parse',
      'ports/p5: unknown security groups missing',
      'security-group-rules/bad: direction sideways',
    ])
    // the result is a valid dataplane input
    assert.ok(nodeFlows(state, 'hv1').length > 0)
  })

  it('is deterministic', () => {
    const a = desiredFromStore(store(objs), [NODE], new Map([['n1', 1]]))
    const b = desiredFromStore(store(objs), [NODE], new Map([['n1', 1]]))
    assert.deepEqual(a, b)
  })
})

describe('indexDesired', () => {
  it('leaves out what the dataplane refuses, one object at a time, and keeps the rest', () => {
    const objs = {
      networks: [{ id: 'n1', tenant_id: 't1', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 1001 }],
      ports: [
        { id: 'good', network_id: 'n1', mac_address: 'fa:16:3e:00:00:01', fixed_ips: [{ ip_address: '203.0.113.5' }], port_security_enabled: false },
        { id: 'badip', network_id: 'n1', mac_address: 'fa:16:3e:00:00:02', fixed_ips: [{ ip_address: '203.0.113.300' }], port_security_enabled: false },
        { id: 'badpair', network_id: 'n1', mac_address: 'fa:16:3e:00:00:03', allowed_address_pairs: [{ ip_address: 'x' }], port_security_enabled: false },
      ],
    } as unknown as Record<string, NbObject[]>
    const node: NodeView = { ...NODE, vifs: new Map([['good', 1], ['badip', 2], ['badpair', 3]]) }
    const { index, skipped } = indexDesired(desiredFromStore(store(objs), [node], new Map([['n1', 1]])))
    assert.deepEqual(index.livePorts.map((p) => p.port.id), ['good'])
    assert.equal(skipped.length, 2)
    assert.match(skipped.join('\n'), /port badip: .*203\.0\.113\.300/)
    assert.match(skipped.join('\n'), /port badpair: /)
  })
})

describe('NetworkTags', () => {
  it('allocates the lowest free tag, keeps tags across a reopen, releases deleted networks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsb-tags-'))
    try {
      const url = `sqlite:///${join(dir, 'tags.sqlite')}`
      let db = openDb(url)
      let tags = await NetworkTags.open(db)
      await tags.sync(['b', 'a', 'c'])
      assert.deepEqual([...tags.snapshot()].sort(), [['a', 1], ['b', 2], ['c', 3]])
      await tags.sync(['a', 'c'])
      await db.close()
      db = openDb(url)
      tags = await NetworkTags.open(db)
      assert.deepEqual([...tags.snapshot()].sort(), [['a', 1], ['c', 3]])
      await tags.sync(['a', 'c', 'd'])
      assert.equal(tags.get('d'), 2)
      await db.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
