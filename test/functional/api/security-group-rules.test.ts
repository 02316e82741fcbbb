/**
 * Security group rules over HTTP on SQLite and PostgreSQL: Neutron's conversions (protocol names
 * and numbers, ethertype case, remote_ip_prefix with normalized_cidr, the full port range dropped,
 * legacy IPv6 ICMP names), every validation error of securitygroups_db with its exact body (the
 * cases tempest's test_security_groups_negative checks among them), duplicates (one request and
 * against the group), bulk creates (one group, one project, all or nothing), the group's
 * revision, remote groups, list queries, and concurrent identical rules.
 */
import assert from 'node:assert/strict'
import { before, it } from 'node:test'
import { describeOnEngines, expectNeutronError } from '../../helpers/api-engines.js'

const PROTOCOLS =
  "[None, 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp']"

const UNLIMITED = { ini: '[quotas]\nquota_security_group_rule = -1\nquota_security_group = -1\n' }

describeOnEngines((engine) => `security group rules on ${engine}`, UNLIMITED, (s) => {
  let sg = ''
  let other = ''
  before(async () => {
    sg = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'rules' } })).body.security_group.id
    other = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'other' } })).body.security_group.id
  })

  const post = (rule: Record<string, unknown>, group = sg) =>
    s.call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: group, direction: 'ingress', ...rule } })
  const created = async (rule: Record<string, unknown>, group = sg) => {
    const r = await post(rule, group)
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body.security_group_rule
  }

  it('creates a rule as Neutron shows it, and bumps its group revision', async () => {
    const before = (await s.call('GET', `/v2.0/security-groups/${sg}`)).body.security_group.revision_number
    const r = await created({ protocol: 'TCP', port_range_min: '77', port_range_max: 78, remote_ip_prefix: '192.0.2.9/24', description: 'ssh-ish' })
    assert.deepEqual(Object.keys(r), [
      'id', 'tenant_id', 'security_group_id', 'ethertype', 'direction', 'protocol', 'port_range_min', 'port_range_max',
      'remote_ip_prefix', 'normalized_cidr', 'remote_group_id', 'description', 'tags', 'created_at', 'updated_at',
      'revision_number', 'project_id',
    ])
    assert.equal(r.protocol, 'tcp')
    assert.equal(r.port_range_min, 77)
    assert.equal(r.port_range_max, 78)
    assert.equal(r.ethertype, 'IPv4')
    assert.equal(r.remote_ip_prefix, '192.0.2.9/24', 'host bits kept, as Neutron stores it')
    assert.equal(r.normalized_cidr, '192.0.2.0/24')
    assert.equal(r.description, 'ssh-ish')
    assert.equal(r.revision_number, 0)
    const shown = await s.call('GET', `/v2.0/security-group-rules/${r.id}`)
    assert.deepEqual(shown.body.security_group_rule, r)
    const g = (await s.call('GET', `/v2.0/security-groups/${sg}`)).body.security_group
    assert.equal(g.revision_number, before + 1)
    assert.ok(g.security_group_rules.some((x: any) => x.id === r.id))
    assert.equal((await s.call('DELETE', `/v2.0/security-group-rules/${r.id}`)).status, 204)
    assert.equal((await s.call('GET', `/v2.0/security-groups/${sg}`)).body.security_group.revision_number, before + 2)
    expectNeutronError(await s.call('GET', `/v2.0/security-group-rules/${r.id}`), 404, 'SecurityGroupRuleNotFound', `Security group rule ${r.id} does not exist`)
    expectNeutronError(await s.call('DELETE', `/v2.0/security-group-rules/${r.id}`), 404, 'SecurityGroupRuleNotFound')
  })

  it('normalises protocols, ethertypes, prefixes and port ranges as Neutron does', async () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ protocol: 17 }, { protocol: '17' }],
      [{ protocol: '132', port_range_min: 5, port_range_max: 6 }, { protocol: '132' }],
      [{ protocol: 'icmp', ethertype: 'ipv6' }, { protocol: 'ipv6-icmp', ethertype: 'IPv6' }],
      [{ protocol: 'icmpv6', ethertype: 'IPv6', port_range_min: 128 }, { protocol: 'ipv6-icmp', port_range_min: 128, port_range_max: null }],
      [{ protocol: '1', ethertype: 'IPv6', port_range_min: 1 }, { protocol: '58' }],
      [{ protocol: 'icmp', port_range_min: 3, port_range_max: 2 }, { protocol: 'icmp', port_range_min: 3, port_range_max: 2 }],
      [{ protocol: 'udp', port_range_min: 1, port_range_max: 65535 }, { port_range_min: null, port_range_max: null }],
      [{ protocol: 'tcp', remote_ip_prefix: '198.51.100.7' }, { remote_ip_prefix: '198.51.100.7/32', normalized_cidr: '198.51.100.7/32' }],
      [{ protocol: 'tcp', ethertype: 'IPv6', remote_ip_prefix: '2001:DB8:0:0::1/64' }, { remote_ip_prefix: '2001:db8::1/64', normalized_cidr: '2001:db8::/64' }],
      [{ protocol: 'gre', direction: 'egress', remote_ip_prefix: '' }, { remote_ip_prefix: null, direction: 'egress' }],
      [{ protocol: null, remote_group_id: other }, { protocol: null, remote_group_id: other }],
    ]
    for (const [input, want] of cases) {
      const r = await created(input)
      for (const [k, v] of Object.entries(want)) assert.deepEqual(r[k], v, `${JSON.stringify(input)} → ${k}`)
      assert.equal((await s.call('DELETE', `/v2.0/security-group-rules/${r.id}`)).status, 204)
    }
  })

  it('refuses bad rules with Neutron error types and messages', async () => {
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      // tempest test_create_security_group_rule_with_invalid_ports, tcp
      [{ protocol: 'tcp', port_range_min: -16, port_range_max: 80 }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port -16'],
      [{ protocol: 'tcp', port_range_min: 80, port_range_max: 79 }, 400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max'],
      [{ protocol: 'tcp', port_range_min: 80, port_range_max: 65536 }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 65536'],
      [{ protocol: 'tcp', port_range_min: null, port_range_max: 6 }, 400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max'],
      [{ protocol: 'tcp', port_range_min: 0, port_range_max: 6 }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 0'],
      [{ protocol: 'tcp', port_range_min: 'abc' }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port abc'],
      // … and icmp
      [{ protocol: 'icmp', port_range_min: 1, port_range_max: 256 }, 400, 'SecurityGroupInvalidIcmpValue', 'Invalid value for ICMP code (port_range_max) 256. It must be 0 to 255.'],
      [{ protocol: 'icmp', port_range_min: -1, port_range_max: 25 }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port -1'],
      [{ protocol: 'icmp', port_range_min: null, port_range_max: 6 }, 400, 'SecurityGroupMissingIcmpType', 'ICMP code (port-range-max) 6 is provided but ICMP type (port-range-min) is missing.'],
      [{ protocol: 'icmp', port_range_min: 300, port_range_max: 1 }, 400, 'SecurityGroupInvalidIcmpValue', 'Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255.'],
      // ports need a protocol that has ports
      [{ port_range_min: 22, port_range_max: 22 }, 400, 'SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.'],
      [{ protocol: 'gre', port_range_min: 22, port_range_max: 22 }, 400, 'SecurityGroupInvalidProtocolForPort', 'Ports cannot be specified for protocol 47. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.'],
      // protocols and ethertypes
      [{ protocol: 'bad_protocol_name' }, 400, 'SecurityGroupRuleInvalidProtocol', `Security group rule protocol bad_protocol_name not supported. Only protocol values ${PROTOCOLS} and integer representations [0 to 255] are supported.`],
      [{ protocol: 256 }, 400, 'SecurityGroupRuleInvalidProtocol', `Security group rule protocol 256 not supported. Only protocol values ${PROTOCOLS} and integer representations [0 to 255] are supported.`],
      [{ protocol: 'udp', ethertype: 'bad_ethertype' }, 400, 'SecurityGroupRuleInvalidEtherType', "Security group rule for ethertype 'bad_ethertype' not supported. Allowed values are ['IPv4', 'IPv6']."],
      [{ protocol: 'ipv6-icmp', ethertype: 'IPv4' }, 400, 'SecurityGroupEthertypeConflictWithProtocol', 'Invalid ethertype IPv4 for protocol ipv6-icmp.'],
      [{ protocol: '58', ethertype: 'IPv4' }, 400, 'SecurityGroupEthertypeConflictWithProtocol', 'Invalid ethertype IPv4 for protocol 58.'],
      // remote_ip_prefix (tempest: bad prefixes; wrong version)
      [{ protocol: 'tcp', remote_ip_prefix: '192.168.1./24' }, 400, 'InvalidCIDR', 'Invalid CIDR 192.168.1./24 given as IP prefix.'],
      [{ protocol: 'tcp', remote_ip_prefix: '192.168.1.1/33' }, 400, 'InvalidCIDR', 'Invalid CIDR 192.168.1.1/33 given as IP prefix.'],
      [{ protocol: 'tcp', remote_ip_prefix: 'bad_prefix' }, 400, 'InvalidCIDR', 'Invalid CIDR bad_prefix given as IP prefix.'],
      [{ protocol: 'tcp', remote_ip_prefix: '256' }, 400, 'InvalidCIDR', 'Invalid CIDR 256 given as IP prefix.'],
      [{ protocol: 'tcp', ethertype: 'IPv6', remote_ip_prefix: '203.0.113.0/24' }, 400, 'SecurityGroupRuleParameterConflict', 'Conflicting value ethertype IPv6 for CIDR 203.0.113.0/24'],
      [{ protocol: 'tcp', ethertype: 'IPv4', remote_ip_prefix: '2001:db8::/64' }, 400, 'SecurityGroupRuleParameterConflict', 'Conflicting value ethertype IPv4 for CIDR 2001:db8::/64'],
      [{ protocol: 'tcp', remote_ip_prefix: '203.0.113.0/24', remote_group_id: 'x' }, 400, 'SecurityGroupMultipleRemoteEntites', 'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.'],
      // the attribute map
      [{ direction: 'sideways' }, 400, 'HTTPBadRequest', 'Invalid input for direction. Reason: sideways is not in valid_values.'],
      [{ direction: undefined }, 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'direction' not specified"],
      [{ remote_address_group_id: 'x' }, 400, 'HTTPBadRequest', "Unrecognized attribute(s) 'remote_address_group_id'"],
      [{ normalized_cidr: '10.0.0.0/8' }, 400, 'HTTPBadRequest', "Attribute 'normalized_cidr' not allowed in POST"],
      // groups that are not there (tempest: bad and unknown remote group ids, unknown group)
      [{ protocol: 'tcp', remote_group_id: 'bad_group_id' }, 404, 'SecurityGroupNotFound', 'Security group bad_group_id does not exist'],
      [{ protocol: 'tcp', remote_group_id: '6f0c1e5e-8a53-4b0c-a5f6-2d3c9f0b1a11' }, 404, 'SecurityGroupNotFound', 'Security group 6f0c1e5e-8a53-4b0c-a5f6-2d3c9f0b1a11 does not exist'],
      [{ security_group_id: '6f0c1e5e-8a53-4b0c-a5f6-2d3c9f0b1a12' }, 404, 'SecurityGroupNotFound', 'Security group 6f0c1e5e-8a53-4b0c-a5f6-2d3c9f0b1a12 does not exist'],
      [{ security_group_id: 42 }, 400, 'HTTPBadRequest', "Invalid input for security_group_id. Reason: '42' is not a valid string."],
    ]
    for (const [rule, status, type, message] of cases) {
      const body: Record<string, unknown> = { security_group_id: sg, direction: 'ingress', ...rule }
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k]
      expectNeutronError(await s.call('POST', '/v2.0/security-group-rules', { security_group_rule: body }), status, type, message)
    }
    const left = await s.call('GET', `/v2.0/security-group-rules?security_group_id=${sg}`)
    assert.equal(left.body.security_group_rules.length, 2, 'only the two egress rules')
  })

  it('refuses duplicates: the same rule spelled differently, and twice in one request', async () => {
    const r = await created({ protocol: 'tcp', port_range_min: 66, port_range_max: 67, remote_ip_prefix: '0.0.0.0/0' })
    expectNeutronError(await post({ protocol: '6', port_range_min: 66, port_range_max: 67 }), 409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${r.id}.`)
    const eg = (await s.call('GET', `/v2.0/security-group-rules?security_group_id=${sg}&direction=egress&ethertype=IPv6`)).body.security_group_rules[0]
    expectNeutronError(await post({ direction: 'egress', ethertype: 'IPv6', remote_ip_prefix: '::/0' }), 409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${eg.id}.`)
    const icmp = await created({ protocol: 'icmpv6', ethertype: 'IPv6' })
    expectNeutronError(await post({ protocol: '58', ethertype: 'IPv6' }), 409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${icmp.id}.`)
    const dup = { security_group_id: sg, direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 53 }
    expectNeutronError(
      await s.call('POST', '/v2.0/security-group-rules', { security_group_rules: [dup, { ...dup, protocol: '17' }] }),
      409,
      'DuplicateSecurityGroupRuleInPost',
      'Duplicate Security Group Rule in POST.',
    )
  })

  it('bulk-creates rules of one group and one project, all or nothing', async () => {
    const base = { security_group_id: other, direction: 'ingress', protocol: 'tcp' }
    const ok = await s.call('POST', '/v2.0/security-group-rules', {
      security_group_rules: [{ ...base, port_range_min: 80, port_range_max: 80 }, { security_group_rule: { ...base, port_range_min: 443, port_range_max: 443 } }],
    })
    assert.equal(ok.status, 201, JSON.stringify(ok.body))
    assert.deepEqual(ok.body.security_group_rules.map((r: any) => r.port_range_min), [80, 443])
    expectNeutronError(
      await s.call('POST', '/v2.0/security-group-rules', { security_group_rules: [{ ...base, port_range_min: 1 }, { ...base, security_group_id: sg, port_range_min: 2 }] }),
      400,
      'SecurityGroupNotSingleGroupRules',
      'Only allowed to update rules for one security profile at a time',
    )
    expectNeutronError(
      await s.call('POST', '/v2.0/security-group-rules', { security_group_rules: [{ ...base, port_range_min: 3, port_range_max: 3 }, { ...base, port_range_min: 4, port_range_max: 4, tenant_id: 'someone' }] }),
      400,
      'SecurityGroupRulesNotSingleTenant',
      'Multiple tenant_ids in bulk security group rule create not allowed',
    )
    expectNeutronError(
      await s.call('POST', '/v2.0/security-group-rules', { security_group_rules: [{ ...base, port_range_min: 5, port_range_max: 5 }, { ...base, port_range_min: 80, port_range_max: 80 }] }),
      409,
      'SecurityGroupRuleExists',
    )
    const ports = (await s.call('GET', `/v2.0/security-group-rules?security_group_id=${other}&protocol=tcp`)).body.security_group_rules.map((r: any) => r.port_range_min)
    assert.deepEqual(ports.sort(), [443, 80])
  })

  it('lists with filters, fields and sorting; rules cannot be updated or tagged', async () => {
    const list = await s.call('GET', `/v2.0/security-group-rules?security_group_id=${other}&sort_key=port_range_min&sort_dir=desc&fields=port_range_min&fields=protocol`)
    assert.deepEqual(list.body.security_group_rules, [
      { port_range_min: 443, protocol: 'tcp' },
      { port_range_min: 80, protocol: 'tcp' },
      { port_range_min: null, protocol: null },
      { port_range_min: null, protocol: null },
    ])
    const egress = await s.call('GET', `/v2.0/security-group-rules?security_group_id=${other}&direction=egress&fields=ethertype&sort_key=ethertype&sort_dir=asc`)
    assert.deepEqual(egress.body.security_group_rules, [{ ethertype: 'IPv4' }, { ethertype: 'IPv6' }])
    expectNeutronError(await s.call('GET', '/v2.0/security-group-rules?protocol=bogus'), 400, 'SecurityGroupRuleInvalidProtocol')
    const any = (await s.call('GET', `/v2.0/security-group-rules?security_group_id=${other}`)).body.security_group_rules[0]
    expectNeutronError(await s.call('PUT', `/v2.0/security-group-rules/${any.id}`, { security_group_rule: { direction: 'egress' } }), 400, 'HTTPBadRequest', 'Cannot update read-only attribute direction')
    expectNeutronError(await s.call('PUT', `/v2.0/security-group-rules/${any.id}`, { security_group_rule: {} }), 405, 'HTTPMethodNotAllowed')
    assert.equal((await s.call('PUT', `/v2.0/security-group-rules/${any.id}/tags`, { tags: ['x'] })).status, 404)
  })

  it('drops rules naming a deleted group as remote group, bumping their group', async () => {
    const a = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'a' } })).body.security_group
    const b = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'b' } })).body.security_group
    const r = await created({ remote_group_id: b.id, protocol: 'tcp' }, a.id)
    const rev = (await s.call('GET', `/v2.0/security-groups/${a.id}`)).body.security_group.revision_number
    assert.equal((await s.call('DELETE', `/v2.0/security-groups/${b.id}`)).status, 204)
    expectNeutronError(await s.call('GET', `/v2.0/security-group-rules/${r.id}`), 404, 'SecurityGroupRuleNotFound')
    const after = (await s.call('GET', `/v2.0/security-groups/${a.id}`)).body.security_group
    assert.equal(after.revision_number, rev + 1)
    assert.equal(after.security_group_rules.length, 2)
  })

  it('lets exactly one of concurrent identical rules through', async () => {
    const rule = { protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 }
    const results = await Promise.all(Array.from({ length: 8 }, () => post(rule, other)))
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409])
    for (const r of results) if (r.status === 409) assert.equal(r.body.NeutronError.type, 'SecurityGroupRuleExists')
  })
})
