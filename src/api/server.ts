/**
 * The Networking API v2.0 over node:http. Routing, body parsing and error mapping only: each
 * resource's logic sits behind a ResourceController (api/resources.ts) that calls the ML2 plugin.
 * No framework: the hot paths (list/show/create) stay a few function calls from the socket.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  HTTPError,
  httpBadRequest,
  httpEntityTooLarge,
  httpMethodNotAllowed,
  httpNotFound,
} from '../common/exceptions.js'
import type { Logger } from '../common/log.js'
import { EXTENSIONS, findExtension } from './extensions.js'
import { ExtensionNotFound } from '../common/exceptions.js'
import { toNeutronError } from './faults.js'
import { ResponseBuffers } from './response-buffers.js'
import type { ResourceController } from './resources.js'
import type { Authenticator } from '../auth/authenticator.js'
import type { ApiRequest, ApiResponse } from './api-request.js'

export type { Authenticator, ApiRequest, ApiResponse }

export interface ApiOptions {
  maxRequestBodySize: number
  log: Logger
  auth: Authenticator
  controllers: ResourceController[]
  /** Collections with their own routing (e.g. quotas): `handle(request, pathParts)`. */
  routes?: Array<{ collection: string; handle(r: ApiRequest, parts: string[]): Promise<ApiResponse> }>
}

export class ApiServer {
  readonly server: Server
  readonly #byCollection = new Map<string, ResourceController>()
  readonly #buffers = new ResponseBuffers()

