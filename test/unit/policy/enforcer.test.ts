import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { toNeutronError } from '../../../src/api/faults.js'
import type { RequestContext } from '../../../src/common/context.js'
import { PolicyNotAuthorized } from '../../../src/common/exceptions.js'
import { NOT_SPECIFIED } from '../../../src/common/not-specified.js'
import {
  credentialsOf,
  NEUTRON_DEFAULT_POLICIES,
  PolicyDenied,
  PolicyEnforcer,
} from '../../../src/policy/index.js'

const ctx = (projectId: string, roles: string[], extra: Partial<RequestContext> = {}): RequestContext => ({
  projectId, userId: `u-${projectId}`, roles, isAdmin: roles.includes('admin'), requestId: 'req-t', ...extra,
})
const admin = ctx('admin-p', ['admin', 'member', 'reader'])
const alice = ctx('pa', ['member', 'reader'])
const bob = ctx('pb', ['member', 'reader'])
const advsvc = ctx('pc', ['advsvc'])
const bare = ctx('pa', []) // a project user without any role

const pol = new PolicyEnforcer()
const denied = (f: () => void, message: string) =>
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof PolicyDenied && e instanceof PolicyNotAuthorized)
    assert.equal(e.message, message)
    const { status, body } = toNeutronError(e)
    assert.equal(status, 403)
    assert.equal(body.NeutronError.type, 'PolicyNotAuthorized')
    return true
  })

// Every rule whose Zed default (new and deprecated) is admin_only.
const ADMIN_ONLY = NEUTRON_DEFAULT_POLICIES.filter(
  (d) => d.checkStr === 'rule:admin_only' && (d.deprecatedCheckStr ?? 'rule:admin_only') === 'rule:admin_only' && d.name.includes(':'),
).map((d) => d.name)

describe('Neutron Zed defaults: every admin-only attribute', () => {
  it('covers the attributes the API cares about', () => {
    for (const n of [
      'create_network:shared', 'create_network:router:external', 'create_network:is_default', 'create_network:segments',
      'create_network:provider:network_type', 'create_network:provider:physical_network', 'create_network:provider:segmentation_id',
      'get_network:segments', 'get_network:provider:network_type', 'get_network:provider:physical_network', 'get_network:provider:segmentation_id',
      'update_network:segments', 'update_network:shared', 'update_network:provider:network_type', 'update_network:provider:physical_network',
      'update_network:provider:segmentation_id', 'update_network:router:external', 'update_network:is_default',
      'create_subnet:segment_id', 'create_subnet:service_types', 'get_subnet:segment_id', 'update_subnet:segment_id', 'update_subnet:service_types',
      'create_port:binding:host_id', 'create_port:binding:profile', 'get_port:binding:vif_type', 'get_port:binding:vif_details',
      'get_port:binding:host_id', 'get_port:binding:profile', 'get_port:resource_request', 'update_port:binding:host_id', 'update_port:binding:profile',
    ]) assert.ok(ADMIN_ONLY.includes(n), n)
    for (const n of ['create_subnetpool:shared', 'create_subnetpool:is_default', 'update_subnetpool:is_default']) assert.ok(ADMIN_ONLY.includes(n), n)
    for (const n of [
      'create_router:distributed', 'create_router:ha', 'create_router:external_gateway_info:enable_snat',
      'create_router:external_gateway_info:external_fixed_ips', 'get_router:distributed', 'get_router:ha', 'update_router:distributed',
      'update_router:ha', 'update_router:external_gateway_info:enable_snat', 'update_router:external_gateway_info:external_fixed_ips',
      'create_floatingip:floating_ip_address',
    ]) assert.ok(ADMIN_ONLY.includes(n), n)
    assert.equal(ADMIN_ONLY.length, 46)
  })

  for (const name of ADMIN_ONLY) {
    it(`${name}: admin yes; owner, other project, advsvc, no-role no`, () => {
      const target = { project_id: 'pa', tenant_id: 'pa', network_id: 'n1', 'network:tenant_id': 'pa', shared: false }
      assert.equal(pol.enforce(name, target, credentialsOf(admin)), true)
      for (const who of [alice, bob, advsvc, bare]) assert.equal(pol.enforce(name, target, credentialsOf(who)), false, who.projectId)
      denied(() => pol.authorize(name, target, credentialsOf(alice)), `rule:${name} is disallowed by policy`)
    })
  }

  it('update_port:mac_address: admin or advsvc only (not even the owner)', () => {
    const t = { project_id: 'pa', tenant_id: 'pa', 'network:tenant_id': 'pa' }
    assert.equal(pol.enforce('update_port:mac_address', t, credentialsOf(admin)), true)
    assert.equal(pol.enforce('update_port:mac_address', t, credentialsOf(advsvc)), true)
    assert.equal(pol.enforce('update_port:mac_address', t, credentialsOf(alice)), false)
  })

  it('update_port:data_plane_status: admin or data_plane_integrator', () => {
    assert.equal(pol.enforce('update_port:data_plane_status', {}, credentialsOf(ctx('x', ['data_plane_integrator']))), true)
    assert.equal(pol.enforce('update_port:data_plane_status', {}, credentialsOf(alice)), false)
  })
})

