import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { findPolicyFile, NEUTRON_DEFAULT_POLICIES, parsePolicyFile, PolicyEnforcer, PolicyFileError, validatePolicyRules } from '../../../src/policy/index.js'

describe('policy file: YAML subset', () => {
  it('reads quoted and plain keys and values, comments and blank lines', () => {
    const text = [
      '# Neutron policy overrides',
      '---',
      '"context_is_admin": "role:admin or role:cloud_admin"',
      "'owner': 'tenant_id:%(tenant_id)s'",
      'create_network:shared: rule:admin_only   # trailing comment',
      'regular_user: ""',
      'empty_plain:',
      '"it\'s": \'it\'\'s "quoted"\'',
      '"esc": "a\\"b\\\\c\\u0041"',
      '',
    ].join('\n')
    assert.deepEqual(parsePolicyFile(text, 'p.yaml'), {
      context_is_admin: 'role:admin or role:cloud_admin',
      owner: 'tenant_id:%(tenant_id)s',
      'create_network:shared': 'rule:admin_only',
      regular_user: '',
      empty_plain: '',
      "it's": 'it\'s "quoted"',
      esc: 'a"b\\cA',
    })
  })

  it('folds quoted and plain values continued on indented lines', () => {
    const text = '"get_network": "rule:admin_or_owner or\n    rule:shared or rule:external"\nupdate_port: rule:a or\n  rule:b\n'
    assert.deepEqual(parsePolicyFile(text), { get_network: 'rule:admin_or_owner or rule:shared or rule:external', update_port: 'rule:a or rule:b' })
  })

  it('an empty or comment-only file has no rules', () => {
    assert.deepEqual(parsePolicyFile(''), {})
    assert.deepEqual(parsePolicyFile('# nothing\n\n'), {})
  })

  it('reports errors with file and line', () => {
    const cases: Array<[string, RegExp]> = [
      ['"a": "x"\n  nested: "y"\n', /p\.yaml:2: unexpected indentation/],
      ['"a": "unterminated\n"b": "c"\n', /p\.yaml:1: unterminated quoted string|p\.yaml:1: text after/],
      ['"a" "x"\n', /p\.yaml:1: expected ':'/],
      ['a: |\n  rule:x\n', /p\.yaml:1: block scalars/],
      ['"a": "x"\n"a": "y"\n', /p\.yaml:2: duplicate rule "a"/],
      ['"a": "x" extra\n', /p\.yaml:1: text after the closing quote/],
      ['just words\n', /p\.yaml:1: expected "rule_name"/],
    ]
    for (const [text, re] of cases) assert.throws(() => parsePolicyFile(text, 'p.yaml'), (e: Error) => e instanceof PolicyFileError && re.test(e.message), text)
  })
})

describe('policy file: JSON', () => {
  it('reads string rules and the old list form', () => {
    assert.deepEqual(parsePolicyFile('{"a": "role:x", "b": [["role:y"]]}'), { a: 'role:x', b: [['role:y']] })
  })
  it('rejects invalid JSON and non-string rules', () => {
    assert.throws(() => parsePolicyFile('{"a": }', 'p.json'), /p\.json: invalid JSON/)
    assert.throws(() => parsePolicyFile('{"a": 1}', 'p.json'), /rule a is not a string/)
  })
})

