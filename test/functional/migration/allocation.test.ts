/**
 * After a migration, the server's pool sync (facts §2.4) must keep every migrated id allocated:
 * tenant networks created until the pool is exhausted never get a migrated VLAN / GRE / VXLAN id,
 * a migrated id outside the configured range stays allocated, and a migrated flat physnet or
 * provider VLAN cannot be taken a second time.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { largeFixture, oddFixture, smallFixture, type Fixture } from '../../fixtures/migration/fixtures.js'
import { loadFixture, rawConnect } from '../../fixtures/migration/load.js'
import { startNeutrino } from '../../helpers/neutrino.js'
import { cli, migrateArgs, startEngine, type Engine } from './harness.js'

async function migrated(eng: Engine, f: Fixture): Promise<string> {
  const src = await eng.newDb('src')
  await loadFixture(src, f)
  const tgt = await eng.newDb('tgt')
  const r = await cli(migrateArgs(f, src, tgt))
  assert.equal(r.code, 0, r.stderr)
  return tgt
}

/** Creates tenant networks until the pool is exhausted; returns their segmentation ids. */
async function exhaust(dbUrl: string, ini: string): Promise<number[]> {
  const s = await startNeutrino({ dbUrl, ini })
  try {
    const ids: number[] = []
    for (let i = 0; i < 2000; i++) {
      const r = await s.call('POST', '/v2.0/networks', { network: { name: `t${i}` } })
      if (r.status !== 201) {
        assert.equal(r.status, 503, JSON.stringify(r.body))
        break
      }
      ids.push(r.body.network['provider:segmentation_id'])
    }
    return ids
  } finally {
    await s.close()
  }
}

describe('migrate-to-ml2: allocations after migration', () => {
  let eng: Engine
  before(async () => (eng = await startEngine('sqlite')))
  after(async () => eng?.stop())

  test('VLAN tenant allocation never reuses a migrated VLAN (openvswitch and linuxbridge)', async () => {
    for (const plugin of ['openvswitch', 'linuxbridge'] as const) {
      const tgt = await migrated(eng, oddFixture(plugin))
      const ids = await exhaust(tgt, '[ml2]\ntenant_network_types = vlan\n')
      // physnet1:100:199 minus 100 and 150 (networks) and 120 (allocated in the source, no network)
      assert.equal(ids.length, 97, plugin)
      for (const taken of [100, 120, 150]) assert.ok(!ids.includes(taken), `${plugin}: VLAN ${taken} reused`)
      assert.equal(new Set(ids).size, ids.length)
      const c = await rawConnect(tgt)
      try {
        // 300 lies outside the configured range: the sync keeps it because it is allocated.
        const r = await c.query("SELECT allocated FROM ml2_vlan_allocations WHERE physical_network = 'physnet1' AND vlan_id = 300")
        assert.deepEqual(r.map((x) => Number(x.allocated)), [1])
      } finally {
        await c.close()
      }
    }
  })

  test('GRE tenant allocation never reuses a migrated tunnel id', async () => {
    const tgt = await migrated(eng, oddFixture('openvswitch'))
    const ids = await exhaust(tgt, '[ml2]\ntenant_network_types = gre\n')
    // 1:100 minus 1, 5, 100 (networks) and 42 (allocated in ovs_tunnel_allocations)
    assert.equal(ids.length, 96)
    for (const taken of [1, 5, 42, 100]) assert.ok(!ids.includes(taken), `GRE ${taken} reused`)
  })

  test('VXLAN tenant allocation never reuses a migrated VNI', async () => {
    const tgt = await migrated(eng, smallFixture('openvswitch'))
    const ids = await exhaust(tgt, '[ml2]\ntenant_network_types = vxlan\n[ml2_type_vxlan]\nvni_ranges = 1:20\n')
    assert.equal(ids.length, 19)
    assert.ok(!ids.includes(7))
  })

  test('a migrated flat physnet and provider VLAN cannot be taken again', async () => {
    const tgt = await migrated(eng, oddFixture('linuxbridge'))
    const s = await startNeutrino({ dbUrl: tgt })
    try {
      const flat = await s.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' } })
      assert.equal(flat.status, 409, JSON.stringify(flat.body))
      const vlan = await s.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet2', 'provider:segmentation_id': 5 } })
      assert.equal(vlan.status, 409, JSON.stringify(vlan.body))
      const other = await s.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet2', 'provider:segmentation_id': 6 } })
      assert.equal(other.status, 201, JSON.stringify(other.body))
    } finally {
      await s.close()
    }
  })

  test('a migrated port can be updated and deleted through the API, releasing nothing it should not', async () => {
    const f = largeFixture('openvswitch', 200)
    const tgt = await migrated(eng, f)
    const s = await startNeutrino({ dbUrl: tgt })
    try {
      const port = f.rows.ports![0]!
      const up = await s.call('PUT', `/v2.0/ports/${port.id}`, { port: { name: 'renamed', 'binding:host_id': 'compute-99' } })
      assert.equal(up.status, 200, JSON.stringify(up.body))
      assert.equal(up.body.port.name, 'renamed')
      assert.equal(up.body.port.revision_number, 1)
      const del = await s.call('DELETE', `/v2.0/ports/${port.id}`)
      assert.equal(del.status, 204)
      const net = f.rows.networks![0]!
      const ports = (f.rows.ports ?? []).filter((p) => p.network_id === net.id)
      for (const p of ports.slice(1)) assert.equal((await s.call('DELETE', `/v2.0/ports/${p.id}`)).status, 204)
      assert.equal((await s.call('DELETE', `/v2.0/networks/${net.id}`)).status, 204)
    } finally {
      await s.close()
    }
  })
})
