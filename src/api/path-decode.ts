/**
 * Percent-decoding of one path segment (an id, a tag, an extension alias). A malformed escape
 * (`%zz`, a lone `%`, bytes that are no UTF-8) names nothing that can exist: Neutron's router
 * answers 404 for it, so do we — `decodeURIComponent` would throw a URIError (a 500).
 * A NUL character (`%00`) is refused with 400 like one in a body (body-parse.ts): PostgreSQL
 * cannot compare text with it.
 */
import { httpBadRequest, httpNotFound } from '../common/exceptions.js'

export const NUL_MESSAGE = 'Invalid input: the NUL character (\\u0000) is not allowed'

export function decodePathSegment(segment: string): string {
  let s: string
  try {
    s = decodeURIComponent(segment)
  } catch {
    throw httpNotFound()
  }
  if (s.includes('\0')) throw httpBadRequest(NUL_MESSAGE)
  return s
}
