import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boolOpt, dictOpt, enumOpt, floatOpt, intOpt, listOpt, OptValueError, parseBoolean, portOpt, splitList, strOpt,
} from '../../../src/conf/index.js';

describe('option types', () => {
  it('booleans: oslo words in any case, surrounding spaces ignored', () => {
    for (const w of ['true', 'TRUE', 'Yes', 'on', '1', ' true ']) assert.equal(parseBoolean(w), true, w);
    for (const w of ['false', 'False', 'NO', 'off', '0']) assert.equal(parseBoolean(w), false, w);
    for (const w of ['t', 'y', '2', 'enabled', '']) assert.throws(() => parseBoolean(w), OptValueError, w);
    assert.equal(boolOpt({ help: '', default: false }).format(true), 'true');
  });

  it('lists: comma-separated, trimmed, empty items dropped', () => {
    assert.deepEqual(splitList(' a, b ,,c,\n d '), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitList(''), []);
    assert.equal(listOpt({ help: '', default: [] }).format(['a', 'b']), 'a,b');
  });

  it('integers and floats with bounds', () => {
    const i = intOpt({ help: '', default: 0, min: -1, max: 10 });
    assert.equal(i.parse(' 7 '), 7);
    assert.equal(i.parse('-1'), -1);
    for (const bad of ['0x10', '1e3', '', '99999999999999999999']) assert.throws(() => i.parse(bad), /invalid integer/, bad);
    assert.throws(() => i.parse('11'), /above the maximum 10/);
    const f = floatOpt({ help: '', default: 0, min: 0 });
    assert.equal(f.parse('2.5'), 2.5);
    assert.equal(f.parse('3'), 3);
    assert.throws(() => f.parse('nan'), /invalid number/);
    assert.throws(() => f.parse('-0.1'), /below the minimum 0/);
  });

  it('ports: 1..65535 unless 0 is allowed', () => {
    assert.throws(() => portOpt({ help: '', default: 1 }).parse('0'), /must be 1\.\.65535/);
    assert.equal(portOpt({ help: '', default: 1, allowZero: true }).parse('0'), 0);
    assert.equal(portOpt({ help: '', default: 1 }).parse('65535'), 65535);
  });

  it('dicts: k:v pairs, values may contain colons, duplicates rejected', () => {
    const d = dictOpt({ help: '' });
    assert.deepEqual(d.parse('a:1, b : x:y ,'), { a: '1', b: 'x:y' });
    assert.throws(() => d.parse('a:1,a:2'), /duplicate dict key 'a'/);
    assert.throws(() => d.parse('novalue'), /expected key:value/);
    assert.equal(d.format({ a: '1', b: '2' }), 'a:1,b:2');
  });

  it('enums are case-sensitive and typed', () => {
    const e = enumOpt({ help: '', choices: ['a', 'b'], default: 'a' });
    const v: 'a' | 'b' = e.parse(' b ');
    assert.equal(v, 'b');
    assert.throws(() => e.parse('A'), /must be one of a, b/);
  });

  it('strings: kept verbatim; empty means null only without a default', () => {
    assert.equal(strOpt({ help: '' }).parse(''), null);
    assert.equal(strOpt({ help: '', default: 'x' }).parse(''), '');
    assert.equal(strOpt({ help: '', default: 'x' }).parse(' a # b '), ' a # b ');
  });
});
