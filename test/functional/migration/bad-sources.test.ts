/**
 * Sources migrate-to-ml2 must refuse with a clear message, writing nothing anywhere: missing
 * tables, wrong or missing schema version, truncated (NULL / orphan) rows, duplicate bindings;
 * and targets it must refuse: non-empty without --force, key collisions with --force (rolled back
 * after part of the data was written), MySQL in place. On SQLite and on MariaDB.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { oddFixture, smallFixture, type Fixture } from '../../fixtures/migration/fixtures.js'
import { loadFixture, snapshot, type LoadOptions } from '../../fixtures/migration/load.js'
import { cli, engineSkip, migrateArgs, startEngine, type Engine, type EngineName } from './harness.js'

const withVersions = (f: Fixture, versions: string[]): Fixture => ({ ...f, rows: { ...f.rows, alembic_version: versions.map((v) => ({ version_num: v })) } })

for (const name of ['sqlite', 'mariadb'] as EngineName[]) {
  describe(`migrate-to-ml2 refuses bad ${name} sources`, { skip: engineSkip(name) }, () => {
    let eng: Engine
    let tgtEng: Engine
    before(async () => {
      eng = await startEngine(name)
      tgtEng = name === 'sqlite' ? eng : await startEngine('sqlite')
    })
    after(async () => {
      if (tgtEng && tgtEng !== eng) await tgtEng.stop()
      await eng?.stop()
    })

    /** Loads, runs, and checks: exit 1, message, source and target unchanged (target empty). */
    async function refused(f: Fixture, load: LoadOptions, message: RegExp, extra: string[] = []): Promise<string> {
      const src = await eng.newDb('bad')
      await loadFixture(src, f, load)
      const before = await snapshot(src)
      const tgt = await tgtEng.newDb('tgt')
      const r = await cli(migrateArgs(f, src, tgt, extra))
      assert.equal(r.code, 1, r.stdout + r.stderr)
      assert.match(r.stderr, message)
      assert.match(r.stderr, /Nothing was written/)
      assert.deepEqual(await snapshot(src), before, 'source unchanged')
      assert.deepEqual(Object.keys(await snapshot(tgt)), [], 'target has no tables')
      return r.stderr
    }
    const ovs = () => oddFixture('openvswitch')
    const orphans = name === 'mariadb' ? ['SET FOREIGN_KEY_CHECKS = 0'] : []

    test('missing tables', async () => {
      const err = await refused(ovs(), { omitTables: ['portbindingports', 'ovs_tunnel_endpoints'] }, /not a Havana\/Icehouse openvswitch plugin database/)
      assert.match(err, /missing table portbindingports/)
      assert.match(err, /missing table ovs_tunnel_endpoints/)
    })

    test('the other plugin’s database', async () => {
      const f = ovs()
      const src = await eng.newDb('other')
      await loadFixture(src, f)
      const r = await cli(['linuxbridge', src, '--target', await tgtEng.newDb('tgt')])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /missing table network_bindings/)
      assert.match(r.stderr, /is it a openvswitch database\?/)
    })

    test('no alembic_version table / empty / several rows / unsupported version', async () => {
      await refused(ovs(), { omitTables: ['alembic_version'] }, /Missing version in alembic_versions table/)
      await refused(withVersions(ovs(), []), {}, /^neutrino db migrate-to-ml2: Missing version in alembic_versions table$/m)
      await refused(withVersions(ovs(), ['icehouse', 'havana']), {}, /Multiple versions in alembic_versions table: \['havana', 'icehouse'\]|Multiple versions in alembic_versions table: \['icehouse', 'havana'\]/)
      await refused(withVersions(ovs(), ['juno']), {}, /Unsupported database schema juno\. Please migrate your database to one of following versions: icehouse, /)
      await refused(withVersions(ovs(), ['folsom']), {}, /Unsupported database schema folsom/)
    })

    test('truncated rows: subnet without network, orphan port, binding and allocation', async () => {
      const f = ovs()
      const net = f.rows.networks!.find((n) => n.name === 'net-vlan-100')!
      const sub = f.rows.subnets![0]!
      const err = await refused(f, {
        noForeignKeys: true,
        mutate: [
          ...orphans,
          `UPDATE subnets SET network_id = NULL WHERE id = '${sub.id}'`,
          `DELETE FROM ovs_network_bindings WHERE network_id = '${net.id}'`,
          `DELETE FROM networks WHERE id = '${net.id}'`,
          `INSERT INTO portbindingports (port_id, host) VALUES ('00000000-0000-4000-8000-000000000000', 'compute-9')`,
        ],
      }, /The source database is inconsistent/)
      assert.match(err, new RegExp(`subnet ${sub.id} is on network NULL`))
      assert.match(err, new RegExp(`is on network ${net.id}, which does not exist`))
      assert.match(err, /portbindingports: binding refers to port 00000000-0000-4000-8000-000000000000, which does not exist/)
    })

    test('duplicate bindings: two rows for one network, two networks on one VLAN, one port twice', async () => {
      const f = ovs()
      const [a, b] = f.rows.ovs_network_bindings!.filter((x) => x.network_type === 'vlan')
      const port = f.rows.portbindingports![0]!
      const err = await refused(f, {
        omitPk: ['ovs_network_bindings', 'portbindingports'],
        mutate: [
          `INSERT INTO ovs_network_bindings (network_id, network_type, physical_network, segmentation_id) VALUES ('${a!.network_id}', 'gre', NULL, 77)`,
          `UPDATE ovs_network_bindings SET segmentation_id = ${a!.segmentation_id} WHERE network_id = '${b!.network_id}'`,
          `INSERT INTO portbindingports (port_id, host) VALUES ('${port.port_id}', 'compute-other')`,
        ],
      }, /inconsistent/)
      assert.match(err, new RegExp(`duplicate binding for network ${a!.network_id}`))
      assert.match(err, new RegExp(`networks ${a!.network_id} and ${b!.network_id} are both bound to VLAN ${a!.segmentation_id} on physnet1`))
      assert.match(err, new RegExp(`duplicate binding for port ${port.port_id}`))
    })

    test('out-of-range and unknown segment values', async () => {
      const f = oddFixture('linuxbridge')
      const [a, b] = f.rows.network_bindings!.filter((x) => (x.vlan_id as number) > 0)
      const err = await refused(f, {
        mutate: [`UPDATE network_bindings SET vlan_id = 4095 WHERE network_id = '${a!.network_id}'`, `UPDATE network_bindings SET vlan_id = -3 WHERE network_id = '${b!.network_id}'`],
      }, /inconsistent/)
      assert.match(err, /VLAN id 4095 out of range \(1 through 4094\)/)
      assert.match(err, /VLAN id -3 out of range/)
    })
  })
}

