/**
 * The part of a Keystone v3 token body (GET/POST /v3/auth/tokens, Identity API v3 "Validate and
 * show information for token") that a service needs, checked for shape: anything malformed is
 * treated as an invalid token rather than trusted (keystonemiddleware: "Invalid token contents").
 */
export interface TokenInfo {
  readonly userId: string
  readonly userName: string | null
  readonly userDomainId: string | null
  readonly projectId: string | null
  readonly projectName: string | null
  readonly projectDomainId: string | null
  readonly domainId: string | null
  readonly systemScope: string | null
  readonly roles: readonly string[]
  /** Epoch milliseconds. */
  readonly expiresAt: number
  readonly isDomain: boolean
}

export class MalformedTokenData extends Error {}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null

/** Keystone writes `2026-11-25T12:02:01.000000Z` (microseconds); Date.parse wants at most ms. */
export function parseKeystoneTime(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim())
  if (!m) return NaN
  const frac = m[2] ? `.${m[2].slice(0, 3).padEnd(3, '0')}` : ''
  return Date.parse(`${m[1]}${frac}${m[3] ?? 'Z'}`)
}

export function parseTokenBody(body: unknown): TokenInfo {
  const token = obj(obj(body)?.token)
  if (!token) throw new MalformedTokenData('no token object')
  const user = obj(token.user)
  const userId = str(user?.id)
  if (!user || !userId) throw new MalformedTokenData('no user id')
  const expires = str(token.expires_at)
  const expiresAt = expires ? parseKeystoneTime(expires) : NaN
  if (!Number.isFinite(expiresAt)) throw new MalformedTokenData('bad expires_at')
  const rolesRaw = token.roles ?? []
  if (!Array.isArray(rolesRaw)) throw new MalformedTokenData('roles is not a list')
  const roles: string[] = []
  for (const r of rolesRaw) {
    const name = str(obj(r)?.name)
    if (name === null) throw new MalformedTokenData('role without a name')
    roles.push(name)
  }
  const project = obj(token.project)
  const domain = obj(token.domain)
  const system = obj(token.system)
  return {
    userId,
    userName: str(user.name),
    userDomainId: str(obj(user.domain)?.id),
    projectId: project ? str(project.id) : null,
    projectName: project ? str(project.name) : null,
    projectDomainId: project ? str(obj(project.domain)?.id) : null,
    domainId: domain ? str(domain.id) : null,
    systemScope: system && system.all === true ? 'all' : null,
    roles,
    expiresAt,
    isDomain: token.is_domain === true,
  }
}
