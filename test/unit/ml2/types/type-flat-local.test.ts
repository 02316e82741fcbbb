import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Db } from '../../../../src/db/engine.js'
import { FlatTypeDriver } from '../../../../src/ml2/types/type-flat.js'
import { LocalTypeDriver } from '../../../../src/ml2/types/type-local.js'
import { failure, freshDb } from './helpers.js'

const flat = (physical_network: string | null, segmentation_id: number | null = null) => ({
  network_type: 'flat',
  physical_network,
  segmentation_id,
})

describe('FlatTypeDriver', () => {
  let db: Db
  const driver = new FlatTypeDriver({ flatNetworks: ['physnet1', 'physnet2'], mtu: { globalPhysnetMtu: 1500, physicalNetworkMtus: new Map([['physnet2', 9000]]) } })
  before(async () => {
    db = await freshDb()
    await db.transaction((tx) => driver.initialize(tx))
  })
  after(() => db.close())

  it('validates with Zed messages', async () => {
    const v = (d: FlatTypeDriver, s: any) => failure(() => d.validateProviderSegment(s))
    assert.deepEqual(await v(driver, flat(null)), ['InvalidInput', 'Invalid input for operation: physical_network required for flat provider network.'])
    assert.deepEqual(await v(driver, flat('other')), ['InvalidInput', "Invalid input for operation: physical_network 'other' unknown for flat provider network."])
    assert.deepEqual(await v(driver, flat('physnet1', 5)), ['InvalidInput', 'Invalid input for operation: segmentation_id prohibited for flat provider network.'])
    const disabled = new FlatTypeDriver({ flatNetworks: [] })
    assert.deepEqual(await v(disabled, flat('physnet1')), ['InvalidInput', 'Invalid input for operation: Flat provider networks are disabled.'])
    assert.deepEqual(await v(disabled, flat(null)), ['InvalidInput', 'Invalid input for operation: physical_network required for flat provider network.'])
    new FlatTypeDriver({ flatNetworks: ['*'] }).validateProviderSegment(flat('anything'))
    driver.validateProviderSegment(flat('physnet1', 0)) // 0 counts as unset, as in Neutron
    assert.equal(driver.isPartialSegment(flat('physnet1')), false)
  })

  it('one network per physnet: reserve, FlatNetworkInUse, release', async () => {
    const s = await db.transaction((tx) => driver.reserveProviderSegment(tx, flat('physnet1')))
    assert.deepEqual(s, { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null, mtu: 1500 })
    assert.deepEqual(await failure(db.transaction((tx) => driver.reserveProviderSegment(tx, flat('physnet1')))), [
      'FlatNetworkInUse',
      'Unable to create the flat network. Physical network physnet1 is in use.',
    ])
    await db.transaction((tx) => driver.releaseSegment(tx, flat('physnet1')))
    const again = await db.transaction((tx) => driver.reserveProviderSegment(tx, flat('physnet1')))
    assert.equal(again.physical_network, 'physnet1')
    assert.equal(await db.transaction((tx) => driver.allocateTenantSegment(tx)), null)
  })

  it('MTU honours physical_network_mtus but never exceeds global_physnet_mtu', () => {
    assert.equal(driver.getMtu('physnet1'), 1500)
    assert.equal(driver.getMtu('physnet2'), 1500)
    const low = new FlatTypeDriver({ flatNetworks: ['*'], mtu: { globalPhysnetMtu: 1500, physicalNetworkMtus: new Map([['p', 1280]]) } })
    assert.equal(low.getMtu('p'), 1280)
  })
})

describe('LocalTypeDriver', () => {
  const local = new LocalTypeDriver()
  it('prohibits physnet and id; always allocates; MTU 0 (unconstrained)', async () => {
    assert.deepEqual(await failure(() => local.validateProviderSegment({ network_type: 'local', physical_network: 'p', segmentation_id: null })), [
      'InvalidInput',
      'Invalid input for operation: physical_network prohibited for local provider network.',
    ])
    assert.deepEqual(await failure(() => local.validateProviderSegment({ network_type: 'local', physical_network: null, segmentation_id: 3 })), [
      'InvalidInput',
      'Invalid input for operation: segmentation_id prohibited for local provider network.',
    ])
    local.validateProviderSegment({ network_type: 'local', physical_network: null, segmentation_id: null })
    const db = await freshDb()
    try {
      const s = await db.transaction((tx) => local.allocateTenantSegment(tx))
      assert.deepEqual(s, { network_type: 'local', physical_network: null, segmentation_id: null, mtu: 0 })
    } finally {
      await db.close()
    }
    assert.equal(local.getMtu(null), 0)
  })
})
