/** A FIFO async mutex: `const release = await m.lock(); try { … } finally { release() }`. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve()

  lock(): Promise<() => void> {
    let release!: () => void
    const next = new Promise<void>((r) => (release = r))
    const prev = this.#tail
    this.#tail = prev.then(() => next)
    return prev.then(() => release)
  }
}
