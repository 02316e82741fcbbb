/**
 * The PostgreSQL wire format (src/db/pg/protocol.ts): frontend messages as MessageWriter builds
 * them, the framer that cuts the backend's stream into messages however it is chunked, the
 * bounds-checked payload reader, the backend messages the client parses, and parameters in the
 * text format (connection.ts toText).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toText } from '../../../src/db/pg/connection.js'
import { PgError, PgProtocolError } from '../../../src/db/pg/errors.js'
import {
  MAX_MESSAGE,
  MessageFramer,
  MessageWriter,
  parseErrorFields,
  parseRowDescription,
  passwordMessage,
  PayloadReader,
  rowCountOf,
  saslInitialResponse,
  saslResponse,
  sslRequest,
  startupMessage,
  terminateMessage,
  writeBind,
  writeDescribe,
  writeExecute,
  writeParse,
  writeQuery,
  writeSync,
} from '../../../src/db/pg/protocol.js'
import { cstr, i16, i32 } from '../../helpers/pg-bytes.js'

/** One message: type byte, int32 length (itself included), payload. */
function msg(type: string | number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  const head = Buffer.alloc(5)
  head[0] = typeof type === 'string' ? type.charCodeAt(0) : type
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

function framed(chunks: Uint8Array[]): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = []
  // The payload is a view valid only during the call: copy it, as the client's parsers do.
  const f = new MessageFramer((t, p) => out.push([String.fromCharCode(t), Buffer.from(p)]))
  for (const c of chunks) f.push(c)
  return out
}

/** Cuts a frontend byte stream (after any startup packet) into [type, payload]. */
function frontend(buf: Buffer): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = []
  new MessageFramer((t, p) => out.push([String.fromCharCode(t), Buffer.from(p)])).push(buf)
  return out
}


function rowDescription(cols: Array<[string, number]>, format = 0): Buffer {
  const parts = [i16(cols.length)]
  for (const [name, oid] of cols) parts.push(cstr(name), i32(0), i16(0), i32(oid), i16(-1), i32(-1), i16(format))
  return Buffer.concat(parts)
}

