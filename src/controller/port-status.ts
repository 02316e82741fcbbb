/**
 * Operational port status as the controller knows it: ACTIVE once a port's flows are installed on
 * its host, DOWN when it goes away (issue 13, "Port status"). The southbound writes it; the
 * northbound serves it (RESTCONF operational ports and the data-change websocket that
 * networking-odl subscribes to when `operational-port-status` is advertised; odl-northbound.md §5).
 */
import { EventEmitter } from 'node:events'

export type PortStatus = 'ACTIVE' | 'DOWN'

export interface PortStatusEvents {
  /** A port's status changed; `status` undefined means the port is no longer known. */
  change: [portId: string, status: PortStatus | undefined]
}

export class PortStatusBook extends EventEmitter<PortStatusEvents> {
  readonly #status = new Map<string, PortStatus>()

  get(portId: string): PortStatus | undefined {
    return this.#status.get(portId)
  }

  set(portId: string, status: PortStatus): void {
    if (this.#status.get(portId) === status) return
    this.#status.set(portId, status)
    this.emit('change', portId, status)
  }

  forget(portId: string): void {
    if (this.#status.delete(portId)) this.emit('change', portId, undefined)
  }

  entries(): IterableIterator<[string, PortStatus]> {
    return this.#status.entries()
  }
}
