import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkToString, evaluate, parseRule, parseRuleStrict, type Check, type Credentials } from '../../../src/policy/index.js'

const s = (r: string) => checkToString(parseRule(r))
const creds = (over: Partial<Credentials> = {}): Credentials => ({
  user_id: 'u1', project_id: 'p1', tenant_id: 'p1', roles: ['member'], is_admin: false, ...over,
})
const ev = (rule: string | Check, target: Record<string, unknown> = {}, c = creds(), rules: Record<string, string> = {}) =>
  evaluate(typeof rule === 'string' ? parseRule(rule) : rule, target, c, { rule: (n) => (n in rules ? parseRule(rules[n]!) : undefined) })

describe('policy rule parser', () => {
  it('prints checks as oslo does', () => {
    assert.equal(s('role:admin'), 'role:admin')
    assert.equal(s('rule:a and rule:b'), '(rule:a and rule:b)')
    assert.equal(s('rule:a or rule:b or rule:c'), '(rule:a or rule:b or rule:c)')
    assert.equal(s('not rule:a'), 'not rule:a')
    assert.equal(s(''), '@')
    assert.equal(s('@'), '@')
    assert.equal(s('!'), '!')
  })

  it('and binds tighter than or (oslo reducer)', () => {
    assert.equal(s('rule:a or rule:b and rule:c'), '(rule:a or (rule:b and rule:c))')
    assert.equal(s('rule:a and rule:b or rule:c and rule:d'), '((rule:a and rule:b) or (rule:c and rule:d))')
    assert.equal(s('rule:a or rule:b and rule:c and rule:d'), '(rule:a or (rule:b and rule:c and rule:d))')
    assert.equal(s('not rule:a or rule:b'), '(not rule:a or rule:b)')
    assert.equal(s('not rule:a and rule:b'), '(not rule:a and rule:b)')
  })

  it('parentheses group, including ones glued to checks', () => {
    assert.equal(s('(rule:a or rule:b) and rule:c'), '((rule:a or rule:b) and rule:c)')
    assert.equal(s('((rule:a))'), 'rule:a')
    assert.equal(s('(rule:admin_only) or (role:member and project_id:%(project_id)s)'),
      '(rule:admin_only or (role:member and project_id:%(project_id)s))')
    assert.equal(s('not (rule:a or rule:b)'), 'not (rule:a or rule:b)')
  })

  it('operators are case-insensitive; parentheses inside a match survive', () => {
    assert.equal(s('role:a AND role:b Or role:c'), '((role:a and role:b) or role:c)')
    assert.equal(s('tenant_id:%(network:tenant_id)s'), 'tenant_id:%(network:tenant_id)s')
  })

  it('fails closed on syntax errors and reports them', () => {
    const errs: string[] = []
    for (const bad of ['rule:a and', 'or rule:a', '(rule:a', 'rule:a)', "rule:a and 'quoted'", 'rule:a rule:b']) {
      assert.equal(checkToString(parseRule(bad, (r) => errs.push(r))), '!', bad)
      assert.throws(() => parseRuleStrict(bad))
    }
    assert.equal(errs.length, 6)
  })

  it('a token without a colon is a deny check, not a syntax error', () => {
    assert.equal(s('foo'), '!')
    assert.equal(ev('foo or role:member'), true)
  })

  it('reads the old list-of-lists form', () => {
    assert.equal(checkToString(parseRule([['role:admin'], ['project_id:%(project_id)s', 'role:member']])),
      '(role:admin or (project_id:%(project_id)s and role:member))')
    assert.equal(checkToString(parseRule([])), '@')
    assert.equal(checkToString(parseRule([[]])), '!')
  })
})

