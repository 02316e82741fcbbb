/**
 * Failure replies (oslo_messaging/_drivers/common.py serialize_remote_exception and
 * deserialize_remote_exception): `failure` is a JSON string of
 * {class, module, message, tb, args, kwargs}, in that key order.
 */
import { RemoteError } from './errors.js'
import { pyDumps } from './py-json.js'

export interface FailureDict {
  class: string
  module: string
  message: string
  tb: string[]
  args: unknown[]
  kwargs: Record<string, unknown>
}

export const DISPATCHER_MODULE = 'oslo_messaging.rpc.dispatcher'

export function failureDict(excClass: string, excModule: string, message: string, args: unknown[] = [message], kwargs: Record<string, unknown> = {}): FailureDict {
  // No Python traceback exists; the last line has the form a traceback ends with, which is
  // what the agents log.
  return { class: excClass, module: excModule, message, tb: [`${excModule}.${excClass}: ${message}\n`], args, kwargs }
}

export function serializeFailure(f: FailureDict): string {
  return pyDumps({ class: f.class, module: f.module, message: f.message, tb: f.tb, args: f.args, kwargs: f.kwargs })
}

/** The RemoteError a caller gets for a reply's `failure` (which may itself be malformed). */
export function deserializeFailure(failure: unknown): RemoteError {
  let d: unknown = failure
  if (typeof failure === 'string') {
    try {
      d = JSON.parse(failure)
    } catch {
      return new RemoteError('RemoteError', 'oslo_messaging.exceptions', `unparseable failure: ${failure.slice(0, 200)}`)
    }
  }
  if (typeof d !== 'object' || d === null || Array.isArray(d)) {
    return new RemoteError('RemoteError', 'oslo_messaging.exceptions', `failure is not an object: ${JSON.stringify(d)?.slice(0, 200)}`)
  }
  const o = d as Record<string, unknown>
  const str = (v: unknown, dflt: string) => (typeof v === 'string' ? v : dflt)
  return new RemoteError(
    str(o.class, 'Exception'),
    str(o.module, 'builtins'),
    str(o.message, ''),
    Array.isArray(o.tb) ? o.tb.map(String) : [],
    Array.isArray(o.args) ? o.args : [],
    typeof o.kwargs === 'object' && o.kwargs !== null && !Array.isArray(o.kwargs) ? (o.kwargs as Record<string, unknown>) : {},
  )
}