describe('MessageFramer', () => {
  const stream = Buffer.concat([
    msg('1'),
    msg('2'),
    msg('T', rowDescription([['id', 23], ['name', 25]])),
    msg('D', Buffer.concat([i16(2), i32(1), Buffer.from('7'), i32(-1)])),
    msg('C', cstr('SELECT 1')),
    msg('Z', 'I'),
  ])
  const expected = framed([stream])

  it('cuts many messages out of one chunk', () => {
    assert.deepEqual(expected.map(([t]) => t), ['1', '2', 'T', 'D', 'C', 'Z'])
    assert.equal(expected[4]![1].toString(), 'SELECT 1\0')
    assert.equal(expected[5]![1].toString(), 'I')
  })

  it('reassembles messages split at every byte boundary, and fed a byte at a time', () => {
    for (let i = 1; i < stream.length; i++) {
      assert.deepEqual(framed([stream.subarray(0, i), stream.subarray(i)]), expected, `split at ${i}`)
    }
    assert.deepEqual(framed([...stream].map((b) => Buffer.from([b]))), expected)
  })

  it('reassembles under arbitrary chunkings (seeded)', () => {
    let seed = 42
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n)
    const many = Buffer.concat(Array.from({ length: 200 }, (_, i) => msg('D', Buffer.concat([i16(1), i32(String(i).length), Buffer.from(String(i))]))))
    const want = framed([many])
    for (let round = 0; round < 50; round++) {
      const chunks: Buffer[] = []
      for (let off = 0; off < many.length; ) {
        const n = 1 + rnd(300)
        chunks.push(many.subarray(off, off + n))
        off += n
      }
      assert.deepEqual(framed(chunks), want, `round ${round}`)
    }
  })

  it('takes a message larger than its initial buffer, whole or in pieces', () => {
    const big = Buffer.alloc(300_000, 0x61)
    const m = Buffer.concat([msg('N', Buffer.from('x')), msg('d', big), msg('Z', 'I')])
    for (const chunks of [[m], [m.subarray(0, 70_000), m.subarray(70_000, 200_000), m.subarray(200_000)]]) {
      const out = framed(chunks)
      assert.deepEqual(out.map(([t]) => t), ['N', 'd', 'Z'])
      assert.equal(out[1]![1].length, big.length)
      assert.ok(out[1]![1].equals(big))
    }
  })

  it('keeps working after compacting its buffer (many reads, a partial message left each time)', () => {
    const out: Array<[string, Buffer]> = []
    const f = new MessageFramer((t, p) => out.push([String.fromCharCode(t), Buffer.from(p)]))
    const one = msg('D', Buffer.alloc(10_000, 0x62))
    for (let i = 0; i < 40; i++) {
      f.push(one.subarray(0, 3000))
      f.push(one.subarray(3000))
    }
    assert.equal(out.length, 40)
    assert.ok(out.every(([t, p]) => t === 'D' && p.length === 10_000 && p[9999] === 0x62))
  })

  it('honours the byte count given to push()', () => {
    const out: Array<[string, Buffer]> = []
    const f = new MessageFramer((t, p) => out.push([String.fromCharCode(t), Buffer.from(p)]))
    const read = Buffer.concat([msg('Z', 'T'), Buffer.from('garbage after the read')])
    f.push(read, 6)
    assert.deepEqual(out, [['Z', Buffer.from('T')]])
  })

  it('rejects a length field below 4, negative or huge with PgProtocolError', () => {
    for (const len of [0, 3, -1, -2147483648, MAX_MESSAGE + 1, 0x7fffffff]) {
      const b = Buffer.alloc(5)
      b[0] = 0x44
      b.writeInt32BE(len, 1)
      assert.throws(() => framed([b]), (e: unknown) => e instanceof PgProtocolError && /invalid message length/.test(e.message), `length ${len}`)
    }
  })

  it('rejects a bad length that arrives after good messages in the same chunk', () => {
    const seen: string[] = []
    const f = new MessageFramer((t) => seen.push(String.fromCharCode(t)))
    const bad = Buffer.from([0x44, 0xff, 0xff, 0xff, 0xf0])
    assert.throws(() => f.push(Buffer.concat([msg('1'), msg('2'), bad])), PgProtocolError)
    assert.deepEqual(seen, ['1', '2'])
  })

  it('waits for the rest of a message with a valid but unreached length', () => {
    assert.deepEqual(framed([msg('D', Buffer.alloc(100)).subarray(0, 50)]), [])
  })
})

