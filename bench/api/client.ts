/**
 * A lean keep-alive HTTP/1.1 JSON client for the API benchmark, plus timing helpers. The client's
 * own cost is inside every measured latency, so it is raw: one net.Socket per concurrent client,
 * reads into one fixed buffer (`onread`), bodies copied once into a per-connection buffer that is
 * reused, responses framed by Content-Length (which the server always sends).
 *
 * Why not node:http's client: it allocates a fresh buffer for every socket read, and on this
 * VM that made receiving a 0.74 MB body cost 5–10 ms at p50 (0.3 ms here; 0.5 ms with Python's
 * http.client, which the openstack CLI uses) — the "transport floor" rows of earlier runs
 * measured the client, not the server. `node --import tsx bench/api/client-floor.ts` compares them.
 */
import { connect, type Socket } from 'node:net'

export interface JsonResponse {
  status: number
  bytes: number
  /** The parsed body (lazily for `lazy` calls; read it before the next call on this client). */
  readonly body: any
}

const READ_BUFFER = 1 << 22
const CRLFCRLF = Buffer.from('\r\n\r\n')

interface Waiter {
  resolve(r: { status: number; body: Buffer }): void
  reject(e: Error): void
}

/** One keep-alive connection; one request in flight at a time. */
class Connection {
  readonly sock: Socket
  readonly ready: Promise<void>
  #head = Buffer.allocUnsafe(8192)
  #headLen = 0
  #body = Buffer.allocUnsafe(1 << 16)
  #bodyLen = -1 // -1: still reading the head
  #bodyWant = 0
  #status = 0
  #waiter?: Waiter
  #error?: Error

  constructor(host: string, port: number) {
    this.sock = connect({
      host,
      port,
      onread: { buffer: Buffer.allocUnsafe(READ_BUFFER), callback: (n, buf) => this.#onRead(buf as Buffer, n) },
    })
    this.sock.setNoDelay(true)
    this.ready = new Promise((res, rej) => {
      this.sock.once('connect', res)
      this.sock.once('error', rej)
    })
    this.sock.on('error', (e) => this.#fail(e))
    this.sock.on('close', () => this.#fail(new Error('connection closed by the server')))
  }

  request(head: string, payload?: Buffer): Promise<{ status: number; body: Buffer }> {
    if (this.#error) return Promise.reject(this.#error)
    if (this.#waiter) return Promise.reject(new Error('request already in flight on this connection'))
    this.#headLen = 0
    this.#bodyLen = -1
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
      this.sock.write(payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : head)
    })
  }

  #fail(e: Error): void {
    this.#error ??= e
    const w = this.#waiter
    this.#waiter = undefined
    w?.reject(e)
  }

  #onRead(buf: Buffer, n: number): boolean {
    let off = 0
    if (this.#bodyLen < 0) {
      if (this.#headLen + n > this.#head.length) {
        const bigger = Buffer.allocUnsafe((this.#headLen + n) * 2)
        this.#head.copy(bigger, 0, 0, this.#headLen)
        this.#head = bigger
      }
      buf.copy(this.#head, this.#headLen, 0, n)
      const from = Math.max(0, this.#headLen - 3)
      this.#headLen += n
      const end = this.#head.subarray(0, this.#headLen).indexOf(CRLFCRLF, from)
      if (end < 0) return true
      const text = this.#head.toString('latin1', 0, end)
      this.#status = Number(text.slice(9, 12))
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(text)
      if (!m) {
        this.#fail(new Error(`response without Content-Length: ${text.slice(0, 200)}`))
        return true
      }
      this.#bodyWant = Number(m[1])
      if (this.#body.length < this.#bodyWant) this.#body = Buffer.allocUnsafe(this.#bodyWant * 2)
      this.#bodyLen = 0
      // what followed the head in this read belongs to the body
      const rest = this.#headLen - (end + 4)
      buf = this.#head
      off = end + 4
      n = off + rest
    }
    const take = Math.min(n - off, this.#bodyWant - this.#bodyLen)
    buf.copy(this.#body, this.#bodyLen, off, off + take)
    this.#bodyLen += take
    if (this.#bodyLen === this.#bodyWant) {
      const w = this.#waiter
      this.#waiter = undefined
      this.#bodyLen = -1
      w?.resolve({ status: this.#status, body: this.#body.subarray(0, this.#bodyWant) })
    }
    return true
  }
}

export class BenchClient {
  readonly host: string
  readonly port: number
  readonly #idle: Connection[] = []
  readonly #all: Connection[] = []
  readonly #queue: Array<(c: Connection) => void> = []
  readonly #max: number

  constructor(url: string, sockets = 8) {
    const u = new URL(url)
    this.host = u.hostname
    this.port = Number(u.port)
    this.#max = sockets
  }

  async #acquire(): Promise<Connection> {
    const c = this.#idle.pop()
    if (c) return c
    if (this.#all.length < this.#max) {
      const n = new Connection(this.host, this.port)
      this.#all.push(n)
      await n.ready
      return n
    }
    return new Promise((res) => this.#queue.push(res))
  }

  #release(c: Connection): void {
    const next = this.#queue.shift()
    if (next) next(c)
    else this.#idle.push(c)
  }

  /**
   * `lazy`: the body stays unparsed until `.body` is read, so timings can exclude the client's
   * JSON.parse; it lives in the connection's reused buffer, so read it before the next call.
   */
  async call(method: string, path: string, body?: unknown, lazy = false): Promise<JsonResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nAccept: application/json\r\n`
    head += payload ? `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n` : '\r\n'
    const conn = await this.#acquire()
    let r: { status: number; body: Buffer }
    try {
      r = await conn.request(head, payload)
    } finally {
      this.#release(conn)
    }
    const raw = r.body
    const parse = () => {
      const text = raw.toString('utf8')
      try {
        return text.length ? JSON.parse(text) : undefined
      } catch {
        return text
      }
    }
    if (!lazy) {
      const parsed = parse()
      return { status: r.status, bytes: raw.length, body: parsed }
    }
    let cached: any
    let done = false
    return {
      status: r.status,
      bytes: raw.length,
      get body() {
        if (!done) (cached = parse()), (done = true)
        return cached
      },
    }
  }

  /** Like call(), but throws unless the status is `want`. */
  async expect(want: number, method: string, path: string, body?: unknown, lazy = false): Promise<JsonResponse> {
    const r = await this.call(method, path, body, lazy)
    if (r.status !== want) throw new Error(`${method} ${path}: HTTP ${r.status} (wanted ${want}): ${JSON.stringify(r.body).slice(0, 300)}`)
    return r
  }

  close(): void {
    for (const c of this.#all) c.sock.destroy()
  }
}

/** Milliseconds taken by fn. */
export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint()
  const v = await fn()
  return [Number(process.hrtime.bigint() - t) / 1e6, v]
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

export interface Stats {
  n: number
  p50: number
  p99: number
  mean: number
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b)
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) }
}
