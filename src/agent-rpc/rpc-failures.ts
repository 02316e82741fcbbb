/**
 * The failures agent RPC handlers send (the exception class the agent's oslo.messaging rebuilds
 * or reports). Messages are Neutron's (`neutron_lib.exceptions`: "Invalid input for operation:
 * %(error_message)s."); recorded: failure-replies.jsonl (tunnel_sync without tunnel_type).
 * Argument checks throw these BEFORE anything is written.
 */
import { RemoteFailure } from '../messaging/types.js'

export function invalidInput(errorMessage: string): RemoteFailure {
  return new RemoteFailure('InvalidInput', 'neutron_lib.exceptions', `Invalid input for operation: ${errorMessage}.`)
}

export function notFound(cls: string, message: string): RemoteFailure {
  return new RemoteFailure(cls, 'neutron_lib.exceptions', message)
}

type Args = Record<string, unknown>

/** A required non-empty string argument. */
export function str(args: Args, name: string, method: string): string {
  const v = args[name]
  if (typeof v !== 'string' || v === '') throw invalidInput(`${method}: '${name}' must be a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`)
  return v
}

/** An optional string argument (absent or null → null). */
export function optStr(args: Args, name: string, method: string): string | null {
  const v = args[name]
  if (v === undefined || v === null) return null
  if (typeof v !== 'string') throw invalidInput(`${method}: '${name}' must be a string, got ${JSON.stringify(v)}`)
  return v
}

/** A list of strings (absent → `dflt`). */
export function strList(args: Args, name: string, method: string, dflt?: string[]): string[] {
  const v = args[name]
  if (v === undefined && dflt) return dflt
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw invalidInput(`${method}: '${name}' must be a list of strings, got ${JSON.stringify(v) ?? 'nothing'}`)
  }
  return v as string[]
}

export function dict(args: Args, name: string, method: string): Record<string, unknown> {
  const v = args[name]
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidInput(`${method}: '${name}' must be a dict, got ${JSON.stringify(v) ?? 'nothing'}`)
  return v as Record<string, unknown>
}
