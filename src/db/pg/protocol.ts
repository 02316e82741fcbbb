/**
 * PostgreSQL frontend/backend protocol 3.0 (PostgreSQL docs, "Frontend/Backend Protocol",
 * §55.7 Message Formats): the frontend messages this client sends, and a framer that cuts the
 * backend's byte stream into messages. Nothing here knows about connections or queries.
 */
import { PgProtocolError } from './errors.js'

/** A growable byte writer for frontend messages; `take()` hands out the bytes written so far. */
export class MessageWriter {
  #buf: Buffer
  #len = 0

  constructor(initial = 4096) {
    this.#buf = Buffer.allocUnsafe(initial)
  }

  get length(): number {
    return this.#len
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return
    let cap = this.#buf.length * 2
    while (cap < this.#len + n) cap *= 2
    const bigger = Buffer.allocUnsafe(cap)
    this.#buf.copy(bigger, 0, 0, this.#len)
    this.#buf = bigger
  }

  byte(b: number): void {
    this.#ensure(1)
    this.#buf[this.#len++] = b
  }

  int16(v: number): void {
    this.#ensure(2)
    this.#len = this.#buf.writeInt16BE(v, this.#len)
  }

  int32(v: number): void {
    this.#ensure(4)
    this.#len = this.#buf.writeInt32BE(v, this.#len)
  }

  /** A NUL-terminated UTF-8 string (protocol "String"). */
  cstring(s: string): void {
    const n = Buffer.byteLength(s)
    this.#ensure(n + 1)
    this.#len += this.#buf.write(s, this.#len)
    this.#buf[this.#len++] = 0
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length)
    this.#buf.set(b, this.#len)
    this.#len += b.length
  }

  /** Writes `s` as UTF-8 preceded by its byte length (a Bind parameter value). */
  lengthPrefixed(s: string): void {
    const n = Buffer.byteLength(s)
    this.#ensure(n + 4)
    this.#len = this.#buf.writeInt32BE(n, this.#len)
    this.#len += this.#buf.write(s, this.#len)
  }

  /** Starts a message: type byte and a length placeholder; `end(start)` fills the length in. */
  begin(type: number): number {
    this.byte(type)
    const at = this.#len
    this.int32(0)
    return at
  }

  end(lengthAt: number): void {
    this.#buf.writeInt32BE(this.#len - lengthAt, lengthAt)
  }

  /** The bytes written so far, copied out (the socket keeps them until written); then empty. */
  take(): Buffer {
    const out = Buffer.from(this.#buf.subarray(0, this.#len))
    this.#len = 0
    return out
  }
}

const PROTOCOL_3_0 = 196608
const SSL_REQUEST_CODE = 80877103

/** StartupMessage: protocol 3.0 and NUL-separated name/value pairs. */
export function startupMessage(params: Record<string, string>): Buffer {
  const w = new MessageWriter(256)
  w.int32(0)
  w.int32(PROTOCOL_3_0)
  for (const [k, v] of Object.entries(params)) {
    w.cstring(k)
    w.cstring(v)
  }
  w.byte(0)
  const b = w.take()
  b.writeInt32BE(b.length, 0)
  return b
}

export function sslRequest(): Buffer {
  const b = Buffer.allocUnsafe(8)
  b.writeInt32BE(8, 0)
  b.writeInt32BE(SSL_REQUEST_CODE, 4)
  return b
}

/** PasswordMessage ('p'): cleartext or MD5 password. */
export function passwordMessage(password: string): Buffer {
  const w = new MessageWriter(64)
  const at = w.begin(0x70)
  w.cstring(password)
  w.end(at)
  return w.take()
}

/** SASLInitialResponse ('p'): mechanism name and the client-first-message. */
export function saslInitialResponse(mechanism: string, data: Buffer): Buffer {
  const w = new MessageWriter(128)
  const at = w.begin(0x70)
  w.cstring(mechanism)
  w.int32(data.length)
  w.bytes(data)
  w.end(at)
  return w.take()
}

/** SASLResponse ('p'): the client-final-message. */
export function saslResponse(data: Buffer): Buffer {
  const w = new MessageWriter(128)
  const at = w.begin(0x70)
  w.bytes(data)
  w.end(at)
  return w.take()
}

export function terminateMessage(): Buffer {
  return Buffer.from([0x58, 0, 0, 0, 4])
}

/** Parse ('P'): statement name, query text, no parameter types (the server infers them). */
export function writeParse(w: MessageWriter, name: string, text: string): void {
  const at = w.begin(0x50)
  w.cstring(name)
  w.cstring(text)
  w.int16(0)
  w.end(at)
}

/** A value as the text format sends it; null is SQL NULL. */
export type TextParam = string | null

/** Bind ('B'): unnamed portal, all parameters and all results in text format. */
export function writeBind(w: MessageWriter, statement: string, params: readonly TextParam[]): void {
  const at = w.begin(0x42)
  w.cstring('')
  w.cstring(statement)
  w.int16(0) // parameter format codes: none = all text
  w.int16(params.length)
  for (const p of params) {
    if (p === null) w.int32(-1)
    else w.lengthPrefixed(p)
  }
  w.int16(0) // result format codes: none = all text
  w.end(at)
}

/** Describe ('D') of a statement ('S') or of the unnamed portal ('P'). */
export function writeDescribe(w: MessageWriter, kind: 'S' | 'P', name: string): void {
  const at = w.begin(0x44)
  w.byte(kind.charCodeAt(0))
  w.cstring(name)
  w.end(at)
}

/** Execute ('E') of the unnamed portal, all rows. */
export function writeExecute(w: MessageWriter): void {
  const at = w.begin(0x45)
  w.cstring('')
  w.int32(0)
  w.end(at)
}

export function writeSync(w: MessageWriter): void {
  const at = w.begin(0x53)
  w.end(at)
}

/** Query ('Q'): the simple query protocol (several statements, no parameters). */
export function writeQuery(w: MessageWriter, text: string): void {
  const at = w.begin(0x51)
  w.cstring(text)
  w.end(at)
}

/** The largest backend message accepted; a longer length field means a broken stream. */
export const MAX_MESSAGE = 256 << 20

/**
 * Cuts the backend's stream into messages. `push` copies each read into an internal buffer that
 * is reused (no allocation per read once it is large enough); `onMessage` sees the type byte and
 * a view of the payload that is valid only during the call.
 */
export class MessageFramer {
  #buf = Buffer.allocUnsafe(64 << 10)
  #start = 0
  #end = 0

