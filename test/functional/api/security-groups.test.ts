/**
 * Security groups over HTTP on SQLite and PostgreSQL (the security-group extension with
 * stateful-security-group and standard attributes): each project's default group (created on
 * first use, once, even under concurrent first requests through two servers on one database),
 * group create/show/list/update/delete, Neutron's default-group rules, tags, list queries,
 * policy between projects (sg_owner), quotas, and Neutron Zed's error bodies.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { describeOnEngines, describeOnEnginesWithServers, expectNeutronError } from '../../helpers/api-engines.js'

const ALICE = { 'X-Project-Id': 'alice', 'X-Roles': 'member' }
const BOB = { 'X-Project-Id': 'bob', 'X-Roles': 'member' }
const REF = '/work/shared/reference/neutron/security-groups-list.json'

const keys = (o: object) => Object.keys(o).sort()

describeOnEngines((engine) => `security groups on ${engine}`, {}, (s) => {
  const group = async (body: Record<string, unknown>, headers?: Record<string, string>) => {
    const r = await s.call('POST', '/v2.0/security-groups', { security_group: body }, headers)
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body.security_group
  }
  const defaultOf = async (project: string, headers?: Record<string, string>) => {
    const r = await s.call('GET', `/v2.0/security-groups?name=default&tenant_id=${project}`, undefined, headers)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body.security_groups as any[]
  }

  it('advertises security-group, stateful-security-group, normalized CIDRs and port filtering as Neutron does', async () => {
    const ref = JSON.parse(readFileSync('/work/shared/reference/neutron/extensions-full.json', 'utf8')).extensions
    for (const alias of ['security-group', 'stateful-security-group', 'security-groups-normalized-cidr', 'port-security-groups-filtering']) {
      const r = await s.call('GET', `/v2.0/extensions/${alias}`)
      assert.equal(r.status, 200, alias)
      assert.deepEqual(r.body.extension, ref.find((e: any) => e.alias === alias))
    }
    // RBAC and address groups are not implemented, so not promised.
    for (const alias of ['rbac-security-groups', 'security-groups-remote-address-group', 'security-groups-shared-filtering']) {
      assert.equal((await s.call('GET', `/v2.0/extensions/${alias}`)).status, 404, alias)
    }
  })

  it('creates the default group on the first list, with Neutron keys, rules and revision', async () => {
    const r = await s.call('GET', '/v2.0/security-groups')
    assert.equal(r.status, 200)
    assert.deepEqual(keys(r.body), ['security_groups'])
    assert.equal(r.body.security_groups.length, 1)
    const g = r.body.security_groups[0]
    const ref = JSON.parse(readFileSync(REF, 'utf8')).security_groups[0]
    assert.deepEqual(keys(g), keys(ref))
    // Documented: no standard_attr_id (Neutron's row id), no remote_address_group_id (not advertised).
    const refRuleKeys = keys(ref.security_group_rules[0]).filter((k) => k !== 'standard_attr_id' && k !== 'remote_address_group_id')
    for (const rule of g.security_group_rules) assert.deepEqual(keys(rule), refRuleKeys)
    assert.equal(g.name, 'default')
    assert.equal(g.description, 'Default security group')
    assert.equal(g.stateful, true)
    assert.equal(g.shared, false)
    assert.equal(g.revision_number, 1)
    assert.equal(g.tenant_id, g.project_id)
    assert.match(g.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const summary = g.security_group_rules.map((x: any) => [x.direction, x.ethertype, x.remote_group_id === g.id ? 'self' : x.remote_group_id])
    assert.deepEqual(summary, [
      ['ingress', 'IPv4', 'self'],
      ['egress', 'IPv4', null],
      ['ingress', 'IPv6', 'self'],
      ['egress', 'IPv6', null],
    ])
    for (const rule of g.security_group_rules) {
      assert.equal(rule.protocol, null)
      assert.equal(rule.port_range_min, null)
      assert.equal(rule.remote_ip_prefix, null)
      assert.equal(rule.normalized_cidr, null)
      assert.equal(rule.description, null)
      assert.equal(rule.revision_number, 0)
      assert.deepEqual(rule.tags, [])
    }
    const again = await s.call('GET', '/v2.0/security-groups')
    assert.deepEqual(again.body.security_groups.map((x: any) => x.id), [g.id])
  })

  it('creates a project default group on its first network, port, rule list or group create, not twice', async () => {
    const net = await s.call('POST', '/v2.0/networks', { network: { name: 'n', tenant_id: 'p-net' } })
    assert.equal(net.status, 201)
    assert.equal((await defaultOf('p-net')).length, 1)
    const own = await s.call('POST', '/v2.0/networks', { network: { name: 'own' } })
    const port = await s.call('POST', '/v2.0/ports', { port: { network_id: own.body.network.id, tenant_id: 'p-port' } })
    assert.equal(port.status, 201)
    const [d] = await defaultOf('p-port')
    assert.deepEqual(port.body.port.security_groups, [d.id])
    const rules = await s.call('GET', '/v2.0/security-group-rules?tenant_id=p-rules')
    assert.equal(rules.status, 200)
    assert.equal(rules.body.security_group_rules.length, 4)
    assert.ok(rules.body.security_group_rules.every((r: any) => r.tenant_id === 'p-rules'))
    await group({ name: 'x', tenant_id: 'p-sg' })
    assert.equal((await defaultOf('p-sg')).length, 1)
    for (const p of ['p-net', 'p-port', 'p-rules', 'p-sg']) assert.equal((await defaultOf(p)).length, 1, p)
  })

  it('does not create another project\'s default group for a non-admin (bug 1987410)', async () => {
    const r = await s.call('GET', '/v2.0/security-groups?tenant_id=carol', undefined, ALICE)
    assert.deepEqual(r.body.security_groups, [])
    assert.equal((await defaultOf('carol')).length, 1, 'an admin listing creates it')
  })

  it('creates, shows, updates and deletes a group', async () => {
    const g = await group({ name: 'web', description: 'front', tenant_id: 'alice' }, ALICE)
    assert.equal(g.name, 'web')
    assert.equal(g.description, 'front')
    assert.equal(g.stateful, true)
    assert.equal(g.tenant_id, 'alice')
    assert.equal(g.revision_number, 1)
    assert.deepEqual(g.security_group_rules.map((x: any) => [x.direction, x.ethertype, x.remote_group_id]), [
      ['egress', 'IPv4', null],
      ['egress', 'IPv6', null],
    ])
    const shown = await s.call('GET', `/v2.0/security-groups/${g.id}`, undefined, ALICE)
    assert.deepEqual(shown.body.security_group, g)
    const fields = await s.call('GET', `/v2.0/security-groups/${g.id}?fields=id&fields=name`, undefined, ALICE)
    assert.deepEqual(fields.body, { security_group: { id: g.id, name: 'web' } })
    const u = await s.call('PUT', `/v2.0/security-groups/${g.id}`, { security_group: { name: 'web2', description: 'd2', stateful: false } }, ALICE)
    assert.equal(u.status, 200, JSON.stringify(u.body))
    assert.equal(u.body.security_group.name, 'web2')
    assert.equal(u.body.security_group.description, 'd2')
    assert.equal(u.body.security_group.stateful, false)
    assert.equal(u.body.security_group.revision_number, 2)
    const del = await s.call('DELETE', `/v2.0/security-groups/${g.id}`, undefined, ALICE)
    assert.equal(del.status, 204)
    expectNeutronError(await s.call('GET', `/v2.0/security-groups/${g.id}`, undefined, ALICE), 404, 'SecurityGroupNotFound', `Security group ${g.id} does not exist`)
    expectNeutronError(await s.call('DELETE', `/v2.0/security-groups/${g.id}`), 404, 'SecurityGroupNotFound')
    const rules = await s.call('GET', `/v2.0/security-group-rules?security_group_id=${g.id}`)
    assert.deepEqual(rules.body.security_group_rules, [], 'its rules went with it')
  })

  it('refuses a group named default and renaming to or from default (409)', async () => {
    const msg = 'Default security group already exists.'
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'default' } }), 409, 'SecurityGroupDefaultAlreadyExists', msg)
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'DeFault' } }), 409, 'SecurityGroupDefaultAlreadyExists', msg)
    const g = await group({ name: 'app' })
    expectNeutronError(await s.call('PUT', `/v2.0/security-groups/${g.id}`, { security_group: { name: 'default' } }), 409, 'SecurityGroupDefaultAlreadyExists', msg)
    const [d] = await defaultOf('alice', ALICE)
    expectNeutronError(await s.call('PUT', `/v2.0/security-groups/${d.id}`, { security_group: { name: 'other' } }, ALICE), 409, 'SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.')
    const desc = await s.call('PUT', `/v2.0/security-groups/${d.id}`, { security_group: { description: 'mine' } }, ALICE)
    assert.equal(desc.status, 200)
    assert.equal(desc.body.security_group.description, 'mine')
  })

  it('lets only an admin delete a default group; the next use creates a new one', async () => {
    const [d] = await defaultOf('alice', ALICE)
    expectNeutronError(await s.call('DELETE', `/v2.0/security-groups/${d.id}`, undefined, ALICE), 409, 'SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.')
    // tempest's cleanup_default_secgroup: admin lists by tenant_id and name, then deletes.
    assert.equal((await s.call('DELETE', `/v2.0/security-groups/${d.id}`)).status, 204)
    const fresh = await defaultOf('alice', ALICE)
    assert.equal(fresh.length, 1)
    assert.notEqual(fresh[0].id, d.id)
  })

  it('validates bodies with Neutron error bodies', async () => {
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'x', bogus: 1 } }), 400, 'HTTPBadRequest', "Unrecognized attribute(s) 'bogus'")
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { name: 5 } }), 400, 'HTTPBadRequest', "Invalid input for name. Reason: '5' is not a valid string.")
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { security_group_rules: [] } }), 400, 'HTTPBadRequest', "Attribute 'security_group_rules' not allowed in POST")
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { stateful: 'maybe' } }), 400, 'InvalidInput', "Invalid input for operation: 'maybe' cannot be converted to boolean.")
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'x'.repeat(256) } }), 400, 'HTTPBadRequest')
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { net: {} }), 400, 'HTTPBadRequest', "Unable to find 'security_group' in request body")
    expectNeutronError(await s.call('GET', `/v2.0/security-groups/00000000-0000-0000-0000-000000000000`), 404, 'SecurityGroupNotFound', 'Security group 00000000-0000-0000-0000-000000000000 does not exist')
    const g = await group({ name: 'ro' })
    expectNeutronError(await s.call('PUT', `/v2.0/security-groups/${g.id}`, { security_group: { tenant_id: 'x' } }), 400, 'HTTPBadRequest', 'Cannot update read-only attribute tenant_id')
    await s.call('DELETE', `/v2.0/security-groups/${g.id}`)
  })

  it('bulk-creates groups all or nothing', async () => {
    const ok = await s.call('POST', '/v2.0/security-groups', { security_groups: [{ name: 'b1', tenant_id: 'bulk' }, { name: 'b2', tenant_id: 'bulk' }] })
    assert.equal(ok.status, 201, JSON.stringify(ok.body))
    assert.deepEqual(ok.body.security_groups.map((g: any) => g.name), ['b1', 'b2'])
    const bad = await s.call('POST', '/v2.0/security-groups', { security_groups: [{ name: 'b3', tenant_id: 'bulk' }, { name: 'default', tenant_id: 'bulk' }] })
    expectNeutronError(bad, 409, 'SecurityGroupDefaultAlreadyExists')
    const names = (await s.call('GET', '/v2.0/security-groups?tenant_id=bulk&fields=name&sort_key=name&sort_dir=asc')).body.security_groups.map((g: any) => g.name)
    assert.deepEqual(names, ['b1', 'b2', 'default'])
  })

  it('lists with filters, fields, sorting, pagination and tags', async () => {
    const ids: string[] = []
    for (const n of ['q-c', 'q-a', 'q-b']) ids.push((await group({ name: n, tenant_id: 'lister' })).id)
    const sorted = await s.call('GET', '/v2.0/security-groups?tenant_id=lister&sort_key=name&sort_dir=desc&fields=name')
    assert.deepEqual(sorted.body.security_groups.map((g: any) => g.name), ['q-c', 'q-b', 'q-a', 'default'])
    const byName = await s.call('GET', '/v2.0/security-groups?name=q-a&name=q-b&fields=id')
    assert.deepEqual(byName.body.security_groups.map((g: any) => g.id).sort(), [ids[1], ids[2]].sort())
    const page = await s.call('GET', '/v2.0/security-groups?tenant_id=lister&limit=2&sort_key=name&sort_dir=asc')
    assert.deepEqual(page.body.security_groups.map((g: any) => g.name), ['default', 'q-a'])
    const next = page.body.security_groups_links.find((l: any) => l.rel === 'next').href as string
    assert.match(next, /\/v2\.0\/security-groups\?/)
    const page2 = await s.call('GET', next.replace(/^http:\/\/[^/]+/, ''))
    assert.deepEqual(page2.body.security_groups.map((g: any) => g.name), ['q-b', 'q-c'])
    // An unknown marker gives the first page, as Neutron's object pager does.
    const unknown = await s.call('GET', '/v2.0/security-groups?tenant_id=lister&limit=1&sort_key=name&sort_dir=asc&marker=00000000-0000-0000-0000-000000000000')
    assert.deepEqual(unknown.body.security_groups.map((g: any) => g.name), ['default'])
    expectNeutronError(await s.call('GET', '/v2.0/security-groups?sort_key=security_group_rules&sort_dir=asc'), 400, 'BadRequest')
    // tags (standard-attr-tag covers security_group): a tag change is a new revision.
    const put = await s.call('PUT', `/v2.0/security-groups/${ids[0]}/tags`, { tags: ['red', 'blue'] })
    assert.equal(put.status, 200)
    assert.equal((await s.call('PUT', `/v2.0/security-groups/${ids[1]}/tags/red`)).status, 201)
    const red = await s.call('GET', '/v2.0/security-groups?tags=red&fields=id')
    assert.deepEqual(red.body.security_groups.map((g: any) => g.id).sort(), [ids[0], ids[1]].sort())
    const shown = (await s.call('GET', `/v2.0/security-groups/${ids[0]}`)).body.security_group
    assert.deepEqual(shown.tags, ['blue', 'red'])
    assert.equal(shown.revision_number, 2)
    assert.equal((await s.call('GET', `/v2.0/security-groups/${ids[1]}/tags/blue`)).status, 404)
  })

  it('scopes groups by project: others\' groups are not found, owners act on theirs', async () => {
    const a = await group({ name: 'alice-only', tenant_id: 'alice' }, ALICE)
    const bobList = await s.call('GET', '/v2.0/security-groups', undefined, BOB)
    assert.ok(bobList.body.security_groups.every((g: any) => g.tenant_id === 'bob'))
    assert.equal(bobList.body.security_groups.length, 1, "bob's default group only")
    expectNeutronError(await s.call('GET', `/v2.0/security-groups/${a.id}`, undefined, BOB), 404, 'SecurityGroupNotFound')
    expectNeutronError(await s.call('PUT', `/v2.0/security-groups/${a.id}`, { security_group: { name: 'x' } }, BOB), 404, 'SecurityGroupNotFound')
    expectNeutronError(await s.call('DELETE', `/v2.0/security-groups/${a.id}`, undefined, BOB), 404, 'SecurityGroupNotFound')
    expectNeutronError(await s.call('PUT', `/v2.0/security-groups/${a.id}/tags`, { tags: ['x'] }, BOB), 404, 'SecurityGroupNotFound')
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'x', tenant_id: 'alice' } }, BOB), 400, 'HTTPBadRequest')
    const admin = await s.call('GET', `/v2.0/security-groups/${a.id}`)
    assert.equal(admin.status, 200)
    // An admin may create a group for another project.
    const forBob = await group({ name: 'from-admin', tenant_id: 'bob' })
    assert.equal(forBob.tenant_id, 'bob')
    assert.equal((await s.call('DELETE', `/v2.0/security-groups/${forBob.id}`, undefined, BOB)).status, 204)
  })

  it('counts groups and rules against [quotas] security_group / security_group_rule', async () => {
    const d = await s.call('GET', '/v2.0/quotas/quota-p/default')
    assert.equal(d.body.quota.security_group, 10)
    assert.equal(d.body.quota.security_group_rule, 100)
    assert.equal((await s.call('PUT', '/v2.0/quotas/quota-p', { quota: { security_group: 2, security_group_rule: 7 } })).status, 200)
    const g = await group({ name: 'one', tenant_id: 'quota-p' }) // with the default group: 2 groups, 6 rules
    expectNeutronError(await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'two', tenant_id: 'quota-p' } }), 409, 'OverQuota', "Quota exceeded for resources: ['security_group'].")
    const rule = (port: number) => ({ security_group_rule: { security_group_id: g.id, direction: 'ingress', protocol: 'tcp', port_range_min: port, port_range_max: port, tenant_id: 'quota-p' } })
    assert.equal((await s.call('POST', '/v2.0/security-group-rules', rule(22))).status, 201)
    expectNeutronError(await s.call('POST', '/v2.0/security-group-rules', rule(23)), 409, 'OverQuota', "Quota exceeded for resources: ['security_group_rule'].")
    const details = await s.call('GET', '/v2.0/quotas/quota-p/details')
    assert.deepEqual(details.body.quota.security_group, { limit: 2, used: 2, reserved: 0 })
    assert.deepEqual(details.body.quota.security_group_rule, { limit: 7, used: 7, reserved: 0 })
    // A new project whose rule limit cannot hold the default group's four rules gets none.
    await s.call('PUT', '/v2.0/quotas/tiny', { quota: { security_group_rule: 3 } })
    expectNeutronError(await s.call('GET', '/v2.0/security-groups?tenant_id=tiny'), 409, 'OverQuota', "Quota exceeded for resources: ['security_group_rule'].")
  })
})

describeOnEngines((engine) => `security group rules seen through their group on ${engine} (sg_owner)`, {}, (s) => {
  it('shows a group owner the rules an admin added to its group; only the rule owner may delete them', async () => {
    const g = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'a', tenant_id: 'alice' } }, ALICE)).body.security_group
    const byAdmin = await s.call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: g.id, direction: 'ingress', protocol: 'tcp' } })
    assert.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body))
    const rule = byAdmin.body.security_group_rule
    assert.equal(rule.tenant_id, s.config.DEFAULT.default_project_id, "the admin's project owns the rule")
    const list = await s.call('GET', '/v2.0/security-group-rules', undefined, ALICE)
    assert.ok(list.body.security_group_rules.some((r: any) => r.id === rule.id))
    const filtered = await s.call('GET', `/v2.0/security-group-rules?security_group_id=${g.id}&fields=id`, undefined, ALICE)
    assert.equal(filtered.body.security_group_rules.length, 3)
    assert.equal((await s.call('GET', `/v2.0/security-group-rules/${rule.id}`, undefined, ALICE)).status, 200)
    expectNeutronError(await s.call('DELETE', `/v2.0/security-group-rules/${rule.id}`, undefined, ALICE), 403, 'PolicyNotAuthorized', 'rule:delete_security_group_rule is disallowed by policy')
    // Bob sees neither the group nor its rules, and cannot add rules to it.
    expectNeutronError(await s.call('GET', `/v2.0/security-group-rules/${rule.id}`, undefined, BOB), 404, 'SecurityGroupRuleNotFound')
    const bobs = await s.call('GET', '/v2.0/security-group-rules', undefined, BOB)
    assert.ok(bobs.body.security_group_rules.every((r: any) => r.tenant_id === 'bob'))
    expectNeutronError(
      await s.call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: g.id, direction: 'egress', protocol: 'udp', tenant_id: 'bob' } }, BOB),
      404,
      'SecurityGroupNotFound',
      `Security group ${g.id} does not exist`,
    )
    expectNeutronError(await s.call('DELETE', `/v2.0/security-group-rules/${rule.id}`, undefined, BOB), 404, 'SecurityGroupRuleNotFound')
    assert.equal((await s.call('DELETE', `/v2.0/security-group-rules/${rule.id}`)).status, 204)
  })
})

describeOnEnginesWithServers((engine) => `default group under concurrent first requests, two API servers, ${engine}`, 2, (servers) => {

  it('creates exactly one default group per project', async () => {
    const projects = ['c1', 'c2', 'c3']
    const calls: Array<Promise<{ status: number; body: any }>> = []
    for (const p of projects) {
      const h = { 'X-Project-Id': p, 'X-Roles': 'member' }
      for (let i = 0; i < 8; i++) {
        const s = servers[i % 2]!
        if (i % 4 === 0) calls.push(s.call('GET', '/v2.0/security-group-rules', undefined, h))
        else if (i % 4 === 1) calls.push(s.call('POST', '/v2.0/networks', { network: { name: `n${i}`, tenant_id: p } }, h))
        else calls.push(s.call('GET', '/v2.0/security-groups', undefined, h))
      }
    }
    const results = await Promise.all(calls)
    for (const r of results) assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body))
    for (const p of projects) {
      const all = await servers[0]!.call('GET', `/v2.0/security-groups?tenant_id=${p}`)
      assert.equal(all.body.security_groups.length, 1, p)
      assert.equal(all.body.security_groups[0].security_group_rules.length, 4)
    }
    const rules = await servers[1]!.call('GET', '/v2.0/security-group-rules?tenant_id=c1')
    assert.equal(rules.body.security_group_rules.length, 4)
    // Every list the project made saw that one group.
    for (const r of results) {
      if (r.body?.security_groups) assert.equal(r.body.security_groups.length, 1)
    }
  })
})