describe('Neutron request checks (match rule with attributes)', () => {
  it('create_network with an admin-only attribute: 403 naming the compound rule', () => {
    const body = { name: 'n', project_id: 'pa', tenant_id: 'pa', 'provider:network_type': 'vlan' }
    denied(() => pol.authorizeAction(alice, 'create_network', body),
      '(rule:create_network and rule:create_network:provider:network_type) is disallowed by policy')
    pol.authorizeAction(admin, 'create_network', body)
  })

  it('two attributes nest like oslo AndChecks', () => {
    const body = { project_id: 'pa', tenant_id: 'pa', shared: true, 'router:external': true }
    denied(() => pol.authorizeAction(alice, 'create_network', body),
      '((rule:create_network and rule:create_network:shared) and rule:create_network:router:external) is disallowed by policy')
  })

  it('an attribute equal to its default is not explicitly set on create (shared=false is fine)', () => {
    pol.authorizeAction(alice, 'create_network', { project_id: 'pa', tenant_id: 'pa', shared: false, 'router:external': false, port_security_enabled: true })
    pol.authorizeAction(alice, 'create_network', { project_id: 'pa', tenant_id: 'pa', 'provider:network_type': NOT_SPECIFIED })
  })

  it('on update only the keys being updated count, defaults included', () => {
    const net = { id: 'n1', project_id: 'pa', tenant_id: 'pa', shared: false, name: 'x' }
    pol.authorizeAction(alice, 'update_network', { ...net, name: 'y' }, { attributesToUpdate: ['name'] })
    denied(() => pol.authorizeAction(alice, 'update_network', net, { attributesToUpdate: ['shared'] }),
      '(rule:update_network and rule:update_network:shared) is disallowed by policy')
    denied(() => pol.authorizeAction(alice, 'update_network', { ...net, attributes_to_update: ['shared'] }),
      '(rule:update_network and rule:update_network:shared) is disallowed by policy')
  })

  it("update/delete of another project's network is denied, the owner's allowed", () => {
    const net = { id: 'n1', project_id: 'pa', tenant_id: 'pa', shared: false }
    assert.equal(pol.check(alice, 'delete_network', net), true)
    assert.equal(pol.check(bob, 'delete_network', net), false)
    assert.equal(pol.check(admin, 'delete_network', net), true)
    assert.equal(pol.check(bob, 'update_network', net, { attributesToUpdate: [] }), false)
  })

  it('shared and external networks are visible to other projects; private ones are not', () => {
    const priv = { id: 'n1', project_id: 'pa', tenant_id: 'pa', shared: false, 'router:external': false }
    assert.equal(pol.check(alice, 'get_network', priv), true)
    assert.equal(pol.check(bob, 'get_network', priv), false)
    assert.equal(pol.check(bob, 'get_network', { ...priv, shared: true }), true)
    assert.equal(pol.check(bob, 'get_network', { ...priv, 'router:external': true }), true)
    assert.equal(pol.check(advsvc, 'get_network', priv), true)
  })

  it('subnets: created by the network owner; visible on shared networks', () => {
    const sub = { network_id: 'n1', project_id: 'pb', tenant_id: 'pb', 'network:tenant_id': 'pa', shared: false }
    assert.equal(pol.check(bob, 'create_subnet', sub), false, "bob may not add subnets to alice's network")
    assert.equal(pol.check(alice, 'create_subnet', { ...sub, project_id: 'pa', tenant_id: 'pa' }), true)
    assert.equal(pol.check(bob, 'get_subnet', { ...sub, project_id: 'pa', tenant_id: 'pa' }), false)
    assert.equal(pol.check(bob, 'get_subnet', { ...sub, project_id: 'pa', tenant_id: 'pa', shared: true }), true)
    assert.equal(pol.check(alice, 'create_subnet', { ...sub, project_id: 'pa', tenant_id: 'pa', segment_id: 'seg' }), false)
  })

  it("ports on another project's shared network: subnet_id yes, ip_address / mac_address no", () => {
    const port = { network_id: 'n1', project_id: 'pb', tenant_id: 'pb', 'network:tenant_id': 'pa', 'network:shared': true }
    assert.equal(pol.check(bob, 'create_port', port), true)
    assert.equal(pol.check(bob, 'create_port', { ...port, fixed_ips: [{ subnet_id: 's1' }] }), true)
    denied(() => pol.authorizeAction(bob, 'create_port', { ...port, fixed_ips: [{ subnet_id: 's1', ip_address: '192.0.2.5' }] }),
      '(rule:create_port and (rule:create_port:fixed_ips and (rule:create_port:fixed_ips:subnet_id and rule:create_port:fixed_ips:ip_address))) is disallowed by policy')
    assert.equal(pol.check(bob, 'create_port', { ...port, mac_address: 'fa:16:3e:00:00:01' }), false)
    assert.equal(pol.check(bob, 'create_port', { ...port, 'network:shared': false, fixed_ips: [{ subnet_id: 's1' }] }), false)
  })

  it('the network owner may set fixed IPs, MAC and address pairs on ports of its network', () => {
    const port = { network_id: 'n1', project_id: 'pa', tenant_id: 'pa', 'network:tenant_id': 'pa' }
    assert.equal(pol.check(alice, 'create_port', { ...port, fixed_ips: [{ ip_address: '192.0.2.5' }], mac_address: 'fa:16:3e:00:00:01',
      allowed_address_pairs: [{ ip_address: '192.0.2.9' }] }), true)
    assert.equal(pol.check(alice, 'create_port', { ...port, 'binding:host_id': 'h1' }), false)
    assert.equal(pol.check(alice, 'create_port', { ...port, 'binding:profile': { a: 1 } }), false)
    assert.equal(pol.check(alice, 'create_port', { ...port, 'binding:vnic_type': 'direct' }), true)
  })

  it('device_owner network:* needs the network owner; compute:* does not', () => {
    const port = { network_id: 'n1', project_id: 'pb', tenant_id: 'pb', 'network:tenant_id': 'pa', 'network:shared': true }
    assert.equal(pol.check(bob, 'create_port', { ...port, device_owner: 'compute:nova' }), true)
    assert.equal(pol.check(bob, 'create_port', { ...port, device_owner: 'network:dhcp' }), false)
    assert.equal(pol.check(alice, 'create_port', { ...port, project_id: 'pa', tenant_id: 'pa', device_owner: 'network:dhcp' }), true)
  })

  it('ports: owner or network owner may see and delete; others may not', () => {
    const port = { id: 'p1', network_id: 'n1', project_id: 'pb', tenant_id: 'pb', 'network:tenant_id': 'pa' }
    assert.equal(pol.check(bob, 'get_port', port), true)
    assert.equal(pol.check(alice, 'get_port', port), true, 'network owner')
    assert.equal(pol.check(ctx('pz', ['member']), 'get_port', port), false)
    assert.equal(pol.check(alice, 'delete_port', port), true)
    assert.equal(pol.check(ctx('pz', ['member']), 'delete_port', port), false)
  })

  it('the network owner is resolved through resolveParent when the target lacks it', () => {
    const lookups: string[] = []
    const p = new PolicyEnforcer({ resolveParent: (r, id, f) => (lookups.push(`${r}:${id}:${f}`), id === 'n1' ? 'pa' : undefined) })
    const port = { id: 'p1', network_id: 'n1', project_id: 'pb', tenant_id: 'pb' }
    assert.equal(p.check(alice, 'get_port', port), true)
    assert.ok(lookups.includes('network:n1:tenant_id'))
  })

  it('GET hides admin-only attributes from non-admins', () => {
    const port = { id: 'p1', project_id: 'pa', tenant_id: 'pa', 'binding:vif_type': 'ovs', 'binding:vif_details': {}, 'binding:host_id': 'h',
      'binding:profile': {}, 'binding:vnic_type': 'normal', name: 'x' }
    assert.deepEqual(pol.hiddenAttributes(alice, 'port', port).sort(), ['binding:host_id', 'binding:profile', 'binding:vif_details', 'binding:vif_type'])
    assert.deepEqual(Object.keys(pol.filterAttributes(alice, 'port', port)).sort(), ['binding:vnic_type', 'id', 'name', 'project_id', 'tenant_id'])
    assert.deepEqual(pol.hiddenAttributes(admin, 'port', port), [])
    const net = { id: 'n', project_id: 'pa', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 5, 'provider:physical_network': null, segments: [], shared: false }
    assert.deepEqual(pol.hiddenAttributes(alice, 'network', net).sort(),
      ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id', 'segments'])
    assert.deepEqual(pol.hiddenAttributes(alice, 'subnet', { id: 's', segment_id: null, cidr: '192.0.2.0/24' }), ['segment_id'])
  })
})

describe('enforce_new_defaults and overrides', () => {
  it('Zed default: deprecated rules are OR-ed in (a role-less owner may create); new defaults alone need member', () => {
    const body = { project_id: 'pa', tenant_id: 'pa' }
    assert.equal(pol.check(bare, 'create_network', body), true)
    assert.equal(pol.check(bare, 'delete_network', body), true)
    const strict = new PolicyEnforcer({ enforceNewDefaults: true })
    assert.equal(strict.check(bare, 'create_network', body), false)
    assert.equal(strict.check(alice, 'create_network', body), true)
    assert.equal(strict.check(bare, 'get_network', { ...body, shared: false }), false)
    assert.equal(strict.check(ctx('pa', ['reader']), 'get_network', { ...body, shared: false }), true)
    assert.equal(strict.check(ctx('pa', ['reader']), 'delete_network', body), false)
  })

  it('admins bypass the checks only while enforce_new_defaults is off', () => {
    const weird = new PolicyEnforcer({ fileRules: { delete_network: '!' } })
    assert.equal(weird.check(admin, 'delete_network', {}), true)
    const strict = new PolicyEnforcer({ fileRules: { delete_network: '!' }, enforceNewDefaults: true })
    assert.equal(strict.check(admin, 'delete_network', {}), false)
  })

  it('a policy file rule replaces the default (no deprecated OR) and can add rules', () => {
    const p = new PolicyEnforcer({ fileRules: { 'create_network:shared': 'role:netadmin', get_network: 'rule:admin_only', custom: 'role:x' } })
    const netadmin = ctx('pa', ['member', 'netadmin'])
    assert.equal(p.check(netadmin, 'create_network', { project_id: 'pa', tenant_id: 'pa', shared: true }), true)
    assert.equal(p.check(alice, 'create_network', { project_id: 'pa', tenant_id: 'pa', shared: true }), false)
    assert.equal(p.check(alice, 'get_network', { project_id: 'pa', tenant_id: 'pa' }), false)
    assert.equal(p.enforce('custom', {}, credentialsOf(ctx('p', ['x']))), true)
    assert.equal(p.ruleString('get_network'), 'rule:admin_only')
  })

  it('unknown actions and unknown rule references use the default rule (admin_or_owner)', () => {
    const t = { project_id: 'pa', tenant_id: 'pa' }
    assert.equal(pol.enforce('frobnicate_network', t, credentialsOf(alice)), true)
    assert.equal(pol.enforce('frobnicate_network', t, credentialsOf(bob)), false)
    assert.equal(pol.enforce('rule:nope', t, credentialsOf(bob)), false, 'a string is an action name (here unknown → default), not a rule')
    const p = new PolicyEnforcer({ fileRules: { x: 'rule:nope' } })
    assert.equal(p.enforce('x', t, credentialsOf(alice)), true)
    assert.equal(p.enforce('x', t, credentialsOf(bob)), false)
    const nodefault = new PolicyEnforcer({ fileRules: { x: 'rule:nope' }, defaultRule: 'missing' })
    assert.equal(nodefault.enforce('x', t, credentialsOf(alice)), false)
  })

  it('network update with mtu (enforced, no rule of its own) falls back to admin_or_owner', () => {
    const net = { project_id: 'pa', tenant_id: 'pa', mtu: 1400 }
    assert.equal(pol.check(alice, 'update_network', net, { attributesToUpdate: ['mtu'] }), true)
    assert.equal(pol.check(bob, 'update_network', net, { attributesToUpdate: ['mtu'] }), false)
  })

  it('isAdmin evaluates context_is_admin (overridable)', () => {
    assert.equal(pol.isAdmin(credentialsOf(admin)), true)
    assert.equal(pol.isAdmin(credentialsOf(alice)), false)
    const p = new PolicyEnforcer({ fileRules: { context_is_admin: 'role:admin or role:cloud_admin' } })
    assert.equal(p.isAdmin(credentialsOf(ctx('x', ['cloud_admin']))), true)
  })

  it('fromConfig finds policy_file next to the config file and reloads it when it changes', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'neutrino-policy-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'policy.yaml')
    writeFileSync(file, '"create_network": "role:admin"\n')
    const p = PolicyEnforcer.fromConfig({ policy_file: 'policy.yaml', enforce_new_defaults: false, policy_default_rule: 'default' }, [join(dir, 'neutron.conf')])
    assert.equal(p.check(alice, 'create_network', { project_id: 'pa', tenant_id: 'pa' }), false)
    assert.equal(p.reloadIfChanged(), false)
    writeFileSync(file, '"create_network": ""\n')
    utimesSync(file, new Date(), new Date(Date.now() + 5000))
    assert.equal(p.reloadIfChanged(), true)
    assert.equal(p.check(alice, 'create_network', { project_id: 'pa', tenant_id: 'pa' }), true)
    const none = PolicyEnforcer.fromConfig({ policy_file: 'absent.yaml', enforce_new_defaults: false, policy_default_rule: 'default' }, [join(dir, 'neutron.conf')])
    assert.equal(none.check(alice, 'create_network', { project_id: 'pa', tenant_id: 'pa' }), true)
  })
})

