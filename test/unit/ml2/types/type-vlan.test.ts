import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Db } from '../../../../src/db/engine.js'
import { VlanTypeDriver } from '../../../../src/ml2/types/type-vlan.js'
import { failure, freshDb, ids } from './helpers.js'

const ranges = (o: Record<string, Array<[number, number]>>) => new Map(Object.entries(o))
const seg = (physical_network: string | null, segmentation_id: number | null) => ({
  network_type: 'vlan',
  physical_network,
  segmentation_id,
})

describe('VlanTypeDriver', () => {
  let db: Db
  const vlan = new VlanTypeDriver({
    networkVlanRanges: ranges({ physnet1: [[100, 104]], physnet2: [[200, 201]], provideronly: [] }),
    mtu: { globalPhysnetMtu: 1500, physicalNetworkMtus: new Map([['physnet2', 1400]]) },
  })
  const free = (physnet: string) =>
    ids(db, 'SELECT vlan_id AS v FROM ml2_vlan_allocations WHERE physical_network = ? AND allocated = FALSE', [physnet])
  const used = (physnet: string) =>
    ids(db, 'SELECT vlan_id AS v FROM ml2_vlan_allocations WHERE physical_network = ? AND allocated = TRUE', [physnet])

  before(async () => {
    db = await freshDb()
    await db.transaction((tx) => vlan.initialize(tx))
  })
  after(() => db.close())

  it('validates provider segments with Zed messages', async () => {
    const v = (s: any) => failure(() => vlan.validateProviderSegment(s))
    assert.deepEqual(await v(seg('nosuchnet', 5)), [
      'InvalidInput',
      "Invalid input for operation: physical_network 'nosuchnet' unknown for VLAN provider network.",
    ])
    assert.deepEqual(await v(seg('physnet1', 5000)), [
      'InvalidInput',
      'Invalid input for operation: segmentation_id out of range (1 through 4094).',
    ])
    assert.deepEqual(await v(seg('physnet1', 0)), [
      'InvalidInput',
      'Invalid input for operation: segmentation_id out of range (1 through 4094).',
    ])
    assert.deepEqual(await v(seg(null, 10)), [
      'InvalidInput',
      'Invalid input for operation: segmentation_id requires physical_network for VLAN provider network.',
    ])
    // Valid: full, partial with physnet, partial without anything, provider-only physnet, outside the pool.
    for (const ok of [seg('physnet1', 101), seg('physnet1', null), seg(null, null), seg('provideronly', 7), seg('physnet1', 4094)]) {
      vlan.validateProviderSegment(ok)
    }
    assert.equal(vlan.isPartialSegment(seg('physnet1', null)), true)
    assert.equal(vlan.isPartialSegment(seg('physnet1', 5)), false)
  })

  it('syncs the pool per physnet at initialize', async () => {
    assert.deepEqual(await free('physnet1'), [100, 101, 102, 103, 104])
    assert.deepEqual(await free('physnet2'), [200, 201])
    assert.deepEqual(await free('provideronly'), [])
  })

  it('reserves a provider VLAN once; the second gets VlanIdInUse (409 text)', async () => {
    const s = await db.transaction((tx) => vlan.reserveProviderSegment(tx, seg('physnet1', 101)))
    assert.deepEqual(s, { network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 101, mtu: 1500 })
    assert.deepEqual(await failure(db.transaction((tx) => vlan.reserveProviderSegment(tx, seg('physnet1', 101)))), [
      'VlanIdInUse',
      'Unable to create the network. The VLAN 101 on physical network physnet1 is in use.',
    ])
    assert.deepEqual(await used('physnet1'), [101])
  })

  it('reserves outside the pool by inserting, and release deletes that row', async () => {
    await db.transaction((tx) => vlan.reserveProviderSegment(tx, seg('provideronly', 7)))
    await db.transaction((tx) => vlan.reserveProviderSegment(tx, seg('physnet1', 3000)))
    assert.deepEqual(await used('provideronly'), [7])
    assert.deepEqual(await failure(db.transaction((tx) => vlan.reserveProviderSegment(tx, seg('physnet1', 3000)))), [
      'VlanIdInUse',
      'Unable to create the network. The VLAN 3000 on physical network physnet1 is in use.',
    ])
    await db.transaction((tx) => vlan.releaseSegment(tx, seg('provideronly', 7)))
    await db.transaction((tx) => vlan.releaseSegment(tx, seg('physnet1', 3000)))
    assert.deepEqual(await ids(db, "SELECT vlan_id AS v FROM ml2_vlan_allocations WHERE vlan_id IN (7, 3000)"), [])
  })

  it('partial segment with a physnet allocates from that physnet; MTU follows physical_network_mtus', async () => {
    const s = await db.transaction((tx) => vlan.reserveProviderSegment(tx, seg('physnet2', null)))
    assert.equal(s.physical_network, 'physnet2')
    assert.ok([200, 201].includes(s.segmentation_id!))
    assert.equal(s.mtu, 1400)
    await db.transaction((tx) => vlan.releaseSegment(tx, s))
    assert.deepEqual(await free('physnet2'), [200, 201])
  })

  it('partial segment on a physnet without a pool → NoNetworkAvailable', async () => {
    assert.deepEqual(await failure(db.transaction((tx) => vlan.reserveProviderSegment(tx, seg('provideronly', null)))), [
      'NoNetworkAvailable',
      'Unable to create the network. No tenant network is available for allocation.',
    ])
  })

  it('tenant allocation walks physnets in config order, then returns null', async () => {
    const got: string[] = []
    for (;;) {
      const s = await db.transaction((tx) => vlan.allocateTenantSegment(tx))
      if (!s) break
      got.push(`${s.physical_network}:${s.segmentation_id}`)
    }
    // physnet1 has 4 free (101 is taken), physnet2 has 2.
    assert.equal(got.length, 6)
    assert.deepEqual(got.slice(0, 4).map((g) => g.split(':')[0]), ['physnet1', 'physnet1', 'physnet1', 'physnet1'])
    assert.deepEqual(got.slice(4).map((g) => g.split(':')[0]), ['physnet2', 'physnet2'])
    assert.equal(new Set(got).size, 6)
    for (const g of got) {
      const [p, id] = g.split(':')
      await db.transaction((tx) => vlan.releaseSegment(tx, seg(p!, Number(id))))
    }
    assert.deepEqual(await free('physnet1'), [100, 102, 103, 104])
  })

  it('re-sync: allocated rows kept (even out of range), stale free rows dropped, removed physnets cleaned', async () => {
    // 101 on physnet1 is allocated; allocate 201 on physnet2 too.
    await db.transaction((tx) => vlan.reserveProviderSegment(tx, seg('physnet2', 201)))
    const narrowed = new VlanTypeDriver({ networkVlanRanges: ranges({ physnet1: [[103, 106]] }) })
    await db.transaction((tx) => narrowed.initialize(tx))
    assert.deepEqual(await free('physnet1'), [103, 104, 105, 106])
    assert.deepEqual(await used('physnet1'), [101])
    assert.deepEqual(await free('physnet2'), [], 'free rows of a removed physnet are deleted')
    assert.deepEqual(await used('physnet2'), [201], 'allocated rows of a removed physnet stay')
    // Idempotent.
    await db.transaction((tx) => narrowed.initialize(tx))
    assert.deepEqual(await free('physnet1'), [103, 104, 105, 106])
    // Releasing 101 (now outside the ranges) deletes the row.
    await db.transaction((tx) => narrowed.releaseSegment(tx, seg('physnet1', 101)))
    assert.deepEqual(await used('physnet1'), [])
    assert.deepEqual(await free('physnet1'), [103, 104, 105, 106])
  })

  it('syncs the full 1–4094 range on several physnets quickly', async () => {
    const big = new VlanTypeDriver({ networkVlanRanges: ranges({ a: [[1, 4094]], b: [[1, 4094]], c: [[1, 2000], [2001, 4094]] }) })
    const t0 = Date.now()
    await db.transaction((tx) => big.initialize(tx))
    assert.ok(Date.now() - t0 < 3000)
    const n = await db.get<{ c: number }>("SELECT COUNT(*) AS c FROM ml2_vlan_allocations WHERE physical_network IN ('a','b','c')")
    assert.equal(Number(n!.c), 3 * 4094)
  })

  it('MTU: min(global_physnet_mtu, physnet override)', () => {
    assert.equal(vlan.getMtu('physnet1'), 1500)
    assert.equal(vlan.getMtu('physnet2'), 1400)
  })
})
