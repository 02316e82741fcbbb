/**
 * OVSDB error classes.
 *
 * RFC 7047 §4.1.3 lists the error strings a `transact` reply may carry; each one gets its own
 * class here so callers can `instanceof` them. Every operation error carries the index of the
 * failing operation and the operation itself (libovsdb's CheckOperationResults habit). A commit
 * error (the extra trailing element of the reply, §4.1.3) has `opIndex === operations.length`
 * and `operation === undefined`.
 */

/** Base of every error thrown by src/ovsdb. */
export class OvsdbError extends Error {
  override readonly name: string = 'OvsdbError'
}

/** An error element of a transact reply, or a JSON-RPC `error` member. */
export class OvsdbOperationError extends OvsdbError {
  override readonly name: string = 'OvsdbOperationError'
  /** The RFC 7047 error string, e.g. "constraint violation". */
  readonly error: string
  readonly details: string | undefined
  /** Index of the failing operation; equals the number of operations for a commit error. */
  readonly opIndex: number
  readonly operation: unknown
  /** The whole transact reply, when the error came from one. */
  results: unknown[] | undefined
  constructor(error: string, details?: string, opIndex = -1, operation?: unknown) {
    const where = opIndex < 0 ? '' : operation === undefined ? ' (commit)' : ` (operation ${opIndex}: ${opName(operation)})`
    super(`${error}${details ? `: ${details}` : ''}${where}`)
    this.error = error
    this.details = details
    this.opIndex = opIndex
    this.operation = operation
  }
  /** True when the error is the commit error appended after all the operation results. */
  get isCommitError(): boolean {
    return this.opIndex >= 0 && this.operation === undefined
  }
}

function opName(op: unknown): string {
  if (op && typeof op === 'object' && 'op' in op) {
    const o = op as { op: unknown; table?: unknown }
    return o.table ? `${String(o.op)} ${String(o.table)}` : String(o.op)
  }
  return 'unknown'
}

export class ReferentialIntegrityViolation extends OvsdbOperationError {
  override readonly name = 'ReferentialIntegrityViolation'
}
export class ConstraintViolation extends OvsdbOperationError {
  override readonly name = 'ConstraintViolation'
}
export class ResourcesExhausted extends OvsdbOperationError {
  override readonly name = 'ResourcesExhausted'
}
export class IoError extends OvsdbOperationError {
  override readonly name = 'IoError'
}
export class DuplicateUuidName extends OvsdbOperationError {
  override readonly name = 'DuplicateUuidName'
}
export class DomainError extends OvsdbOperationError {
  override readonly name = 'DomainError'
}
/** "range error" (named so it does not shadow the global RangeError). */
export class OvsdbRangeError extends OvsdbOperationError {
  override readonly name = 'OvsdbRangeError'
}
export class TimedOut extends OvsdbOperationError {
  override readonly name = 'TimedOut'
}
export class NotSupported extends OvsdbOperationError {
  override readonly name = 'NotSupported'
}
export class Aborted extends OvsdbOperationError {
  override readonly name = 'Aborted'
}
export class NotOwner extends OvsdbOperationError {
  override readonly name = 'NotOwner'
}
/** RFC 7047 §4.1.4: a request aborted by `cancel`. */
export class Canceled extends OvsdbOperationError {
  override readonly name = 'Canceled'
}

type OpErrorCtor = new (error: string, details?: string, opIndex?: number, operation?: unknown) => OvsdbOperationError

/** Error string → class. Exported so tests can check the catalog is complete (RFC 7047 §4.1.3). */
export const OPERATION_ERRORS: ReadonlyMap<string, OpErrorCtor> = new Map<string, OpErrorCtor>([
  ['referential integrity violation', ReferentialIntegrityViolation],
  ['constraint violation', ConstraintViolation],
  ['resources exhausted', ResourcesExhausted],
  ['I/O error', IoError],
  ['duplicate uuid-name', DuplicateUuidName],
  ['domain error', DomainError],
  ['range error', OvsdbRangeError],
  ['timed out', TimedOut],
  ['not supported', NotSupported],
  ['aborted', Aborted],
  ['not owner', NotOwner],
  ['canceled', Canceled],
])

/** Builds the class matching an `{"error","details"}` object. */
export function operationError(err: unknown, opIndex = -1, operation?: unknown): OvsdbOperationError {
  let error = 'unknown error'
  let details: string | undefined
  if (typeof err === 'string') error = err
  else if (err && typeof err === 'object') {
    const e = err as { error?: unknown; details?: unknown }
    if (typeof e.error === 'string') error = e.error
    if (typeof e.details === 'string') details = e.details
    else if (e.details !== undefined) details = JSON.stringify(e.details)
  }
  const Ctor = OPERATION_ERRORS.get(error) ?? OvsdbOperationError
  return new Ctor(error, details, opIndex, operation)
}

/**
 * Checks a transact reply against the operations sent (RFC 7047 §4.1.3): returns the first
 * error (operation or commit), or undefined when the transaction committed.
 */
export function checkOperationResults(results: unknown, operations: readonly unknown[]): OvsdbOperationError | undefined {
  if (!Array.isArray(results)) {
    return new OvsdbOperationError('syntax error', `transact reply is not an array: ${JSON.stringify(results)?.slice(0, 200)}`)
  }
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as { error?: unknown } | null
    if (r && typeof r === 'object' && 'error' in r && r.error != null) {
      const e = operationError(r, i, i < operations.length ? operations[i] : undefined)
      e.results = results
      return e
    }
  }
  if (results.length < operations.length) {
    const e = new OvsdbOperationError('syntax error', `transact reply has ${results.length} results for ${operations.length} operations`)
    e.results = results
    return e
  }
  return undefined
}

/** The peer closed, or we closed, the connection while a request was outstanding. */
export class ConnectionClosedError extends OvsdbError {
  override readonly name = 'ConnectionClosedError'
}
/** No reply within the request timeout. */
export class RequestTimeoutError extends OvsdbError {
  override readonly name = 'RequestTimeoutError'
  constructor(readonly method: string, readonly timeoutMs: number) {
    super(`${method}: no reply within ${timeoutMs} ms`)
  }
}
/** The byte stream is not a sequence of JSON texts, or a text exceeds the size bound. */
export class FramingError extends OvsdbError {
  override readonly name = 'FramingError'
}
/** A JSON-RPC message that is JSON but not a valid request/response/notification. */
export class ProtocolError extends OvsdbError {
  override readonly name = 'ProtocolError'
}
/** A row or value that does not match the schema; raised before anything is sent. */
export class ValidationError extends OvsdbError {
  override readonly name = 'ValidationError'
  constructor(readonly table: string, readonly column: string | undefined, message: string) {
    super(`${table}${column ? `.${column}` : ''}: ${message}`)
  }
}
/** An optimistic transaction still conflicted after its retry bound. */
export class TryAgainExhaustedError extends OvsdbError {
  override readonly name = 'TryAgainExhaustedError'
}
/** The connection is not (yet) up. */
export class NotConnectedError extends OvsdbError {
  override readonly name = 'NotConnectedError'
}
