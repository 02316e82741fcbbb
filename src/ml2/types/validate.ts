/**
 * Shared bits of validate_provider_segment: Neutron loops over the segment dict and treats a key as
 * "set" only when its value is truthy (so segmentation_id 0 or physical_network '' count as unset).
 */
import type { Segment } from '../driver-api.js'

/** The provider keys a type driver looks at, in Neutron's dict order. */
export const SEGMENT_KEYS = ['physical_network', 'segmentation_id'] as const
export type SegmentKey = (typeof SEGMENT_KEYS)[number]

export function isSet(v: unknown): boolean {
  return v !== null && v !== undefined && v !== 0 && v !== '' && v !== false
}

/** The first of `SEGMENT_KEYS` outside `allowed` that carries a value, if any. */
export function prohibitedKey(segment: Segment, allowed: readonly SegmentKey[]): SegmentKey | undefined {
  return SEGMENT_KEYS.find((k) => !allowed.includes(k) && isSet(segment[k]))
}