  constructor(private readonly opts: ApiOptions) {
    for (const c of opts.controllers) this.#byCollection.set(c.path, c)
    this.server = createServer({ keepAlive: true, keepAliveTimeout: 30_000 }, (req, res) => {
      void this.handle(req, res)
    })
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo))
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req-${randomUUID()}`
    const started = process.hrtime.bigint()
    let status = 500
    try {
      const host = req.headers.host ?? 'localhost'
      const url = new URL(req.url ?? '/', `http://${host}`)
      const baseUrl = `http://${host}`
      const r = await this.route(req, url, baseUrl, requestId)
      status = r.status
      if (r.chunks) {
        const { body, release } = this.#buffers.join(r.chunks)
        res.once('finish', release).once('close', release)
        send(res, r.status, body, requestId)
      } else {
        send(res, r.status, r.body, requestId)
      }
    } catch (e) {
      const { status: s, body, internal } = toNeutronError(e)
      status = s
      if (internal) this.opts.log.error(`${requestId} ${req.method} ${req.url} failed: ${(e as Error)?.stack ?? e}`)
      // Auth errors may carry headers (WWW-Authenticate) and their own body (keystonemiddleware's).
      const extra = e instanceof HTTPError ? (e as HTTPError & { headers?: Record<string, string>; responseBody?: unknown }) : undefined
      send(res, s, extra?.responseBody ?? body, requestId, extra?.headers)
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      this.opts.log.debug(`${requestId} "${req.method} ${req.url}" status: ${status} time: ${ms.toFixed(1)}ms`)
    }
  }

  private async route(req: IncomingMessage, url: URL, baseUrl: string, requestId: string): Promise<ApiResponse> {
    const method = req.method ?? 'GET'
    const path = url.pathname
    if (path === '/' || path === '') {
      onlyGet(method)
      return { status: 200, body: versions(baseUrl) }
    }
    if (path === '/v2.0/') {
      onlyGet(method)
      return { status: 200, body: v2root(baseUrl, [...this.#byCollection.keys()]) }
    }
    if (!path.startsWith('/v2.0/')) throw httpNotFound()
    const parts = path.slice('/v2.0/'.length).split('/').filter((p) => p !== '')
    if (parts.length === 0) throw httpNotFound()
    // `.json` suffixes are accepted on the last segment, as Neutron does.
    parts[parts.length - 1] = parts[parts.length - 1]!.replace(/\.json$/, '')
    const ctx = await this.opts.auth.authenticate(req, requestId)
    if (parts[0] === 'extensions') {
      onlyGet(method)
      if (parts.length === 1) return { status: 200, body: { extensions: EXTENSIONS } }
      const ext = findExtension(decodeURIComponent(parts[1]!))
      if (!ext || parts.length > 2) throw new ExtensionNotFound(parts[1]!)
      return { status: 200, body: { extension: ext } }
    }
    const special = this.opts.routes?.find((x) => x.collection === parts[0])
    if (special) {
      const body = method === 'POST' || method === 'PUT' ? await readJson(req, this.opts.maxRequestBodySize) : undefined
      return special.handle({ method, url, ctx, body, baseUrl }, parts)
    }
    const controller = this.#byCollection.get(parts[0]!)
    if (!controller) throw httpNotFound()
    // PUT …/tags/{tag} carries no body.
    const bodyless = parts.length === 4 && parts[2] === 'tags'
    const body = method === 'POST' || method === 'PUT' ? await readJson(req, this.opts.maxRequestBodySize, bodyless) : undefined
    const r: ApiRequest = { method, url, ctx, body, baseUrl }
    const id = parts[1] !== undefined ? decodeURIComponent(parts[1]) : undefined
    if (parts.length === 1) {
      if (method === 'GET') return controller.list(r)
      if (method === 'POST') return controller.create(r)
      throw httpMethodNotAllowed(`The method ${method} is not allowed for this resource.`)
    }
    if (parts.length === 2) {
      if (method === 'GET') return controller.show(r, id!)
      if (method === 'PUT') return controller.update(r, id!)
      if (method === 'DELETE') return controller.delete(r, id!)
      throw httpMethodNotAllowed(`The method ${method} is not allowed for this resource.`)
    }
    const action = parts.length === 3 ? controller.opts.actions?.[parts[2]!] : undefined
    if (action) {
      if (method !== 'PUT') throw httpMethodNotAllowed(`The method ${method} is not allowed for this resource.`)
      return action(r, id!)
    }
    if (parts[2] === 'tags' && parts.length <= 4 && controller.tags) {
      const tag = parts[3] !== undefined ? decodeURIComponent(parts[3]) : undefined
      return controller.tags(r, id!, tag)
    }
    throw httpNotFound()
  }
}

function onlyGet(method: string) {
  if (method !== 'GET' && method !== 'HEAD') throw httpMethodNotAllowed(`The method ${method} is not allowed for this resource.`)
}

function versions(base: string) {
  return { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${base}/v2.0/` }] }] }
}

/** Neutron's v2.0 root lists the core resources only, in this order; extensions' collections are not listed. */
const CORE_RESOURCES: ReadonlyArray<[collection: string, name: string]> = [
  ['networks', 'network'],
  ['subnets', 'subnet'],
  ['subnetpools', 'subnetpool'],
  ['ports', 'port'],
]

function v2root(base: string, collections: string[]) {
  return {
    resources: CORE_RESOURCES.filter(([c]) => collections.includes(c)).map(([c, name]) => ({
      name,
      collection: c,
      links: [{ rel: 'self', href: `${base}/v2.0/${c}` }],
    })),
  }
}

function send(res: ServerResponse, status: number, body: unknown, requestId: string, headers: Record<string, string> = {}) {
  if (res.headersSent) return
  if (body === undefined || status === 204) {
    res.writeHead(status, { ...headers, 'Content-Length': '0', 'X-Openstack-Request-Id': requestId })
    res.end()
    return
  }
  // One Buffer: a large string would be encoded twice (length, then write).
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body), 'utf8')
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': buf.length,
    'X-Openstack-Request-Id': requestId,
  })
  res.end(buf)
}

/** Reads a JSON body, enforcing the size limit before buffering it all (oslo_middleware sizelimit). */
function readJson(req: IncomingMessage, limit: number, optional = false): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (declared > limit) {
    req.resume()
    return Promise.reject(httpEntityTooLarge())
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (c: Buffer) => {
      if (failed) return
      size += c.length
      if (size > limit) {
        failed = true
        reject(httpEntityTooLarge())
        return
      }
      chunks.push(c)
    })
    req.on('error', (e) => {
      failed = true
      reject(e)
    })
    req.on('end', () => {
      if (failed) return
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return optional ? resolve(undefined) : reject(httpBadRequest('Resource body required'))
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(httpBadRequest('Body contains invalid data'))
      }
    })
  })
}

