/**
 * The controller's features (networking-odl common/odl_features.py; odl-northbound.md §5): from
 * [ml2_odl] odl_features when set, else fetched in the background. Unlike networking-odl, the
 * server never waits for them: until an answer arrives, no feature is assumed.
 */
import type { Logger } from '../../../common/log.js'
import type { OdlClient } from './odl-client.js'

export const OPERATIONAL_PORT_STATUS = 'operational-port-status'

export function parseFeatures(body: unknown): string[] {
  const list = (body as { features?: { feature?: unknown } } | null)?.features?.feature
  if (!Array.isArray(list)) return []
  return list
    .map((f) => (f as Record<string, unknown> | null)?.['service-provider-feature'])
    .filter((n): n is string => typeof n === 'string')
    .map((n) => n.replace(/^neutron-extensions:/, ''))
}

export class OdlFeatures {
  #features: Set<string> | null
  #timer: NodeJS.Timeout | undefined
  constructor(private readonly o: { client: OdlClient; log: Logger; configured: readonly string[]; retrySec: number; onChange?: (f: ReadonlySet<string>) => void }) {
    this.#features = o.configured.length ? new Set(o.configured) : null
  }

  has(name: string): boolean {
    return this.#features?.has(name) ?? false
  }

  /** Whether the features are known yet (configured or fetched). */
  get known(): boolean {
    return this.#features !== null
  }

  start(): void {
    if (this.#features) return this.o.onChange?.(this.#features)
    const attempt = async () => {
      try {
        const r = await this.o.client.restconf('GET', 'operational/neutron:neutron/neutron:features/')
        // 400 and 404: a controller without the features model (odl_features.py).
        if (r.status === 200 || r.status === 400 || r.status === 404) {
          this.#features = new Set(r.status === 200 ? parseFeatures(r.body) : [])
          this.o.log.info(`controller features: ${[...this.#features].join(', ') || 'none'}`)
          this.o.onChange?.(this.#features)
          return
        }
      } catch (e) {
        this.o.log.debug(`features: ${(e as Error).message}`)
      }
      this.#timer = setTimeout(attempt, this.o.retrySec * 1000)
    }
    this.#timer = setTimeout(attempt, 0)
  }

  stop(): void {
    clearTimeout(this.#timer)
  }
}
