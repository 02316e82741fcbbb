/**
 * OpenDaylight's Neutron northbound, as networking-odl V2 (Zed) uses it (odl-northbound.md §2–5):
 *
 *   /controller/nb/v2/neutron/<collection>[/<uuid>]     POST 201 (echo) | 409 exists | 442 parent missing
 *                                                      PUT 200 {"<singular>": merged} | 200 empty (stale) | 404
 *                                                      DELETE 204 | 404;  GET item 200 | 404;  GET list 200
 *   /restconf/operational/neutron:neutron/neutron:features         advertised features (404 when none)
 *   /restconf/operational/neutron:neutron/hostconfigs[/hostconfig/<host>/<type>]   from the connected nodes
 *   /restconf/operations/sal-remote:create-data-change-event-subscription   port-status websocket set-up
 *   /restconf/streams/stream/<name>                                  → Location: ws://…/<name>
 *   /restconf/operational/neutron:neutron/ports/port/<uuid>           operational port status
 *
 * Every request needs HTTP basic auth with the configured user (401 otherwise). Client input never
 * reaches a prototype lookup (collections by Map, bodies checked for plain objects), and a failure
 * inside a handler answers 500 without internals.
 */
import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Logger } from '../../common/log.js'
import type { Hostconfig } from '../hostconfig.js'
import { restconfEntry } from '../hostconfig.js'
import type { PortStatusBook } from '../port-status.js'
import type { NbObject, ObjectStore } from '../store/object-store.js'
import { type CollectionDef, collectionByPath, missingParents } from './collections.js'
import { portStatusEvent, streamNameFor, subscriptionPath } from './port-status-stream.js'

export const NB_ROOT = '/controller/nb/v2/neutron/'
const RESTCONF_OPER = '/restconf/operational/neutron:neutron/'
const FEATURE_PREFIX = 'neutron-extensions:'
/** ODL's status for "a resource this one depends on does not exist". */
const DEPENDENCY_MISSING = 442

