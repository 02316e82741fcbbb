/**
 * Byte-level helpers: a growable big-endian writer (one Buffer for many messages, so a batch of
 * flow mods becomes a single socket write) and a bounds-checked reader used by every decoder.
 * Every read is checked against the frame end, so a malformed frame raises DecodeError instead
 * of reading neighbouring bytes or allocating from an attacker-controlled length.
 */

export class DecodeError extends Error {
  override name = 'DecodeError'
}

export class Writer {
  buf: Buffer
  pos = 0

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size)
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    this.grow(n)
  }

  private grow(n: number): void {
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  u8(v: number): void {
    this.ensure(1)
    this.buf[this.pos++] = v & 0xff
  }

  // Byte stores instead of writeUInt*BE: those validate ranges and dominate encode profiles.
  u16(v: number): void {
    this.ensure(2)
    const b = this.buf
    b[this.pos++] = (v >>> 8) & 0xff
    b[this.pos++] = v & 0xff
  }

  u32(v: number): void {
    this.ensure(4)
    const b = this.buf
    b[this.pos++] = (v >>> 24) & 0xff
    b[this.pos++] = (v >>> 16) & 0xff
    b[this.pos++] = (v >>> 8) & 0xff
    b[this.pos++] = v & 0xff
  }

  u64(v: bigint): void {
    this.ensure(8)
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.pos)
    this.pos += 8
  }

  zeros(n: number): void {
    this.ensure(n)
    this.buf.fill(0, this.pos, this.pos + n)
    this.pos += n
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  /** Writes `s` as a NUL-padded fixed-size field (names in ofp_port, ofp_desc). */
  fixedString(s: string, size: number): void {
    this.ensure(size)
    this.buf.fill(0, this.pos, this.pos + size)
    this.buf.write(s, this.pos, size - 1, 'latin1')
    this.pos += size
  }

  /** Pads with zeros up to the next multiple of `align` measured from `start`. */
  padTo(start: number, align: number): void {
    const rem = (this.pos - start) % align
    if (rem !== 0) this.zeros(align - rem)
  }

  /** Back-patches a 16-bit length (the usual `len` field at `at`). */
  patch16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff
    this.buf[at + 1] = v & 0xff
  }

  /** A copy of what was written (safe to keep after the writer is reused). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos))
  }

  /** A view on what was written (no copy; invalid once the writer is reused). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos)
  }

  reset(): void {
    this.pos = 0
  }
}

export class Reader {
  pos: number
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start
  }

  get remaining(): number {
    return this.end - this.pos
  }

  need(n: number, what = 'field'): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new DecodeError(`truncated ${what}: need ${n} bytes at offset ${this.pos}, have ${this.end - this.pos}`)
    }
  }

  u8(): number {
    this.need(1)
    return this.buf[this.pos++]!
  }

  u16(): number {
    this.need(2)
    const v = this.buf.readUInt16BE(this.pos)
    this.pos += 2
    return v
  }

  u32(): number {
    this.need(4)
    const v = this.buf.readUInt32BE(this.pos)
    this.pos += 4
    return v
  }

  u64(): bigint {
    this.need(8)
    const v = this.buf.readBigUInt64BE(this.pos)
    this.pos += 8
    return v
  }

  skip(n: number): void {
    this.need(n)
    this.pos += n
  }

  bytes(n: number): Buffer {
    this.need(n)
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n))
    this.pos += n
    return b
  }

  fixedString(size: number): string {
    const b = this.bytes(size)
    const nul = b.indexOf(0)
    return b.toString('latin1', 0, nul < 0 ? size : nul)
  }

  /** A sub-reader over the next `n` bytes (and advances past them). */
  sub(n: number, what = 'element'): Reader {
    this.need(n, what)
    const r = new Reader(this.buf, this.pos, this.pos + n)
    this.pos += n
    return r
  }
}
