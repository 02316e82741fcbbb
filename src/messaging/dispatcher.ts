/**
 * Which handler a request goes to, as oslo_messaging/rpc/dispatcher.py decides it: the first
 * endpoint whose namespace equals the message's and whose version is compatible (same major,
 * endpoint minor >= message minor, oslo utils.version_is_compatible) and that has the method.
 * A compatible endpoint without the method → NoSuchMethod; no compatible endpoint →
 * UnsupportedVersion (messages worded as oslo words them). Malformed requests are refused with
 * a builtins.ValueError/TypeError naming the bad field, which Python callers rebuild.
 * Pure: computes the decision; the server applies it.
 */
import { DISPATCHER_MODULE, failureDict, type FailureDict } from './failure.js'
import type { RpcEndpoint, RpcHandler } from './types.js'

export type Dispatch =
  | { kind: 'invoke'; method: string; handler: RpcHandler; args: Record<string, unknown> }
  | { kind: 'fail'; method: string | undefined; failure: FailureDict }

const VERSION_RE = /^(\d+)\.(\d+)(?:\.(\d+))?$/

export function parseVersion(v: string): [number, number, number] | undefined {
  const m = VERSION_RE.exec(v)
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]
}

/** oslo_messaging/_utils.py version_is_compatible(imp_version, version). */
export function versionIsCompatible(impVersion: string, version: string): boolean {
  const imp = parseVersion(impVersion)
  const want = parseVersion(version)
  if (imp === undefined || want === undefined) return false
  if (want[0] !== imp[0]) return false
  if (want[1] > imp[1]) return false
  if (want[1] === imp[1] && want[2] > imp[2]) return false
  return true
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function bad(method: string | undefined, excClass: 'ValueError' | 'TypeError', message: string): Dispatch {
  return { kind: 'fail', method, failure: failureDict(excClass, 'builtins', message) }
}

/** `msg` is the message dict without its `_context_*` keys. */
export function dispatch(msg: Record<string, unknown>, endpoints: readonly RpcEndpoint[]): Dispatch {
  const method = msg.method
  if (typeof method !== 'string' || method === '') {
    return bad(undefined, 'TypeError', `Malformed RPC message: 'method' must be a non-empty string, got ${describe(method)}`)
  }
  if (!isDict(msg.args)) return bad(method, 'TypeError', `Malformed RPC message for ${method}: 'args' must be an object, got ${describe(msg.args)}`)
  const version = msg.version ?? '1.0'
  if (typeof version !== 'string' || parseVersion(version) === undefined) {
    return bad(method, 'ValueError', `Malformed RPC message for ${method}: 'version' must be 'X.Y', got ${describe(msg.version)}`)
  }
  const namespace = msg.namespace ?? null
  if (namespace !== null && typeof namespace !== 'string') {
    return bad(method, 'TypeError', `Malformed RPC message for ${method}: 'namespace' must be a string or null, got ${describe(namespace)}`)
  }
  let foundCompatible = false
  for (const ep of endpoints) {
    if (ep.namespace !== namespace || !versionIsCompatible(ep.version, version)) continue
    const handler = ep.methods.get(method)
    if (handler !== undefined) return { kind: 'invoke', method, handler, args: msg.args }
    foundCompatible = true
  }
  if (foundCompatible) {
    const m = `Endpoint does not support RPC method ${method}`
    return { kind: 'fail', method, failure: failureDict('NoSuchMethod', DISPATCHER_MODULE, m) }
  }
  const m = `Endpoint does not support RPC version ${version}. Attempted method: ${method}`
  return { kind: 'fail', method, failure: failureDict('UnsupportedVersion', DISPATCHER_MODULE, m) }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing'
  const s = JSON.stringify(v)
  return s.length > 80 ? s.slice(0, 77) + '...' : s
}