describe('tag rules (standard-attr-tag; Neutron 2024.1 names and new defaults)', () => {
  const COLLECTIONS = ['networks', 'subnets', 'ports', 'subnetpools', 'security_groups', 'routers', 'floatingips']
  const byName = new Map(NEUTRON_DEFAULT_POLICIES.map((d) => [d.name, d]))

  it('get_/update_/delete_<collection>_tags exist for every taggable collection, new check strings as Neutron composes them', () => {
    for (const c of COLLECTIONS) for (const v of ['get', 'update', 'delete']) assert.ok(byName.get(`${v}_${c}_tags`)?.deprecatedCheckStr, `${v}_${c}_tags`)
    assert.equal(byName.get('update_networks_tags')!.checkStr, '(rule:admin_only) or (role:member and project_id:%(project_id)s)')
    assert.equal(byName.get('get_networks_tags')!.checkStr,
      '(rule:admin_only) or (role:reader and project_id:%(project_id)s) or rule:shared or rule:external or rule:context_is_advsvc')
    assert.equal(byName.get('delete_ports_tags')!.checkStr,
      'rule:context_is_advsvc or role:member and project_id:%(project_id)s or (rule:admin_only) or (role:member and rule:network_owner)')
  })

  const strict = new PolicyEnforcer({ enforceNewDefaults: true })
  const net = { id: 'n1', project_id: 'pa', tenant_id: 'pa', shared: false, 'router:external': false }

  it('Zed mode: the owner (with or without a role) and the admin; not another project, unless the network is shared (read only)', () => {
    for (const a of ['get_networks_tags', 'update_networks_tags', 'delete_networks_tags']) {
      for (const who of [alice, bare, admin]) assert.equal(pol.enforce(a, net, credentialsOf(who)), true, `${a} ${who.projectId}`)
      assert.equal(pol.enforce(a, net, credentialsOf(bob)), false, a)
    }
    assert.equal(pol.enforce('get_networks_tags', { ...net, shared: true }, credentialsOf(bob)), true)
    assert.equal(pol.enforce('update_networks_tags', { ...net, shared: true }, credentialsOf(bob)), false)
  })

  it('new defaults: readers read, members change, role-less owners do neither', () => {
    const reader = ctx('pa', ['reader'])
    assert.equal(strict.enforce('get_networks_tags', net, credentialsOf(reader)), true)
    assert.equal(strict.enforce('update_networks_tags', net, credentialsOf(reader)), false)
    assert.equal(strict.enforce('update_networks_tags', net, credentialsOf(alice)), true)
    for (const a of ['get_networks_tags', 'update_networks_tags']) assert.equal(strict.enforce(a, net, credentialsOf(bare)), false, a)
  })

  it("ports and subnets: the network's owner may change a subnet's tags and delete (not set) a port's", () => {
    const onA = { network_id: 'n1', project_id: 'pb', tenant_id: 'pb', 'network:tenant_id': 'pa' }
    for (const p of [pol, strict]) {
      const c = credentialsOf(alice)
      assert.equal(p.enforce('update_subnets_tags', onA, c), true)
      assert.equal(p.enforce('delete_ports_tags', onA, c), true)
      assert.equal(p.enforce('update_ports_tags', onA, c), false)
      assert.equal(p.enforce('get_ports_tags', onA, c), true)
      assert.equal(p.enforce('update_ports_tags', onA, credentialsOf(bob)), true)
      assert.equal(p.enforce('update_ports_tags', onA, credentialsOf(ctx('pz', ['member']))), false)
    }
  })
})
