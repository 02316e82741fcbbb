/** The input guards of issue 15 as pure functions: body scan, path decoding, own lookups, pyKey. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_JSON_DEPTH, parseJsonBody, scanJsonText } from '../../../src/api/body-parse.js'
import { decodePathSegment } from '../../../src/api/path-decode.js'
import { own } from '../../../src/api/own.js'
import { pyEquals, pyKey } from '../../../src/ipam/validators.js'
import { HTTPError } from '../../../src/common/exceptions.js'
import { mulberry32 } from '../../helpers/prng.js'

const status = (f: () => unknown) => {
  try {
    f()
    return 0
  } catch (e) {
    assert.ok(e instanceof HTTPError, String(e))
    return e.status
  }
}

describe('body scan', () => {
  it('bounds the nesting depth exactly, whatever brackets strings hold', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n)
    assert.equal(scanJsonText(nest(MAX_JSON_DEPTH)), undefined)
    assert.match(scanJsonText(nest(MAX_JSON_DEPTH + 1))!, /nested deeper than 32 levels/)
    assert.equal(scanJsonText(`{"a": "${'['.repeat(100)}", "b": "\\"[[[["}`), undefined)
    assert.match(scanJsonText(`{"a": "\\\\", "b": ${nest(40)}}`)!, /nested deeper/)
  })

  it('finds \\u0000 escapes in strings and keys, not an escaped backslash before u0000', () => {
    assert.ok(scanJsonText('{"a": "x\\u0000"}'))
    assert.ok(scanJsonText('{"\\u0000": 1}'))
    assert.ok(scanJsonText('["\\\\\\u0000"]'))
    assert.equal(scanJsonText('{"a": "\\\\u0000"}'), undefined)
    assert.equal(scanJsonText('{"a": "\\u00001"}') !== undefined, true)
    assert.equal(scanJsonText('{"a": "\\u0001"}'), undefined)
  })

  it('refuses bytes that are no UTF-8 and answers an empty body as Neutron does', () => {
    assert.equal(status(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]))), 400)
    assert.equal(status(() => parseJsonBody(Buffer.from('  '))), 400)
    assert.equal(parseJsonBody(Buffer.from(''), true), undefined)
    assert.deepEqual(parseJsonBody(Buffer.from('{"a": "é"}')), { a: 'é' })
    assert.equal(status(() => parseJsonBody(Buffer.from('{"a": '))), 400)
  })
})

describe('path segments', () => {
  it('a malformed escape is a 404, NUL a 400, the rest decoded', () => {
    for (const s of ['%zz', '%', '%E0%A4%A', '%ff']) assert.equal(status(() => decodePathSegment(s)), 404, s)
    assert.equal(status(() => decodePathSegment('a%00b')), 400)
    assert.equal(decodePathSegment('a%20b%2Fc'), 'a b/c')
  })
})

describe('own lookups', () => {
  it('never find what Object.prototype holds', () => {
    const table = { add: 1 }
    for (const k of Object.getOwnPropertyNames(Object.prototype)) assert.equal(own(table, k), undefined, k)
    assert.equal(own(table, 'add'), 1)
    assert.equal(own(undefined, 'add'), undefined)
  })
})

describe('pyKey', () => {
  it('is equal for two values exactly when pyEquals holds (2,000 seeded pairs)', () => {
    const rng = mulberry32(15)
    const atom = () => [0, 1, true, false, null, 'a', 'b', '1', 1.5][Math.floor(rng() * 9)]
    const value = (d: number): unknown => {
      const k = Math.floor(rng() * (d > 2 ? 1 : 3))
      if (k === 0) return atom()
      if (k === 1) return Array.from({ length: Math.floor(rng() * 3) }, () => value(d + 1))
      const o: Record<string, unknown> = {}
      for (const key of ['x', 'y', 'z']) if (rng() < 0.5) o[key] = value(d + 1)
      return o
    }
    for (let i = 0; i < 2000; i++) {
      const a = value(0)
      const b = rng() < 0.3 ? JSON.parse(JSON.stringify(a)) : value(0)
      assert.equal(pyKey(a) === pyKey(b), pyEquals(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
    }
    assert.equal(pyKey({ a: 1, b: 2 }), pyKey({ b: 2, a: 1 }))
  })
})
