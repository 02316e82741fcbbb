/**
 * Request bodies (oslo_middleware sizelimit + Neutron's JSON deserializer): the size limit is
 * enforced before buffering it all, then one linear pass over the text decides what the parsed
 * value may hold, so nothing later has to defend against it:
 *  - not UTF-8 → 400 "Body contains invalid data" (as Neutron; no replacement characters stored);
 *  - arrays/objects nested deeper than MAX_JSON_DEPTH → 400 (recursive code after the parse —
 *    validators, error texts, JSON.stringify — would overflow the stack: a 500);
 *  - a NUL character (`\u0000`) in any string or key → 400 on both engines: PostgreSQL cannot
 *    store one in text (a 500 there) and no Neutron attribute has a use for it.
 */
import { httpBadRequest, httpEntityTooLarge } from '../common/exceptions.js'
import type { IncomingMessage } from 'node:http'
import { NUL_MESSAGE } from './path-decode.js'

/** The deepest nesting a body may have (Neutron's deepest attribute, binding:profile, is a free dict). */
export const MAX_JSON_DEPTH = 32

const INVALID = 'Body contains invalid data'
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Reads a JSON body; `optional`: an empty body is undefined instead of a 400. */
export function readJsonBody(req: IncomingMessage, limit: number, optional = false): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (declared > limit) {
    req.resume()
    return Promise.reject(httpEntityTooLarge())
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (c: Buffer) => {
      if (failed) return
      size += c.length
      if (size > limit) {
        failed = true
        reject(httpEntityTooLarge())
        return
      }
      chunks.push(c)
    })
    req.on('error', (e) => {
      failed = true
      reject(e)
    })
    req.on('end', () => {
      if (failed) return
      try {
        resolve(parseJsonBody(Buffer.concat(chunks), optional))
      } catch (e) {
        reject(e)
      }
    })
  })
}

/** The checks of readJsonBody on a whole body (exported for unit tests). */
export function parseJsonBody(bytes: Uint8Array, optional = false): unknown {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw httpBadRequest(INVALID)
  }
  if (text.trim() === '') {
    if (optional) return undefined
    throw httpBadRequest('Resource body required')
  }
  const problem = scanJsonText(text)
  if (problem) throw httpBadRequest(problem)
  try {
    return JSON.parse(text)
  } catch {
    throw httpBadRequest(INVALID)
  }
}

/**
 * One pass over JSON text: the nesting depth and `\u0000` escapes inside strings (a raw control
 * character is invalid JSON and left to JSON.parse). Returns the 400's message, or undefined.
 */
export function scanJsonText(text: string): string | undefined {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (text.charCodeAt(i + 1) === 0x75 /* u */ && /^0000$/.test(text.slice(i + 2, i + 6))) {
          return NUL_MESSAGE
        }
        i++ // the escaped character, whatever it is
      } else if (c === 0x22 /* " */) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH) return `Body contains invalid data: nested deeper than ${MAX_JSON_DEPTH} levels`
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return undefined
}
