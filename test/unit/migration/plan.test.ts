/** buildPlan (src/migration/plan.ts) on fixture rows, no database: the facts §4 mapping. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MigrationError } from '../../../src/migration/errors.js'
import { buildPlan, type Plan } from '../../../src/migration/plan.js'
import type { SourceData } from '../../../src/migration/read-source.js'
import { oddFixture, smallFixture, type Fixture } from '../../fixtures/migration/fixtures.js'

const NOW = new Date('2014-04-17T10:00:00.123Z')

function data(f: Fixture): SourceData {
  const r = (t: string) => (f.rows[t] ?? []) as any[]
  const ovs = f.plugin === 'openvswitch'
  return {
    plugin: f.plugin,
    schemaVersion: 'icehouse',
    networks: r('networks'), subnets: r('subnets'), pools: r('ipallocationpools'), dns: r('dnsnameservers'), routes: r('subnetroutes'),
    ports: r('ports'), ips: r('ipallocations'), pairs: r('allowedaddresspairs'), dhcpOpts: r('extradhcpopts'), external: r('externalnetworks'),
    netSecurity: [], portSecurity: [],
    segments: r(ovs ? 'ovs_network_bindings' : 'network_bindings'),
    vlanAllocated: r(ovs ? 'ovs_vlan_allocations' : 'network_states').filter((x) => x.allocated),
    tunnelAllocated: r('ovs_tunnel_allocations').filter((x) => x.allocated),
    tunnelEndpoints: r('ovs_tunnel_endpoints'),
    portBindings: r('portbindingports'),
    routers: r('routers'), routerRoutes: r('routerroutes'), floatingIps: r('floatingips'),
    securityGroups: r('securitygroups'), securityGroupRules: r('securitygrouprules'), securityGroupPorts: r('securitygroupportbindings'),
    agents: r('agents'), quotas: r('quotas'),
    carried: [],
  }
}

let n = 0
const plan = (f: Fixture, o: Partial<Parameters<typeof buildPlan>[1]> = {}) => buildPlan(data(f), { now: NOW, newId: () => `seg-${++n}`, tunnelType: f.tunnelType, ...o })
const table = (p: Plan, t: string) => p.tables.find((x) => x.table === t)!
const col = (p: Plan, t: string, c: string) => table(p, t).rows.map((r) => r[table(p, t).columns.indexOf(c)])

test('linuxbridge vlan_id decoding: -2 local, -1 flat, n vlan', () => {
  const p = plan(oddFixture('linuxbridge'))
  const segs = table(p, 'ml2_network_segments').rows.map((r) => [r[2], r[3], r[4]])
  assert.ok(segs.some(([t, , s]) => t === 'local' && s === null))
  assert.ok(segs.some(([t, ph, s]) => t === 'flat' && ph === 'physnet1' && s === null))
  assert.ok(segs.some(([t, ph, s]) => t === 'vlan' && ph === 'physnet2' && s === 5))
  assert.deepEqual(p.summary.segments, { flat: 2, local: 1, vlan: 4 })
})

test('network MTU from the segment type: vxlan 1450, gre 1458, others 1500', () => {
  const ovs = plan(smallFixture('openvswitch'))
  assert.deepEqual(col(ovs, 'networks', 'mtu'), smallFixture('openvswitch').rows.networks!.map((x) => (x.name === 'net-vxlan-7' ? 1450 : 1500)))
  const odd = plan(oddFixture('openvswitch'))
  const mtus = new Map(table(odd, 'networks').rows.map((r) => [r[0], r[8]]))
  for (const b of oddFixture('openvswitch').rows.ovs_network_bindings!) {
    assert.equal(mtus.get(b.network_id as string), b.network_type === 'gre' ? 1458 : 1500)
  }
})

test('defaults for columns Icehouse lacked; timestamps at second precision', () => {
  const p = plan(oddFixture('openvswitch'))
  const t = table(p, 'ports')
  for (const r of t.rows) {
    assert.equal(r[t.columns.indexOf('port_security_enabled')], true)
    assert.equal(r[t.columns.indexOf('revision_number')], 0)
    assert.equal(r[t.columns.indexOf('description')], '')
    assert.equal(r[t.columns.indexOf('created_at')], '2014-04-17T10:00:00Z')
  }
  assert.deepEqual(col(p, 'extradhcpopts', 'ip_version'), [4, 4])
})

test('allocations: source allocated rows ∪ segment ids, flat physnets included', () => {
  const p = plan(oddFixture('openvswitch'))
  assert.deepEqual(table(p, 'ml2_vlan_allocations').rows, [['physnet1', 100, true], ['physnet1', 120, true], ['physnet1', 150, true], ['physnet1', 300, true], ['physnet2', 5, true]])
  assert.deepEqual(table(p, 'ml2_flat_allocations').rows, [['physnet1'], ['physnet3']])
  assert.deepEqual(col(p, 'ml2_gre_allocations', 'gre_id'), [1, 5, 42, 100])
  assert.deepEqual(col(p, 'ml2_gre_endpoints', 'ip_address'), ['203.0.113.21', '203.0.113.22', '203.0.113.23'])
})

test('without --tunnel-type: segment ids still allocated, endpoints skipped with a warning', () => {
  const p = plan(oddFixture('openvswitch'), { tunnelType: undefined })
  assert.deepEqual(col(p, 'ml2_gre_allocations', 'gre_id'), [1, 5, 42, 100]) // type inferred from the gre segments
  assert.equal(p.tables.some((t) => t.table === 'ml2_gre_endpoints'), false)
  assert.ok(p.warnings.some((w) => /3 tunnel endpoint\(s\) not migrated/.test(w)))
})

test('port bindings: constant vif_type and driver, level 0 on the network segment; unbound ports', () => {
  const f = oddFixture('linuxbridge')
  const p = plan(f)
  const b = table(p, 'ml2_port_bindings')
  assert.equal(b.rows.length, f.rows.ports!.length)
  const bound = b.rows.filter((r) => r[4] === 'bridge')
  assert.equal(bound.length, f.rows.portbindingports!.filter((x) => x.host).length)
  assert.ok(b.rows.filter((r) => r[4] === 'unbound').every((r) => r[1] === ''))
  const segs = new Map(table(p, 'ml2_network_segments').rows.map((r) => [r[1], r[0]]))
  const portNet = new Map(f.rows.ports!.map((x) => [x.id, x.network_id]))
  for (const l of table(p, 'ml2_port_binding_levels').rows) {
    assert.equal(l[2], 0)
    assert.equal(l[3], 'linuxbridge')
    assert.equal(l[4], segs.get(portNet.get(l[0] as string) as string))
  }
})

test('dns nameserver order follows the source order per subnet', () => {
  const p = plan(oddFixture('openvswitch'))
  assert.deepEqual(table(p, 'dnsnameservers').rows.map((r) => [r[0], r[2]]), [['2001:db8::53', 0], ['2001:db8::54', 1]])
})

test('problems are collected into one MigrationError', () => {
  const f = oddFixture('openvswitch')
  const d = data(f)
  d.segments = [...d.segments, { ...d.segments[0]! }, { network_id: 'nope', network_type: 'vlan', physical_network: 'p', segmentation_id: 1 }, { ...d.segments[1]!, network_id: d.networks.at(-1)!.id, network_type: 'geneve' }]
  try {
    buildPlan(d, { now: NOW, newId: () => 'x' })
    assert.fail('no error')
  } catch (e) {
    assert.ok(e instanceof MigrationError)
    assert.match(e.message, /inconsistent \(3 problem\(s\)\)/)
    assert.match(e.details.join('\n'), /duplicate binding for network/)
    assert.match(e.details.join('\n'), /binding of network nope, which does not exist/)
    assert.match(e.details.join('\n'), /unknown network_type 'geneve'/)
  }
})

test('routers: router ports from device_owner/device_id, enable_snat kept, NULL status ACTIVE', () => {
  const f = oddFixture('openvswitch')
  const p = plan(f)
  const owned = f.rows.ports!.filter((x) => String(x.device_owner).startsWith('network:router_'))
  assert.deepEqual(table(p, 'routerports').rows, owned.map((x) => [x.device_id, x.id, x.device_owner]))
  const routers = new Map(table(p, 'routers').rows.map((r) => [r[0], r]))
  for (const r of f.rows.routers!) {
    const row = routers.get(r.id)!
    assert.deepEqual([row[3], row[4], row[5], row[6]], [r.status ?? 'ACTIVE', r.admin_state_up, r.gw_port_id, r.enable_snat])
  }
  assert.deepEqual(p.summary.l3, { routers: 3, gateways: 2, interfaces: 2, routes: 1, floatingIps: 2, associated: 1 })
})

test('floating IPs: every column kept; a NULL or missing status is DOWN', () => {
  const ice = plan(oddFixture('openvswitch'))
  assert.deepEqual(col(ice, 'floatingips', 'status'), oddFixture('openvswitch').rows.floatingips!.map((x) => x.status ?? 'DOWN'))
  const havana = oddFixture('openvswitch', 'havana')
  for (const x of havana.rows.floatingips!) delete x.status, delete x.last_known_router_id
  const p = plan(havana)
  assert.deepEqual(col(p, 'floatingips', 'status'), ['DOWN', 'DOWN'])
  assert.deepEqual(col(p, 'floatingips', 'last_known_router_id'), [null, null])
})

test('security groups: one default_security_group per project with a group named default, the first by id', () => {
  const f = oddFixture('linuxbridge')
  const p = plan(f)
  const defaults = f.rows.securitygroups!.filter((g) => g.name === 'default')
  const first = (t: string) => defaults.filter((g) => g.tenant_id === t).map((g) => g.id as string).sort()[0]
  assert.deepEqual(table(p, 'default_security_group').rows, [['tenant-a', first('tenant-a')], ['tenant-b', first('tenant-b')]])
  assert.ok(p.warnings.some((w) => /project tenant-b has 2 security groups named 'default'/.test(w)))
  const t = table(p, 'securitygroups')
  assert.ok(t.rows.every((r) => r[t.columns.indexOf('stateful')] === true && r[t.columns.indexOf('revision_number')] === 0))
  // The two default groups' ingress rules (IPv4, IPv6) and web's SSH rule name a remote group.
  assert.equal(col(p, 'securitygrouprules', 'remote_group_id').filter((x) => x !== null).length, 5)
})

test('agents: timestamps in Neutrino’s form, configurations and the rest kept', () => {
  const f = oddFixture('openvswitch')
  const p = plan(f)
  const t = table(p, 'agents')
  const byId = new Map(t.rows.map((r) => [r[0], r]))
  for (const a of f.rows.agents!) {
    const r = byId.get(a.id)!
    assert.equal(r[t.columns.indexOf('heartbeat_timestamp')], String(a.heartbeat_timestamp).slice(0, 19))
    assert.equal(r[t.columns.indexOf('configurations')], a.configurations)
    assert.equal(r[t.columns.indexOf('description')], a.description ?? '')
  }
  assert.deepEqual(col(p, 'quotas', 'resource'), f.rows.quotas!.map((q) => q.resource))
})

// Flat networks as the Icehouse plugins stored them (FLAT_VLAN_ID = -1; reserve_specific_vlan /
// reserve_specific_network): one test per quirk.
for (const plugin of ['openvswitch', 'linuxbridge'] as const) {
  test(`${plugin}: the allocated (physnet, -1) row of a flat network becomes an ML2 flat allocation`, () => {
    const f = oddFixture(plugin)
    const rows = f.rows[plugin === 'openvswitch' ? 'ovs_vlan_allocations' : 'network_states']!
    assert.ok(rows.some((r) => r.vlan_id === -1 && r.allocated), 'the fixture writes what the plugin wrote')
    const p = plan(f)
    assert.deepEqual(col(p, 'ml2_flat_allocations', 'physical_network'), ['physnet1', 'physnet3'])
    assert.ok(!col(p, 'ml2_vlan_allocations', 'vlan_id').includes(-1))
  })

  test(`${plugin}: a (physnet, -1) row without a flat network left keeps that physnet reserved`, () => {
    const f = smallFixture(plugin)
    f.rows[plugin === 'openvswitch' ? 'ovs_vlan_allocations' : 'network_states'] = [{ physical_network: 'physnet9', vlan_id: -1, allocated: true }]
    const p = plan(f)
    assert.deepEqual(col(p, 'ml2_flat_allocations', 'physical_network'), ['physnet9'])
  })
}

test('openvswitch: segmentation_id -1 of a flat binding becomes a NULL segmentation_id', () => {
  const f = oddFixture('openvswitch')
  const flat = f.rows.ovs_network_bindings!.filter((b) => b.network_type === 'flat')
  assert.ok(flat.length > 0 && flat.every((b) => b.segmentation_id === -1), 'the fixture writes what the plugin wrote')
  const p = plan(f)
  const segs = table(p, 'ml2_network_segments').rows.filter((r) => r[2] === 'flat')
  assert.equal(segs.length, flat.length)
  for (const r of segs) assert.equal(r[4], null)
})

test('openvswitch: a flat binding with NULL segmentation_id (hand-made) is accepted too', () => {
  const f = oddFixture('openvswitch')
  for (const b of f.rows.ovs_network_bindings!) if (b.network_type === 'flat') b.segmentation_id = null
  assert.doesNotThrow(() => plan(f))
})

test('openvswitch: a flat binding with any other segmentation_id is refused, naming the network', () => {
  const f = oddFixture('openvswitch')
  const b = f.rows.ovs_network_bindings!.find((x) => x.network_type === 'flat')!
  b.segmentation_id = 7
  assert.throws(() => plan(f), (e: MigrationError) => {
    assert.deepEqual(e.details, [`ovs_network_bindings: network ${b.network_id}: flat binding with segmentation_id 7 (expected -1)`])
    return true
  })
})

test('an allocated VLAN out of range other than -1 is still refused', () => {
  const f = smallFixture('linuxbridge')
  f.rows.network_states = [{ physical_network: 'physnet1', vlan_id: -3, allocated: true }]
  assert.throws(() => plan(f), (e: MigrationError) => {
    assert.deepEqual(e.details, ['network_states: invalid allocated VLAN physnet1:-3'])
    return true
  })
})
