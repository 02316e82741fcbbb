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

const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const M64 = (1n << 64n) - 1n

export function objectHash48(id: string): bigint {
  let h = FNV_OFFSET
  for (const b of Buffer.from(id, 'utf8')) h = ((h ^ BigInt(b)) * FNV_PRIME) & M64
  return h >> 16n
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
