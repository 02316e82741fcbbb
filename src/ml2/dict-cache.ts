/**
 * Resource dicts by id, valid for one revision_number. Every change to a resource bumps its
 * revision in the same transaction (standard-attr-revisions), so a (id, revision) pair names one
 * content and a cached dict is reused until the database shows another revision — also across
 * several server processes sharing the database. Dicts handed out are shared: callers must copy
 * before changing them (the API layer does: policy filtering and `fields` build new objects).
 */
export class DictCache<T extends object> {
  readonly #entries = new Map<string, { rev: number; value: T }>()

  constructor(private readonly maxEntries = 200_000) {}

  get(id: string, rev: number): T | undefined {
    const e = this.#entries.get(id)
    return e && e.rev === rev ? e.value : undefined
  }

  set(id: string, rev: number, value: T): void {
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(id)) {
      // Drop the oldest insertion (Map keeps insertion order): a bounded, cheap approximation of LRU.
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.set(id, { rev, value })
  }

  delete(id: string): void {
    this.#entries.delete(id)
  }

  get size(): number {
    return this.#entries.size
  }
}
