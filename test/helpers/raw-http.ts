/**
 * An HTTP request exactly as given — request target, Host header, body bytes — for what fetch()
 * would normalise or refuse to send (`%zz`, `//v2.0//x`, `Host: a b`, bytes that are no UTF-8).
 */
import { request } from 'node:http'

export function rawCall(
  base: string,
  method: string,
  target: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<{ status: number; body: any; text: string }> {
  const u = new URL(base)
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body)
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path: target,
        setHost: opts.headers?.Host === undefined,
        headers: { ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: any = text
          try {
            parsed = text ? JSON.parse(text) : undefined
          } catch {
            /* keep text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