describe('MessageWriter and frontend messages', () => {
  it('grows past its initial size and keeps what was written', () => {
    const w = new MessageWriter(8)
    const at = w.begin(0x51)
    const text = 'SELECT ' + 'x'.repeat(10_000)
    w.cstring(text)
    w.end(at)
    const out = frontend(w.take())
    assert.deepEqual(out, [['Q', cstr(text)]])
    assert.equal(w.length, 0, 'take() empties the writer')
  })

  it('writes int16, int32, bytes and length-prefixed UTF-8', () => {
    const w = new MessageWriter(1)
    w.byte(7)
    w.int16(-2)
    w.int32(0x01020304)
    w.bytes(Buffer.from([9, 8]))
    w.lengthPrefixed('é€')
    assert.deepEqual([...w.take()], [7, 0xff, 0xfe, 1, 2, 3, 4, 9, 8, 0, 0, 0, 5, 0xc3, 0xa9, 0xe2, 0x82, 0xac])
  })

  it('take() copies: later writes do not change bytes handed out', () => {
    const w = new MessageWriter(16)
    w.int32(1)
    const first = w.take()
    w.int32(2)
    assert.deepEqual([...first], [0, 0, 0, 1])
  })

  it('builds Parse/Describe/Bind/Execute/Sync with text formats and NULLs', () => {
    const w = new MessageWriter(4)
    writeParse(w, 's1', 'SELECT $1::int, $2')
    writeDescribe(w, 'S', 's1')
    writeBind(w, 's1', ['42', null])
    writeDescribe(w, 'P', '')
    writeExecute(w)
    writeSync(w)
    writeQuery(w, 'SELECT 1; SELECT 2')
    const out = frontend(w.take())
    assert.deepEqual(out.map(([t]) => t), ['P', 'D', 'B', 'D', 'E', 'S', 'Q'])
    assert.deepEqual(out[0]![1], Buffer.concat([cstr('s1'), cstr('SELECT $1::int, $2'), i16(0)]))
    assert.deepEqual(out[1]![1], Buffer.concat([Buffer.from('S'), cstr('s1')]))
    assert.deepEqual(out[2]![1], Buffer.concat([cstr(''), cstr('s1'), i16(0), i16(2), i32(2), Buffer.from('42'), i32(-1), i16(0)]))
    assert.deepEqual(out[3]![1], Buffer.concat([Buffer.from('P'), cstr('')]))
    assert.deepEqual(out[4]![1], Buffer.concat([cstr(''), i32(0)]))
    assert.deepEqual(out[5]![1], Buffer.alloc(0))
    assert.deepEqual(out[6]![1], cstr('SELECT 1; SELECT 2'))
  })

  it('builds the startup packet, SSLRequest, password, SASL and Terminate messages', () => {
    const s = startupMessage({ user: 'u', database: 'd' })
    assert.equal(s.readInt32BE(0), s.length)
    assert.equal(s.readInt32BE(4), 196608)
    assert.equal(s.subarray(8).toString(), 'user\0u\0database\0d\0\0')
    assert.deepEqual([...sslRequest()], [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])
    assert.deepEqual(frontend(passwordMessage('sécret')), [['p', cstr('sécret')]])
    assert.deepEqual(frontend(saslInitialResponse('SCRAM-SHA-256', Buffer.from('n,,n=,r=abc'))), [['p', Buffer.concat([cstr('SCRAM-SHA-256'), i32(11), Buffer.from('n,,n=,r=abc')])]])
    assert.deepEqual(frontend(saslResponse(Buffer.from('c=biws'))), [['p', Buffer.from('c=biws')]])
    assert.deepEqual(frontend(terminateMessage()), [['X', Buffer.alloc(0)]])
  })
})

describe('PayloadReader', () => {
  it('reads fields in order and reports what remains', () => {
    const r = new PayloadReader(Buffer.concat([Buffer.from([5]), i16(-3), i32(70000), cstr('héllo'), Buffer.from('abcdef')]))
    assert.equal(r.byte(), 5)
    assert.equal(r.int16(), -3)
    assert.equal(r.int32(), 70000)
    assert.equal(r.cstring(), 'héllo')
    assert.equal(r.remaining, 6)
    assert.equal(r.text(2), 'ab')
    assert.deepEqual(r.bytes(2), Buffer.from('cd'))
    assert.deepEqual(r.rest(), Buffer.from('ef'))
    assert.equal(r.remaining, 0)
  })

  it('bytes() copies: the framer reuses its buffer', () => {
    const buf = Buffer.from('abcd')
    const got = new PayloadReader(buf).bytes(4)
    buf.fill(0)
    assert.equal(got.toString(), 'abcd')
  })

  it('throws PgProtocolError on every truncated or impossible read', () => {
    const cases: Array<[string, (r: PayloadReader) => unknown]> = [
      ['byte', (r) => r.byte()],
      ['int16', (r) => r.int16()],
      ['int32', (r) => r.int32()],
      ['unterminated', (r) => r.cstring()],
      ['bytes', (r) => r.bytes(5)],
      ['value', (r) => r.text(5)],
      ['negative', (r) => r.bytes(-2)],
      ['negative', (r) => r.text(-1)],
    ]
    for (const [what, read] of cases) {
      const r = new PayloadReader(Buffer.from(what === 'byte' ? [] : [1]))
      assert.throws(() => read(r), (e: unknown) => e instanceof PgProtocolError && e.message.includes(what), what)
    }
    const r = new PayloadReader(Buffer.from([0, 0, 0]))
    assert.throws(() => r.int32(), /truncated int32/)
  })
})

