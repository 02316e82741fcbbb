import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from '../../../src/conf/index.js';

describe('parseArgs', () => {
  it('collects repeated --config-file / --config-dir in order, both spellings, and keeps the rest', () => {
    const r = parseArgs(['server', '--config-file', 'a.conf', '--verbose', '--config-dir=d', '--config-file=b.ini', 'x']);
    assert.deepEqual(r.files, ['a.conf', 'b.ini']);
    assert.deepEqual(r.dirs, ['d']);
    assert.deepEqual(r.sources, [{ kind: 'file', path: 'a.conf' }, { kind: 'dir', path: 'd' }, { kind: 'file', path: 'b.ini' }]);
    assert.deepEqual(r.rest, ['server', '--verbose', 'x']);
  });

  it('stops at --', () => {
    const r = parseArgs(['--config-file', 'a', '--', '--config-file', 'b']);
    assert.deepEqual(r.files, ['a']);
    assert.deepEqual(r.rest, ['--', '--config-file', 'b']);
  });

  it('does not take similar flags', () => {
    assert.deepEqual(parseArgs(['--config-files', 'x', '--config-file-x=1']).rest, ['--config-files', 'x', '--config-file-x=1']);
  });

  for (const argv of [['--config-file'], ['--config-file='], ['--config-dir', '--config-file', 'a']]) {
    it(`rejects a missing path: ${argv.join(' ')}`, () => {
      assert.throws(() => parseArgs(argv), (e: Error) => e.name === 'ConfigError' && /^--config-(file|dir): missing path argument$/.test(e.message));
    });
  }

  it('no arguments', () => assert.deepEqual(parseArgs([]), { files: [], dirs: [], sources: [], rest: [] }));
});
