/**
 * What the API server asks of an authentication strategy (`[DEFAULT] auth_strategy`): noauth
 * (src/api/auth-noauth.ts) or keystone (keystone.ts). Declared here, below the API, so that a
 * strategy does not import the HTTP server it plugs into.
 */
import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '../common/context.js'

export interface Authenticator {
  /** Builds the request context or throws (401/400) — noauth or keystone. */
  authenticate(req: IncomingMessage, requestId: string): Promise<RequestContext> | RequestContext
}
