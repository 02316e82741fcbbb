/**
 * A lean keep-alive HTTP/JSON client for the API benchmark (node:http with an Agent that keeps
 * its sockets, one socket per concurrent client), plus timing helpers. Lean on purpose: the
 * client's own cost is part of every measured latency.
 */
import { Agent, request } from 'node:http'

export interface JsonResponse {
  status: number
  body: any
  bytes: number
}

export class BenchClient {
  readonly agent: Agent
  readonly host: string
  readonly port: number

  constructor(url: string, sockets = 8) {
    const u = new URL(url)
    this.host = u.hostname
    this.port = Number(u.port)
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets })
  }

  /** `lazy`: body stays a Buffer until `.body` is read, so timings can exclude the client's JSON.parse. */
  call(method: string, path: string, body?: unknown, lazy = false): Promise<JsonResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/json' }
            : { accept: 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const buf = Buffer.concat(chunks)
            const parse = () => {
              try {
                return buf.length ? JSON.parse(buf.toString('utf8')) : undefined
              } catch {
                return buf.toString('utf8')
              }
            }
            const status = res.statusCode ?? 0
            if (!lazy) return resolve({ status, body: parse(), bytes: buf.length })
            let cached: any
            let done = false
            resolve({
              status,
              bytes: buf.length,
              get body() {
                if (!done) (cached = parse()), (done = true)
                return cached
              },
            })
          })
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
  }

  /** Like call(), but throws unless the status is `want`. */
  async expect(want: number, method: string, path: string, body?: unknown, lazy = false): Promise<JsonResponse> {
    const r = await this.call(method, path, body, lazy)
    if (r.status !== want) throw new Error(`${method} ${path}: HTTP ${r.status} (wanted ${want}): ${JSON.stringify(r.body).slice(0, 300)}`)
    return r
  }

  close(): void {
    this.agent.destroy()
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
