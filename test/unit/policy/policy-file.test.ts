import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { findPolicyFile, parsePolicyFile, PolicyFileError } from '../../../src/policy/index.js'

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
})
