/** Errors of the PostgreSQL client: what the server reported, and what went wrong on the wire. */

/** An ErrorResponse from the server; `code` is the SQLSTATE (e.g. 23505 unique_violation). */
export class PgError extends Error {
  readonly code: string
  readonly severity: string
  readonly detail?: string
  readonly hint?: string
  readonly constraint?: string
  readonly table?: string

  constructor(fields: Map<string, string>) {
    super(fields.get('M') ?? 'unknown PostgreSQL error')
    this.name = 'PgError'
    this.code = fields.get('C') ?? 'XX000'
    this.severity = fields.get('V') ?? fields.get('S') ?? 'ERROR'
    this.detail = fields.get('D')
    this.hint = fields.get('H')
    this.constraint = fields.get('n')
    this.table = fields.get('t')
  }
}

/**
 * The stream from the server broke the protocol (bad length, unexpected message, truncated
 * field). The connection is closed: nothing more read from it can be trusted.
 */
export class PgProtocolError extends Error {
  readonly code = 'EPROTO'
  constructor(message: string) {
    super(`PostgreSQL protocol error: ${message}`)
    this.name = 'PgProtocolError'
  }
}

/** The connection is gone (closed by the server, reset, or closed by us); `code` as Node's. */
export class PgConnectionError extends Error {
  readonly code: string
  constructor(message: string, code = 'ECONNRESET') {
    super(message)
    this.name = 'PgConnectionError'
    this.code = code
  }
}
