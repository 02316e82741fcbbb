/**
 * Prometheus metrics of the API (`[metrics] path`, default /metrics, answered before
 * authentication like /healthcheck): request count and latency by resource, method and status.
 * The registry is injected (never prom-client's global default registry), so every server — and
 * every test — has its own; other components (the database, later RPC and the journal) register
 * their metrics in the same registry.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Counter, Histogram, type Registry } from 'prom-client'

/** Latency buckets in seconds: the API answers in well under a millisecond to a few seconds. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export interface ApiMetricsOptions {
  readonly registry: Registry
  readonly path: string
  /** Known collection path segments (`networks`, `security-groups`): anything else is `other`, to bound label values. */
  readonly resources: Iterable<string>
  /** Where the scrape's text comes from; default this registry (api_workers: the merged workers). */
  readonly collect?: () => Promise<string>
}

export class ApiMetrics {
  readonly #requests: Counter<'resource' | 'method' | 'status'>
  readonly #latency: Histogram<'resource' | 'method' | 'status'>
  readonly #resources: Set<string>

  constructor(private readonly o: ApiMetricsOptions) {
    this.#resources = new Set(o.resources)
    const labelNames = ['resource', 'method', 'status'] as const
    this.#requests = new Counter({ name: 'neutrino_api_requests_total', help: 'API requests answered, by resource, method and status code.', labelNames, registers: [o.registry] })
    this.#latency = new Histogram({ name: 'neutrino_api_request_duration_seconds', help: 'API request latency from arrival to the last byte written, by resource, method and status code.', labelNames, buckets: BUCKETS, registers: [o.registry] })
  }

  /** Counts the request once its response is finished. */
  observe(req: IncomingMessage, res: ServerResponse, started: bigint): void {
    const labels = { resource: this.resourceOf(req.url ?? '/'), method: methodLabel(req.method), status: String(res.statusCode) }
    this.#requests.inc(labels)
    this.#latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9)
  }

  intercept(req: IncomingMessage, res: ServerResponse): boolean {
    if (pathOf(req.url ?? '/') !== this.o.path) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': '0' }).end()
      return true
    }
    void (this.o.collect ?? (() => this.o.registry.metrics()))().then(
      (text) => {
        const body = Buffer.from(text)
        res.writeHead(200, { 'Content-Type': this.o.registry.contentType, 'Content-Length': String(body.length) })
        res.end(req.method === 'HEAD' ? undefined : body)
      },
      () => res.writeHead(500, { 'Content-Length': '0' }).end(),
    )
    return true
  }

  /** `networks` for /v2.0/networks/ID/tags, `versions` for /, `other` for anything unknown. */
  resourceOf(url: string): string {
    const path = pathOf(url)
    if (path === '/' || path === '') return 'versions'
    if (path === this.o.path) return 'metrics'
    const parts = path.split('/').filter((p) => p !== '')
    if (parts[0] !== 'v2.0') return parts.length === 1 && parts[0] === 'healthcheck' ? 'healthcheck' : 'other'
    if (parts.length === 1) return 'v2.0'
    const r = parts[1]!.replace(/\.json$/, '')
    return r === 'extensions' || this.#resources.has(r) ? r : 'other'
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
const methodLabel = (m: string | undefined) => (m && METHODS.has(m) ? m : 'other')

function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}
