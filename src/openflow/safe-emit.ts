/**
 * Calls an event's listeners so that a listener that throws (or an async listener that
 * rejects) cannot tear down the connection that emitted the event: the failure is reported as
 * a `ListenerError` on the emitter's 'error' event when someone listens there, otherwise as a
 * process warning, and the remaining listeners still run.
 *
 * Plain `emit()` would propagate a throw into the socket's data handler, where it reads as a
 * protocol error and closes the switch connection.
 */
import type { EventEmitter } from 'node:events'
import { ListenerError } from './errors.js'

export function safeEmit(emitter: EventEmitter, event: string, ...args: unknown[]): void {
  // rawListeners: once() wrappers remove themselves when called, as emit() would do
  for (const l of emitter.rawListeners(event) as ((...a: unknown[]) => unknown)[]) {
    try {
      const r = l.apply(emitter, args)
      if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
        ;(r as Promise<unknown>).then(undefined, (e: unknown) => report(emitter, event, e))
      }
    } catch (e) {
      report(emitter, event, e)
    }
  }
}

function report(emitter: EventEmitter, event: string, cause: unknown): void {
  const err = new ListenerError(event, cause)
  if (event === 'error') process.emitWarning(err)
  else reportError(emitter, err)
}

/** Emits `err` on 'error' when someone listens there, else as a process warning (never throws). */
export function reportError(emitter: EventEmitter, err: Error): void {
  if (emitter.listenerCount('error') > 0) safeEmit(emitter, 'error', err)
  else process.emitWarning(err)
}
