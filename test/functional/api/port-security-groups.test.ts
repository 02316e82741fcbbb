/**
 * The ports' `security_groups` attribute over HTTP on SQLite and PostgreSQL, with ML2's rules:
 * the project's default group when port security is on and none is given; none for network:*
 * ports; groups must exist and be the caller's (404 otherwise); port security off refuses groups
 * (400 PortSecurityAndIPRequiredForSecurityGroups) and keeping them (409
 * PortSecurityPortHasSecurityGroup); updates replace them and bump the port's revision; a group
 * in use cannot be deleted or change `stateful`; stateful and stateless groups do not mix; ports
 * filter by security_groups (port-security-groups-filtering).
 */
import assert from 'node:assert/strict'
import { before, it } from 'node:test'
import { describeOnEngines, expectNeutronError } from '../../helpers/api-engines.js'

const ALICE = { 'X-Project-Id': 'alice', 'X-Roles': 'member' }
const BOB = { 'X-Project-Id': 'bob', 'X-Roles': 'member' }

const PSEC_REQUIRED = 'Port security must be enabled and port must have an IP address in order to use security groups.'
const PSEC_HAS_SG = 'Port has security group associated. Cannot disable port security or IP address until security group is removed.'

describeOnEngines((engine) => `ports and security groups on ${engine}`, {}, (s) => {
  let net = ''
  let dflt = ''
  let web = ''
  let db = ''
  before(async () => {
    net = (await s.call('POST', '/v2.0/networks', { network: { name: 'n', tenant_id: 'alice' } }, ALICE)).body.network.id
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '192.0.2.0/24', ip_version: 4, tenant_id: 'alice' } }, ALICE)
    const groups = (await s.call('GET', '/v2.0/security-groups', undefined, ALICE)).body.security_groups
    dflt = groups[0].id
    web = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'web', tenant_id: 'alice' } }, ALICE)).body.security_group.id
    db = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'db', tenant_id: 'alice' } }, ALICE)).body.security_group.id
  })

  const port = (body: Record<string, unknown>, headers: Record<string, string> | undefined = ALICE) =>
    s.call('POST', '/v2.0/ports', { port: { network_id: net, ...(headers === ALICE ? { tenant_id: 'alice' } : {}), ...body } }, headers)
  const update = (id: string, body: Record<string, unknown>, headers: Record<string, string> | undefined = ALICE) =>
    s.call('PUT', `/v2.0/ports/${id}`, { port: body }, headers)

  it('gives a new port its project default group, or the groups asked for, or none', async () => {
    const p = await port({})
    assert.equal(p.status, 201, JSON.stringify(p.body))
    assert.deepEqual(p.body.port.security_groups, [dflt])
    assert.deepEqual((await s.call('GET', `/v2.0/ports/${p.body.port.id}`, undefined, ALICE)).body.port.security_groups, [dflt])
    const two = await port({ security_groups: [web, db] })
    assert.deepEqual(two.body.port.security_groups, [web, db].sort())
    const none = await port({ security_groups: [] })
    assert.deepEqual(none.body.port.security_groups, [])
    const nul = await port({ security_groups: null })
    assert.deepEqual(nul.body.port.security_groups, [])
    const dhcp = await s.call('POST', '/v2.0/ports', { port: { network_id: net, device_owner: 'network:dhcp', security_groups: [web] } })
    assert.equal(dhcp.status, 201, JSON.stringify(dhcp.body))
    assert.deepEqual(dhcp.body.port.security_groups, [], 'network:* ports get none')
    const compute = await s.call('POST', '/v2.0/ports', { port: { network_id: net, device_owner: 'compute:nova', tenant_id: 'alice' } })
    assert.deepEqual(compute.body.port.security_groups, [dflt], "an admin's port for alice gets alice's default group")
    const list = await s.call('GET', `/v2.0/ports?id=${two.body.port.id}&fields=security_groups`, undefined, ALICE)
    assert.deepEqual(list.body.ports, [{ security_groups: [web, db].sort() }])
  })

  it('refuses groups that do not exist or are not the caller\'s (404) and bad lists (400)', async () => {
    const bobs = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'b', tenant_id: 'bob' } }, BOB)).body.security_group.id
    const ghost = '6f0c1e5e-8a53-4b0c-a5f6-2d3c9f0b1a13'
    expectNeutronError(await port({ security_groups: [web, ghost] }), 404, 'SecurityGroupNotFound', `Security group ${ghost} does not exist`)
    expectNeutronError(await port({ security_groups: [bobs, ghost] }), 404, 'SecurityGroupNotFound', `Security group ${bobs}, ${ghost} does not exist`)
    expectNeutronError(await port({ security_groups: ['not-a-uuid'] }), 400, 'HTTPBadRequest', "Invalid input for security_groups. Reason: 'not-a-uuid' is not a valid UUID.")
    expectNeutronError(await port({ security_groups: [web, web] }), 400, 'HTTPBadRequest', `Invalid input for security_groups. Reason: Duplicate items in the list: '${web}'.`)
    expectNeutronError(await port({ security_groups: web }), 400, 'HTTPBadRequest', `Invalid input for security_groups. Reason: '${web}' is not a list.`)
    // An admin may use any project's group.
    const admin = await s.call('POST', '/v2.0/ports', { port: { network_id: net, tenant_id: 'alice', security_groups: [bobs] } })
    assert.equal(admin.status, 201, JSON.stringify(admin.body))
    assert.deepEqual(admin.body.port.security_groups, [bobs])
    assert.equal((await s.call('DELETE', `/v2.0/ports/${admin.body.port.id}`)).status, 204)
  })

  it('applies Neutron\'s port-security rules on create and update', async () => {
    expectNeutronError(await port({ port_security_enabled: false, security_groups: [web] }), 400, 'PortSecurityAndIPRequiredForSecurityGroups', PSEC_REQUIRED)
    const off = await port({ port_security_enabled: false })
    assert.equal(off.status, 201, JSON.stringify(off.body))
    assert.deepEqual(off.body.port.security_groups, [], 'no default group without port security')
    const offEmpty = await port({ port_security_enabled: false, security_groups: [] })
    assert.equal(offEmpty.status, 201)
    expectNeutronError(await update(off.body.port.id, { security_groups: [web] }), 400, 'PortSecurityAndIPRequiredForSecurityGroups', PSEC_REQUIRED)
    const p = (await port({})).body.port
    expectNeutronError(await update(p.id, { port_security_enabled: false }), 409, 'PortSecurityPortHasSecurityGroup', PSEC_HAS_SG)
    const both = await update(p.id, { port_security_enabled: false, security_groups: [] })
    assert.equal(both.status, 200, JSON.stringify(both.body))
    assert.deepEqual(both.body.port.security_groups, [])
    assert.equal(both.body.port.port_security_enabled, false)
    const on = await update(p.id, { port_security_enabled: true, security_groups: [web] })
    assert.deepEqual(on.body.port.security_groups, [web])
    // A network without port security gives its ports none.
    const plain = (await s.call('POST', '/v2.0/networks', { network: { name: 'nopsec', tenant_id: 'alice', port_security_enabled: false } }, ALICE)).body.network.id
    const q = await s.call('POST', '/v2.0/ports', { port: { network_id: plain, tenant_id: 'alice' } }, ALICE)
    assert.deepEqual(q.body.port.security_groups, [])
    assert.equal(q.body.port.port_security_enabled, false)
  })

  it('replaces a port\'s groups on update, as a new revision', async () => {
    const p = (await port({ name: 'upd' })).body.port
    const u = await update(p.id, { security_groups: [web, db], name: 'upd2' })
    assert.equal(u.status, 200, JSON.stringify(u.body))
    assert.deepEqual(u.body.port.security_groups, [web, db].sort())
    assert.equal(u.body.port.revision_number, p.revision_number + 1)
    const same = await update(p.id, { security_groups: [db, web] })
    assert.equal(same.body.port.revision_number, p.revision_number + 1, 'the same set is no change')
    const cleared = await update(p.id, { security_groups: null })
    assert.deepEqual(cleared.body.port.security_groups, [])
    assert.deepEqual((await s.call('GET', `/v2.0/ports/${p.id}`, undefined, ALICE)).body.port.security_groups, [])
    expectNeutronError(await update(p.id, { security_groups: ['6f0c1e5e-8a53-4b0c-a5f6-2d3c9f0b1a14'] }), 404, 'SecurityGroupNotFound')
  })

  it('filters ports by security group', async () => {
    const a = (await port({ security_groups: [web] })).body.port.id
    const b = (await port({ security_groups: [db] })).body.port.id
    const one = await s.call('GET', `/v2.0/ports?security_groups=${web}&fields=id`, undefined, ALICE)
    assert.ok(one.body.ports.some((x: any) => x.id === a))
    assert.ok(!one.body.ports.some((x: any) => x.id === b))
    const either = await s.call('GET', `/v2.0/ports?security_groups=${web}&security_groups=${db}&fields=id`, undefined, ALICE)
    assert.ok([a, b].every((id) => either.body.ports.some((x: any) => x.id === id)))
  })

  it('keeps groups in use: no delete, no stateful change; stateful and stateless do not mix', async () => {
    const g = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'used', tenant_id: 'alice' } }, ALICE)).body.security_group.id
    const p = (await port({ security_groups: [g] })).body.port.id
    expectNeutronError(await s.call('DELETE', `/v2.0/security-groups/${g}`, undefined, ALICE), 409, 'SecurityGroupInUse', `Security Group ${g} in use.`)
    expectNeutronError(await s.call('DELETE', `/v2.0/security-groups/${g}`), 409, 'SecurityGroupInUse')
    expectNeutronError(await s.call('PUT', `/v2.0/security-groups/${g}`, { security_group: { stateful: false } }, ALICE), 409, 'SecurityGroupInUse', `Security Group ${g} in use.`)
    assert.equal((await s.call('PUT', `/v2.0/security-groups/${g}`, { security_group: { stateful: true, name: 'still' } }, ALICE)).status, 200)
    const stateless = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'sl', stateful: false, tenant_id: 'alice' } }, ALICE)).body.security_group.id
    expectNeutronError(
      await update(p, { security_groups: [g, stateless] }),
      409,
      'SecurityGroupConflict',
      'Error Cannot apply both stateful and stateless security groups on the same port at the same time while attempting the operation.',
    )
    assert.equal((await s.call('DELETE', `/v2.0/ports/${p}`, undefined, ALICE)).status, 204)
    assert.equal((await s.call('DELETE', `/v2.0/security-groups/${g}`, undefined, ALICE)).status, 204)
  })

  it('ensures the default group of a port\'s project on update (PORT BEFORE_UPDATE)', async () => {
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, tenant_id: 'dora', security_groups: [] } })).body.port
    const d = (await s.call('GET', '/v2.0/security-groups?tenant_id=dora&name=default')).body.security_groups[0]
    assert.equal((await s.call('DELETE', `/v2.0/security-groups/${d.id}`)).status, 204)
    // Read the table itself: a list would create the group too.
    const mark = () => s.app.db.get<{ security_group_id: string }>("SELECT security_group_id FROM default_security_group WHERE project_id = 'dora'")
    assert.equal(await mark(), undefined)
    assert.equal((await update(p.id, { name: 'x' }, {})).status, 200)
    const again = await mark()
    assert.ok(again && again.security_group_id !== d.id)
  })
})
