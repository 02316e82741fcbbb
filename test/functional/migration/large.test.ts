/**
 * The 10,000-port database on each engine: migrated in one transaction with a progress bar on a
 * terminal, then served: counts, provider attributes, bindings, security groups of every port,
 * routers and their interfaces, and agents through the API.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { largeFixture } from '../../fixtures/migration/fixtures.js'
import { loadFixture } from '../../fixtures/migration/load.js'
import { startNeutrino } from '../../helpers/neutrino.js'
import { cli, engineSkip, migrateArgs, providerOf, startEngine, type Engine, type EngineName } from './harness.js'

for (const name of ['sqlite', 'postgres', 'mariadb'] as EngineName[]) {
  describe(`migrate-to-ml2: 10,000 ports from ${name}`, { skip: engineSkip(name) }, () => {
    let eng: Engine
    let tgtEng: Engine
    before(async () => {
      eng = await startEngine(name)
      tgtEng = name === 'mariadb' ? await startEngine('sqlite') : eng
    })
    after(async () => {
      if (tgtEng && tgtEng !== eng) await tgtEng.stop()
      await eng?.stop()
    })

    test('migrates and serves every port', { timeout: 240_000 }, async () => {
      const f = largeFixture('openvswitch', 10_000)
      const src = await eng.newDb('large')
      await loadFixture(src, f)
      const tgt = await tgtEng.newDb('tgt')
      const r = await cli(migrateArgs(f, src, tgt), true)
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stderr, /\r\x1b\[2Kwriting \[#+\] 100%  \d+\/\d+ rows/, 'progress bar on a terminal')
      assert.match(r.stdout, /ports: +10000\n  port bindings: +8000 bound, 2000 unbound/)
      assert.match(r.stdout, /allocations: +100 \(vlan 50, gre 50\)/)
      assert.match(r.stdout, /routers: +10 \(0 with a gateway, 90 interfaces, 10 extra routes\)/)
      assert.match(r.stdout, /security groups: +2 \(6 rules, \d+ port bindings, 1 default groups\)/)
      assert.match(r.stdout, /agents: +40\n/)
      const s = await startNeutrino({ dbUrl: tgt })
      try {
        const nets = (await s.call('GET', '/v2.0/networks')).body.networks as any[]
        assert.equal(nets.length, 100)
        for (const n of nets) {
          const p = providerOf(f, n.id)
          assert.deepEqual([n['provider:network_type'], n['provider:physical_network'], n['provider:segmentation_id']], [p.type, p.physnet, p.segid])
        }
        const ports = (await s.call('GET', '/v2.0/ports')).body.ports as any[]
        assert.equal(ports.length, 10_000)
        const hosts = new Map(f.rows.portbindingports!.map((b) => [b.port_id, b.host]))
        const src = new Map(f.rows.ports!.map((p) => [p.id, p]))
        const groups = new Map<unknown, string[]>()
        for (const b of f.rows.securitygroupportbindings!) groups.set(b.port_id, [...(groups.get(b.port_id) ?? []), String(b.security_group_id)].sort())
        for (const p of ports) {
          const o = src.get(p.id)!
          assert.equal(p.mac_address, o.mac_address)
          assert.equal(p.network_id, o.network_id)
          assert.equal(p.fixed_ips.length, 2)
          assert.equal(p['binding:host_id'], hosts.get(p.id) ?? '')
          assert.equal(p['binding:vif_type'], hosts.has(p.id) ? 'ovs' : 'unbound')
          assert.deepEqual(p.security_groups, groups.get(p.id) ?? [])
        }
        const routers = (await s.call('GET', '/v2.0/routers')).body.routers as any[]
        assert.equal(routers.length, 10)
        const interfaces = (await s.call('GET', '/v2.0/ports?device_owner=network:router_interface')).body.ports as any[]
        assert.equal(interfaces.length, 90)
        assert.equal((await s.call('GET', '/v2.0/agents')).body.agents.length, 40)
      } finally {
        await s.close()
      }
    })
  })
}
