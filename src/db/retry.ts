import { RetryRequest } from '../common/exceptions.js'

export interface RetryOptions {
  maxRetries?: number
  /** Injected for tests; defaults to a short randomised back-off. */
  sleep?: (ms: number) => Promise<void>
}

/**
 * Re-runs `fn` while it fails with RetryRequest (a lost compare-and-swap or unique-key race), the
 * way Neutron's `retry_db_errors` re-runs an API call: the whole operation, with fresh reads.
 * Jittered back-off keeps concurrent losers from colliding again.
 */
export async function withRetries<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const max = opts.maxRetries ?? 20
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (e) {
      if (!(e instanceof RetryRequest) || attempt >= max) throw e
      await sleep(Math.random() * Math.min(50, 2 ** attempt))
    }
  }
}
