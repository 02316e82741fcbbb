/**
 * Splits a TCP/TLS/unix byte stream into OpenFlow frames using the header length (spec §7.1).
 * Frames are bounded by the 16-bit length, so a peer cannot make us buffer more than 64 KiB
 * beyond what it has actually sent.
 */
import { OFP_HEADER_LEN } from './constants.js'
import { DecodeError } from './wire.js'

export class Framer {
  private pending: Buffer | undefined

  /** Feeds a chunk; calls `onFrame` for each complete frame (a view, valid during the call). */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let buf = chunk
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk])
      this.pending = undefined
    }
    let pos = 0
    while (buf.length - pos >= OFP_HEADER_LEN) {
      const len = buf.readUInt16BE(pos + 2)
      if (len < OFP_HEADER_LEN) throw new DecodeError(`frame length ${len} is shorter than the header`)
      if (buf.length - pos < len) break
      onFrame(buf.subarray(pos, pos + len))
      pos += len
    }
    if (pos < buf.length) this.pending = Buffer.from(buf.subarray(pos))
  }

  get buffered(): number {
    return this.pending?.length ?? 0
  }
}
