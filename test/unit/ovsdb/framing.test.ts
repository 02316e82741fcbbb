import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FramingError } from '../../../src/ovsdb/errors.js'
import { DEFAULT_MAX_MESSAGE_BYTES, JsonStreamParser } from '../../../src/ovsdb/framing.js'

function parseAll(chunks: (string | Buffer)[], p = new JsonStreamParser()): unknown[] {
  const out: unknown[] = []
  for (const c of chunks) p.push(typeof c === 'string' ? Buffer.from(c) : c, (v) => out.push(v))
  return out
}

describe('JsonStreamParser (RFC 7047 §3.1 back-to-back JSON texts)', () => {
  it('parses several texts in one chunk, with or without whitespace between them', () => {
    assert.deepEqual(parseAll(['{"a":1}{"b":2} \n[3]\t{"c":[]}']), [{ a: 1 }, { b: 2 }, [3], { c: [] }])
  })

  it('reassembles a text split at every possible byte', () => {
    const text = '{"method":"update","params":["x",{"T":{"u":{"new":{"s":"a}b{c\\"d\\\\","n":1}}}}],"id":null}'
    const expect = JSON.parse(text)
    for (let i = 1; i < text.length; i++) {
      assert.deepEqual(parseAll([text.slice(0, i), text.slice(i)]), [expect], `split at ${i}`)
    }
  })

  it('feeds one byte at a time', () => {
    const text = '{"k":"\\\\\\"}{[","x":[1,{"y":"]"}]}[{"z":"\\u00e9"}]'
    const out = parseAll([...Buffer.from(text)].map((b) => Buffer.from([b])))
    assert.deepEqual(out, [{ k: '\\"}{[', x: [1, { y: ']' }] }, [{ z: 'é' }]])
  })

  it('handles braces and escaped quotes inside strings', () => {
    assert.deepEqual(parseAll(['{"a":"}}}","b":"\\"{","c":"\\\\"}']), [{ a: '}}}', b: '"{', c: '\\' }])
  })

  it('decodes UTF-8 characters split across chunks', () => {
    const buf = Buffer.from('{"name":"br-ü€😀"}')
    for (let i = 1; i < buf.length; i++) {
      assert.deepEqual(parseAll([buf.subarray(0, i), buf.subarray(i)]), [{ name: 'br-ü€😀' }])
    }
  })

  it('reports no value for an incomplete text and keeps it buffered', () => {
    const p = new JsonStreamParser()
    assert.deepEqual(parseAll(['{"a":[1,2'], p), [])
    assert.equal(p.idle, false)
    assert.ok(p.bufferedBytes > 0)
    assert.throws(() => p.end(), FramingError)
  })

  it('bounds a message at 32 MiB by default (2× the initial sync of a 10,000-port database)', () => {
    assert.equal(DEFAULT_MAX_MESSAGE_BYTES, 32 * 1024 * 1024)
    assert.equal(new JsonStreamParser().maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES)
  })

  it('rejects a text larger than maxMessageBytes before buffering all of it', () => {
    const p = new JsonStreamParser({ maxMessageBytes: 1024 })
    p.push(Buffer.from('{"a":"'), () => {})
    const chunk = Buffer.alloc(512, 'x')
    assert.throws(() => {
      for (let i = 0; i < 100; i++) p.push(chunk, () => {})
    }, /exceeds the maximum message size of 1024 bytes/)
    assert.ok(p.bufferedBytes <= 1024)
    // The parser stays failed: the connection must be dropped.
    assert.throws(() => p.push(Buffer.from('{}'), () => {}), FramingError)
  })

  it('rejects an endless text without delimiters (structural bytes only)', () => {
    const p = new JsonStreamParser({ maxMessageBytes: 4096, maxDepth: 100000 })
    assert.throws(() => {
      for (let i = 0; i < 1000; i++) p.push(Buffer.alloc(100, '['), () => {})
    }, FramingError)
  })

  it('rejects excessive nesting', () => {
    assert.throws(() => parseAll(['['.repeat(300)]), /nested deeper than 256/)
  })

  it('rejects bytes that cannot start a JSON text', () => {
    assert.throws(() => parseAll(['{"a":1} 42']), /unexpected byte 0x34/)
    assert.throws(() => parseAll(['"str"']), FramingError)
  })

  it('rejects balanced but invalid JSON with a clear message', () => {
    assert.throws(() => parseAll(['{"a" 1}']), /invalid JSON text/)
    assert.throws(() => parseAll(['{"a":tru}']), /invalid JSON text/)
  })

  it('rejects invalid UTF-8', () => {
    assert.throws(() => parseAll([Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])]), /not valid UTF-8/)
  })

  it('parses a large text arriving in many chunks', () => {
    const rows: Record<string, unknown> = {}
    for (let i = 0; i < 5000; i++) rows[`uuid-${i}`] = { initial: { name: `port${i}`, ext: ['map', [['k', 'v}{"']]] } }
    const buf = Buffer.from(JSON.stringify({ id: 1, result: rows, error: null }))
    const chunks: Buffer[] = []
    for (let i = 0; i < buf.length; i += 65536) chunks.push(buf.subarray(i, i + 65536))
    const out = parseAll(chunks)
    assert.equal(out.length, 1)
    assert.equal(Object.keys((out[0] as { result: object }).result).length, 5000)
  })
})
