/**
 * migrate-to-ml2 round trips: a Havana/Icehouse openvswitch or linuxbridge database, built with the
 * exact old table definitions on SQLite, PostgreSQL and MariaDB started by the test, is migrated;
 * a Neutrino server on the target then shows every network, subnet, port, router, floating IP,
 * security group and rule, agent and quota field by field as the source had them, and the source
 * database is unchanged. In place, the served tables become Neutrino's and the tables Neutrino
 * does not serve keep their rows and foreign keys, now on Neutrino's tables.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { oddFixture, smallFixture, type Fixture } from '../../fixtures/migration/fixtures.js'
import type { PluginName } from '../../fixtures/migration/icehouse-schema.js'
import { loadFixture, rawConnect, snapshot } from '../../fixtures/migration/load.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import {
  LIST_KEYS,
  cli,
  engineSkip,
  expectedApi,
  expectedExtensions,
  expectedQuotas,
  migrateArgs,
  pickLike,
  startEngine,
  type Engine,
  type EngineName,
} from './harness.js'

const QUOTA_RESOURCES = ['network', 'subnet', 'port', 'router', 'floatingip', 'security_group', 'security_group_rule']

function sameRows(kind: string, expected: any[], actual: any[]): void {
  assert.equal(actual.length, expected.length, `${kind} count`)
  const got = pickLike(expected, actual, LIST_KEYS)
  for (let i = 0; i < got.length; i++) assert.deepEqual(got[i], expected[i], `${kind} ${expected[i]!.id}`)
}

async function checkApi(f: Fixture, dbUrl: string): Promise<void> {
  const s = await startNeutrino({ dbUrl })
  try {
    const exp = expectedApi(f)
    for (const kind of ['networks', 'subnets', 'ports'] as const) {
      const r = await s.call('GET', `/v2.0/${kind}`)
      assert.equal(r.status, 200)
      sameRows(kind, exp[kind], r.body[kind])
    }
    await checkExtensions(s, f)
  } finally {
    await s.close()
  }
  await checkRouterPorts(f, dbUrl)
}

async function checkExtensions(s: TestServer, f: Fixture): Promise<void> {
  const exp = expectedExtensions(f)
  // A project whose 'default' group was migrated lists it and creates none (default_security_group).
  const withDefault = new Set(exp.security_groups.filter((g) => g.name === 'default').map((g) => g.tenant_id as string))
  for (const project of withDefault) {
    const r = await s.call('GET', '/v2.0/security-groups', undefined, { 'x-project-id': project })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    const mine = exp.security_groups.filter((g) => g.tenant_id === project).map((g) => g.id)
    assert.deepEqual(r.body.security_groups.map((g: any) => g.id).sort(), mine.sort(), `groups of ${project}`)
  }
  for (const kind of ['routers', 'floatingips', 'agents'] as const) {
    const r = await s.call('GET', `/v2.0/${kind}`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    sameRows(kind, exp[kind], r.body[kind])
  }
  // The admin's own first request may create its project's default group: anything beyond the
  // migrated groups must be such a group, of a project that had none.
  const fromSource = new Set(exp.security_groups.map((g) => g.id))
  const groups = (await s.call('GET', '/v2.0/security-groups')).body.security_groups as any[]
  for (const g of groups.filter((x) => !fromSource.has(x.id))) assert.ok(g.name === 'default' && !withDefault.has(g.tenant_id), JSON.stringify(g))
  const migrated = groups.filter((g) => fromSource.has(g.id)).map((g) => ({ ...g, security_group_rules: g.security_group_rules.map((r: any) => r.id).sort() }))
  sameRows('security_groups', exp.security_groups, migrated)
  const rules = (await s.call('GET', '/v2.0/security-group-rules')).body.security_group_rules as any[]
  sameRows('security_group_rules', exp.security_group_rules, rules.filter((r) => fromSource.has(r.security_group_id)))
  for (const [project, limits] of expectedQuotas(f, QUOTA_RESOURCES)) {
    const q = (await s.call('GET', `/v2.0/quotas/${project}`)).body.quota
    assert.deepEqual(Object.fromEntries(Object.keys(limits).map((k) => [k, q[k]])), limits, `quotas of ${project}`)
  }
  // A router with interfaces is in use (its routerports rows): it cannot be deleted.
  for (const p of (f.rows.ports ?? []).filter((x) => x.device_owner === 'network:router_interface')) {
    const r = await s.call('DELETE', `/v2.0/routers/${p.device_id}`)
    assert.equal(r.status, 409, JSON.stringify(r.body))
    assert.match(r.body.NeutronError.message, new RegExp(String(p.id)))
  }
}

/** routerports: one row per router-owned port, port_type its device_owner. */
async function checkRouterPorts(f: Fixture, dbUrl: string): Promise<void> {
  const want = (f.rows.ports ?? [])
    .filter((p) => p.device_owner === 'network:router_interface' || p.device_owner === 'network:router_gateway')
    .map((p) => [p.device_id, p.id, p.device_owner])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])))
  const c = await rawConnect(dbUrl)
  try {
    const got = (await c.query('SELECT router_id, port_id, port_type FROM routerports')).map((r) => [r.router_id, r.port_id, r.port_type])
    assert.deepEqual(got.sort((a, b) => String(a[1]).localeCompare(String(b[1]))), want)
  } finally {
    await c.close()
  }
}

