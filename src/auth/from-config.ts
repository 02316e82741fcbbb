/**
 * Builds the Authenticator for `[DEFAULT] auth_strategy = keystone` from `[keystone_authtoken]`.
 * The options that have no usable default must be set; the error names them all at once.
 */
import type { Logger } from '../common/log.js'
import { KeystoneAuth, type FetchLike } from './keystone.js'

/** Structural: the `[keystone_authtoken]` values (cfg.keystone_authtoken). */
export interface KeystoneAuthtokenValues {
  readonly www_authenticate_uri: string | null
  readonly auth_url: string | null
  readonly auth_type: string
  readonly username: string | null
  readonly password: string | null
  readonly project_name: string | null
  readonly user_domain_name: string
  readonly project_domain_name: string
  readonly token_cache_time: number
  readonly http_connect_timeout?: number | null
  readonly token_cache_size?: number
  readonly http_request_max_retries?: number
}

export class KeystoneConfigError extends Error {}

export function keystoneAuthFromConfig(
  c: KeystoneAuthtokenValues,
  log: Logger,
  extra: { now?: () => number | Date; fetch?: FetchLike; isAdmin?: (roles: readonly string[]) => boolean } = {},
): KeystoneAuth {
  const missing = (['auth_url', 'username', 'password', 'project_name'] as const).filter((k) => !c[k])
  if (missing.length) {
    throw new KeystoneConfigError(
      `auth_strategy = keystone needs [keystone_authtoken] ${missing.join(', ')} (the service user that validates tokens)`,
    )
  }
  if (c.auth_type !== 'password') {
    throw new KeystoneConfigError(`[keystone_authtoken] auth_type = ${c.auth_type} is not supported; use password`)
  }
  return new KeystoneAuth(
    {
      wwwAuthenticateUri: c.www_authenticate_uri,
      authUrl: c.auth_url!,
      username: c.username!,
      password: c.password!,
      projectName: c.project_name!,
      userDomainName: c.user_domain_name,
      projectDomainName: c.project_domain_name,
      tokenCacheTime: c.token_cache_time,
      ...(c.token_cache_size !== undefined ? { cacheSize: c.token_cache_size } : {}),
      ...(c.http_connect_timeout ? { httpTimeoutMs: c.http_connect_timeout * 1000 } : {}),
      ...(c.http_request_max_retries !== undefined ? { httpMaxRetries: c.http_request_max_retries } : {}),
      ...extra,
    },
    log,
  )
}
