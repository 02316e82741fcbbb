/**
 * A hand-driven OVSDB peer over a raw socket, for tests of what a broken or hostile switch can
 * do to us: it dials a manager, answers just enough (identification select, get_schema,
 * monitor_cond_since) to become a node, and then sends whatever the test writes — garbage,
 * truncated JSON, bad rows — or drops the connection in the middle of a transaction.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { JsonStreamParser } from '../../src/ovsdb/framing.js'

const SCHEMA: unknown = JSON.parse(readFileSync(fileURLToPath(new URL('../../src/ovsdb/vswitch/vswitch.ovsschema', import.meta.url)), 'utf8'))

type Req = { method: string; params: unknown[]; id: unknown }

export class RawOvsdbPeer {
  readonly sock: Socket
  readonly rootUuid = randomUUID()
  /** monitor id of the replica's monitor, once it asked. */
  monitorId: unknown
  /** Methods this peer never answers (e.g. get_schema: it identifies, then stalls). */
  ignore = new Set<string>()
  /** What to do with a transact that is not the identification select (default: hang). */
  onTransact: (req: Req) => void = () => {}
  closed: Promise<void>
  #parser = new JsonStreamParser()

  private constructor(sock: Socket, readonly systemId: string) {
    this.sock = sock
    this.closed = new Promise((r) => sock.once('close', () => r()))
    sock.on('error', () => {})
    sock.on('data', (d) => {
      try {
        this.#parser.push(d, (m) => this.#onMessage(m as Req))
      } catch {
        sock.destroy()
      }
    })
  }

  /** Connects without speaking: the test drives the bytes. */
  static async raw(port: number): Promise<Socket> {
    const s = connect(port, '127.0.0.1')
    s.on('error', () => {})
    await new Promise((r) => s.once('connect', r))
    s.resume()
    return s
  }

  /** Connects and answers the manager's identification and monitor requests. */
  static async open(port: number, systemId: string, ignore: string[] = []): Promise<RawOvsdbPeer> {
    const s = connect(port, '127.0.0.1')
    const peer = new RawOvsdbPeer(s, systemId)
    for (const m of ignore) peer.ignore.add(m)
    await new Promise((r) => s.once('connect', r))
    return peer
  }

  send(msg: unknown): void {
    this.sock.write(JSON.stringify(msg))
  }

  #reply(id: unknown, result: unknown): void {
    this.send({ id, result, error: null })
  }

  #onMessage(m: Req): void {
    if (this.ignore.has(m.method)) return
    if (m.method === 'echo') return this.#reply(m.id, m.params)
    if (m.method === 'get_schema') return this.#reply(m.id, SCHEMA)
    if (m.method === 'monitor_cond_since') {
      this.monitorId = m.params[1]
      return this.#reply(m.id, [false, '00000000-0000-0000-0000-000000000000', { Open_vSwitch: { [this.rootUuid]: { initial: { external_ids: ['map', [['system-id', this.systemId]]] } } } }])
    }
    if (m.method === 'transact') {
      const op = m.params[1] as { op?: string; table?: string }
      if (op?.op === 'select' && op.table === 'Open_vSwitch') {
        return this.#reply(m.id, [{ rows: [{ _uuid: ['uuid', this.rootUuid], external_ids: ['map', [['system-id', this.systemId]]] }] }])
      }
      return this.onTransact(m)
    }
  }

  /** An update3 notification for the replica's monitor. */
  update3(tableUpdates: unknown): void {
    this.send({ method: 'update3', params: [this.monitorId, randomUUID(), tableUpdates], id: null })
  }
}