const count = async (url: string, sql: string) => {
  const c = await rawConnect(url)
  try {
    return Number((await c.query(sql))[0]!.n)
  } finally {
    await c.close()
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

    test('odd openvswitch Havana database: floating IPs without status, agents without their unique key', async () => {
      const f = oddFixture('openvswitch', 'havana')
      const src = await eng.newDb('src')
      await loadFixture(src, f)
      const tgt = await target.newDb('tgt')
      const r = await cli(migrateArgs(f, src, tgt))
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /schema havana/)
      assert.match(r.stdout, /floating IPs: +2 \(1 associated\)/)
      await checkApi(f, tgt)
    })

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
        for (const t of ['networks', 'ports', 'routers', 'floatingips', 'securitygroups', 'securitygrouprules', 'agents', 'quotas']) {
          assert.match(r.stdout, new RegExp(`replaced ${t} by Neutrino's ${t}`))
        }
        assert.match(r.stdout, /dropped ovs_network_bindings/)
        await checkApi(f, src)
        const c = await rawConnect(src)
        try {
          const tables = (
            await c.query(
              name === 'sqlite'
                ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()",
            )
          ).map((x) => String(x.name))
          // Served tables are Neutrino's now: no legacy copies; the old plugin tables are gone.
          assert.deepEqual(tables.filter((t) => t.startsWith('legacy_')), [])
          for (const t of ['ovs_network_bindings', 'portbindingports', 'ovs_vlan_allocations']) assert.ok(!tables.includes(t), t)
          // Tables Neutrino does not serve keep their rows.
          for (const t of ['routerl3agentbindings', 'networkdhcpagentbindings', 'ipavailabilityranges', 'externalnetworks']) {
            assert.equal(Number((await c.query(`SELECT COUNT(*) AS n FROM ${t}`))[0]!.n), f.rows[t]!.length, t)
          }
        } finally {
          await c.close()
        }
        // … and their foreign keys now reference Neutrino's tables: deleting through the API cascades.
        const snatless = f.rows.routers!.find((x) => x.name === 'snatless')!
        const bare = f.rows.networks!.find((x) => x.name === 'no-binding')!
        const pools = f.rows.ipallocationpools!.filter((p) => f.rows.subnets!.some((x) => x.id === p.subnet_id && x.network_id === bare.id))
        const s = await startNeutrino({ dbUrl: src })
        try {
          assert.equal((await s.call('DELETE', `/v2.0/routers/${snatless.id}`)).status, 204)
          assert.equal((await s.call('DELETE', `/v2.0/networks/${bare.id}`)).status, 204)
        } finally {
          await s.close()
        }
        assert.equal(await count(src, `SELECT COUNT(*) AS n FROM routerl3agentbindings WHERE router_id = '${snatless.id}'`), 0)
        assert.equal(await count(src, 'SELECT COUNT(*) AS n FROM routerl3agentbindings'), 1)
        assert.equal(await count(src, `SELECT COUNT(*) AS n FROM ipavailabilityranges WHERE allocation_pool_id = '${pools[0]!.id}'`), 0)
        // Run twice: the second run refuses (already migrated), and changes nothing.
        const before = await snapshot(src)
        const again = await cli(migrateArgs(f, src))
        assert.equal(again.code, 1)
        assert.match(again.stderr, /already has a Neutrino schema/)
        assert.deepEqual(await snapshot(src), before)
      })

      test('in place with --save-tables keeps the old plugin tables', async () => {
        const f = oddFixture('linuxbridge')
        const src = await eng.newDb('inplace_save')
        await loadFixture(src, f)
        const r = await cli(migrateArgs(f, src, undefined, ['--save-tables']))
        assert.equal(r.code, 0, r.stderr)
        await checkApi(f, src)
        assert.equal(await count(src, 'SELECT COUNT(*) AS n FROM network_bindings'), f.rows.network_bindings!.length)
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
