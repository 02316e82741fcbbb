/**
 * Polls an async condition every 500 ms until it holds; returns how long it took (the full-stack
 * tests report it as a measurement). Generous deadlines: a loaded 2-core machine.
 */
export async function eventually(f: () => boolean | Promise<boolean>, what: string, ms = 90_000): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    if (await f()) return Date.now() - t0
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 500))
  }
}
