import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { ResponseBuffers } from '../../../src/api/response-buffers.js'

const chunks = (...s: string[]) => s.map((x) => Buffer.from(x))

test('join copies the chunks in order into one body of their total length', () => {
  const b = new ResponseBuffers()
  const { body } = b.join(chunks('{"ports":[', '{"id":"a"}', ',', '{"id":"b"}', ']}'))
  assert.equal(body.toString(), '{"ports":[{"id":"a"},{"id":"b"}]}')
})

// Buffers of 8 KiB and more never come from Node's shared small-buffer pool, so `.buffer` names one.
const MIN = 8192

test('a lent buffer is not handed out again until it is given back', () => {
  const b = new ResponseBuffers(1 << 20, MIN)
  const first = b.join(chunks('x'.repeat(10)))
  const second = b.join(chunks('y'.repeat(10)))
  assert.notEqual(first.body.buffer, second.body.buffer)
  assert.equal(first.body.toString(), 'x'.repeat(10))
  first.release()
  const third = b.join(chunks('z'.repeat(12)))
  // the released buffer is reused, and the second body is untouched
  assert.equal(third.body.buffer, first.body.buffer)
  assert.equal(second.body.toString(), 'y'.repeat(10))
})

test('release is idempotent (finish and close may both fire)', () => {
  const b = new ResponseBuffers(1 << 20, MIN)
  const r = b.join(chunks('abc'))
  r.release()
  r.release()
  assert.equal(b.keptBytes, MIN)
  const x = b.join(chunks('d'))
  const y = b.join(chunks('e'))
  assert.notEqual(x.body.buffer, y.body.buffer)
})

test('the smallest free buffer that fits is taken; sizes are powers of two from the minimum', () => {
  const b = new ResponseBuffers(1 << 20, MIN)
  const big = b.take(MIN * 3)
  const small = b.take(10)
  assert.equal(big.length, MIN * 4)
  assert.equal(small.length, MIN)
  b.give(big)
  b.give(small)
  assert.equal(b.take(12), small)
  assert.equal(b.take(MIN + 1), big)
  assert.equal(b.take(1).length, MIN) // nothing free: a new one
})

test('free buffers beyond maxKeptBytes are dropped', () => {
  const b = new ResponseBuffers(MIN + 100, MIN)
  const a1 = b.take(64)
  const a2 = b.take(64)
  b.give(a1)
  b.give(a2) // 2 × MIN > MIN + 100: dropped
  assert.equal(b.keptBytes, MIN)
})
