/**
 * Incremental splitter for the OVSDB byte stream.
 *
 * RFC 7047 §3.1 (and JSON-RPC 1.0 over a stream) sends JSON texts back to back with no delimiter
 * or length prefix, so the only way to find where a message ends is to track JSON nesting. We
 * scan bytes for `{ [ ] }` and string boundaries, keep the chunks of the current text without
 * copying, and hand the complete slice to JSON.parse (native, much faster than a JS tokenizer).
 *
 * Structural bytes are ASCII and every byte of a multi-byte UTF-8 sequence is >= 0x80, so a
 * character split across chunks cannot confuse the scan; we decode only complete texts.
 *
 * A text larger than `maxMessageBytes`, or nested deeper than `maxDepth`, raises FramingError
 * before we buffer more: a hostile or broken peer costs bounded memory.
 */
import { isUtf8 } from 'node:buffer'
import { FramingError } from './errors.js'

export interface JsonStreamParserOptions {
  /**
   * Largest accepted JSON text in bytes (default DEFAULT_MAX_MESSAGE_BYTES, 32 MiB). The largest
   * message a healthy peer sends is the initial monitor reply: a 10,000-port Open_vSwitch
   * database is ~15 MiB, so 32 MiB leaves 2× headroom while bounding what one broken or hostile
   * peer can make us buffer (a controller holds hundreds of connections). Raise it for bigger
   * databases.
   */
  maxMessageBytes?: number
  /** Deepest accepted nesting (default 256; OVSDB messages nest fewer than 10 levels). */
  maxDepth?: number
}

/** See JsonStreamParserOptions.maxMessageBytes for why 32 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

export class JsonStreamParser {
  readonly maxMessageBytes: number
  readonly maxDepth: number
  /** Chunks (or chunk tails) holding the text being assembled. */
  #parts: Buffer[] = []
  #partBytes = 0
  #depth = 0
  #inString = false
  #escape = false
  #failed: FramingError | undefined

  constructor(options: JsonStreamParserOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    this.maxDepth = options.maxDepth ?? 256
  }

  /** Bytes buffered for an incomplete text. */
  get bufferedBytes(): number {
    return this.#partBytes
  }

  /** True between texts (nothing partial buffered). */
  get idle(): boolean {
    return this.#depth === 0 && this.#partBytes === 0
  }

  /**
   * Feeds bytes; calls `onValue` for each complete JSON text, in order. Throws FramingError on
   * malformed input; the parser then stays failed (the connection must be dropped).
   */
  push(chunk: Buffer, onValue: (value: unknown) => void): void {
    if (this.#failed) throw this.#failed
    try {
      this.#scan(chunk, onValue)
    } catch (e) {
      if (e instanceof FramingError) {
        this.#failed = e
        this.#parts = []
        this.#partBytes = 0
      }
      throw e
    }
  }

  /** Call at end of stream: throws if a text was left incomplete. */
  end(): void {
    if (this.#failed) throw this.#failed
    if (this.#depth > 0 || this.#partBytes > 0) {
      throw (this.#failed = new FramingError(`stream ended inside a JSON text (${this.#partBytes} bytes buffered)`))
    }
  }

  #scan(chunk: Buffer, onValue: (value: unknown) => void): void {
    const len = chunk.length
    let i = 0
    let start = this.#depth > 0 ? 0 : -1 // where the current text starts in this chunk
    while (i < len) {
      if (this.#inString) {
        if (this.#escape) {
          this.#escape = false
          i++
          continue
        }
        // Jump to the next quote with native indexOf; it is escaped iff an odd run of
        // backslashes precedes it (the run cannot start before i: escape state is handled above).
        const q = chunk.indexOf(QUOTE, i)
        const stop = q < 0 ? len : q
        let k = 0
        while (stop - k - 1 >= i && chunk[stop - k - 1] === BACKSLASH) k++
        if (q < 0) {
          this.#escape = (k & 1) === 1
          i = len
          break
        }
        i = q + 1
        if ((k & 1) === 0) this.#inString = false
        continue
      }
      const c = chunk[i]!
      if (this.#depth === 0) {
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          this.#depth = 1
          start = i
        } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          throw new FramingError(`unexpected byte 0x${c.toString(16).padStart(2, '0')} between JSON texts (a text must be an object or array)`)
        }
        i++
        continue
      }
      if (c === QUOTE) this.#inString = true
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++this.#depth > this.maxDepth) throw new FramingError(`JSON text nested deeper than ${this.maxDepth}`)
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--this.#depth === 0) {
          this.#emit(chunk, start, i + 1, onValue)
          start = -1
        }
      }
      i++
      // Enforce the bound as we go, so an endless text is cut off without buffering it.
      if (start >= 0 && this.#partBytes + (i - start) > this.maxMessageBytes) this.#tooBig(this.#partBytes + (i - start))
    }
    if (start >= 0 && this.#depth > 0) {
      const tail = start === 0 ? chunk : chunk.subarray(start)
      this.#partBytes += tail.length
      if (this.#partBytes > this.maxMessageBytes) this.#tooBig(this.#partBytes)
      this.#parts.push(tail)
    }
  }

  #tooBig(n: number): never {
    throw new FramingError(`JSON text exceeds the maximum message size of ${this.maxMessageBytes} bytes (${n} buffered; raise maxMessageBytes if the peer is legitimate)`)
  }

  #emit(chunk: Buffer, start: number, end: number, onValue: (value: unknown) => void): void {
    let buf: Buffer
    if (this.#parts.length === 0) buf = chunk.subarray(start, end)
    else {
      this.#parts.push(chunk.subarray(start, end))
      buf = Buffer.concat(this.#parts, this.#partBytes + end - start)
      this.#parts = []
      this.#partBytes = 0
    }
    if (buf.length > this.maxMessageBytes) this.#tooBig(buf.length)
    if (!isUtf8(buf)) throw new FramingError('JSON text is not valid UTF-8')
    let value: unknown
    try {
      value = JSON.parse(buf.toString('utf8'))
    } catch (e) {
      throw new FramingError(`invalid JSON text: ${(e as Error).message} near ${JSON.stringify(buf.subarray(0, 80).toString('utf8'))}`)
    }
    onValue(value)
  }
}