describe('findPolicyFile', () => {
  it('looks next to the config files, then in ~/.neutron and ~', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'neutrino-find-'))
    t.after(() => rmSync(root, { recursive: true, force: true }))
    const etc = join(root, 'etc')
    const home = join(root, 'home')
    mkdirSync(etc)
    mkdirSync(join(home, '.neutron'), { recursive: true })
    assert.equal(findPolicyFile('policy-x-test.yaml', [join(etc, 'neutron.conf')], home), null)
    writeFileSync(join(home, '.neutron', 'policy-x-test.yaml'), '')
    assert.equal(findPolicyFile('policy-x-test.yaml', [join(etc, 'neutron.conf')], home), join(home, '.neutron', 'policy-x-test.yaml'))
    writeFileSync(join(etc, 'policy-x-test.yaml'), '')
    assert.equal(findPolicyFile('policy-x-test.yaml', [join(etc, 'neutron.conf')], home), join(etc, 'policy-x-test.yaml'))
    assert.equal(findPolicyFile(join(etc, 'policy-x-test.yaml'), [], home), join(etc, 'policy-x-test.yaml'))
    assert.equal(findPolicyFile(join(etc, 'nope.yaml'), [], home), null)
  })

  it('like oslo.config find_file: --config-dir first, then the last --config-file\'s directory', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'neutrino-find-'))
    t.after(() => rmSync(root, { recursive: true, force: true }))
    const [a, b, d] = ['a', 'b', 'conf.d'].map((x) => join(root, x))
    for (const x of [a, b, d]) mkdirSync(x)
    for (const x of [a, b]) writeFileSync(join(x, 'p.yaml'), '')
    const files = [join(a, 'neutron.conf'), join(b, 'ml2_conf.ini')]
    assert.equal(findPolicyFile('p.yaml', files, ''), join(b, 'p.yaml'))
    writeFileSync(join(d, 'p.yaml'), '')
    assert.equal(findPolicyFile('p.yaml', files, '', [d]), join(d, 'p.yaml'))
  })
})

describe('policy file: YAML sequences (the old list form)', () => {
  it('reads "- rule" items as alternatives', () => {
    const rules = parsePolicyFile('create_network:\n  - role:admin\n  - "role:netadmin"  # either\nx: "@"\n', 'p.yaml')
    assert.deepEqual(rules, { create_network: ['role:admin', 'role:netadmin'], x: '@' })
    const pol = new PolicyEnforcer({ fileRules: rules })
    assert.equal(pol.ruleString('create_network'), '(role:admin or role:netadmin)')
    assert.throws(() => parsePolicyFile('a:\n  - - role:admin\n', 'p.yaml'), /p\.yaml:2: list items must be rule strings/)
  })
})

describe('validatePolicyRules: a bad file names the file, the rule and the problem', () => {
  const check = (rules: Record<string, string | unknown[]>) => validatePolicyRules(rules, '/etc/neutron/policy.yaml', NEUTRON_DEFAULT_POLICIES)
  it('refuses what oslo would silently turn into a failing check', () => {
    for (const [rules, why] of [
      [{ create_network: 'role:admin or' }, 'rule "create_network": unexpected end of rule in "role:admin or"'],
      [{ create_network: '(role:admin' }, `rule "create_network": missing ')' in "(role:admin"`],
      [{ get_network: 'admin_only' }, 'rule "get_network": "admin_only" is not a check (expected kind:match, e.g. role:admin_only)'],
      [{ get_network: 'field:networks:shared' }, 'rule "get_network": "field:networks:shared": a field check reads field:<collection>:<attribute>=<value>'],
      [{ get_port: 'tenant_id:pa' }, 'rule "get_port": "tenant_id:pa": a tenant_id check must match %(<field>)s'],
      [{ a: 'rule:b', b: 'rule:c or role:x', c: 'rule:a' }, 'rule "a": rules refer to each other in a cycle: a -> b -> c -> a'],
      [{ admin_only: 'rule:context_is_admin', context_is_admin: 'rule:admin_only' }, 'rule "admin_only": rules refer to each other in a cycle: admin_only -> context_is_admin -> admin_only'],
      [{ x: [['role:a', 3]] }, 'rule "x": list rules must hold lists of strings'],
    ] as const) {
      assert.throws(() => check(rules as any), (e: unknown) => {
        assert.ok(e instanceof PolicyFileError)
        assert.equal(e.message, `/etc/neutron/policy.yaml: ${why}`)
        return true
      })
    }
  })

  it('accepts the rule language in full, warns about references to undefined rules', () => {
    assert.deepEqual(check({
      create_network: '',
      get_network: '@',
      update_network: '!',
      delete_network: "not role:reader and (rule:owner or is_admin:True) or 'Member':%(role.name)s",
      owner: 'tenant_id:%(tenant_id)s',
      get_port: 'field:port:device_owner=~^network: or tenant_id:%(network:tenant_id)s',
      old: [['role:a', 'role:b'], ['role:c']],
    }), [])
    assert.deepEqual(check({ create_network: 'rule:admin_onyl' }), [
      '/etc/neutron/policy.yaml: rule "create_network" refers to undefined rule "admin_onyl" (the default rule applies)',
    ])
  })
})
