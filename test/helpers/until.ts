/** Polls a condition with a generous deadline (tests run on a loaded 2-core machine): no fixed sleeps. */
export async function until(f: () => boolean, what = 'condition', ms = 10_000, everyMs = 20): Promise<void> {
  const t = Date.now()
  while (!f()) {
    if (Date.now() - t > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
