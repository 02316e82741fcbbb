/** decode(encode(x)) = x for every message type, plus framing and length checks. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeMessage, encode } from '../../../src/openflow/codec.js'
import { packetOut } from '../../../src/openflow/flow-mod.js'
import { Framer } from '../../../src/openflow/framer.js'
import type { OFMessage } from '../../../src/openflow/messages.js'
import { DecodeError } from '../../../src/openflow/wire.js'
import { fullFlow, SAMPLES } from './samples.js'

describe('codec round trip', () => {
  for (const [i, m] of SAMPLES.entries()) {
    const label = m.type === 'multipart_request' || m.type === 'multipart_reply' ? `${m.type}/${m.body.kind}` : m.type
    it(`${i}: ${label}`, () => {
      const bytes = encode(m, 0x1234 + i)
      assert.equal(bytes.readUInt16BE(2), bytes.length, 'header length')
      assert.equal(bytes[0], 4)
      const back = decodeMessage(bytes)
      assert.deepEqual(back, { ...m, xid: 0x1234 + i })
      // canonical: re-encoding the decoded value gives the same bytes
      assert.deepEqual(encode(back), bytes)
    })
  }

  it('covers every message type the library names', () => {
    const types = new Set(SAMPLES.map((m) => m.type))
    for (const t of ['hello', 'error', 'echo_request', 'echo_reply', 'experimenter', 'features_request', 'features_reply',
      'get_config_request', 'get_config_reply', 'set_config', 'packet_in', 'flow_removed', 'port_status', 'packet_out',
      'flow_mod', 'group_mod', 'barrier_request', 'barrier_reply', 'role_request', 'role_reply', 'multipart_request',
      'multipart_reply', 'raw']) assert.ok(types.has(t as OFMessage['type']), t)
  })

  it('frames a byte stream split at every offset', () => {
    const stream = Buffer.concat(SAMPLES.map((m, i) => encode(m, i)))
    for (const step of [1, 3, 7, 64, 1000]) {
      const framer = new Framer()
      const out: OFMessage[] = []
      for (let p = 0; p < stream.length; p += step) framer.push(stream.subarray(p, p + step), (f) => out.push(decodeMessage(f)))
      assert.equal(out.length, SAMPLES.length)
      assert.equal(framer.buffered, 0)
    }
  })

  it('rejects a frame whose length field is shorter than the header', () => {
    assert.throws(() => new Framer().push(Buffer.from('0400000400000000', 'hex'), () => {}), DecodeError)
    assert.throws(() => decodeMessage(Buffer.from('040000090000000000', 'hex').subarray(0, 8)), DecodeError)
  })

  it('refuses to encode a message over 65535 bytes', () => {
    assert.throws(() => encode(packetOut(Buffer.alloc(70000), [])), /at most 65535/)
  })

  it('produces deep-frozen flow mods', () => {
    assert.ok(Object.isFrozen(fullFlow))
    assert.ok(Object.isFrozen(fullFlow.match))
    assert.ok(Object.isFrozen(fullFlow.instructions[0]))
    assert.throws(() => ((fullFlow as { priority: number }).priority = 1), TypeError)
  })
})
