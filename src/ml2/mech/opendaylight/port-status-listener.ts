/**
 * Port status from the controller (networking-odl ml2/port_status_update.py and
 * common/websocket_client.py; odl-northbound.md §5), used when the controller advertises
 * `operational-port-status`: subscribe to the ports data-change stream, follow its websocket, and
 * write each reported status to the port (Ml2Service.ports.updateStatus). After every (re)connect,
 * the ports still DOWN are asked for once, since changes during the outage were not streamed.
 */
import WebSocket from 'ws'
import { adminContext } from '../../../common/context.js'
import type { Logger } from '../../../common/log.js'
import type { Ml2Service } from '../../service.js'
import type { OdlClient } from './odl-client.js'

const SUBSCRIBE = {
  input: {
    path: '/neutron:neutron/neutron:ports',
    'sal-remote-augment:datastore': 'OPERATIONAL',
    'sal-remote-augment:scope': 'SUBTREE',
    'sal-remote-augment:notification-output-type': 'JSON',
  },
}
const STATUSES = new Set(['ACTIVE', 'DOWN', 'ERROR', 'BUILD'])

/** (port id, status) pairs of one websocket message; anything else in it is ignored. */
export function parsePortStatusEvents(text: string): Array<{ id: string; status: string }> {
  let msg: any
  try {
    msg = JSON.parse(text)
  } catch {
    return []
  }
  let events = msg?.notification?.['data-changed-notification']?.['data-change-event']
  if (events && !Array.isArray(events)) events = [events] // a single event object is accepted too
  if (!Array.isArray(events)) return []
  const out: Array<{ id: string; status: string }> = []
  for (const e of events) {
    const m = typeof e?.path === 'string' ? /neutron:uuid='([0-9A-Za-z-]{1,64})'/.exec(e.path) : null
    const status = e?.data?.status?.content
    if (m && typeof status === 'string' && STATUSES.has(status) && e.operation !== 'deleted') out.push({ id: m[1]!, status })
  }
  return out
}

export class PortStatusListener {
  #ws: WebSocket | undefined
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  constructor(private readonly o: { client: OdlClient; log: Logger; retrySec: number; service: () => Ml2Service | undefined }) {}

  start(): void {
    this.#stopped = false
    this.#schedule(0)
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#ws?.terminate()
  }

  #schedule(ms: number): void {
    if (this.#stopped) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.#connect().catch((e) => {
      this.o.log.warn(`port status stream: ${(e as Error).message}`)
      this.#schedule(this.o.retrySec * 1000)
    }), ms)
  }

  async #connect(): Promise<void> {
    const c = this.o.client
    const sub = await c.restconf('POST', 'operations/sal-remote:create-data-change-event-subscription', SUBSCRIBE)
    const name = (sub.body as any)?.output?.['stream-name']
    if (sub.status !== 200 || typeof name !== 'string') throw new Error(`subscription: HTTP ${sub.status}`)
    const stream = await c.restconf('GET', `streams/stream/${name.split('/').map(encodeURIComponent).join('/')}`)
    if (stream.status !== 200 || !stream.location) throw new Error(`stream ${name}: HTTP ${stream.status}, no Location`)
    const ws = new WebSocket(stream.location)
    this.#ws = ws
    ws.on('message', (data) => void this.#apply(parsePortStatusEvents(data.toString())))
    ws.on('open', () => void this.#resync())
    ws.on('error', (e) => this.o.log.warn(`port status websocket: ${e.message}`))
    ws.on('close', () => this.#schedule(this.o.retrySec * 1000))
  }

  async #apply(events: Array<{ id: string; status: string }>): Promise<void> {
    const service = this.o.service()
    if (!service) return
    for (const e of events) {
      try {
        await service.ports.updateStatus(adminContext(), e.id, e.status)
      } catch (err) {
        this.o.log.debug(`status of port ${e.id}: ${(err as Error).message}`)
      }
    }
  }

  /** networking-odl's _pull_missed_statuses: each DOWN port's operational status. */
  async #resync(): Promise<void> {
    const service = this.o.service()
    if (!service) return
    const down = await service.ports.list(adminContext(), new Map([['status', ['DOWN']]]))
    for (const p of down) {
      if (p.status !== 'DOWN') continue
      const r = await this.o.client.restconf('GET', `operational/neutron:neutron/ports/port/${p.id}`).catch(() => null)
      const status = (r?.body as any)?.port?.[0]?.status
      if (r?.status === 200 && typeof status === 'string' && STATUSES.has(status) && status !== 'DOWN') await this.#apply([{ id: p.id, status }])
    }
  }
}
