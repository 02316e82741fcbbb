import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Db } from '../../../../src/db/engine.js'
import { withRetries } from '../../../../src/db/retry.js'
import type { TypeDriver } from '../../../../src/ml2/driver-api.js'
import { TypeManager } from '../../../../src/ml2/type-manager.js'
import { createTypeDrivers } from '../../../../src/ml2/types/registry.js'
import { addNetwork, failure, freshDb } from './helpers.js'

function logger() {
  const lines: string[] = []
  return { lines, info: (m: string) => lines.push(`I ${m}`), warn: (m: string) => lines.push(`W ${m}`), error: (m: string) => lines.push(`E ${m}`) }
}

const registry = () =>
  createTypeDrivers(['local', 'flat', 'vlan', 'gre', 'vxlan'], {
    flatNetworks: ['physnet1'],
    networkVlanRanges: new Map([['physnet1', [[100, 101]]]]),
    vniRanges: [[5000, 5002]],
    tunnelIdRanges: [[1, 2]],
  })

describe('TypeManager', () => {
  let db: Db
  let tm: TypeManager
  before(async () => {
    db = await freshDb()
    tm = new TypeManager({ typeDrivers: ['local', 'flat', 'vlan', 'gre', 'vxlan'], registry: registry(), tenantNetworkTypes: ['vxlan', 'vlan'] })
    await tm.initialize(db)
  })
  after(() => db.close())

  it('refuses a tenant type without a driver; ignores a duplicate type with an error log', () => {
    assert.throws(
      () => new TypeManager({ typeDrivers: ['vlan'], registry: registry(), tenantNetworkTypes: ['vxlan'] }),
      /No type driver for tenant network_type: vxlan/,
    )
    const log = logger()
    const reg = registry()
    const other: TypeDriver = { ...reg.get('vxlan')!, type: 'vxlan' } as TypeDriver
    const m = new TypeManager({
      typeDrivers: ['vxlan', 'vxlan2', 'nope'],
      registry: { vxlan: reg.get('vxlan')!, vxlan2: other },
      tenantNetworkTypes: ['vxlan'],
      logger: log,
    })
    assert.deepEqual([...m.drivers.keys()], ['vxlan'])
    assert.ok(log.lines.some((l) => l.startsWith("E Type driver 'vxlan2' ignored because type driver 'vxlan' is already registered for type 'vxlan'")))
    assert.ok(log.lines.some((l) => l.includes("'nope'")))
  })

  it('validates provider segments: unsupported and missing network_type', async () => {
    assert.deepEqual(await failure(() => tm.validateProviderSegment({ network_type: 'geneve', physical_network: null, segmentation_id: null })), [
      'InvalidInput',
      "Invalid input for operation: network_type value 'geneve' not supported.",
    ])
    assert.deepEqual(await failure(() => tm.processProviderCreate({ 'provider:physical_network': 'physnet1' })), [
      'InvalidInput',
      'Invalid input for operation: network_type required.',
    ])
    assert.deepEqual(
      await failure(() =>
        tm.processProviderCreate({
          segments: [
            { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 7 },
            { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': '7' },
          ],
        }),
      ),
      ['SegmentsContainDuplicateEntry', 'Duplicate segment entry in request.'],
    )
    assert.equal(tm.processProviderCreate({ name: 'x' }), null)
  })

  it('creates a tenant network segment from the first tenant type, with its row', async () => {
    const net = await addNetwork(db)
    const segs = await db.transaction((tx) => tm.createNetworkSegments(tx, net, null))
    assert.equal(segs.length, 1)
    assert.equal(segs[0]!.network_type, 'vxlan')
    assert.ok(segs[0]!.segmentation_id! >= 5000 && segs[0]!.segmentation_id! <= 5002)
    assert.match(segs[0]!.id!, /^[0-9a-f-]{36}$/)
    assert.equal(tm.getNetworkMtu(segs), 1450)
    const stored = await tm.getNetworkSegments(db, net)
    assert.deepEqual(stored, [{ ...segs[0], mtu: 1450 }])
  })

  it('falls through tenant types, then NoNetworkAvailable; release refills the pools', async () => {
    const nets: string[] = []
    const types: string[] = []
    for (;;) {
      const net = await addNetwork(db)
      try {
        const [s] = await withRetries(() => db.transaction((tx) => tm.createNetworkSegments(tx, net, null)))
        types.push(s!.network_type)
        nets.push(net)
      } catch (e: any) {
        assert.equal(e.type, 'NoNetworkAvailable')
        assert.equal(e.message, 'Unable to create the network. No tenant network is available for allocation.')
        await db.run('DELETE FROM networks WHERE id = ?', [net])
        break
      }
    }
    // One vxlan was taken by the previous test: 2 vxlan left, then 2 vlan.
    assert.deepEqual(types, ['vxlan', 'vxlan', 'vlan', 'vlan'])
    for (const net of nets) {
      const released = await db.transaction((tx) => tm.releaseNetworkSegments(tx, net))
      assert.equal(released.length, 1)
    }
    const free = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vlan_allocations WHERE allocated = FALSE')
    assert.equal(Number(free!.c), 2)
    assert.deepEqual(await tm.getNetworkSegments(db, nets[0]!), [])
  })

  it('multi-segment provider network: reserve each, index order, MTU = min, API view', async () => {
    const requested = tm.processProviderCreate({
      segments: [
        { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': '300' },
        { 'provider:network_type': 'vxlan' },
        { 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' },
      ],
    })
    const net = await addNetwork(db)
    const segs = await db.transaction((tx) => tm.createNetworkSegments(tx, net, requested))
    assert.deepEqual(segs.map((s) => [s.network_type, s.segment_index]), [['vlan', 0], ['vxlan', 1], ['flat', 2]])
    assert.equal(segs[0]!.segmentation_id, 300)
    assert.equal(tm.getNetworkMtu(segs), 1450)
    const byNet = await tm.getSegmentsForNetworks(db, [net, 'missing'])
    assert.deepEqual(byNet.get(net)!.map((s) => s.network_type), ['vlan', 'vxlan', 'flat'])
    assert.deepEqual(byNet.get('missing'), [])
    // The same VLAN again is in use, and the failed transaction leaves nothing behind.
    const net2 = await addNetwork(db)
    const again = tm.processProviderCreate({ 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 300 })
    assert.deepEqual(await failure(db.transaction((tx) => tm.createNetworkSegments(tx, net2, again))), [
      'VlanIdInUse',
      'Unable to create the network. The VLAN 300 on physical network physnet1 is in use.',
    ])
    assert.deepEqual(await tm.getNetworkSegments(db, net2), [])
    await db.transaction((tx) => tm.releaseNetworkSegments(tx, net))
    const left = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vlan_allocations WHERE vlan_id = 300')
    assert.equal(Number(left!.c), 0, 'outside-pool VLAN row deleted on release')
    const flatLeft = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_flat_allocations')
    assert.equal(Number(flatLeft!.c), 0)
  })

  it('network MTU ignores 0 (local) and falls back to global_physnet_mtu', () => {
    assert.equal(tm.getNetworkMtu([{ network_type: 'local', physical_network: null, segmentation_id: null }]), 1500)
    assert.equal(tm.getNetworkMtu([]), 1500)
    assert.equal(
      tm.getNetworkMtu([
        { network_type: 'local', physical_network: null, segmentation_id: null },
        { network_type: 'gre', physical_network: null, segmentation_id: 1 },
      ]),
      1458,
    )
    assert.equal(tm.getNetworkMtu([{ network_type: 'geneve', physical_network: null, segmentation_id: 1 }]), 1500)
  })

  it('external networks use external_network_type', async () => {
    const m = new TypeManager({
      typeDrivers: ['flat', 'vlan', 'vxlan'],
      registry: registry(),
      tenantNetworkTypes: ['vxlan'],
      externalNetworkType: 'vlan',
    })
    const net = await addNetwork(db)
    const [s] = await db.transaction((tx) => m.createNetworkSegments(tx, net, null, { external: true }))
    assert.equal(s!.network_type, 'vlan')
    await db.transaction((tx) => m.releaseNetworkSegments(tx, net))
  })

  it('dynamic segments: allocate once per physnet, hidden from static views, released by id', async () => {
    const net = await addNetwork(db)
    await db.transaction((tx) => tm.createNetworkSegments(tx, net, null))
    const d1 = await db.transaction((tx) => tm.allocateDynamicSegment(tx, net, { network_type: 'vlan', physical_network: 'physnet1', segmentation_id: null }))
    const d2 = await db.transaction((tx) => tm.allocateDynamicSegment(tx, net, { network_type: 'vlan', physical_network: 'physnet1', segmentation_id: null }))
    assert.equal(d1.id, d2.id)
    assert.equal(d1.is_dynamic, true)
    assert.equal((await tm.getNetworkSegments(db, net)).length, 1)
    assert.equal((await tm.getNetworkSegments(db, net, { dynamic: null })).length, 2)
    await db.transaction((tx) => tm.releaseDynamicSegment(tx, d1.id!))
    assert.equal((await tm.getNetworkSegments(db, net, { dynamic: true })).length, 0)
    await db.transaction((tx) => tm.releaseNetworkSegments(tx, net))
  })
})
