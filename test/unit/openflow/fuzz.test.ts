/**
 * Decoder fuzzing with a seeded PRNG (bounded, deterministic): random frames, truncations and
 * byte flips of valid messages. The decoder must either return a message or throw DecodeError
 * (never another exception, never hang), and never allocate beyond the frame.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeMessage, encode } from '../../../src/openflow/codec.js'
import { Framer } from '../../../src/openflow/framer.js'
import { DecodeError } from '../../../src/openflow/wire.js'
import { SAMPLES } from './samples.js'
import { mulberry32 as prng } from '../../helpers/prng.js'


function tryDecode(frame: Buffer): 'ok' | 'rejected' {
  try {
    decodeMessage(frame)
    return 'ok'
  } catch (e) {
    if (e instanceof DecodeError) return 'rejected'
    throw new Error(`decoder threw ${(e as Error).name} on ${frame.toString('hex')}: ${(e as Error).message}`)
  }
}

const SEED = Number(process.env.OF_FUZZ_SEED ?? 0x5eed)
const valid = SAMPLES.map((m, i) => encode(m, i))

describe(`decoder fuzz (seed ${SEED})`, () => {
  it('survives random frames of every message type', () => {
    const rnd = prng(SEED)
    const counts = { ok: 0, rejected: 0 }
    for (let i = 0; i < 20000; i++) {
      const len = 8 + Math.floor(rnd() * 200)
      const b = Buffer.alloc(len)
      for (let k = 0; k < len; k++) b[k] = Math.floor(rnd() * 256)
      b[0] = 4
      b[1] = Math.floor(rnd() * 30)
      b.writeUInt16BE(len, 2)
      counts[tryDecode(b)]++
    }
    assert.ok(counts.rejected > 0)
  })

  it('rejects or decodes every truncation of every valid message', () => {
    for (const v of valid) {
      for (let n = 8; n < v.length; n++) {
        const t = Buffer.from(v.subarray(0, n))
        t.writeUInt16BE(n, 2)
        tryDecode(t)
      }
    }
  })

  it('survives byte flips inside valid messages', () => {
    const rnd = prng(SEED + 1)
    for (let i = 0; i < 30000; i++) {
      const v = Buffer.from(valid[Math.floor(rnd() * valid.length)]!)
      const flips = 1 + Math.floor(rnd() * 4)
      for (let k = 0; k < flips; k++) {
        const at = 8 + Math.floor(rnd() * Math.max(1, v.length - 8))
        if (at < v.length) v[at] = Math.floor(rnd() * 256)
      }
      tryDecode(v)
    }
  })

  it('framer bounds what it buffers by the 16-bit length', () => {
    const rnd = prng(SEED + 2)
    const framer = new Framer()
    let frames = 0
    for (let i = 0; i < 2000; i++) {
      const chunk = Buffer.alloc(1 + Math.floor(rnd() * 300))
      for (let k = 0; k < chunk.length; k++) chunk[k] = Math.floor(rnd() * 256)
      try {
        framer.push(chunk, () => frames++)
      } catch (e) {
        assert.ok(e instanceof DecodeError)
        break
      }
      assert.ok(framer.buffered <= 0xffff + 300)
    }
  })

  it('decodes a large valid multipart reply quickly (no quadratic paths)', () => {
    const t = process.hrtime.bigint()
    for (let i = 0; i < 2000; i++) decodeMessage(valid[i % valid.length]!)
    assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 5000)
  })
})
