/**
 * Envelope 2.0 against the bytes recorded from the real neutron-server and agents
 * (shared/reference/agents-rpc, copied to test/fixtures/agents-rpc): what we encode equals the
 * recorded body byte for byte, and requests built from their parts have oslo's key order.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { decodeEnvelope, encodeEnvelope, replyMessage, requestMessage, unpackContext } from '../../../src/messaging/envelope.js'
import { MalformedMessage } from '../../../src/messaging/errors.js'
import { pyDumps } from '../../../src/messaging/py-json.js'

const FIX = join(import.meta.dirname, '../../fixtures/agents-rpc')
interface Rec { seq: number; kind: string; raw_body: string; replies?: Rec[] }
const samples: Rec[] = readFileSync(join(FIX, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
const bodies = samples.flatMap((r) => [{ seq: r.seq, what: r.kind, raw: r.raw_body }, ...(r.replies ?? []).map((x) => ({ seq: x.seq, what: 'reply', raw: x.raw_body }))])

/** Python writes 1.0 for a float; a JS number cannot remember that (documented in docs/messaging.md). */
const hasPythonFloat = (raw: string) => /\d\.0[,}\]]/.test(JSON.parse(raw)['oslo.message'])

describe('envelope 2.0 bytes', () => {
  it('has enough recorded bodies to mean something', () => {
    assert.ok(bodies.length >= 50, `${bodies.length} bodies`)
  })

  it('re-encodes every recorded body byte for byte (except Python floats)', () => {
    let compared = 0
    const floats: number[] = []
    for (const b of bodies) {
      if (hasPythonFloat(b.raw)) { floats.push(b.seq); continue }
      assert.equal(encodeEnvelope(decodeEnvelope(Buffer.from(b.raw))).toString('utf8'), b.raw, `seq ${b.seq} (${b.what})`)
      compared++
    }
    assert.deepEqual(floats, [2, 10], 'only the two OVS report_state messages carry allocation_ratio 1.0')
    assert.ok(compared >= 50)
  })

  it('builds a recorded call from its parts in oslo key order', () => {
    const raw = samples.find((r) => r.seq === 0)!.raw_body
    const msg = decodeEnvelope(Buffer.from(raw))
    const { ctx } = unpackContext(msg)
    const built = requestMessage({
      method: 'has_alive_neutron_server', args: {}, version: '1.2', namespace: null,
      reply: { msgId: msg._msg_id as string, replyQ: msg._reply_q as string, timeout: null },
      uniqueId: msg._unique_id as string, ctx,
    })
    assert.equal(encodeEnvelope(built).toString('utf8'), raw)
  })

  it('builds a recorded cast and reply from their parts', () => {
    const rec = samples.find((r) => r.seq === 53)!
    const msg = decodeEnvelope(Buffer.from(rec.raw_body))
    const { ctx, rest } = unpackContext(msg)
    const cast = requestMessage({ method: rest.method as string, args: rest.args as Record<string, unknown>, version: '1.0', uniqueId: rest._unique_id as string, ctx })
    assert.equal(encodeEnvelope(cast).toString('utf8'), rec.raw_body)
    const rep = samples.find((r) => r.seq === 0)!.replies![0]!
    const r = decodeEnvelope(Buffer.from(rep.raw_body))
    assert.equal(encodeEnvelope(replyMessage(r._msg_id as string, r.result, null, r._unique_id as string)).toString('utf8'), rep.raw_body)
  })

  it('escapes like Python json.dumps (ensure_ascii, short escapes)', () => {
    assert.equal(pyDumps({ a: 'é\u2028"\\\n\t\u0001', b: [1, -2.5, true, null], c: {} }), '{"a": "\\u00e9\\u2028\\"\\\\\\n\\t\\u0001", "b": [1, -2.5, true, null], "c": {}}')
    assert.equal(pyDumps('😀'), '"\\ud83d\\ude00"')
    assert.equal(pyDumps({ u: undefined, k: 1 }), '{"k": 1}')
    const loop: Record<string, unknown> = {}
    loop.self = loop
    assert.throws(() => pyDumps(loop), /Circular/)
  })
})

describe('decodeEnvelope refuses what is not an oslo message, naming the problem', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', 'hello', /body is not JSON/],
    ['not an object', '[1, 2]', /body is not a JSON object/],
    ['no oslo.message', '{"oslo.version": "2.0"}', /without an 'oslo\.message' JSON string/],
    ['oslo.message not a string', '{"oslo.version": "2.0", "oslo.message": {"method": "x"}}', /without an 'oslo\.message' JSON string/],
    ['oslo.message not JSON', '{"oslo.version": "2.0", "oslo.message": "{method"}', /'oslo\.message' is not JSON/],
    ['oslo.message not an object', '{"oslo.version": "2.0", "oslo.message": "[]"}', /'oslo\.message' is not a JSON object/],
    ['wrong envelope version', '{"oslo.version": "3.0", "oslo.message": "{}"}', /unsupported envelope version "3\.0"/],
    ['version not a string', '{"oslo.version": 2, "oslo.message": "{}"}', /unsupported envelope version 2/],
  ]
  for (const [name, body, re] of cases) {
    it(name, () => {
      assert.throws(() => decodeEnvelope(Buffer.from(body)), (e: unknown) => e instanceof MalformedMessage && re.test(e.message))
    })
  }
  it('accepts a bare (pre-envelope) message dict as oslo does', () => {
    assert.deepEqual(decodeEnvelope(Buffer.from('{"method": "m", "args": {}}')), { method: 'm', args: {} })
  })
})
