/**
 * The request target and Host header, read without trusting either (RFC 9112 §3.2, RFC 9110 §7.2).
 * `new URL(target, 'http://' + host)` throws on a Host that is no authority (`a b`, `[`) and reads
 * `//v2.0//networks` as a network-path reference to host `v2.0`: both are client input, so neither
 * may decide whether the request parses. The path and query are split here by hand; empty path
 * segments collapse (webob/pecan route `//v2.0//networks` as `/v2.0/networks`); links use the
 * Host only when it is a valid authority, else the address the request came in on.
 */
import type { IncomingMessage } from 'node:http'
import { httpBadRequest } from '../common/exceptions.js'
import { NUL_MESSAGE } from './path-decode.js'

export interface RequestTarget {
  /** The path with repeated slashes collapsed, percent-escapes still in place. */
  pathname: string
  /** The query only (a URL whose path and host mean nothing). */
  url: URL
  /** `http://<authority>` for links in answers. */
  baseUrl: string
}

/** RFC 3986 §3.2: host (reg-name, IPv4, or an IP literal in brackets) and an optional port. */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::\d{1,5})?$/

export function parseRequestTarget(req: IncomingMessage): RequestTarget {
  let raw = req.url ?? '/'
  // absolute-form (RFC 9112 §3.2.2, proxies): keep the path and query only.
  const abs = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(raw)
  if (abs) raw = raw.slice(abs[0].length) || '/'
  const hash = raw.indexOf('#')
  if (hash >= 0) raw = raw.slice(0, hash)
  const q = raw.indexOf('?')
  const path = q >= 0 ? raw.slice(0, q) : raw
  const url = new URL('http://localhost/')
  // Setting `search` percent-encodes what needs it; it never throws.
  if (q >= 0) url.search = raw.slice(q)
  // Query values reach filters and markers, some compared in SQL: NUL is refused as in path-decode.ts.
  for (const [k, v] of url.searchParams) if (k.includes('\0') || v.includes('\0')) throw httpBadRequest(NUL_MESSAGE)
  return { pathname: ('/' + path).replace(/\/{2,}/g, '/'), url, baseUrl: `http://${authorityOf(req)}` }
}

function authorityOf(req: IncomingMessage): string {
  const host = req.headers.host
  if (host !== undefined && AUTHORITY.test(host)) return host
  const addr = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.)/, '')
  const h = addr.includes(':') ? `[${addr}]` : addr
  return req.socket.localPort ? `${h}:${req.socket.localPort}` : h
}