  constructor(private readonly onMessage: (type: number, payload: Buffer) => void) {}

  push(data: Uint8Array, n = data.length): void {
    if (this.#end + n > this.#buf.length) {
      const live = this.#end - this.#start
      if (live + n <= this.#buf.length) {
        this.#buf.copy(this.#buf, 0, this.#start, this.#end)
      } else {
        let cap = this.#buf.length * 2
        while (cap < live + n) cap *= 2
        const bigger = Buffer.allocUnsafe(cap)
        this.#buf.copy(bigger, 0, this.#start, this.#end)
        this.#buf = bigger
      }
      this.#start = 0
      this.#end = live
    }
    this.#buf.set(n === data.length ? data : data.subarray(0, n), this.#end)
    this.#end += n
    while (this.#end - this.#start >= 5) {
      const type = this.#buf[this.#start]!
      const len = this.#buf.readInt32BE(this.#start + 1)
      if (len < 4 || len > MAX_MESSAGE) throw new PgProtocolError(`invalid message length ${len} for message type 0x${type.toString(16)}`)
      if (this.#end - this.#start < 1 + len) break
      const payload = this.#buf.subarray(this.#start + 5, this.#start + 1 + len)
      this.#start += 1 + len
      this.onMessage(type, payload)
    }
    if (this.#start === this.#end) this.#start = this.#end = 0
  }
}

/** Reads fields of one backend message payload; every read is bounds-checked. */
export class PayloadReader {
  #off = 0
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.#off
  }

  #need(n: number, what: string): void {
    // (A negative n, e.g. a length read from the stream, would otherwise move the offset back.)
    if (n < 0) throw new PgProtocolError(`negative length ${n} for ${what}`)
    if (this.#off + n > this.buf.length) throw new PgProtocolError(`truncated ${what}`)
  }

  byte(): number {
    this.#need(1, 'byte')
    return this.buf[this.#off++]!
  }

  int16(): number {
    this.#need(2, 'int16')
    const v = this.buf.readInt16BE(this.#off)
    this.#off += 2
    return v
  }

  int32(): number {
    this.#need(4, 'int32')
    const v = this.buf.readInt32BE(this.#off)
    this.#off += 4
    return v
  }

  cstring(): string {
    const z = this.buf.indexOf(0, this.#off)
    if (z < 0) throw new PgProtocolError('unterminated string')
    const s = this.buf.toString('utf8', this.#off, z)
    this.#off = z + 1
    return s
  }

  /** n bytes as a copy (they outlive the framer's buffer). */
  bytes(n: number): Buffer {
    this.#need(n, 'bytes')
    const b = Buffer.from(this.buf.subarray(this.#off, this.#off + n))
    this.#off += n
    return b
  }

  /** n bytes as UTF-8 text. */
  text(n: number): string {
    this.#need(n, 'value')
    const s = this.buf.toString('utf8', this.#off, this.#off + n)
    this.#off += n
    return s
  }

  rest(): Buffer {
    return this.bytes(this.remaining)
  }
}

/** One column of a RowDescription. */
export interface FieldInfo {
  name: string
  typeOid: number
}

export function parseRowDescription(payload: Buffer): FieldInfo[] {
  const r = new PayloadReader(payload)
  const n = r.int16()
  if (n < 0) throw new PgProtocolError(`negative column count ${n}`)
  const fields: FieldInfo[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const name = r.cstring()
    r.int32() // table oid
    r.int16() // column number
    const typeOid = r.int32()
    r.int16() // type size
    r.int32() // type modifier
    const format = r.int16()
    if (format !== 0) throw new PgProtocolError(`column ${name} in binary format, which was not asked for`)
    fields[i] = { name, typeOid }
  }
  return fields
}

/** ErrorResponse / NoticeResponse: field code → value (S severity, C SQLSTATE, M message, D detail…). */
export function parseErrorFields(payload: Buffer): Map<string, string> {
  const r = new PayloadReader(payload)
  const out = new Map<string, string>()
  for (;;) {
    const code = r.byte()
    if (code === 0) break
    out.set(String.fromCharCode(code), r.cstring())
  }
  return out
}

/** The row count at the end of a CommandComplete tag ("INSERT 0 1", "UPDATE 3", "SELECT 5"). */
export function rowCountOf(tag: string): number {
  const sp = tag.lastIndexOf(' ')
  if (sp < 0) return 0
  const n = Number(tag.slice(sp + 1))
  return Number.isInteger(n) ? n : 0
}
