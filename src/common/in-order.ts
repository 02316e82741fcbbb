/**
 * Awaits every promise, then returns their values — or throws the failure that comes first in
 * argument order, not in time order. Checks issued together (so that PostgreSQL gets them in one
 * round trip) then fail with the error they would have given one after the other: e.g. a network
 * the caller cannot see is reported before a MAC conflict on it.
 */
export async function inOrder<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises)
  for (const s of settled) if (s.status === 'rejected') throw s.reason
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}
