import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import * as errors from '../../../src/ovsdb/errors.js'
import { OPERATION_ERRORS, checkOperationResults, operationError } from '../../../src/ovsdb/errors.js'

const RFC_ERRORS = [
  'referential integrity violation',
  'constraint violation',
  'resources exhausted',
  'I/O error',
  'duplicate uuid-name',
  'domain error',
  'range error',
  'timed out',
  'not supported',
  'aborted',
  'not owner',
]

describe('errors (RFC 7047 §4.1.3)', () => {
  it('has one class per RFC error string', () => {
    const classes = new Set<unknown>()
    for (const s of RFC_ERRORS) {
      const C = OPERATION_ERRORS.get(s)
      assert.ok(C, s)
      classes.add(C)
      const e = operationError({ error: s, details: 'd' }, 2, { op: 'insert', table: 'Port' })
      assert.ok(e instanceof C!)
      assert.ok(e instanceof errors.OvsdbOperationError && e instanceof errors.OvsdbError)
      assert.equal(e.error, s)
      assert.equal(e.opIndex, 2)
      assert.deepEqual(e.operation, { op: 'insert', table: 'Port' })
      assert.match(e.message, new RegExp(`^${s}: d \\(operation 2: insert Port\\)$`))
    }
    assert.equal(classes.size, RFC_ERRORS.length)
  })

  it('keeps unknown error strings as the base class', () => {
    const e = operationError({ error: 'syntax error', details: 'x' })
    assert.equal(e.constructor, errors.OvsdbOperationError)
  })

  it('lines results up with operations and finds the failing one', () => {
    const ops = [{ op: 'insert', table: 'A' }, { op: 'mutate', table: 'B' }, { op: 'comment' }]
    const e = checkOperationResults([{ uuid: ['uuid', 'x'] }, { error: 'constraint violation', details: 'too many' }, null], ops)
    assert.ok(e instanceof errors.ConstraintViolation)
    assert.equal(e.opIndex, 1)
    assert.equal(e.operation, ops[1])
    assert.equal(e.isCommitError, false)
    assert.equal(e.results?.length, 3)
  })

  it('handles the trailing commit error', () => {
    const ops = [{ op: 'delete', table: 'A' }]
    const e = checkOperationResults([{ count: 1 }, { error: 'referential integrity violation', details: 'still referenced' }], ops)
    assert.ok(e instanceof errors.ReferentialIntegrityViolation)
    assert.equal(e.opIndex, 1)
    assert.equal(e.operation, undefined)
    assert.equal(e.isCommitError, true)
    assert.match(e.message, /\(commit\)$/)
  })

  it('accepts successful replies and rejects malformed ones', () => {
    assert.equal(checkOperationResults([{}, { count: 0 }], [{}, {}]), undefined)
    assert.ok(checkOperationResults({ not: 'array' }, []) instanceof errors.OvsdbOperationError)
    assert.match(checkOperationResults([{}], [{}, {}])!.message, /1 results for 2 operations/)
  })

  it('every exported error class is documented in docs/ovsdb.md (drift check)', () => {
    const doc = readFileSync(new URL('../../../docs/ovsdb.md', import.meta.url), 'utf8')
    const names = Object.entries(errors)
      .filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error)
      .map(([k]) => k)
    assert.ok(names.length >= 15)
    const missing = names.filter((n) => !doc.includes(`\`${n}\``))
    assert.deepEqual(missing, [])
  })
})
