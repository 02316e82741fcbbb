export { AuthHTTPError, keystoneUnauthorized, keystoneUnavailable, UNAUTHORIZED_MESSAGE } from './auth-error.js'
export { KeystoneConfigError, keystoneAuthFromConfig, type KeystoneAuthtokenValues } from './from-config.js'
export {
  KeystoneAuth,
  type FetchLike,
  type FetchResponseLike,
  type KeystoneAuthOptions,
  type KeystoneRequestContext,
} from './keystone.js'
export type { Authenticator } from './authenticator.js'
export { TokenCache } from './token-cache.js'
export { MalformedTokenData, parseKeystoneTime, parseTokenBody, type TokenInfo } from './token-info.js'
