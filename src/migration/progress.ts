/**
 * A one-line progress bar on a terminal (stderr is a TTY), redrawn at most every 100 ms:
 *   writing [##############--------------]  50%  10000/20012 rows
 * Disabled (every call a no-op) when stderr is not a terminal, so logs and pipes stay clean.
 */
export interface Writable {
  write(s: string): unknown
}

export class ProgressBar {
  #label = ''
  #total = 0
  #done = 0
  #last = 0
  #drawn = false

  constructor(
    private readonly out: Writable,
    private readonly enabled: boolean,
    private readonly width = 30,
    private readonly clock: () => number = Date.now,
  ) {}

  start(label: string, total: number): void {
    this.#label = label
    this.#total = total
    this.#done = 0
    this.#last = 0
    this.#draw(true)
  }

  tick(n: number): void {
    this.#done += n
    this.#draw(this.#done >= this.#total)
  }

  /** Clears the bar's line. */
  end(): void {
    if (this.enabled && this.#drawn) this.out.write('\r\x1b[2K')
    this.#drawn = false
  }

  #draw(force: boolean): void {
    if (!this.enabled) return
    const t = this.clock()
    if (!force && t - this.#last < 100) return
    this.#last = t
    this.out.write('\r\x1b[2K' + renderBar(this.#label, this.#done, this.#total, this.width))
    this.#drawn = true
  }
}

export function renderBar(label: string, done: number, total: number, width: number): string {
  if (total <= 0) return `${label} ${done} rows`
  const f = Math.min(1, done / total)
  const full = Math.round(f * width)
  return `${label} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${done}/${total} rows`
}
