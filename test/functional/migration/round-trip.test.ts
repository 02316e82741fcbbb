/**
 * migrate-to-ml2 round trips: a Havana/Icehouse openvswitch or linuxbridge database, built with the
 * exact old table definitions on SQLite, PostgreSQL and MariaDB started by the test, is migrated;
 * a Neutrino server on the target then shows every network, subnet and port field by field as the
 * source had them, and the source database is unchanged.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { oddFixture, smallFixture, type Fixture } from '../../fixtures/migration/fixtures.js'
import type { PluginName } from '../../fixtures/migration/icehouse-schema.js'
import { loadFixture, rawConnect, snapshot } from '../../fixtures/migration/load.js'
import { startNeutrino } from '../../helpers/neutrino.js'
import { LIST_KEYS, cli, engineSkip, expectedApi, migrateArgs, pickLike, startEngine, type Engine, type EngineName } from './harness.js'

async function checkApi(f: Fixture, dbUrl: string): Promise<void> {
  const s = await startNeutrino({ dbUrl })
  try {
    const exp = expectedApi(f)
    for (const kind of ['networks', 'subnets', 'ports'] as const) {
      const r = await s.call('GET', `/v2.0/${kind}`)
      assert.equal(r.status, 200)
      assert.equal(r.body[kind].length, exp[kind].length, `${kind} count`)
      const got = pickLike(exp[kind] as any[], r.body[kind], LIST_KEYS)
      for (let i = 0; i < got.length; i++) assert.deepEqual(got[i], exp[kind][i], `${kind} ${exp[kind][i]!.id}`)
    }
  } finally {
    await s.close()
  }
}

for (const name of ['sqlite', 'postgres', 'mariadb'] as EngineName[]) {
  const skip = engineSkip(name)
  describe(`migrate-to-ml2 from ${name}`, { skip }, () => {
    let eng: Engine
    let target: Engine
    before(async () => {
      eng = await startEngine(name)
      // MariaDB cannot be a Neutrino database: its sources migrate into SQLite.
      target = name === 'mariadb' ? await startEngine('sqlite') : eng
    })
    after(async () => {
      if (target && target !== eng) await target.stop()
      await eng?.stop()
    })

    for (const plugin of ['openvswitch', 'linuxbridge'] as PluginName[]) {
      test(`odd ${plugin} database: the API shows every resource as the source had it`, async () => {
        const f = oddFixture(plugin)
        const src = await eng.newDb('src')
        await loadFixture(src, f)
        const before = await snapshot(src)
        const tgt = await target.newDb('tgt')
        const r = await cli(migrateArgs(f, src, tgt))
        assert.equal(r.code, 0, r.stderr)
        assert.match(r.stdout, /networks: +\d+/)
        await checkApi(f, tgt)
        assert.deepEqual(await snapshot(src), before, 'the source is not modified')
      })
    }

    test('small openvswitch VXLAN database: endpoints get the --vxlan-udp-port', async () => {
      const f = smallFixture('openvswitch')
      const src = await eng.newDb('src')
      await loadFixture(src, f)
      const tgt = await target.newDb('tgt')
      const r = await cli(migrateArgs(f, src, tgt, ['--vxlan-udp-port', '8472']))
      assert.equal(r.code, 0, r.stderr)
      await checkApi(f, tgt)
      const c = await rawConnect(tgt)
      try {
        assert.deepEqual(
          (await c.query('SELECT ip_address, udp_port FROM ml2_vxlan_endpoints ORDER BY ip_address')).map((x) => [x.ip_address, Number(x.udp_port)]),
          [['203.0.113.11', 8472], ['203.0.113.12', 8472]],
        )
        assert.deepEqual((await c.query('SELECT vxlan_vni FROM ml2_vxlan_allocations WHERE allocated = TRUE')).map((x) => Number(x.vxlan_vni)), [7])
      } finally {
        await c.close()
      }
    })

    if (name !== 'mariadb') {
      test('in place (no --target): the source becomes a Neutrino database', async () => {
        const f = oddFixture('openvswitch')
        const src = await eng.newDb('inplace')
        await loadFixture(src, f)
        const r = await cli(migrateArgs(f, src))
        assert.equal(r.code, 0, r.stderr)
        assert.match(r.stdout, /renamed networks to legacy_networks/)
        assert.match(r.stdout, /dropped ovs_network_bindings/)
        await checkApi(f, src)
        const c = await rawConnect(src)
        try {
          // Icehouse tables Neutrino does not serve keep their rows, now beside legacy_* tables.
          assert.equal(Number((await c.query("SELECT COUNT(*) AS n FROM routers"))[0]!.n), 1)
          assert.equal(Number((await c.query('SELECT COUNT(*) AS n FROM legacy_ports'))[0]!.n), f.rows.ports!.length)
          const left = await c.query(
            name === 'sqlite'
              ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('ovs_network_bindings', 'portbindingports', 'ovs_vlan_allocations')"
              : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('ovs_network_bindings', 'portbindingports', 'ovs_vlan_allocations')",
          )
          assert.deepEqual(left, [])
        } finally {
          await c.close()
        }
        // Run twice: the second run refuses (already migrated), and changes nothing.
        const again = await cli(migrateArgs(f, src))
        assert.equal(again.code, 1)
        assert.match(again.stderr, /Neutrino schema|Missing|not a Havana/)
      })

      test('in place with --save-tables keeps the old plugin tables', async () => {
        const f = oddFixture('linuxbridge')
        const src = await eng.newDb('inplace_save')
        await loadFixture(src, f)
        const r = await cli(migrateArgs(f, src, undefined, ['--save-tables']))
        assert.equal(r.code, 0, r.stderr)
        await checkApi(f, src)
        const c = await rawConnect(src)
        try {
          assert.equal(Number((await c.query('SELECT COUNT(*) AS n FROM network_bindings'))[0]!.n), f.rows.network_bindings!.length)
        } finally {
          await c.close()
        }
      })
    }
  })
}

describe('migrate-to-ml2 schema versions', () => {
  let eng: Engine
  before(async () => (eng = await startEngine('sqlite')))
  after(async () => eng?.stop())

  for (const version of ['havana', '40b0aff0302e', '5ac1c354a051']) {
    test(`a ${version} database is accepted`, async () => {
      const base = smallFixture('linuxbridge', version === 'havana' || version === '40b0aff0302e' ? 'havana' : 'icehouse')
      const f: Fixture = { ...base, rows: { ...base.rows, alembic_version: [{ version_num: version }] } }
      const src = await eng.newDb('ver')
      await loadFixture(src, f)
      const tgt = await eng.newDb('tgt')
      const r = await cli(migrateArgs(f, src, tgt))
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, new RegExp(`schema ${version}`))
      await checkApi(f, tgt)
    })
  }
})
