/**
 * Error classes of the OpenFlow library and the OF1.3 error type/code catalog (spec §7.4.4).
 * A switch ERROR becomes an `OpenFlowError` carrying the xid and, when the connection still
 * remembers it, the request that caused it, so the message reads
 * "FLOW_MOD (xid 17) failed: BAD_MATCH/BAD_PREREQ".
 */

const CODES: Record<number, [string, string[]]> = {
  0: ['HELLO_FAILED', ['INCOMPATIBLE', 'EPERM']],
  1: ['BAD_REQUEST', ['BAD_VERSION', 'BAD_TYPE', 'BAD_MULTIPART', 'BAD_EXPERIMENTER', 'BAD_EXP_TYPE', 'EPERM', 'BAD_LEN',
    'BUFFER_EMPTY', 'BUFFER_UNKNOWN', 'BAD_TABLE_ID', 'IS_SLAVE', 'BAD_PORT', 'BAD_PACKET', 'MULTIPART_BUFFER_OVERFLOW']],
  2: ['BAD_ACTION', ['BAD_TYPE', 'BAD_LEN', 'BAD_EXPERIMENTER', 'BAD_EXP_TYPE', 'BAD_OUT_PORT', 'BAD_ARGUMENT', 'EPERM',
    'TOO_MANY', 'BAD_QUEUE', 'BAD_OUT_GROUP', 'MATCH_INCONSISTENT', 'UNSUPPORTED_ORDER', 'BAD_TAG', 'BAD_SET_TYPE',
    'BAD_SET_LEN', 'BAD_SET_ARGUMENT']],
  3: ['BAD_INSTRUCTION', ['UNKNOWN_INST', 'UNSUP_INST', 'BAD_TABLE_ID', 'UNSUP_METADATA', 'UNSUP_METADATA_MASK',
    'BAD_EXPERIMENTER', 'BAD_EXP_TYPE', 'BAD_LEN', 'EPERM']],
  4: ['BAD_MATCH', ['BAD_TYPE', 'BAD_LEN', 'BAD_TAG', 'BAD_DL_ADDR_MASK', 'BAD_NW_ADDR_MASK', 'BAD_WILDCARDS',
    'BAD_FIELD', 'BAD_VALUE', 'BAD_MASK', 'BAD_PREREQ', 'DUP_FIELD', 'EPERM']],
  5: ['FLOW_MOD_FAILED', ['UNKNOWN', 'TABLE_FULL', 'BAD_TABLE_ID', 'OVERLAP', 'EPERM', 'BAD_TIMEOUT', 'BAD_COMMAND',
    'BAD_FLAGS']],
  6: ['GROUP_MOD_FAILED', ['GROUP_EXISTS', 'INVALID_GROUP', 'WEIGHT_UNSUPPORTED', 'OUT_OF_GROUPS', 'OUT_OF_BUCKETS',
    'CHAINING_UNSUPPORTED', 'WATCH_UNSUPPORTED', 'LOOP', 'UNKNOWN_GROUP', 'CHAINED_GROUP', 'BAD_TYPE', 'BAD_COMMAND',
    'BAD_BUCKET', 'BAD_WATCH', 'EPERM']],
  7: ['PORT_MOD_FAILED', ['BAD_PORT', 'BAD_HW_ADDR', 'BAD_CONFIG', 'BAD_ADVERTISE', 'EPERM']],
  8: ['TABLE_MOD_FAILED', ['BAD_TABLE', 'BAD_CONFIG', 'EPERM']],
  9: ['QUEUE_OP_FAILED', ['BAD_PORT', 'BAD_QUEUE', 'EPERM']],
  10: ['SWITCH_CONFIG_FAILED', ['BAD_FLAGS', 'BAD_LEN', 'EPERM']],
  11: ['ROLE_REQUEST_FAILED', ['STALE', 'UNSUP', 'BAD_ROLE']],
  12: ['METER_MOD_FAILED', ['UNKNOWN', 'METER_EXISTS', 'INVALID_METER', 'UNKNOWN_METER', 'BAD_COMMAND', 'BAD_FLAGS',
    'BAD_RATE', 'BAD_BURST', 'BAD_BAND', 'BAD_BAND_VALUE', 'OUT_OF_METERS', 'OUT_OF_BANDS']],
  13: ['TABLE_FEATURES_FAILED', ['BAD_TABLE', 'BAD_METADATA', 'BAD_TYPE', 'BAD_LEN', 'BAD_ARGUMENT', 'EPERM']],
  0xffff: ['EXPERIMENTER', []],
}

export const ErrorType = Object.fromEntries(Object.entries(CODES).map(([k, [n]]) => [n, Number(k)])) as Record<string, number>

export function errorTypeName(type: number): string {
  return CODES[type]?.[0] ?? `TYPE_${type}`
}

export function errorCodeName(type: number, code: number): string {
  return CODES[type]?.[1][code] ?? `CODE_${code}`
}

/** Looks up `[type, code]` for names such as ('BAD_MATCH', 'BAD_PREREQ'). */
export function errorCode(typeName: string, codeName: string): [number, number] {
  for (const [k, [n, codes]] of Object.entries(CODES)) {
    if (n === typeName) {
      const c = codes.indexOf(codeName)
      if (c >= 0) return [Number(k), c]
    }
  }
  throw new Error(`unknown OpenFlow error ${typeName}/${codeName}`)
}

/** An ERROR message from the switch, tied to the request that caused it. */
export class OpenFlowError extends Error {
  override name = 'OpenFlowError'
  readonly typeName: string
  readonly codeName: string
  constructor(
    readonly errorType: number,
    readonly code: number,
    readonly xid: number,
    /** The request this error answers, when the connection still had it. */
    readonly request?: { readonly type: string },
    /** The leading bytes of the offending message, as echoed by the switch. */
    readonly data?: Buffer,
  ) {
    const t = errorTypeName(errorType)
    const c = errorCodeName(errorType, code)
    const what = request ? request.type.toUpperCase() : data && data.length >= 2 ? `message type ${data[1]}` : 'request'
    super(`${what} (xid ${xid}) failed: ${t}/${c}`)
    this.typeName = t
    this.codeName = c
  }
}

/** A barrier whose earlier messages drew errors; `errors` lists them in arrival order. */
export class BarrierError extends Error {
  override name = 'BarrierError'
  constructor(readonly errors: readonly OpenFlowError[]) {
    super(`${errors.length} request(s) before the barrier failed: ${errors.slice(0, 3).map((e) => e.message).join('; ')}${errors.length > 3 ? '; …' : ''}`)
  }
}

export class HandshakeError extends Error {
  override name = 'HandshakeError'
}

export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError'
}

export class DeadPeerError extends Error {
  override name = 'DeadPeerError'
}

export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError'
}

/** A match that the switch would reject for missing prerequisites (spec §7.2.3.6). */
export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError'
}

/** A user listener threw or rejected; reported on 'error' (or as a process warning), never fatal. */
export class ListenerError extends Error {
  override name = 'ListenerError'
  constructor(readonly event: string, cause: unknown) {
    super(`a '${event}' listener failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}

/** A multipart reply grew past the connection's bounds (parts or bytes); only that request fails. */
export class MultipartLimitError extends Error {
  override name = 'MultipartLimitError'
}
