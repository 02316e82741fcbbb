/**
 * Requests node's HTTP parser refuses before any handler runs (a malformed request line or
 * header, headers over the size limit, a request that never finished arriving). Node's default
 * answer is a bare `400 Bad Request` without a body; every refusal of the API is a Neutron error
 * body instead, so these are too (RFC 9110 §15.5: 400, 408, 431), and the connection is closed.
 */
import type { Duplex } from 'node:stream'

const ANSWERS: Readonly<Record<string, readonly [number, string, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'Request header fields too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'Request timed out'],
}

export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // Nobody to answer: the peer went away, or a response is already on its way.
  if (err.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy()
    return
  }
  const [status, reason, message] = (err.code !== undefined && Object.hasOwn(ANSWERS, err.code) ? ANSWERS[err.code] : undefined) ?? [400, 'Bad Request', 'Malformed request']
  const type = status === 400 ? 'HTTPBadRequest' : status === 408 ? 'HTTPRequestTimeout' : 'HTTPRequestHeaderFieldsTooLarge'
  const body = JSON.stringify({ NeutronError: { type, message, detail: '' } })
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}
