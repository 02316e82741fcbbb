/**
 * oslo.middleware's healthcheck (oslo_middleware/healthcheck/__init__.py), answered before
 * authentication on `[healthcheck] path` (default /healthcheck):
 *  - GET: 200 when every check passes, else 503; the body is the checks' reasons, one per line
 *    (`OK`), as text/plain unless the Accept header prefers text/html or application/json
 *    (`{"detailed": false, "reasons": ["OK"]}`; with `[healthcheck] detailed = true` each reason
 *    with its class and details, plus the runtime, time and platform);
 *  - HEAD: 204 healthy, 503 not, no body.
 * Neutrino's check is the database: a `SELECT 1` that must answer within the timeout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { platform, release } from 'node:os'

export interface HealthResult {
  readonly available: boolean
  /** Short text shown to everyone (`OK`, `database unreachable`). */
  readonly reason: string
  /** More, shown only with `detailed`. */
  readonly details?: string
  /** The check's name (oslo shows its class). */
  readonly kind: string
}

export interface HealthCheckOptions {
  readonly path: string
  readonly detailed: boolean
  readonly checks: ReadonlyArray<() => Promise<HealthResult>>
  readonly now?: () => Date
}

const OFFERS = ['text/plain', 'text/html', 'application/json'] as const
type Offer = (typeof OFFERS)[number]

export class HealthCheck {
  constructor(private readonly o: HealthCheckOptions) {}

  /** Answers the request when it is for the healthcheck path; false otherwise. */
  intercept(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    if ((q < 0 ? url : url.slice(0, q)) !== this.o.path) return false
    void this.respond(req, res)
    return true
  }

  async results(): Promise<HealthResult[]> {
    return Promise.all(this.o.checks.map((c) => c().catch((e): HealthResult => ({ available: false, reason: 'check failed', details: String((e as Error)?.message ?? e), kind: 'error' }))))
  }

  private async respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const results = await this.results()
    const healthy = results.every((r) => r.available)
    if (req.method === 'HEAD') {
      res.writeHead(healthy ? 204 : 503, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': '0' })
      res.end()
      return
    }
    const [body, type] = this.body(results, negotiate(req.headers.accept))
    const buf = Buffer.from(body)
    res.writeHead(healthy ? 200 : 503, { 'Content-Type': `${type}; charset=UTF-8`, 'Content-Length': String(buf.length) })
    res.end(buf)
  }

  private body(results: HealthResult[], type: Offer): [string, Offer] {
    const now = (this.o.now ?? (() => new Date()))().toISOString()
    if (type === 'application/json') {
      const body = this.o.detailed
        ? { detailed: true, now, platform: `${platform()}-${release()}`, runtime_version: process.version, reasons: results.map((r) => ({ class: r.kind, details: r.details ?? '', reason: r.reason })) }
        : { detailed: false, reasons: results.map((r) => r.reason) }
      return [JSON.stringify(sortKeys(body), null, 4), type]
    }
    if (type === 'text/html') {
      const rows = results.map((r) => `<TR>${this.o.detailed ? `<TD>${esc(r.kind)}</TD>` : ''}<TD>${esc(r.reason)}</TD>${this.o.detailed ? `<TD>${esc(r.details ?? '')}</TD>` : ''}</TR>`)
      const head = this.o.detailed ? '<TH>Kind</TH><TH>Reason</TH><TH>Details</TH>' : '<TH>Reason</TH>'
      return [`<HTML>\n<HEAD><TITLE>Healthcheck Status</TITLE></HEAD>\n<BODY>\n<H2>Result of ${results.length} checks:</H2>\n<TABLE border="1">\n<TBODY>\n<TR>${head}</TR>\n${rows.join('\n')}\n</TBODY>\n</TABLE>\n</BODY>\n</HTML>`, type]
    }
    return [results.map((r) => r.reason).filter((r) => r !== '').join('\n'), type]
  }
}

/**
 * The first of text/plain, text/html, application/json the Accept header takes, by q-value
 * then oslo's order; text/plain when none matches (oslo never answers 406 here).
 */
export function negotiate(accept: string | undefined): Offer {
  if (!accept) return 'text/plain'
  let best: { offer: Offer; q: number } | undefined
  const ranges = accept.split(',').map((part) => {
    const [range, ...params] = part.trim().split(';').map((s) => s.trim())
    const q = params.find((p) => p.startsWith('q='))
    return { range: range!.toLowerCase(), q: q ? Number(q.slice(2)) : 1 }
  })
  for (const offer of OFFERS) {
    const [type] = offer.split('/')
    const q = Math.max(-1, ...ranges.filter((r) => r.range === offer || r.range === `${type}/*` || r.range === '*/*').map((r) => r.q))
    if (q > 0 && (best === undefined || q > best.q)) best = { offer, q }
  }
  return best?.offer ?? 'text/plain'
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
  return v
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
