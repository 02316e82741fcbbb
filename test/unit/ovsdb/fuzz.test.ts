/**
 * Property / fuzz tests: random, truncated and hostile byte streams into the parser and the
 * JSON-RPC layer. Bounded iterations with a seeded PRNG (set OVSDB_FUZZ_SEED to replay).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PassThrough, Duplex } from 'node:stream'
import { FramingError } from '../../../src/ovsdb/errors.js'
import { JsonStreamParser } from '../../../src/ovsdb/framing.js'
import { JsonRpcConnection } from '../../../src/ovsdb/jsonrpc.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { mulberry32 as prng } from '../../helpers/prng.js'

const SEED = Number(process.env.OVSDB_FUZZ_SEED ?? 0x5eed)


function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 4 ? 4 : 7))
  switch (k) {
    case 0:
      return Math.floor(r() * 1e6) - 5e5
    case 1: {
      const alphabet = ['a', '{', '}', '[', ']', '"', '\\', 'é', '€', '😀', ' ', '\n', ':', ',', '\u0000']
      let s = ''
      const n = Math.floor(r() * 12)
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)]
      return s
    }
    case 2:
      return r() < 0.5
    case 3:
      return null
    case 4:
    case 5: {
      const n = Math.floor(r() * 5)
      return Array.from({ length: n }, () => randomValue(r, depth + 1))
    }
    default: {
      const o: Record<string, unknown> = {}
      const n = Math.floor(r() * 5)
      for (let i = 0; i < n; i++) o[String(randomValue(r, 5))] = randomValue(r, depth + 1)
      return o
    }
  }
}

function randomSplit(r: () => number, buf: Buffer): Buffer[] {
  const out: Buffer[] = []
  let i = 0
  while (i < buf.length) {
    const n = 1 + Math.floor(r() * Math.min(64, buf.length - i))
    out.push(buf.subarray(i, i + n))
    i += n
  }
  return out
}

describe(`fuzz (seed ${SEED})`, () => {
  it('valid random messages survive random chunking unchanged', () => {
    const r = prng(SEED)
    for (let iter = 0; iter < 300; iter++) {
      const msgs = Array.from({ length: 1 + Math.floor(r() * 5) }, () => (r() < 0.5 ? { v: randomValue(r) } : [randomValue(r)]))
      const buf = Buffer.from(msgs.map((m) => JSON.stringify(m) + (r() < 0.3 ? ' \n' : '')).join(''))
      const p = new JsonStreamParser()
      const got: unknown[] = []
      for (const c of randomSplit(r, buf)) p.push(c, (v) => got.push(v))
      assert.deepEqual(got, msgs, `iteration ${iter}`)
      p.end()
    }
  })

  it('random bytes give values or FramingError, never another exception or a hang', () => {
    const r = prng(SEED + 1)
    const structural = Buffer.from('{}[]"\\:, a1')
    for (let iter = 0; iter < 2000; iter++) {
      const n = Math.floor(r() * 200)
      const buf = Buffer.alloc(n)
      for (let i = 0; i < n; i++) buf[i] = r() < 0.7 ? structural[Math.floor(r() * structural.length)]! : Math.floor(r() * 256)
      const p = new JsonStreamParser({ maxMessageBytes: 128, maxDepth: 16 })
      try {
        for (const c of randomSplit(r, buf)) p.push(c, () => {})
        p.end()
      } catch (e) {
        assert.ok(e instanceof FramingError, `iteration ${iter}: ${String(e)}`)
        assert.ok((e as Error).message.length > 0)
      }
    }
  })

  it('every truncation of a valid stream is either complete or reported at end()', () => {
    const r = prng(SEED + 2)
    for (let iter = 0; iter < 100; iter++) {
      const text = JSON.stringify({ id: iter, result: randomValue(r), error: null })
      const cut = Math.floor(r() * text.length)
      const p = new JsonStreamParser()
      const got: unknown[] = []
      p.push(Buffer.from(text.slice(0, cut)), (v) => got.push(v))
      assert.equal(got.length, 0)
      if (cut > 0 && text.slice(0, cut).trim() !== '') assert.throws(() => p.end(), FramingError)
    }
  })

  it('the JSON-RPC layer drops hostile peers with a reason and fails pending requests', async () => {
    const r = prng(SEED + 3)
    const hostile: (() => Buffer)[] = [
      () => Buffer.from('[1,2,3]'), // not an object
      () => Buffer.from('{"method":5,"params":[],"id":1}'),
      () => Buffer.from('{"foo":"bar"}'),
      () => Buffer.from('{"method":"x","params":[],"id":{"a":1}}'),
      () => Buffer.from('}{'),
      () => Buffer.from('{"a":"' + 'x'.repeat(5000)),
      () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))),
    ]
    for (let iter = 0; iter < 40; iter++) {
      const input = new PassThrough()
      const output = new PassThrough()
      const stream = Duplex.from({ readable: input, writable: output })
      const rpc = new JsonRpcConnection(stream, { logger: silentLogger, maxMessageBytes: 1024 })
      const pending = rpc.request('echo', [iter])
      const closed = new Promise<string>((resolve) => rpc.once('close', resolve))
      const gen = hostile[iter % hostile.length]!
      input.write(gen())
      // Some hostile inputs are merely incomplete; the peer then closes the stream.
      setTimeout(() => input.end(), 5)
      const reason = await closed
      assert.ok(reason.length > 0)
      await assert.rejects(pending, (e: Error) => e.name === 'ConnectionClosedError')
    }
  })

  it('the JSON-RPC layer answers echo and survives well-formed noise', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    const rpc = new JsonRpcConnection(Duplex.from({ readable: input, writable: output }), { logger: silentLogger })
    const notes: string[] = []
    rpc.onNotification = (m) => notes.push(m)
    input.write('{"id":999,"result":[],"error":null}') // unknown id: ignored
    input.write('{"method":"update","params":[],"id":null}{"method":"echo","params":["x"],"id":"e1"}')
    const reply = await new Promise<Buffer>((resolve) => output.once('data', resolve))
    assert.deepEqual(JSON.parse(reply.toString()), { id: 'e1', result: ['x'], error: null })
    assert.deepEqual(notes, ['update'])
    assert.equal(rpc.closed, false)
    rpc.close()
  })
})
