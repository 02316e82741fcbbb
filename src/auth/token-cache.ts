/**
 * A bounded LRU of validated (and of rejected) tokens, keyed by a SHA-256 of the token so raw
 * tokens are not kept in memory longer than the request. Each entry has its own expiry; an
 * expired entry is a miss. Map iteration order is insertion order, so re-inserting on hit keeps
 * the least recently used entry first (the one evicted).
 */
import { createHash } from 'node:crypto'

export class TokenCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>()

  constructor(
    private readonly maxSize: number,
    private readonly now: () => number,
  ) {}

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('hex')
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: string): V | undefined {
    const e = this.#entries.get(key)
    if (!e) return undefined
    this.#entries.delete(key)
    if (e.expiresAt <= this.now()) return undefined
    this.#entries.set(key, e)
    return e.value
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.maxSize <= 0 || expiresAt <= this.now()) return
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt })
    while (this.#entries.size > this.maxSize) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
  }

  delete(key: string): void {
    this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }
}
