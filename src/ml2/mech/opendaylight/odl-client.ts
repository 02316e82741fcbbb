/**
 * The northbound HTTP client (networking-odl common/client.py; odl-northbound.md §2): basic auth and
 * `Content-Type: application/json` on every request, bodies `{"<singular>": {...}}` indented as
 * jsonutils.dumps(indent=2), one timeout per request. A connection failure or timeout is a
 * ConnectionFailure (the journal backs off); every HTTP answer is returned, never thrown.
 */
import type { ObjectType } from './filters.js'

export interface OdlClientOptions {
  /** [ml2_odl] url, e.g. http://127.0.0.1:8181/controller/nb/v2/neutron */
  url: string
  username: string
  password: string
  timeoutMs: number
}

export interface OdlResponse {
  status: number
  body: unknown
  /** The Location header (RESTCONF stream URLs), when present. */
  location?: string
}

export class ConnectionFailure extends Error {
  override readonly name = 'ConnectionFailure'
}

/** utils.make_url_object: the collection of each type (underscores become dashes). */
export const COLLECTIONS: Readonly<Record<ObjectType, string>> = {
  network: 'networks',
  subnet: 'subnets',
  port: 'ports',
  security_group: 'security-groups',
  security_group_rule: 'security-group-rules',
  router: 'routers',
  floatingip: 'floatingips',
}

export class OdlClient {
  readonly #base: string
  readonly #root: string
  readonly #auth: string

  constructor(private readonly o: OdlClientOptions) {
    this.#base = o.url.replace(/\/+$/, '')
    // RESTCONF URLs use only the scheme and host of `url` (utils.get_odl_url).
    this.#root = new URL(o.url).origin
    this.#auth = 'Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64')
  }

  /** `<url>/<path>`: the Neutron northbound. */
  nb(method: string, path: string, body?: unknown): Promise<OdlResponse> {
    return this.request(method, `${this.#base}/${path}`, body)
  }

  /** `<scheme://host:port>/restconf/<path>`. */
  restconf(method: string, path: string, body?: unknown): Promise<OdlResponse> {
    return this.request(method, `${this.#root}/restconf/${path}`, body)
  }

  async request(method: string, url: string, body?: unknown): Promise<OdlResponse> {
    let res: Response
    try {
      res = await fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: this.#auth },
        body: body === undefined ? undefined : JSON.stringify(body, null, 2),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      })
    } catch (e) {
      throw new ConnectionFailure(`${method} ${url}: ${describe(e)}`)
    }
    let text: string
    try {
      text = await res.text()
    } catch (e) {
      throw new ConnectionFailure(`${method} ${url}: reading the answer: ${describe(e)}`)
    }
    let parsed: unknown = null
    if (text) {
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = text
      }
    }
    return { status: res.status, body: parsed, location: res.headers.get('location') ?? undefined }
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause
    return cause instanceof Error ? `${e.message} (${cause.message})` : e.message
  }
  return String(e)
}
