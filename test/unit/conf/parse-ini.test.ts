import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIni } from '../../../src/conf/index.js';

const pairs = (text: string): Array<[string, string, string, number]> =>
  parseIni(text, 't.conf').assignments.map((a) => [a.section, a.key, a.value, a.line]);

describe('parseIni (oslo.config syntax)', () => {
  it('reads sections, = and : separators, comments and blank lines', () => {
    const text = '# comment\n; other comment\n[DEFAULT]\ndebug = true\n\n[ml2]\ntype_drivers: flat,vlan\n';
    assert.deepEqual(pairs(text), [
      ['DEFAULT', 'debug', 'true', 4],
      ['ml2', 'type_drivers', 'flat,vlan', 7],
    ]);
  });

  it('splits on whichever of = and : comes first', () => {
    assert.deepEqual(pairs('[database]\nconnection = postgresql://u:p@h/db?x=1\n[v]\nr: a:1:2=3\n'), [
      ['database', 'connection', 'postgresql://u:p@h/db?x=1', 2],
      ['v', 'r', 'a:1:2=3', 4],
    ]);
  });

  it('keeps = inside values and has no inline comments', () => {
    assert.deepEqual(pairs('[a]\nk = x=y # not a comment\n'), [['a', 'k', 'x=y # not a comment', 2]]);
  });

  it('strips one pair of matching surrounding quotes, keeps other quotes', () => {
    const got = pairs(`[a]\nq1 = "a b"\nq2 = 'c'\nq3 = "d'\nq4 = it's\nq5 = ""x""\nq6 = "\n`);
    assert.deepEqual(got.map((p) => p[2]), ['a b', 'c', `"d'`, "it's", '"x"', '"']);
  });

  it('joins continuation lines with newlines until a blank line', () => {
    const text = '[ml2_type_vlan]\nnetwork_vlan_ranges = p1:1:10,\n    p2:20:30,\n\tp3\n\nafter = 1\n';
    assert.deepEqual(pairs(text), [
      ['ml2_type_vlan', 'network_vlan_ranges', 'p1:1:10,\np2:20:30,\np3', 2],
      ['ml2_type_vlan', 'after', '1', 6],
    ]);
  });

  it('a column-0 comment ends a continued value; an indented "#" line continues it', () => {
    assert.throws(() => pairs('[a]\nk = 1\n# c\n  2\n'), /t\.conf:4: \[a\] unexpected continuation line: '2'/);
    assert.deepEqual(pairs('[a]\nk = 1\n  # 2\n'), [['a', 'k', '1\n# 2', 2]]);
  });

  it('keeps repeated keys in order (the loader decides who wins)', () => {
    assert.deepEqual(pairs('[a]\nk = 1\nk = 2\n').map((p) => p[2]), ['1', '2']);
  });

  it('keeps DEFAULT as is, lower-cases other section names, records empty sections', () => {
    const p = parseIni('[DEFAULT]\n[ML2]\nx = 1\n[Empty]\n', 't');
    assert.deepEqual(p.sections, ['DEFAULT', 'ml2', 'empty']);
    assert.equal(p.assignments[0]!.section, 'ml2');
  });

  it('accepts CRLF line endings, trailing whitespace and an empty value', () => {
    assert.deepEqual(pairs('[a]\r\nk = v  \r\nempty =\r\n'), [['a', 'k', 'v', 2], ['a', 'empty', '', 3]]);
  });

  it('accepts an empty file and a file of comments only', () => {
    assert.deepEqual(pairs(''), []);
    assert.deepEqual(pairs('# only\n\n; comments\n'), []);
  });

  describe('syntax errors are one line with file:line', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['missing ]', '[ml2\nx = 1\n', /^t\.conf:1: invalid section header \(must end with '\]'\): '\[ml2'$/],
      ['empty section name', '[]\n', /^t\.conf:1: empty section name$/],
      ['no separator', '[ml2]\njust words\n', /^t\.conf:2: \[ml2\] expected 'key = value', found no '=' or ':': 'just words'$/],
      ['empty key', '[ml2]\n = 3\n', /^t\.conf:2: \[ml2\] .*'= 3'$/],
      ['continuation without key', '[ml2]\n  dangling\n', /^t\.conf:2: \[ml2\] unexpected continuation line: 'dangling'$/],
      ['assignment before a section', 'debug = true\n', /^t\.conf:1: debug: assignment before any \[section\] header$/],
    ];
    for (const [name, text, re] of cases) {
      it(name, () => {
        assert.throws(() => parseIni(text, 't.conf'), (e: Error) => {
          assert.equal(e.name, 'ConfigError');
          assert.match(e.message, re);
          assert.doesNotMatch(e.message, /\n/);
          return true;
        });
      });
    }
  });
});