export interface NorthboundOptions {
  store: ObjectStore
  portStatus: PortStatusBook
  /** Current hostconfigs (built from the connected nodes). */
  hostconfigs: () => readonly Hostconfig[]
  /** Advertised features, e.g. `operational-port-status`. */
  features: readonly string[]
  username: string
  password: string
  log: Logger
  /** Largest request body accepted (bytes). */
  maxBodyBytes?: number
  now?: () => Date
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

type Json = Record<string, unknown>

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export class NorthboundServer {
  readonly #o: NorthboundOptions
  readonly #server: Server
  readonly #wss = new WebSocketServer({ noServer: true })
  readonly #maxBody: number
  readonly #expectedAuth: Buffer
  /** Stream names handed out by the subscription RPC → the data path they watch. */
  readonly #streams = new Map<string, string>()
  readonly #listeners: Array<() => void> = []

  constructor(o: NorthboundOptions) {
    this.#o = o
    this.#maxBody = o.maxBodyBytes ?? 16 * 1024 * 1024
    this.#expectedAuth = Buffer.from('Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64'))
    this.#server = createServer((req, res) => void this.#handle(req, res))
    this.#server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket as Socket, head))
    this.#server.on('clientError', (_e, socket) => socket.destroy())
    const onStatus = (portId: string, status: string | undefined) => {
      if (status === undefined) return
      const msg = JSON.stringify(portStatusEvent(portId, status, (o.now ?? (() => new Date()))()))
      for (const ws of this.#wss.clients) if ((ws as WebSocket & { nbPath?: string }).nbPath === '/neutron:neutron/neutron:ports') ws.send(msg)
    }
    o.portStatus.on('change', onStatus)
    this.#listeners.push(() => o.portStatus.off('change', onStatus))
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject)
        resolve()
      })
    })
    return this.#server.address() as AddressInfo
  }

  async close(): Promise<void> {
    for (const off of this.#listeners) off()
    for (const ws of this.#wss.clients) ws.terminate()
    this.#wss.close()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #authorized(req: IncomingMessage): boolean {
    const got = Buffer.from(req.headers.authorization ?? '')
    return got.length === this.#expectedAuth.length && timingSafeEqual(got, this.#expectedAuth)
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    let status = 500
    try {
      if (!this.#authorized(req)) {
        req.resume()
        res.setHeader('WWW-Authenticate', 'Basic realm="opendaylight"')
        throw new HttpError(401, 'authentication required')
      }
      const { path, query } = parseTarget(req.url ?? '/')
      const body = await readBody(req, this.#maxBody)
      const out = await this.#route(method, path, query, body, req)
      status = out.status
      send(res, out.status, out.body, out.headers)
    } catch (e) {
      if (e instanceof HttpError) {
        status = e.status
        send(res, e.status, errorBody(e.status, e.message))
      } else {
        status = 500
        this.#o.log.error(`${method} ${req.url}: ${(e as Error)?.stack ?? String(e)}`)
        send(res, 500, errorBody(500, 'internal error'))
      }
    } finally {
      this.#o.log.debug(`${method} ${req.url} → ${status}`)
    }
  }

  async #route(method: string, path: string, query: URLSearchParams, raw: Buffer, req: IncomingMessage): Promise<Reply> {
    if (path.startsWith(NB_ROOT)) return this.#neutron(method, path.slice(NB_ROOT.length), query, raw)
    if (path.startsWith(RESTCONF_OPER)) return this.#operational(method, path.slice(RESTCONF_OPER.length))
    if (path === '/restconf/operations/sal-remote:create-data-change-event-subscription') {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed')
      const input = parseJson(raw)?.['input']
      const watched = isPlainObject(input) ? input['path'] : undefined
      if (typeof watched !== 'string' || subscriptionPath(watched) === undefined) throw new HttpError(400, 'unsupported subscription path')
      const name = streamNameFor(subscriptionPath(watched)!, input as Json)
      this.#streams.set(name, subscriptionPath(watched)!)
      return { status: 200, body: { output: { 'stream-name': name } } }
    }
    if (path.startsWith('/restconf/streams/stream/')) {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed')
      const name = path.slice('/restconf/streams/stream/'.length)
      if (!this.#streams.has(name)) throw new HttpError(404, `no stream ${name}`)
      const host = req.headers.host ?? 'localhost'
      return { status: 200, body: {}, headers: { Location: `ws://${host}/${name}` } }
    }
    throw new HttpError(404, `no resource at ${path}`)
  }

  #operational(method: string, rest: string): Reply {
    if (method !== 'GET') throw new HttpError(405, 'method not allowed')
    const parts = rest.split('/').filter((p) => p !== '')
    if (parts[0] === 'neutron:features' && parts.length === 1) {
      if (this.#o.features.length === 0) throw new HttpError(404, 'no features configured')
      const feature = this.#o.features.map((f) => ({ 'service-provider-feature': FEATURE_PREFIX + f, configuration: '' }))
      return { status: 200, body: { features: { feature } } }
    }
    if (parts[0] === 'hostconfigs') {
      const all = this.#o.hostconfigs()
      if (parts.length === 1) return { status: 200, body: { hostconfigs: { hostconfig: all.map(restconfEntry) } } }
      if (parts.length === 4 && parts[1] === 'hostconfig') {
        const h = all.find((x) => x.hostId === parts[2] && x.hostType === parts[3])
        if (h) return { status: 200, body: { hostconfig: [restconfEntry(h)] } }
      }
      throw new HttpError(404, 'no such hostconfig')
    }
    if (parts[0] === 'ports' && parts[1] === 'port' && parts.length === 3) {
      const id = parts[2]!
      const status = this.#o.portStatus.get(id) ?? (this.#o.store.get('ports', id) ? 'DOWN' : undefined)
      if (status === undefined) throw new HttpError(404, `port ${id} not found`)
      return { status: 200, body: { port: [{ uuid: id, status }] } }
    }
    throw new HttpError(404, 'no such operational data')
  }

  async #neutron(method: string, rel: string, query: URLSearchParams, raw: Buffer): Promise<Reply> {
    const trimmed = rel.replace(/\/+$/, '')
    let c = collectionByPath(trimmed)
    let id: string | undefined
    if (!c) {
      const cut = trimmed.lastIndexOf('/')
      if (cut > 0) {
        c = collectionByPath(trimmed.slice(0, cut))
        id = trimmed.slice(cut + 1)
      }
    }
    if (!c) throw new HttpError(404, `unknown collection ${rel}`)
    const store = this.#o.store
    if (id === undefined) {
      if (method === 'GET') return { status: 200, body: { [c.plural]: listObjects(store.list(c.path), query) } }
      if (method === 'POST') return this.#create(c, raw)
      throw new HttpError(405, 'method not allowed')
    }
    if (method === 'GET') {
      const obj = store.get(c.path, id)
      if (!obj) throw new HttpError(404, `${c.singular} ${id} not found`)
      return { status: 200, body: { [c.singular]: project(obj, query.getAll('fields')) } }
    }
    if (method === 'PUT') {
      const delta = singleBody(c, parseJson(raw))
      const r = await store.update(c.path, id, delta)
      if (r.status === 'missing') throw new HttpError(404, `${c.singular} ${id} not found`)
      if (r.status === 'stale') return { status: 200 }
      return { status: 200, body: { [c.singular]: r.object } }
    }
    if (method === 'DELETE') {
      if (!(await store.delete(c.path, id))) throw new HttpError(404, `${c.singular} ${id} not found`)
      return { status: 204 }
    }
    throw new HttpError(405, 'method not allowed')
  }

  async #create(c: CollectionDef, raw: Buffer): Promise<Reply> {
    const body = parseJson(raw)
    const bulk = body !== undefined && Array.isArray(body[c.plural])
    const items: Json[] = bulk ? (body[c.plural] as unknown[]).map((x) => asObject(c, x)) : [singleBody(c, body)]
    for (const obj of items) {
      if (typeof obj['id'] !== 'string' || obj['id'] === '') throw new HttpError(400, `${c.singular} without an id`)
    }
    const store = this.#o.store
    for (const obj of items) {
      if (store.get(c.path, obj['id'] as string)) throw new HttpError(409, `${c.singular} ${obj['id'] as string} already exists`)
      const missing = missingParents(c, obj, (coll, pid) => store.get(coll, pid) !== undefined || items.some((o) => o['id'] === pid && coll === c.path))
      if (missing.length) throw new HttpError(DEPENDENCY_MISSING, `${c.singular} ${obj['id'] as string} depends on missing ${missing.join(', ')}`)
    }
    for (const obj of items) {
      if (!(await store.create(c.path, obj as NbObject))) throw new HttpError(409, `${c.singular} ${obj['id'] as string} already exists`)
    }
    return { status: 201, body }
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const path = parseTarget(req.url ?? '/').path
    const watched = this.#streams.get(path.replace(/^\//, ''))
    if (!watched || !this.#authorizedUpgrade(req)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      ;(ws as WebSocket & { nbPath?: string }).nbPath = watched
      ws.on('error', () => ws.terminate())
    })
  }

  /** networking-odl's websocket client sends no credentials; accept those that do only when right. */
  #authorizedUpgrade(req: IncomingMessage): boolean {
    return req.headers.authorization === undefined || this.#authorized(req)
  }
}

interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

function parseTarget(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?')
  const rawPath = q < 0 ? url : url.slice(0, q)
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    throw new HttpError(400, 'malformed percent-escape in the path')
  }
  if (path.includes('\0')) throw new HttpError(400, 'NUL in the path')
  return { path, query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)) }
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (b: Buffer) => {
      size += b.length
      if (size > max) {
        req.destroy()
        reject(new HttpError(413, `request body over ${max} bytes`))
      } else chunks.push(b)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    // A peer that goes away mid-body is the client's doing, not an internal error: answered (to
    // nobody) as a 400 and logged at debug only, like any other bad request.
    const gone = () => reject(new HttpError(400, 'request body incomplete: the client disconnected'))
    req.on('error', gone)
    req.on('close', () => {
      if (!req.complete) gone()
    })
  })
}

function parseJson(raw: Buffer): Json | undefined {
  if (raw.length === 0) return undefined
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw))
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
  if (!isPlainObject(v)) throw new HttpError(400, 'body must be a JSON object')
  return v
}

function asObject(c: CollectionDef, v: unknown): Json {
  if (!isPlainObject(v)) throw new HttpError(400, `${c.singular} must be an object`)
  return v
}

function singleBody(c: CollectionDef, body: Json | undefined): Json {
  if (body === undefined || !Object.hasOwn(body, c.singular)) throw new HttpError(400, `body must be {"${c.singular}": {...}}`)
  return asObject(c, body[c.singular])
}

const LIST_PARAMS = new Set(['fields', 'limit', 'marker', 'page_reverse'])

/** GET list: attribute filters (string equality, repeated = any), `fields`, `limit`/`marker`/`page_reverse` by id. */
export function listObjects(all: readonly NbObject[], query: URLSearchParams): Json[] {
  const filters = new Map<string, string[]>()
  for (const [k, v] of query) if (!LIST_PARAMS.has(k)) filters.set(k, [...(filters.get(k) ?? []), v])
  let out = all.filter((o) => [...filters].every(([k, vs]) => Object.hasOwn(o, k) && vs.includes(scalarText(o[k]))))
  out = [...out].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const reverse = query.get('page_reverse') === 'true'
  if (reverse) out.reverse()
  const marker = query.get('marker')
  if (marker) {
    const i = out.findIndex((o) => o.id === marker)
    out = i < 0 ? [] : out.slice(i + 1)
  }
  const limit = Number.parseInt(query.get('limit') ?? '', 10)
  if (Number.isFinite(limit) && limit > 0) out = out.slice(0, limit)
  if (reverse) out.reverse()
  const fields = query.getAll('fields')
  return out.map((o) => project(o, fields))
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v)
}

function project(o: NbObject, fields: readonly string[]): Json {
  if (fields.length === 0) return o
  const out: Json = {}
  for (const f of fields) if (Object.hasOwn(o, f)) out[f] = o[f]
  return out
}

function errorBody(status: number, message: string): Json {
  return { errors: { error: [{ 'error-type': status >= 500 ? 'application' : 'protocol', 'error-tag': tagFor(status), 'error-message': message }] } }
}

function tagFor(status: number): string {
  switch (status) {
    case 400: return 'malformed-message'
    case 401: return 'access-denied'
    case 404: return 'data-missing'
    case 409: return 'data-exists'
    case 413: return 'too-big'
    case DEPENDENCY_MISSING: return 'operation-failed'
    default: return 'operation-failed'
  }
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return
  const data = body === undefined ? '' : JSON.stringify(body)
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
  if (body !== undefined) res.setHeader('Content-Type', 'application/json')
  res.setHeader('Content-Length', Buffer.byteLength(data))
  res.writeHead(status)
  res.end(data)
}
