import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { linkLocalOf, parsePrefix } from '../../../src/dataplane/addr.js'
import { DataplaneStateError } from '../../../src/dataplane/dataplane-state-error.js'
import type { DesiredState } from '../../../src/dataplane/desired-state.js'
import { cookie, CookieCategory, objectHash48 } from '../../../src/dataplane/cookie.js'
import { flowKey, renderFlow, type Flow } from '../../../src/dataplane/flow.js'
import { allNodeFlows, nodeFlows } from '../../../src/dataplane/node-flows.js'
import { nodeOvsdbRows } from '../../../src/dataplane/ovsdb-rows.js'
import { port, threeNodes } from '../../fixtures/dataplane-states.js'

const SETTINGS = { integrationBridge: 'br-int', controllerTargets: ['tcp:192.0.2.1:6653'] }

function shuffle<T>(a: readonly T[], seed: number): T[] {
  const out = [...a]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const rendered = (s: DesiredState, n: string) => nodeFlows(s, n).map(renderFlow)

describe('dataplane state: determinism, minimal change, validation, OVSDB rows', () => {
  it('the same state in any order gives the same flows in the same order', () => {
    const s = threeNodes()
    for (let seed = 1; seed < 6; seed++) {
      const t: DesiredState = {
        nodes: shuffle(s.nodes, seed), networks: shuffle(s.networks, seed + 1), ports: shuffle(s.ports, seed + 2),
        securityGroups: s.securityGroups.map((g) => ({ ...g, rules: shuffle(g.rules, seed) })),
      }
      for (const n of ['hv1', 'hv2', 'hv3']) assert.deepEqual(rendered(t, n), rendered(s, n))
    }
  })

  it('changing one port changes only its flows and those of what depends on it', () => {
    const s = threeNodes()
    const t: DesiredState = { ...s, ports: s.ports.map((p) => (p.id === 'p2' ? { ...p, fixedIps: [{ ipAddress: '203.0.113.22' }] } : p)) }
    const before = allNodeFlows(s), after = allNodeFlows(t)
    const p2 = cookie(CookieCategory.Port, 'p2')
    // p2 is a member of sg-default: the remote-group rules of its fellow members follow its address
    const dependents = new Set([cookie(CookieCategory.SecurityGroupRule, 'd-i4')])
    for (const n of ['hv1', 'hv2', 'hv3']) {
      const b = new Set(before.get(n)!.map(renderFlow)), a = new Set(after.get(n)!.map(renderFlow))
      const changed: Flow[] = [...before.get(n)!.filter((f) => !a.has(renderFlow(f))), ...after.get(n)!.filter((f) => !b.has(renderFlow(f)))]
      for (const f of changed) assert.ok(f.cookie === p2 || dependents.has(f.cookie), `unexpected change on ${n}: ${renderFlow(f)}`)
      if (n === 'hv3') assert.equal(changed.length, 0, 'hv3 has nothing of net-a')
    }
    // and a port on another network changes nothing on hv1's net-a flows
    const u: DesiredState = { ...s, ports: [...s.ports, port('p9', 'net-g', 'hv3', 9, 'fa:16:3e:00:00:09', ['192.0.2.9'])] }
    assert.deepEqual(rendered(u, 'hv1'), rendered(s, 'hv1'))
  })

  it('no two flows share an OpenFlow identity', () => {
    for (const [n, flows] of allNodeFlows(threeNodes())) {
      assert.equal(new Set(flows.map(flowKey)).size, flows.length, n)
    }
  })

  it('bad input is refused with a clear error and nothing computed', () => {
    const s = threeNodes()
    const bad = (mut: Partial<DesiredState>, re: RegExp) => {
      assert.throws(() => allNodeFlows({ ...s, ...mut }), (e: unknown) => e instanceof DataplaneStateError && e.code === 'DataplaneStateInvalid' && re.test(e.message))
    }
    bad({ ports: [...s.ports, port('px', 'net-nope', 'hv1', 8, 'fa:16:3e:00:00:08', [])] }, /port px: unknown network net-nope/)
    bad({ ports: [...s.ports, port('px', 'net-a', 'hv1', 8, 'not-a-mac', [])] }, /port px: MAC address not-a-mac/)
    bad({ ports: [...s.ports, port('px', 'net-a', 'hv1', 8, 'fa:16:3e:00:00:08', ['203.0.113.0/24'])] }, /fixed IP 203.0.113.0\/24 is not an address/)
    bad({ ports: [...s.ports, port('px', 'net-a', 'hv1', 1, 'fa:16:3e:00:00:08', [])] }, /ofport 1 on node hv1 is already port p1/)
    bad({ ports: [...s.ports, port('px', 'net-a', 'hv9', 8, 'fa:16:3e:00:00:08', [])] }, /unknown node hv9/)
    bad({ ports: [...s.ports, port('px', 'net-a', 'hv1', 8, 'fa:16:3e:00:00:08', [], { securityGroupIds: ['sg-x'] })] }, /unknown security group sg-x/)
    bad({ networks: [...s.networks, { id: 'net-z', tenantId: 't', type: 'vxlan', segmentationId: 5, tag: 1 }] }, /tag 1 is already used by network net-a/)
    bad({ networks: [...s.networks, { id: 'net-z', tenantId: 't', type: 'vlan', segmentationId: 4095, physicalNetwork: 'p', tag: 9 }] }, /vlan segmentation id 4095/)
    bad({ networks: [...s.networks, { id: 'net-z', tenantId: 't', type: 'gre', tag: 9 }] }, /gre segmentation id undefined/)
    bad({ networks: [...s.networks, { id: 'net-z', tenantId: 't', type: 'flat', tag: 9 }] }, /flat network without physical network/)
    bad({ nodes: [...s.nodes, { id: 'hv9', localIp: 'nowhere', bridgeMappings: {}, datapathType: 'netdev', ofports: {} }] }, /node hv9: local_ip nowhere/)
    bad({ securityGroups: [{ id: 'sg-default', tenantId: 't', rules: [{ id: 'r', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: 0, portRangeMax: 5 }] }] }, /rule r: port range 0-5/)
    // the error names the inconsistency, never a stack of internals
    assert.throws(() => nodeFlows(s, 'hv-unknown'), /node hv-unknown: unknown node/)
  })

  it('OVSDB rows: br-int settings, tunnels to exactly the peers that share a network, patch pairs', () => {
    const rows = nodeOvsdbRows(threeNodes(), 'hv1', SETTINGS)
    assert.deepEqual(rows.map((b) => b.name), ['br-int', 'brphy'])
    const [bi, phy] = rows as [typeof rows[0], typeof rows[0]]
    assert.equal(bi.failMode, 'secure')
    assert.deepEqual(bi.protocols, ['OpenFlow13'])
    assert.deepEqual(bi.controllers, ['tcp:192.0.2.1:6653'])
    assert.deepEqual(bi.otherConfig, { 'disable-in-band': 'true' })
    assert.equal(bi.datapathType, 'netdev')
    assert.deepEqual(bi.ports.map((p) => p.name), ['int-brphy', 'vxlan-c6336402'], 'hv3 shares no network with hv1: no tunnel')
    assert.deepEqual(bi.ports[1]!.interfaces[0], {
      name: 'vxlan-c6336402', type: 'vxlan', options: { key: 'flow', local_ip: '198.51.100.1', remote_ip: '198.51.100.2' },
      externalIds: { 'neutrino-owned': 'true', 'neutrino-peer': 'hv2' },
    })
    assert.deepEqual(bi.ports[0]!.interfaces[0]!.options, { peer: 'phy-brphy' })
    assert.deepEqual(phy.ports.map((p) => [p.name, p.interfaces[0]!.options]), [['phy-brphy', { peer: 'int-brphy' }]])
    assert.equal(phy.failMode, undefined, 'provider bridges keep NORMAL switching')
    // GRE: hv3 and hv1 share net-g once hv1 has a port on it
    const s = threeNodes()
    const g: DesiredState = { ...s, ports: [...s.ports, port('p6', 'net-g', 'hv1', 6, 'fa:16:3e:00:00:06', ['192.0.2.6'])] }
    assert.deepEqual(nodeOvsdbRows(g, 'hv3', SETTINGS)[0]!.ports.map((p) => p.name), ['gre-c6336401'])
    // no local_ip: no tunnels
    const noIp: DesiredState = { ...s, nodes: s.nodes.map((n) => (n.id === 'hv1' ? { ...n, localIp: undefined } : n)) }
    assert.deepEqual(nodeOvsdbRows(noIp, 'hv1', SETTINGS)[0]!.ports.map((p) => p.name), ['int-brphy'])
  })

  it('cookie object ids are FNV-1a-64 (limb arithmetic equals the BigInt definition)', () => {
    const ref = (id: string) => {
      let h = 0xcbf29ce484222325n
      for (const b of Buffer.from(id, 'utf8')) h = ((h ^ BigInt(b)) * 0x100000001b3n) & ((1n << 64n) - 1n)
      return h >> 16n
    }
    for (const id of ['', 'a', 'p1', '0b3c1f44-9d2e-4c1b-8f57-2f7e0e3b9a11', 'ünïcødé-port', 'x'.repeat(300)]) {
      assert.equal(objectHash48(id), ref(id), id)
    }
    assert.equal(cookie(CookieCategory.Port, 'a'), 0x4e02af63dc4c8601n)
  })

  it('addresses: prefixes normalised, EUI-64 link-local', () => {
    assert.deepEqual(parsePrefix('192.0.2.77/24'), { family: 4, address: '192.0.2.0', length: 24 })
    assert.deepEqual(parsePrefix('2001:DB8:0:0:0:0:0:1'), { family: 6, address: '2001:db8::1', length: 128 })
    assert.equal(parsePrefix('192.0.2.1/x'), undefined)
    assert.equal(linkLocalOf('fa:16:3e:00:00:01'), 'fe80::f816:3eff:fe00:1')
  })
})