describe('backend message parsers', () => {
  it('parseRowDescription: names and type OIDs', () => {
    assert.deepEqual(parseRowDescription(rowDescription([['id', 23], ['naïve', 25], ['', 16]])), [
      { name: 'id', typeOid: 23 },
      { name: 'naïve', typeOid: 25 },
      { name: '', typeOid: 16 },
    ])
    assert.deepEqual(parseRowDescription(i16(0)), [])
  })

  it('parseRowDescription: truncated, negative count or binary columns are protocol errors', () => {
    const good = rowDescription([['id', 23], ['name', 25]])
    for (let n = 0; n < good.length; n++) assert.throws(() => parseRowDescription(good.subarray(0, n)), PgProtocolError, `cut at ${n}`)
    assert.throws(() => parseRowDescription(i16(-1)), /negative column count/)
    assert.throws(() => parseRowDescription(rowDescription([['b', 17]], 1)), /binary format/)
  })

  it('parseErrorFields: field codes to values, into PgError', () => {
    const payload = Buffer.concat([
      Buffer.from('S'), cstr('ERROR'), Buffer.from('V'), cstr('ERROR'), Buffer.from('C'), cstr('23505'),
      Buffer.from('M'), cstr('duplicate key value violates unique constraint "t_pkey"'),
      Buffer.from('D'), cstr('Key (id)=(1) already exists.'), Buffer.from('t'), cstr('t'), Buffer.from('n'), cstr('t_pkey'),
      Buffer.from([0]),
    ])
    const fields = parseErrorFields(payload)
    assert.equal(fields.get('C'), '23505')
    const e = new PgError(fields)
    assert.equal(e.code, '23505')
    assert.equal(e.severity, 'ERROR')
    assert.equal(e.detail, 'Key (id)=(1) already exists.')
    assert.equal(e.constraint, 't_pkey')
    assert.equal(e.table, 't')
    assert.match(e.message, /duplicate key/)
    assert.throws(() => parseErrorFields(payload.subarray(0, payload.length - 1)), PgProtocolError, 'no final NUL')
    assert.throws(() => parseErrorFields(Buffer.concat([Buffer.from('M'), Buffer.from('no terminator')])), /unterminated string/)
    const bare = new PgError(parseErrorFields(Buffer.from([0])))
    assert.equal(bare.code, 'XX000')
    assert.equal(bare.message, 'unknown PostgreSQL error')
  })

  it('rowCountOf: the number at the end of a CommandComplete tag', () => {
    assert.equal(rowCountOf('INSERT 0 1'), 1)
    assert.equal(rowCountOf('UPDATE 3'), 3)
    assert.equal(rowCountOf('DELETE 0'), 0)
    assert.equal(rowCountOf('SELECT 5000000'), 5000000)
    assert.equal(rowCountOf('COPY 12'), 12)
    assert.equal(rowCountOf('BEGIN'), 0)
    assert.equal(rowCountOf('CREATE TABLE'), 0)
    assert.equal(rowCountOf(''), 0)
  })
})

describe('toText: parameters in the text format', () => {
  it('converts each JS type the way PostgreSQL reads it', () => {
    assert.equal(toText(null), null)
    assert.equal(toText(undefined), null)
    assert.equal(toText('é'), 'é')
    assert.equal(toText(''), '')
    assert.equal(toText(42), '42')
    assert.equal(toText(-1.5), '-1.5')
    assert.equal(toText(9007199254740993n), '9007199254740993')
    assert.equal(toText(true), 'true')
    assert.equal(toText(false), 'false')
    assert.equal(toText(new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 5))), '2024-02-29T12:00:00.005Z')
    assert.equal(toText(Buffer.from([0, 0xff, 0x10])), '\\x00ff10')
    assert.equal(toText({ a: [1, 'x'], b: null }), '{"a":[1,"x"],"b":null}')
    assert.throws(() => toText([1, 2]), TypeError)
  })
})
