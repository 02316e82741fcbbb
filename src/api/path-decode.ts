/**
 * Percent-decoding of one path segment (an id, a tag, an extension alias). A malformed escape
 * (`%zz`, a lone `%`, bytes that are no UTF-8) names nothing that can exist: Neutron's router
 * answers 404 for it, so do we — `decodeURIComponent` would throw a URIError (a 500).
 */
import { httpNotFound } from '../common/exceptions.js'

export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw httpNotFound()
  }
}