describe('policy checks', () => {
  it('role: case-insensitive membership, interpolated from the target', () => {
    assert.equal(ev('role:Member'), true)
    assert.equal(ev('role:admin'), false)
    assert.equal(ev('role:%(r)s', { r: 'member' }), true)
    assert.equal(ev('role:%(missing)s'), false)
  })

  it('generic: creds key against the interpolated target value', () => {
    assert.equal(ev('project_id:%(project_id)s', { project_id: 'p1' }), true)
    assert.equal(ev('project_id:%(project_id)s', { project_id: 'p2' }), false)
    assert.equal(ev('project_id:%(project_id)s', {}), false, 'missing target key fails')
    assert.equal(ev('user_id:u1'), true)
  })

  it('generic: Python str() of booleans and None; literal kinds', () => {
    assert.equal(ev('is_admin:True', {}, creds({ is_admin: true })), true)
    assert.equal(ev('is_admin:True'), false)
    assert.equal(ev('True:%(enabled)s', { enabled: true }), true)
    assert.equal(ev('True:%(enabled)s', { enabled: false }), false)
    assert.equal(ev("'Member':%(role)s", { role: 'Member' }), true)
    assert.equal(ev('project_id:%(x)s', { x: null }, creds({ project_id: null })), true)
  })

  it('generic: dotted paths and lists in the credentials', () => {
    const c = creds({ token: { roles: [{ name: 'a' }, { name: 'b' }] } })
    assert.equal(ev('token.roles.name:b', {}, c), true)
    assert.equal(ev('token.roles.name:z', {}, c), false)
    assert.equal(ev('token.nothing:z', {}, c), false)
  })

  it('rule: refers to a named rule; unknown names deny', () => {
    assert.equal(ev('rule:x', {}, creds(), { x: 'role:member' }), true)
    assert.equal(ev('rule:y', {}, creds(), { x: 'role:member' }), false)
    assert.equal(ev('rule:loop', {}, creds(), { loop: 'rule:loop' }), false, 'self reference fails closed')
  })

  it('not / and / or', () => {
    assert.equal(ev('not role:admin'), true)
    assert.equal(ev('role:member and role:reader'), false)
    assert.equal(ev('role:admin or role:member'), true)
  })

  it('field: boolean conversion and regex', () => {
    assert.equal(ev('field:networks:shared=True', { shared: true }), true)
    assert.equal(ev('field:networks:shared=True', { shared: false }), false)
    assert.equal(ev('field:networks:router:external=True', { 'router:external': true }), true)
    assert.equal(ev('field:networks:shared=True', {}), false)
    assert.equal(ev('field:port:device_owner=~^network:', { device_owner: 'network:dhcp' }), true)
    assert.equal(ev('field:port:device_owner=~^network:', { device_owner: 'compute:nova' }), false)
    assert.equal(ev('field:port:device_owner=~^network:', { device_owner: 'xnetwork:' }), false)
  })

  it('field networks:shared of a port uses network:shared or the parent network', () => {
    assert.equal(ev('field:networks:shared=True', { network_id: 'n', 'network:shared': true }), true)
    const check = parseRule('field:networks:shared=True')
    const env = { rule: () => undefined, resolveParent: (r: string, id: string, f: string) => (r === 'network' && id === 'n1' && f === 'shared' ? true : undefined) }
    assert.equal(evaluate(check, { network_id: 'n1' }, creds(), env), true)
    assert.equal(evaluate(check, { network_id: 'n2' }, creds(), env), false)
  })

  it('tenant_id (OwnerCheck): target field, else the parent through <parent>_id', () => {
    assert.equal(ev('tenant_id:%(tenant_id)s', { tenant_id: 'p1' }), true)
    assert.equal(ev('tenant_id:%(network:tenant_id)s', { 'network:tenant_id': 'p1' }), true)
    assert.equal(ev('tenant_id:%(network:tenant_id)s', { network_id: 'n1' }), false, 'no resolver: deny')
    const check = parseRule('tenant_id:%(network:tenant_id)s')
    const lookups: string[] = []
    const env = { rule: () => undefined, resolveParent: (r: string, id: string, f: string) => (lookups.push(`${r}/${id}/${f}`), id === 'n1' ? 'p1' : 'p9') }
    assert.equal(evaluate(check, { network_id: 'n1' }, creds(), env), true)
    assert.equal(evaluate(check, { network_id: 'n2' }, creds(), env), false)
    assert.deepEqual(lookups, ['network/n1/tenant_id', 'network/n2/tenant_id'])
  })
})
