/**
 * Bounded memory of recently seen `_unique_id`s (oslo rpc/amqp.py _MsgIdCache, which keeps 16):
 * a message re-delivered after a reconnect, or published twice by a retrying sender, is
 * handled once. Oldest ids are forgotten first.
 */
export class UniqueIdCache {
  readonly #ids = new Set<string>()
  constructor(readonly capacity = 1024) {}

  /** True when `id` was seen already; otherwise remembers it. */
  seen(id: string): boolean {
    if (this.#ids.has(id)) return true
    this.#ids.add(id)
    if (this.#ids.size > this.capacity) {
      const oldest = this.#ids.values().next().value as string
      this.#ids.delete(oldest)
    }
    return false
  }
}
