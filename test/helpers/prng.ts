/** Seeded PRNG for property tests (mulberry32): same seed, same sequence, on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A random bigint in [0, 2^bits). */
export function randomBits(rng: () => number, bits: number): bigint {
  let v = 0n
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rng() * 65536))
  return v & ((1n << BigInt(bits)) - 1n)
}

/** A random bigint in [lo, hi]. */
export function randomBetween(rng: () => number, lo: bigint, hi: bigint): bigint {
  const span = hi - lo + 1n
  return lo + (randomBits(rng, span.toString(2).length + 16) % span)
}
