/**
 * The messaging layer's error catalogue. `type` is the stable wire/log name; for errors that
 * mirror oslo.messaging (oslo_messaging/exceptions.py, rpc/client.py) it is oslo's class name.
 */

export abstract class MessagingError extends Error {
  /** Stable name; explicit, never constructor.name (survives bundling). */
  abstract readonly type: string
}

/** No reply within the call's timeout (oslo_messaging.exceptions.MessagingTimeout). */
export class MessagingTimeout extends MessagingError {
  readonly type = 'MessagingTimeout'
  constructor(readonly method: string, readonly timeoutMs: number, readonly msgId: string) {
    super(`Timed out waiting for a reply to message ID ${msgId} (method ${method}, ${timeoutMs} ms)`)
  }
}

/**
 * The remote endpoint raised: the failure reply's exception class, module, message, traceback
 * lines and constructor arguments (oslo_messaging.exceptions.RemoteError + the failure dict).
 */
export class RemoteError extends MessagingError {
  readonly type = 'RemoteError'
  constructor(
    readonly excClass: string,
    readonly excModule: string,
    readonly remoteMessage: string,
    readonly tb: readonly string[] = [],
    readonly excArgs: readonly unknown[] = [],
    readonly excKwargs: Readonly<Record<string, unknown>> = {},
  ) {
    super(`Remote error: ${excModule}.${excClass} ${remoteMessage}`)
  }
}

/** A `transport_url` that cannot be used; the message names the bad part (oslo InvalidTransportURL). */
export class InvalidTransportURL extends MessagingError {
  readonly type = 'InvalidTransportURL'
  constructor(readonly url: string, reason: string) {
    super(`Invalid transport URL ${url}: ${reason}`)
  }
}

/** An incoming body that is not an oslo.messaging message (envelope 2.0 or a bare message dict). */
export class MalformedMessage extends MessagingError {
  readonly type = 'MalformedMessage'
}

/** The transport was closed while the operation waited. */
export class TransportClosed extends MessagingError {
  readonly type = 'TransportClosed'
  constructor(what: string) {
    super(`Transport closed before ${what} completed`)
  }
}
