/**
 * Sources migrate-to-ml2 must refuse with a clear message, writing nothing anywhere: missing
 * tables, wrong or missing schema version, truncated (NULL / orphan) rows, duplicate bindings;
 * routers, floating IPs, security groups, rules, agents and quotas that point nowhere or that
 * Neutrino's keys refuse;
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

    test('L3 and security-group rows that point nowhere', async () => {
      const f = ovs()
      const missing = (n: number) => `00000000-0000-4000-8000-00000000000${n}`
      const defA = f.rows.securitygroups!.find((g) => g.tenant_id === 'tenant-a' && g.name === 'default')!
      const rule = f.rows.securitygrouprules!.find((x) => x.security_group_id === defA.id)!
      const ssh = f.rows.securitygrouprules!.find((x) => x.port_range_min === 22)!
      const fip = f.rows.floatingips!.find((x) => x.fixed_port_id)!
      const snatless = f.rows.routers!.find((x) => x.name === 'snatless')!
      const r2 = f.rows.routers!.find((x) => x.tenant_id === 'tenant-b')!
      const r2port = f.rows.ports!.find((x) => x.device_id === r2.id)!
      const vm = f.rows.securitygroupportbindings![0]!.port_id
      const err = await refused(f, {
        noForeignKeys: true,
        mutate: [
          ...orphans,
          `UPDATE securitygrouprules SET security_group_id = '${missing(1)}' WHERE id = '${rule.id}'`,
          `UPDATE securitygrouprules SET remote_group_id = '${missing(2)}' WHERE id = '${ssh.id}'`,
          `UPDATE floatingips SET floating_port_id = '${missing(3)}' WHERE id = '${fip.id}'`,
          `UPDATE routers SET gw_port_id = '${missing(4)}' WHERE id = '${snatless.id}'`,
          `DELETE FROM routerl3agentbindings WHERE router_id = '${r2.id}'`,
          `DELETE FROM routers WHERE id = '${r2.id}'`,
          `INSERT INTO securitygroupportbindings (port_id, security_group_id) VALUES ('${vm}', '${missing(5)}')`,
          `INSERT INTO routerroutes (destination, nexthop, router_id) VALUES ('198.51.100.0/24', '192.0.2.1', '${missing(6)}')`,
        ],
      }, /The source database is inconsistent \(8 problem\(s\)\)/)
      assert.match(err, new RegExp(`securitygrouprules: rule ${rule.id} belongs to security group ${missing(1)}, which does not exist`))
      assert.match(err, new RegExp(`securitygrouprules: rule ${ssh.id} of security group \\S+ names remote group ${missing(2)}, which does not exist`))
      assert.match(err, new RegExp(`floatingips: floating IP ${fip.id} refers to port ${missing(3)}, which does not exist`))
      assert.match(err, new RegExp(`routers: the gateway of router ${snatless.id} refers to port ${missing(4)}, which does not exist`))
      // … and the router's real gateway port now belongs to a router that does not know it.
      assert.match(err, new RegExp(`ports: port \\S+ is a gateway port of router ${snatless.id}, whose gw_port_id is ${missing(4)}`))
      assert.match(err, new RegExp(`ports: port ${r2port.id} \\(network:router_interface\\) belongs to router '${r2.id}', which does not exist`))
      assert.match(err, new RegExp(`securitygroupportbindings: port ${vm} is bound to security group ${missing(5)}, which does not exist`))
      assert.match(err, new RegExp(`routerroutes: route 198.51.100.0/24 via 192.0.2.1 belongs to router ${missing(6)}, which does not exist`))
    })

    test('agents, quotas and rules that Neutrino’s keys and columns refuse (a Havana source: no unique agent key)', async () => {
      const f = oddFixture('openvswitch', 'havana')
      const q = (c: string) => (name === 'mariadb' ? `\`${c}\`` : `"${c}"`)
      const [a, b] = f.rows.agents!
      const web = f.rows.securitygroups!.find((g) => g.name === 'web')!
      const [r1, r2] = f.rows.securitygrouprules!.filter((x) => x.security_group_id === web.id)
      const err = await refused(f, {
        mutate: [
          `INSERT INTO agents (id, agent_type, ${q('binary')}, topic, host, admin_state_up, created_at, started_at, heartbeat_timestamp, description, configurations)
           VALUES ('00000000-0000-4000-8000-000000000007', '${a!.agent_type}', 'again', 'N/A', '${a!.host}', 1, '2014-04-17 10:00:00', '2014-04-17 10:00:00', '2014-04-17 10:00:00', NULL, '{}')`,
          // MariaDB stores what it cannot read as a date as its zero date.
          `UPDATE agents SET created_at = '${name === 'mariadb' ? '0000-00-00 00:00:00' : 'yesterday'}' WHERE id = '${b!.id}'`,
          `INSERT INTO quotas (id, tenant_id, resource, ${q('limit')}) VALUES ('00000000-0000-4000-8000-000000000008', 'tenant-a', 'network', 30)`,
          `UPDATE securitygrouprules SET direction = NULL WHERE id = '${r1!.id}'`,
          `UPDATE securitygrouprules SET ethertype = 'IPv5' WHERE id = '${r2!.id}'`,
        ],
      }, /inconsistent \(5 problem\(s\)\)/)
      assert.match(err, new RegExp(`agents: agents \\S+ and \\S+ are both the '${a!.agent_type}' of host ${a!.host}`))
      assert.match(err, new RegExp(`agents: agent ${b!.id} has created_at '[^']*', which is not a date and time`))
      assert.match(err, /quotas: rows \S+ and \S+ both set the network limit of project tenant-a/)
      assert.match(err, new RegExp(`securitygrouprules: rule ${r1!.id} has direction NULL`))
      assert.match(err, new RegExp(`securitygrouprules: rule ${r2!.id} has ethertype 'IPv5'`))
    })

    test('an extension table without one of its columns', async () => {
      const err = await refused(ovs(), { mutate: ['ALTER TABLE securitygroups DROP COLUMN description'] }, /not a Havana\/Icehouse openvswitch plugin database/)
      assert.match(err, /table securitygroups has no column description/)
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
    for (const rows of Object.values(odd.rows)) {
      for (const r of rows) for (const c of ['port_id', 'floating_port_id', 'fixed_port_id', 'gw_port_id']) if (r[c] === oldId) r[c] = clash.id
    }
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

  test('in place: an inconsistent source is refused and left exactly as it was', async () => {
    const f = oddFixture('openvswitch')
    const rule = f.rows.securitygrouprules![0]!
    const src = await eng.newDb('inplace_bad')
    await loadFixture(src, f, { noForeignKeys: true, mutate: [`UPDATE securitygrouprules SET security_group_id = 'gone' WHERE id = '${rule.id}'`] })
    const before = await snapshot(src)
    const r = await cli(migrateArgs(f, src))
    assert.equal(r.code, 1)
    assert.match(r.stderr, new RegExp(`rule ${rule.id} belongs to security group gone, which does not exist`))
    assert.deepEqual(await snapshot(src), before)
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
    assert.match(inPlace.stdout, /Would also \(in place\):\n  replaced networks by Neutrino's networks\n/)
    assert.match(inPlace.stdout, /^  securitygroups +5$/m)
    assert.match(inPlace.stdout, /^  routerports +4$/m)
    assert.deepEqual(await snapshot(src), before)
  })
})
