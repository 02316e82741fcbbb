import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Db } from '../../../../src/db/engine.js'
import { GreTypeDriver } from '../../../../src/ml2/types/type-gre.js'
import { VxlanTypeDriver } from '../../../../src/ml2/types/type-vxlan.js'
import { failure, freshDb, ids } from './helpers.js'

const vx = (segmentation_id: number | null, physical_network: string | null = null) => ({
  network_type: 'vxlan',
  physical_network,
  segmentation_id,
})

describe('tunnel type drivers (vxlan, gre)', () => {
  let db: Db
  const vxlan = new VxlanTypeDriver({ vniRanges: [[1001, 1010]] })
  const gre = new GreTypeDriver({ tunnelIdRanges: [[1, 3]] })
  const free = () => ids(db, 'SELECT vxlan_vni AS v FROM ml2_vxlan_allocations WHERE allocated = FALSE')
  const used = () => ids(db, 'SELECT vxlan_vni AS v FROM ml2_vxlan_allocations WHERE allocated = TRUE')

  before(async () => {
    db = await freshDb()
    await db.transaction((tx) => vxlan.initialize(tx))
    await db.transaction((tx) => gre.initialize(tx))
  })
  after(() => db.close())

  it('validates: physnet prohibited, id optional, id inside the protocol id space', async () => {
    assert.deepEqual(await failure(() => vxlan.validateProviderSegment(vx(5, 'physnet1'))), [
      'InvalidInput',
      'Invalid input for operation: provider:physical_network specified for vxlan network.',
    ])
    assert.deepEqual(await failure(() => gre.validateProviderSegment({ network_type: 'gre', physical_network: 'p', segmentation_id: null })), [
      'InvalidInput',
      'Invalid input for operation: provider:physical_network specified for gre network.',
    ])
    assert.deepEqual(await failure(() => vxlan.validateProviderSegment(vx(2 ** 24))), [
      'InvalidInput',
      'Invalid input for operation: segmentation_id out of range (1 through 16777215).',
    ])
    vxlan.validateProviderSegment(vx(null))
    vxlan.validateProviderSegment(vx(5000))
    gre.validateProviderSegment({ network_type: 'gre', physical_network: null, segmentation_id: 2 ** 32 - 1 })
    assert.equal(vxlan.isPartialSegment(vx(null)), true)
    assert.equal(vxlan.isPartialSegment(vx(7)), false)
  })

  it('syncs the pool from the ranges', async () => {
    assert.deepEqual(await free(), [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010])
    assert.deepEqual(await ids(db, 'SELECT gre_id AS v FROM ml2_gre_allocations'), [1, 2, 3])
  })

  it('provider id: in pool, outside pool, in use → TunnelIdInUse', async () => {
    const a = await db.transaction((tx) => vxlan.reserveProviderSegment(tx, vx(1005)))
    assert.deepEqual(a, { network_type: 'vxlan', physical_network: null, segmentation_id: 1005, mtu: 1450 })
    await db.transaction((tx) => vxlan.reserveProviderSegment(tx, vx(5000)))
    assert.deepEqual(await used(), [1005, 5000])
    for (const id of [1005, 5000]) {
      assert.deepEqual(await failure(db.transaction((tx) => vxlan.reserveProviderSegment(tx, vx(id)))), [
        'TunnelIdInUse',
        `Unable to create the network. The tunnel ID ${id} is in use.`,
      ])
    }
    await db.transaction((tx) => vxlan.releaseSegment(tx, vx(1005)))
    await db.transaction((tx) => vxlan.releaseSegment(tx, vx(5000)))
    assert.deepEqual(await used(), [])
    assert.deepEqual((await free()).includes(5000), false, 'outside-pool release deletes the row')
    assert.deepEqual((await free()).includes(1005), true, 'inside-pool release frees the row')
  })

  it('partial provider segment and tenant allocation take distinct ids until exhausted', async () => {
    const got = new Set<number>()
    const p = await db.transaction((tx) => vxlan.reserveProviderSegment(tx, vx(null)))
    got.add(p.segmentation_id!)
    for (;;) {
      const s = await db.transaction((tx) => vxlan.allocateTenantSegment(tx))
      if (!s) break
      assert.equal(s.mtu, 1450)
      assert.ok(!got.has(s.segmentation_id!))
      got.add(s.segmentation_id!)
    }
    assert.equal(got.size, 10)
    assert.deepEqual(await failure(db.transaction((tx) => vxlan.reserveProviderSegment(tx, vx(null)))), [
      'NoNetworkAvailable',
      'Unable to create the network. No tenant network is available for allocation.',
    ])
    for (const id of got) await db.transaction((tx) => vxlan.releaseSegment(tx, vx(id)))
    assert.equal((await free()).length, 10)
  })

  it('re-sync keeps allocated rows, drops stale free ones, fills gaps; idempotent', async () => {
    await db.transaction((tx) => vxlan.reserveProviderSegment(tx, vx(1002)))
    await db.transaction((tx) => vxlan.reserveProviderSegment(tx, vx(9999)))
    // Shrink and move: 1001–1003 and 1008–1012.
    const moved = new VxlanTypeDriver({ vniRanges: [[1008, 1012], [1001, 1003]] })
    for (let i = 0; i < 2; i++) {
      await db.transaction((tx) => moved.initialize(tx))
      assert.deepEqual(await free(), [1001, 1003, 1008, 1009, 1010, 1011, 1012])
      assert.deepEqual(await used(), [1002, 9999])
    }
    // An empty range list drops every free row but no allocated one.
    const none = new VxlanTypeDriver({ vniRanges: [] })
    await db.transaction((tx) => none.initialize(tx))
    assert.deepEqual(await free(), [])
    assert.deepEqual(await used(), [1002, 9999])
    assert.equal(await db.transaction((tx) => none.allocateTenantSegment(tx)), null)
  })

  it('syncs vni_ranges 1:1000000 in a few seconds, and re-syncs faster', async () => {
    const big = new VxlanTypeDriver({ vniRanges: [[1, 1000000]] })
    let t0 = Date.now()
    await db.transaction((tx) => big.initialize(tx))
    const first = Date.now() - t0
    const n = await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ml2_vxlan_allocations')
    assert.equal(Number(n!.c), 1000000, 'the allocated 1002 and 9999 are inside the new range')
    assert.deepEqual(await used(), [1002, 9999])
    t0 = Date.now()
    await db.transaction((tx) => big.initialize(tx))
    const second = Date.now() - t0
    assert.ok(first < 10000, `first sync took ${first} ms`)
    assert.ok(second < 3000, `re-sync took ${second} ms`)
  })

  it('MTU: VXLAN 1450 / GRE 1458 on 1500 over IPv4; IPv6 and path_mtu', () => {
    assert.equal(vxlan.getMtu(null), 1450)
    assert.equal(gre.getMtu(null), 1458)
    const v6 = new VxlanTypeDriver({ vniRanges: [], overlayIpVersion: 6, mtu: { globalPhysnetMtu: 9000, pathMtu: 1500 } })
    assert.equal(v6.getMtu(null), 1430)
    const zero = new GreTypeDriver({ tunnelIdRanges: [], mtu: { globalPhysnetMtu: 0, pathMtu: 0 } })
    assert.equal(zero.getMtu(null), 0)
  })

  it('rejects invalid configured ranges at construction', () => {
    assert.throws(() => new VxlanTypeDriver({ vniRanges: [[0, 10]] }), /0 is not a valid vxlan identifier/)
    assert.throws(() => new GreTypeDriver({ tunnelIdRanges: [[10, 1]] }), /End of tunnel range/)
  })

  it('registers tunnel endpoints', async () => {
    await db.transaction((tx) => vxlan.addEndpoint(tx, '192.0.2.1', 'host1'))
    const again = await db.transaction((tx) => vxlan.addEndpoint(tx, '192.0.2.1', 'host1'))
    assert.equal(again.udp_port, 4789)
    await db.transaction((tx) => gre.addEndpoint(tx, '192.0.2.2', 'host2'))
    assert.deepEqual((await vxlan.getEndpoints(db)).map((e) => [e.ip_address, e.host]), [['192.0.2.1', 'host1']])
    assert.equal((await gre.getEndpointByHost(db, 'host2'))?.ip_address, '192.0.2.2')
    await db.transaction((tx) => vxlan.deleteEndpointByHostOrIp(tx, 'host1', '198.51.100.1'))
    assert.deepEqual(await vxlan.getEndpoints(db), [])
  })
})
