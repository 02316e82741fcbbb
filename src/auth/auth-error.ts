/**
 * Errors of the authentication layer. Unlike the rest of the API's errors they carry response
 * headers (`WWW-Authenticate`) and, for 401, keystonemiddleware's own body: with
 * `auth_strategy = keystone` Neutron's 401 never reaches Neutron's fault mapping — auth_token
 * middleware answers it (keystonemiddleware/auth_token/__init__.py, AuthProtocol.process_request).
 * The API server sends `headers` and, when present, `responseBody` verbatim.
 */
import { HTTPError } from '../common/exceptions.js'

export class AuthHTTPError extends HTTPError {
  constructor(
    status: number,
    type: string,
    message: string,
    /** Extra response headers, e.g. `WWW-Authenticate: Keystone uri="…"`. */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Sent instead of the NeutronError body when set. */
    readonly responseBody?: unknown,
  ) {
    super(status, type, message)
  }
}

export const UNAUTHORIZED_MESSAGE = 'The request you have made requires authentication.'

/** 401 exactly as keystonemiddleware sends it. */
export function keystoneUnauthorized(wwwAuthenticateUri: string): AuthHTTPError {
  return new AuthHTTPError(
    401,
    'HTTPUnauthorized',
    UNAUTHORIZED_MESSAGE,
    { 'WWW-Authenticate': `Keystone uri="${wwwAuthenticateUri}"` },
    { error: { code: 401, title: 'Unauthorized', message: UNAUTHORIZED_MESSAGE } },
  )
}

/** 503 when Keystone cannot be reached (keystonemiddleware's HTTPServiceUnavailable text). */
export function keystoneUnavailable(): AuthHTTPError {
  return new AuthHTTPError(503, 'HTTPServiceUnavailable', 'The Keystone service is temporarily unavailable.')
}
