/**
 * A request as the API server hands it to a controller, and what the controller answers
 * (server.ts routes; resources.ts, quotas.ts and l3-actions.ts answer). Kept apart from server.ts
 * so that the controllers the server imports do not import the server back.
 */
import type { RequestContext } from '../common/context.js'

export interface ApiRequest {
  method: string
  url: URL
  ctx: RequestContext
  body: unknown
  baseUrl: string
}

export interface ApiResponse {
  status: number
  body?: unknown
  /** An already-serialised JSON body in pieces (list fast path: cached fragments); wins over `body`. */
  chunks?: readonly Buffer[]
}
