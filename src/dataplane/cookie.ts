/**
 * Cookie layout: every flow says who owns it and which object it was computed for, so the
 * controller deletes exactly its own flows (cookie/mask, facts.md §8 "Cookies") and can drop
 * one object's flows with one strict-cookie delete.
 *
 *   63..56  0x4e ('N'), Neutrino's owner mark: cookie=0x4e00000000000000/0xff00000000000000
 *           selects every flow we own and nothing else.
 *   55..48  category (CookieCategory)
 *   47..0   object id: the first 48 bits of FNV-1a-64 of the object's UUID (0 for pipeline
 *           flows). A collision only merges two objects' cookies; flows are still diffed by
 *           (table, priority, match), so it never makes a flow wrong.
 */
export const COOKIE_OWNER = 0x4en
export const OWNER_MASK = 0xff00_0000_0000_0000n

export enum CookieCategory {
  Pipeline = 1,
  Port = 2,
  Network = 3,
  Tunnel = 4,
  SecurityGroupRule = 5,
  Provider = 6,
}

/**
 * FNV-1a-64 of the UTF-8 bytes, top 48 bits. Computed on four 16-bit limbs in plain numbers
 * (a BigInt multiply per byte was the hottest line of a 4,000-port compute). The prime is
 * 2^40 + 0x1b3, so h * prime = h * 0x1b3 + (h << 40) mod 2^64, limb by limb with carries.
 */
export function objectHash48(id: string): bigint {
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2 // offset basis 0xcbf29ce484222325
  for (const b of Buffer.from(id, 'utf8')) {
    h0 ^= b
    const t0 = h0 * 0x1b3
    const t1 = h1 * 0x1b3 + Math.floor(t0 / 0x10000)
    const t2 = h2 * 0x1b3 + h0 * 0x100 + Math.floor(t1 / 0x10000)
    const t3 = h3 * 0x1b3 + h1 * 0x100 + Math.floor(t2 / 0x10000)
    h0 = t0 & 0xffff
    h1 = t1 & 0xffff
    h2 = t2 & 0xffff
    h3 = t3 & 0xffff
  }
  return (BigInt(h3) << 32n) | (BigInt(h2) << 16n) | BigInt(h1)
}

export function cookie(category: CookieCategory, objectId?: string): bigint {
  return (COOKIE_OWNER << 56n) | (BigInt(category) << 48n) | (objectId === undefined ? 0n : objectHash48(objectId))
}

/** The mask that selects every flow of one category. */
export const CATEGORY_MASK = 0xffff_0000_0000_0000n

export function cookieCategory(c: bigint): CookieCategory | undefined {
  if (c >> 56n !== COOKIE_OWNER) return undefined
  return Number((c >> 48n) & 0xffn) as CookieCategory
}
