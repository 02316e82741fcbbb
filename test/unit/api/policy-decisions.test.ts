/**
 * src/api/policy.ts with the real attribute maps and Neutron Zed's default rules, without HTTP:
 * every admin-only attribute decision (create, update, get), the network-owner rules of ports,
 * the 404-vs-403 choice, Neutron's ownership check, and how parents are loaded (lazily, batched).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NETWORK_ATTRS } from '../../../src/api/definitions/network.js'
import { PORT_ATTRS } from '../../../src/api/definitions/port.js'
import { SUBNET_ATTRS } from '../../../src/api/definitions/subnet.js'
import { prepareRequestBody } from '../../../src/api/attributes.js'
import { ApiPolicy, type ParentLoader } from '../../../src/api/policy.js'
import { toNeutronError } from '../../../src/api/faults.js'
import type { RequestContext } from '../../../src/common/context.js'
import { NetworkNotFound } from '../../../src/common/exceptions.js'
import { ENFORCED_ATTRIBUTES, PolicyDenied, PolicyEnforcer, credentialsOf } from '../../../src/policy/index.js'

const ctx = (projectId: string, roles: string[]): RequestContext => ({
  projectId, userId: `u-${projectId}`, roles, isAdmin: roles.includes('admin'), requestId: 'req-t',
})
const ADMIN = ctx('admin-p', ['admin'])
const ALICE = ctx('pa', ['member', 'reader'])
const BOB = ctx('pb', ['member', 'reader'])
const ADVSVC = ctx('pc', ['advsvc'])

const OWN_NET = '0a000000-0000-4000-8000-00000000000a' // alice's
const SHARED_NET = '05000000-0000-4000-8000-000000000005' // the admin's, shared
const EXT_NET = '0e000000-0000-4000-8000-00000000000e' // the admin's, external, not shared
const BOBS_NET = '0b000000-0000-4000-8000-00000000000b' // bob's, private
const NETS: Record<string, { tenant_id: string; shared: boolean; 'router:external': boolean }> = {
  [OWN_NET]: { tenant_id: 'pa', shared: false, 'router:external': false },
  [SHARED_NET]: { tenant_id: 'admin-p', shared: true, 'router:external': false },
  [EXT_NET]: { tenant_id: 'admin-p', shared: false, 'router:external': true },
  [BOBS_NET]: { tenant_id: 'pb', shared: false, 'router:external': false },
}

function setup(o: { enforcer?: PolicyEnforcer } = {}) {
  const loads: string[][] = []
  const network: ParentLoader = async (ids) => {
    loads.push([...ids])
    return new Map(ids.filter((id) => NETS[id]).map((id) => [id, { id, ...NETS[id]!, project_id: NETS[id]!.tenant_id }]))
  }
  const api = new ApiPolicy(o.enforcer ?? new PolicyEnforcer(), {
    parents: { network },
    visibleNetwork: async (c, id) => {
      const n = NETS[id]
      if (!n || !(c.isAdmin || n.tenant_id === c.projectId || n.shared || n['router:external'])) throw new NetworkNotFound(id)
      return { id, ...n }
    },
    reloadIntervalMs: 0,
  })
  return {
    loads,
    networks: api.forResource('network', 'networks', NETWORK_ATTRS),
    subnets: api.forResource('subnet', 'subnets', SUBNET_ATTRS),
    ports: api.forResource('port', 'ports', PORT_ATTRS),
  }
}

/** A create body as the API sees it after validation (defaults filled), and the raw body. */
const post = (map: typeof NETWORK_ATTRS, raw: Record<string, unknown>) => [prepareRequestBody(map, raw, true), raw] as const

async function denied(p: Promise<unknown>, message: string, type = 'PolicyNotAuthorized', status = 403) {
  await assert.rejects(p, (e: unknown) => {
    const r = toNeutronError(e)
    assert.equal(r.status, status)
    assert.deepEqual(r.body.NeutronError, { type, message, detail: '' })
    return true
  })
}

