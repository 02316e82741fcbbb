/**
 * Reusable buffers for large response bodies assembled from cached JSON fragments (list fast path).
 *
 * Why: a fresh allocation of a large Buffer is backed by pages the kernel has not mapped yet, and
 * each first touch is a page fault. On the VMs we run on a fault costs several microseconds, so
 * `Buffer.concat` of a 0.74 MB list took 1–5 ms where copying into an already-touched buffer takes
 * 0.1 ms (docs/benchmarks.md). A buffer is lent for one response and comes back when the socket
 * has taken all of it (the response's 'finish' or 'close').
 */
export class ResponseBuffers {
  readonly #free: Buffer[] = []
  #keptBytes = 0

  /**
   * @param maxKeptBytes  free buffers kept at most (bytes); beyond, returned buffers are dropped
   * @param minSize       smallest buffer handed out, so small lists share a few buffers
   */
  constructor(
    private readonly maxKeptBytes = 64 << 20,
    private readonly minSize = 64 << 10,
  ) {}

  /** A buffer of at least `size` bytes: the smallest free one that fits, else a new one. */
  take(size: number): Buffer {
    let best = -1
    for (let i = 0; i < this.#free.length; i++) {
      const len = this.#free[i]!.length
      if (len >= size && (best < 0 || len < this.#free[best]!.length)) best = i
    }
    if (best >= 0) {
      const [buf] = this.#free.splice(best, 1)
      this.#keptBytes -= buf!.length
      return buf!
    }
    // Power-of-two sizes: a list that grows a little reuses the buffer it had.
    let cap = this.minSize
    while (cap < size) cap *= 2
    return Buffer.allocUnsafe(cap)
  }

  give(buf: Buffer): void {
    if (this.#keptBytes + buf.length > this.maxKeptBytes) return
    this.#free.push(buf)
    this.#keptBytes += buf.length
  }

  /** Copies `chunks` into a lent buffer; `release` gives it back (call once the bytes are sent). */
  join(chunks: readonly Buffer[]): { body: Buffer; release: () => void } {
    let size = 0
    for (const c of chunks) size += c.length
    const buf = this.take(size)
    let off = 0
    for (const c of chunks) off += c.copy(buf, off)
    let released = false
    return {
      body: buf.subarray(0, size),
      release: () => {
        if (!released) (released = true), this.give(buf)
      },
    }
  }

  get keptBytes(): number {
    return this.#keptBytes
  }
}
