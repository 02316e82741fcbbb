/**
 * The request log line, as Neutron's wsgi server writes it at INFO for every request
 * (neutron/wsgi.py `wsgi_log_format`), with the request id in front as oslo.context puts it:
 *
 *   [req-…] 127.0.0.1 "GET /v2.0/networks HTTP/1.1" status: 200  len: 1234 time: 0.0012345
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** What the log line needs of a response's headers. */
export interface SentHeaders {
  length: string
  requestId: string | undefined
}

/**
 * Records the length and request id the response is sent with. Headers passed to writeHead()
 * (as the API does) are not readable afterwards with getHeader(), so writeHead is wrapped.
 */
export function watchHeaders(res: ServerResponse): SentHeaders {
  const sent: SentHeaders = { length: '0', requestId: undefined }
  const writeHead = res.writeHead
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const h = args.find((a): a is OutgoingHttpHeaders => a !== null && typeof a === 'object' && !Array.isArray(a))
    if (h) {
      for (const [k, v] of Object.entries(h)) {
        const key = k.toLowerCase()
        if (key === 'content-length') sent.length = String(v)
        else if (key === 'x-openstack-request-id') sent.requestId = String(v)
      }
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args)
  } as typeof res.writeHead
  return sent
}

export function requestLogLine(req: IncomingMessage, res: ServerResponse, sent: SentHeaders, seconds: number): string {
  const length = res.getHeader('content-length') ?? sent.length
  const id = sent.requestId ?? res.getHeader('x-openstack-request-id')
  const client = req.socket?.remoteAddress ?? '-'
  return `${id ? `[${String(id)}] ` : ''}${client} "${req.method} ${req.url} HTTP/${req.httpVersion}" status: ${res.statusCode}  len: ${String(length)} time: ${seconds.toFixed(7)}`
}