const net = (o: Record<string, unknown> = {}) => ({
  id: OWN_NET, name: 'n', tenant_id: 'pa', project_id: 'pa', admin_state_up: true, mtu: 1450, status: 'ACTIVE', subnets: [],
  shared: false, 'router:external': false, port_security_enabled: true, tags: [], description: '', availability_zone_hints: [],
  'provider:network_type': 'vxlan', 'provider:physical_network': null, 'provider:segmentation_id': 42, ...o,
})
const port = (o: Record<string, unknown> = {}) => ({
  id: 'port-1', name: '', network_id: OWN_NET, tenant_id: 'pa', project_id: 'pa', mac_address: 'fa:16:3e:00:00:01',
  admin_state_up: true, status: 'DOWN', device_id: '', device_owner: '', fixed_ips: [], allowed_address_pairs: [],
  extra_dhcp_opts: [], security_groups: [], description: '', port_security_enabled: true, tags: [],
  'binding:vnic_type': 'normal', 'binding:host_id': 'h1', 'binding:profile': {}, 'binding:vif_type': 'ovs', 'binding:vif_details': { a: 1 },
  ...o,
})

describe('networks: admin-only attributes', () => {
  const ADMIN_SET: Array<[string, unknown]> = [
    ['provider:network_type', 'vlan'],
    ['provider:physical_network', 'physnet1'],
    ['provider:segmentation_id', 101],
    ['segments', [{ 'provider:network_type': 'vxlan' }]],
    ['shared', true],
    ['router:external', true],
  ]
  for (const [attr, value] of ADMIN_SET) {
    // A list of dicts adds a rule per key of each element (oslo prints a one-rule AndCheck as "(rule)").
    const rule = (action: string) =>
      attr === 'segments' ? `(rule:${action} and (rule:${action}:segments and (rule:${action}:segments:provider:network_type)))` : `(rule:${action} and rule:${action}:${attr})`
    it(`create_network:${attr}: members 403, admins pass`, async () => {
      const { networks } = setup()
      const [p, raw] = post(NETWORK_ATTRS, { name: 'x', [attr]: value })
      await denied(networks.view(ALICE)!.authorizeCreate([p], [raw]), `${rule('create_network')} is disallowed by policy`)
      assert.equal(networks.view(ADMIN), null, 'an admin bypasses policy (enforce_new_defaults = false)')
    })
    it(`update_network:${attr}: the owner gets 403`, async () => {
      const { networks } = setup()
      await denied(networks.view(ALICE)!.authorizeUpdate(net(), { [attr]: value }), `${rule('update_network')} is disallowed by policy`)
    })
  }

  it('an attribute equal to its default is not "explicitly set" on create; on update it is', async () => {
    const { networks } = setup()
    const [p, raw] = post(NETWORK_ATTRS, { name: 'x', shared: false, 'router:external': false, port_security_enabled: false, mtu: 1400 })
    await networks.view(ALICE)!.authorizeCreate([p], [raw])
    await denied(networks.view(ALICE)!.authorizeUpdate(net(), { shared: false }), '(rule:update_network and rule:update_network:shared) is disallowed by policy')
    // port_security_enabled and mtu are member attributes (mtu has no rule: policy_default_rule).
    await networks.view(ALICE)!.authorizeUpdate(net(), { port_security_enabled: false, mtu: 1400, name: 'y' })
  })

  it('several attributes nest in attribute-map order, as Neutron prints them', async () => {
    const { networks } = setup()
    const [p, raw] = post(NETWORK_ATTRS, { name: 'x', 'router:external': true, shared: true, 'provider:network_type': 'flat' })
    await denied(
      networks.view(ALICE)!.authorizeCreate([p], [raw]),
      '(((rule:create_network and rule:create_network:shared) and rule:create_network:router:external) and rule:create_network:provider:network_type) is disallowed by policy',
    )
  })

  it('is_default (not an attribute of ours, but a default rule): admin only', () => {
    const pol = new PolicyEnforcer()
    assert.ok(ENFORCED_ATTRIBUTES.networks!.some((a) => a.name === 'is_default'))
    for (const action of ['create_network', 'update_network']) {
      const target = { project_id: 'pa', tenant_id: 'pa', is_default: true }
      assert.equal(pol.check(ALICE, action, target, action === 'update_network' ? { attributesToUpdate: ['is_default'] } : {}), false)
      assert.equal(pol.check(ADMIN, action, target), true)
      assert.equal(pol.check(ALICE, action, { ...target, is_default: false }), true, 'false is the default: not set')
    }
  })

  it('get: provider:* and segments are stripped for members, kept for admins', async () => {
    const { networks } = setup()
    const item = net({ segments: [{ 'provider:network_type': 'vxlan' }] })
    const [seen] = await networks.view(ALICE)!.strip([item])
    for (const k of ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id', 'segments']) assert.ok(!(k in seen!), k)
    for (const k of ['shared', 'router:external', 'mtu', 'port_security_enabled', 'tenant_id', 'project_id']) assert.ok(k in seen!, k)
    const adminView = new PolicyEnforcer({ enforceNewDefaults: true })
    const [full] = await setup({ enforcer: adminView }).networks.view(ADMIN)!.strip([item])
    assert.deepEqual(full, item, 'with enforce_new_defaults an admin is checked, and passes')
  })

  it("get_network: own, shared and external networks; not another project's private one", async () => {
    const { networks } = setup()
    const v = networks.view(ALICE)!
    const items = [net(), net({ id: 'b', tenant_id: 'pb', project_id: 'pb' }), net({ id: 's', tenant_id: 'pb', project_id: 'pb', shared: true }), net({ id: 'e', tenant_id: 'pb', project_id: 'pb', 'router:external': true })]
    assert.deepEqual((await v.visible(items)).map((n) => n.id), [OWN_NET, 's', 'e'])
    await assert.rejects(v.show(items[1]!), (e: any) => toNeutronError(e).status === 404)
  })
})

describe('subnets', () => {
  it('segment_id is admin-only to set; subnets of a shared network are visible, not creatable', async () => {
    const { subnets } = setup()
    const body = { network_id: OWN_NET, ip_version: 4, cidr: '10.0.0.0/24' }
    const [p, raw] = post(SUBNET_ATTRS, { ...body, segment_id: '7bc2e8f8-8bd2-4d5a-8c0a-5d7b6d1e0f11' })
    await denied(subnets.view(ALICE)!.authorizeCreate([p], [raw]), '(rule:create_subnet and rule:create_subnet:segment_id) is disallowed by policy')
    const [ok, okRaw] = post(SUBNET_ATTRS, body)
    await subnets.view(ALICE)!.authorizeCreate([ok], [okRaw])
    const [sh, shRaw] = post(SUBNET_ATTRS, { ...body, network_id: SHARED_NET })
    await denied(subnets.view(ALICE)!.authorizeCreate([sh], [shRaw]), 'rule:create_subnet is disallowed by policy')
    const theirs = { id: 'sub-s', network_id: SHARED_NET, tenant_id: 'admin-p', project_id: 'admin-p', cidr: '192.0.2.0/24' }
    const onBobs = { ...theirs, id: 'sub-b', network_id: BOBS_NET, tenant_id: 'pb', project_id: 'pb' }
    assert.deepEqual((await subnets.view(ALICE)!.visible([theirs, onBobs])).map((s) => s.id), ['sub-s'])
    await denied(subnets.view(ALICE)!.authorizeUpdate(theirs, { name: 'x' }), 'rule:update_subnet is disallowed by policy')
    await denied(subnets.view(ALICE)!.authorizeDelete(onBobs), 'The resource could not be found.', 'HTTPNotFound', 404)
  })
})

describe('ports: admin-only and network-owner attributes', () => {
  const mine = { network_id: OWN_NET, project_id: 'pa' }
  const onShared = { network_id: SHARED_NET, project_id: 'pa' }

  for (const [attr, value] of [['binding:host_id', 'compute-1'], ['binding:host_id', ''], ['binding:profile', { a: 1 }]] as const) {
    it(`${attr} = ${JSON.stringify(value)}: admin only on create and update`, async () => {
      const { ports } = setup()
      const [p, raw] = post(PORT_ATTRS, { ...mine, [attr]: value })
      await denied(ports.view(ALICE)!.authorizeCreate([p], [raw]), `(rule:create_port and rule:create_port:${attr}) is disallowed by policy`)
      await denied(ports.view(ALICE)!.authorizeUpdate(port(), { [attr]: value }), `(rule:update_port and rule:update_port:${attr}) is disallowed by policy`)
    })
  }

  it('an unset binding:host_id (filled with "" by the API) is not set; vnic_type is a member attribute', async () => {
    const { ports } = setup()
    const [p, raw] = post(PORT_ATTRS, { ...mine, 'binding:vnic_type': 'direct', port_security_enabled: false })
    assert.equal(p['binding:host_id'], '')
    await ports.view(ALICE)!.authorizeCreate([p], [raw])
    await ports.view(ALICE)!.authorizeUpdate(port(), { 'binding:vnic_type': 'macvtap' })
  })

  it('get: binding:vif_type, vif_details, host_id and profile are admin only', async () => {
    const { ports } = setup()
    const [seen] = await ports.view(ALICE)!.strip([port()])
    for (const k of ['binding:vif_type', 'binding:vif_details', 'binding:host_id', 'binding:profile']) assert.ok(!(k in seen!), k)
    assert.equal(seen!['binding:vnic_type'], 'normal')
  })

  it("mac_address, fixed_ips (ip_address), allowed_address_pairs: network owner's; subnet_id on shared networks: anyone's", async () => {
    const { ports } = setup()
    const cases: Array<[Record<string, unknown>, string | null]> = [
      [{ ...mine, mac_address: 'fa:16:3e:11:22:33' }, null],
      [{ ...onShared, mac_address: 'fa:16:3e:11:22:33' }, '(rule:create_port and rule:create_port:mac_address)'],
      [{ ...mine, fixed_ips: [{ ip_address: '10.0.0.5' }] }, null],
      [{ ...onShared, fixed_ips: [{ ip_address: '192.0.2.5' }] }, '(rule:create_port and (rule:create_port:fixed_ips and (rule:create_port:fixed_ips:ip_address)))'],
      [{ ...onShared, fixed_ips: [{ subnet_id: '7bc2e8f8-8bd2-4d5a-8c0a-5d7b6d1e0f11' }] }, null],
      [{ ...onShared, fixed_ips: [{ subnet_id: '7bc2e8f8-8bd2-4d5a-8c0a-5d7b6d1e0f11', ip_address: '192.0.2.5' }] },
        '(rule:create_port and (rule:create_port:fixed_ips and (rule:create_port:fixed_ips:subnet_id and rule:create_port:fixed_ips:ip_address)))'],
      [{ ...onShared, allowed_address_pairs: [{ ip_address: '192.0.2.9' }] },
        '(rule:create_port and (rule:create_port:allowed_address_pairs and (rule:create_port:allowed_address_pairs:ip_address)))'],
      [{ ...mine, allowed_address_pairs: [{ ip_address: '10.0.0.9', mac_address: 'fa:16:3e:11:22:33' }] }, null],
    ]
    for (const [body, rule] of cases) {
      const [p, raw] = post(PORT_ATTRS, body)
      const r = ports.view(ALICE)!.authorizeCreate([p], [raw])
      if (rule) await denied(r, `${rule} is disallowed by policy`)
      else await r
    }
    // advsvc may set MACs and addresses anywhere; update_port:mac_address is admin/advsvc only.
    const [p, raw] = post(PORT_ATTRS, { ...onShared, project_id: 'pc', mac_address: 'fa:16:3e:11:22:33', fixed_ips: [{ ip_address: '192.0.2.5' }] })
    await ports.view(ADVSVC)!.authorizeCreate([p], [raw])
    await denied(ports.view(ALICE)!.authorizeUpdate(port(), { mac_address: 'fa:16:3e:11:22:34' }), '(rule:update_port and rule:update_port:mac_address) is disallowed by policy')
    await ports.view(ADVSVC)!.authorizeUpdate(port({ tenant_id: 'pc', project_id: 'pc' }), { mac_address: 'fa:16:3e:11:22:34' })
  })

  it('device_owner network:*: only on networks the caller owns; compute:* anywhere', async () => {
    const { ports } = setup()
    for (const [body, ok] of [
      [{ ...mine, device_owner: 'network:dhcp' }, true],
      [{ ...onShared, device_owner: 'network:router_interface' }, false],
      [{ ...onShared, device_owner: 'compute:nova' }, true],
    ] as const) {
      const [p, raw] = post(PORT_ATTRS, body)
      const r = ports.view(ALICE)!.authorizeCreate([p], [raw])
      if (ok) await r
      else await denied(r, '(rule:create_port and rule:create_port:device_owner) is disallowed by policy')
    }
    await denied(ports.view(ALICE)!.authorizeUpdate(port({ network_id: SHARED_NET }), { device_owner: 'network:dhcp' }),
      '(rule:update_port and rule:update_port:device_owner) is disallowed by policy')
  })

  it("Neutron's ownership check: not on another project's unshared network (403), not on one the caller cannot see (404)", async () => {
    const { ports, subnets } = setup()
    const [p, raw] = post(PORT_ATTRS, { network_id: EXT_NET, project_id: 'pa' })
    await denied(ports.view(ALICE)!.authorizeCreate([p], [raw]), 'Tenant pa not allowed to create port on this network', 'HTTPForbidden')
    const [s, sraw] = post(SUBNET_ATTRS, { network_id: EXT_NET, project_id: 'pa', ip_version: 4, cidr: '10.1.0.0/24' })
    await denied(subnets.view(ALICE)!.authorizeCreate([s], [sraw]), 'Tenant pa not allowed to create subnet on this network', 'HTTPForbidden')
    const [b, braw] = post(PORT_ATTRS, { network_id: BOBS_NET, project_id: 'pa', 'binding:host_id': 'h' })
    await denied(ports.view(ALICE)!.authorizeCreate([b], [braw]), `Network ${BOBS_NET} could not be found.`, 'NetworkNotFound', 404)
    // advsvc skips it (and policy lets it create ports anywhere).
    const [a, araw] = post(PORT_ATTRS, { network_id: BOBS_NET, project_id: 'pc' })
    await ports.view(ADVSVC)!.authorizeCreate([a], [araw])
  })

  it('404 when the caller may not even see what it updates or deletes, 403 when it may', async () => {
    const { ports, networks } = setup()
    await denied(networks.view(ALICE)!.authorizeUpdate(net({ id: SHARED_NET, tenant_id: 'admin-p', project_id: 'admin-p', shared: true }), { name: 'x' }),
      'rule:update_network is disallowed by policy')
    await denied(networks.view(ALICE)!.authorizeDelete(net({ id: SHARED_NET, tenant_id: 'admin-p', project_id: 'admin-p', shared: true })),
      'rule:delete_network is disallowed by policy')
    await denied(networks.view(BOB)!.authorizeUpdate(net(), { name: 'x' }), 'The resource could not be found.', 'HTTPNotFound', 404)
    // The network owner may see and delete another project's port on its network, not update it.
    const theirs = port({ id: 'p-b', tenant_id: 'pb', project_id: 'pb' })
    await ports.view(ALICE)!.authorizeDelete(theirs)
    await denied(ports.view(ALICE)!.authorizeUpdate(theirs, { name: 'x' }), 'rule:update_port is disallowed by policy')
    await denied(ports.view(BOB)!.authorizeUpdate(port(), { name: 'x' }), 'The resource could not be found.', 'HTTPNotFound', 404)
  })
})

describe('evaluation cost', () => {
  it("parents are loaded only when a rule needs them, once per request for a whole list", async () => {
    const { ports, loads } = setup()
    const own = Array.from({ length: 50 }, (_, i) => port({ id: `a${i}` }))
    assert.equal((await ports.view(ALICE)!.visible(own)).length, 50)
    assert.deepEqual(loads, [], "the caller's own ports need no network")
    const others = Array.from({ length: 50 }, (_, i) => port({ id: `b${i}`, tenant_id: 'pb', project_id: 'pb', network_id: i % 2 ? OWN_NET : SHARED_NET }))
    const seen = await ports.view(ALICE)!.visible([...own, ...others])
    assert.equal(seen.length, 75, "ports of others on the caller's network are visible to it; on the shared network not")
    assert.deepEqual(loads.map((l) => [...l].sort()), [[OWN_NET, SHARED_NET].sort()])
  })

  it('rules that depend only on the caller are decided once per request', () => {
    const pol = new PolicyEnforcer()
    for (const r of ['get_port:binding:host_id', 'get_network:provider:network_type', 'create_network:shared']) assert.equal(pol.isTargetIndependent(r), true, r)
    for (const r of ['get_port', 'get_network', 'create_port:mac_address', 'update_network']) assert.equal(pol.isTargetIndependent(r), false, r)
  })

  it('context_is_admin decides who is an admin', () => {
    const pol = new PolicyEnforcer({ fileRules: { context_is_admin: 'role:admin or role:cloud_admin' } })
    assert.equal(pol.isAdmin(credentialsOf(ctx('x', ['cloud_admin']))), true)
    assert.equal(pol.isAdmin(credentialsOf(ctx('x', ['member']))), false)
    assert.ok(new PolicyDenied({ kind: 'rule', match: 'x' }).message === 'rule:x is disallowed by policy')
  })
})