describe('migrate-to-ml2 targets and arguments', () => {
  let eng: Engine
  before(async () => (eng = await startEngine('sqlite')))
  after(async () => eng?.stop())

  test('a target holding resources is refused without --force; --force adds to it', async () => {
    const small = smallFixture('linuxbridge')
    const src1 = await eng.newDb('s1')
    await loadFixture(src1, small)
    const tgt = await eng.newDb('tgt')
    assert.equal((await cli(migrateArgs(small, src1, tgt))).code, 0)
    const odd = oddFixture('openvswitch')
    const src2 = await eng.newDb('s2')
    await loadFixture(src2, odd)
    const before = await snapshot(tgt)
    const r = await cli(migrateArgs(odd, src2, tgt))
    assert.equal(r.code, 1)
    assert.match(r.stderr, /is not empty \(2 networks, 2 subnets, 3 ports, 2 ml2_network_segments, 2 allocated VLANs\); .*--force/)
    assert.deepEqual(await snapshot(tgt), before)
    const forced = await cli(migrateArgs(odd, src2, tgt, ['--force']))
    // The small linuxbridge fixture holds physnet1 VLANs 101/102; the odd one does not use them.
    assert.equal(forced.code, 0, forced.stderr)
  })

  test('a key collision half way through rolls everything back', async () => {
    const small = smallFixture('openvswitch')
    const src1 = await eng.newDb('s1')
    await loadFixture(src1, small)
    const tgt = await eng.newDb('tgt')
    assert.equal((await cli(migrateArgs(small, src1, tgt))).code, 0)
    // A second source whose networks and subnets are new but whose last port id is taken.
    const odd = oddFixture('linuxbridge')
    const clash = odd.rows.ports![odd.rows.ports!.length - 1]!
    const oldId = clash.id as string
    clash.id = small.rows.ports![0]!.id as string
    for (const t of ['ipallocations', 'portbindingports']) for (const r of odd.rows[t] ?? []) if (r.port_id === oldId) r.port_id = clash.id
    const src2 = await eng.newDb('s2')
    await loadFixture(src2, odd)
    const before = await snapshot(tgt)
    const r = await cli(migrateArgs(odd, src2, tgt, ['--force']))
    assert.equal(r.code, 1)
    assert.match(r.stderr, /the target already holds ports rows with the same key/)
    assert.deepEqual(await snapshot(tgt), before, 'target unchanged')
  })

  test('a VLAN already allocated in the target is a conflict', async () => {
    const a = smallFixture('linuxbridge')
    const src1 = await eng.newDb('s1')
    await loadFixture(src1, a)
    const tgt = await eng.newDb('tgt')
    assert.equal((await cli(migrateArgs(a, src1, tgt))).code, 0)
    const b = oddFixture('linuxbridge')
    b.rows.network_bindings!.find((x) => x.vlan_id === 100)!.vlan_id = 101
    const src2 = await eng.newDb('s2')
    await loadFixture(src2, b)
    const r = await cli(migrateArgs(b, src2, tgt, ['--force']))
    assert.equal(r.code, 1)
    assert.match(r.stderr, /ml2_vlan_allocations: 1 id\(s\) the source uses are already allocated in the target: physnet1:101/)
  })

  test('argument errors exit 2 with the original’s messages', async () => {
    let r = await cli(['linuxbridge', 'sqlite:///x.db', '--tunnel-type', 'gre'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /error: Tunnel args \(tunnel-type and vxlan-udp-port\) are not valid for the linuxbridge plugin/)
    r = await cli(['linuxbridge', 'sqlite:///x.db', '--vxlan-udp-port', '4789'])
    assert.equal(r.code, 2)
    r = await cli(['hyperv', 'sqlite:///x.db'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /invalid choice: 'hyperv'/)
    r = await cli(['openvswitch'])
    assert.equal(r.code, 2)
    r = await cli(['openvswitch', 'sqlite:///x.db', '--tunnel-type', 'geneve'])
    assert.equal(r.code, 2)
    r = await cli(['openvswitch', 'mysql://u:secret@db.example/neutron'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /cannot migrate one in place: give --target/)
    r = await cli(['--help'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /--save-tables/)
  })

  test('--dry-run writes nothing and counts rows per table', async () => {
    const f = oddFixture('openvswitch')
    const src = await eng.newDb('dry')
    await loadFixture(src, f)
    const before = await snapshot(src)
    const tgt = await eng.newDb('tgt')
    const r = await cli(migrateArgs(f, src, tgt, ['--dry-run']))
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Dry run: nothing was written/)
    assert.match(r.stdout, new RegExp(`^  ports +${f.rows.ports!.length}$`, 'm'))
    assert.match(r.stdout, /^  ml2_gre_allocations +4$/m)
    assert.deepEqual(await snapshot(src), before)
    assert.deepEqual(Object.keys(await snapshot(tgt)), [])
    const inPlace = await cli(migrateArgs(f, src, undefined, ['--dry-run']))
    assert.equal(inPlace.code, 0, inPlace.stderr)
    assert.match(inPlace.stdout, /Would also \(in place\):\n  renamed networks to legacy_networks/)
    assert.deepEqual(await snapshot(src), before)
  })
})
