/**
 * The provider and multi-provider network attributes (facts §3; neutron-lib Zed
 * api/definitions/provider_net.py, multiprovidernet.py, api/validators/multiprovidernet.py,
 * api/converters.convert_to_int; neutron/plugins/ml2/managers.py _process_provider_create and
 * extend_network_with_provider_segments). Pure request/response shaping: driver validation lives
 * in TypeManager.processProviderCreate.
 */
import { httpBadRequest, InvalidInput } from '../common/exceptions.js'
import type { Segment } from './driver-api.js'

export const NETWORK_TYPE = 'provider:network_type'
export const PHYSICAL_NETWORK = 'provider:physical_network'
export const SEGMENTATION_ID = 'provider:segmentation_id'
export const PROVIDER_ATTRIBUTES = [NETWORK_TYPE, PHYSICAL_NETWORK, SEGMENTATION_ID] as const
export const SEGMENTS = 'segments'
const MAX_LEN: Record<string, number> = { [NETWORK_TYPE]: 32, [PHYSICAL_NETWORK]: 64 }

/** A segment as requested: network_type may still be missing ("network_type required"). */
export interface RequestedSegment {
  network_type: string | null
  physical_network: string | null
  segmentation_id: number | null
}

/** neutron-lib's multiprovidernet exceptions replace the InvalidInput template entirely. */
export class SegmentsSetInConjunctionWithProviders extends InvalidInput {
  override readonly type = 'SegmentsSetInConjunctionWithProviders'
  constructor() {
    super('')
    this.message = 'Segments and provider values cannot both be set.'
  }
}
export class SegmentsContainDuplicateEntry extends InvalidInput {
  override readonly type = 'SegmentsContainDuplicateEntry'
  constructor() {
    super('')
    this.message = 'Duplicate segment entry in request.'
  }
}

/** Python's str() of a JSON value, for messages that quote the offending input. */
function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None'
  if (v === true) return 'True'
  if (v === false) return 'False'
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`
  }
  return String(v)
}
function pyRepr(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : pyStr(v)
}

/**
 * neutron-lib converters.convert_to_int, i.e. Python's int(): integers, booleans, floats
 * (truncated) and decimal strings (surrounding blanks, a sign and `_` separators allowed).
 * "4242" from the CLI becomes 4242; anything else is InvalidInput "'abc' is not an integer".
 */
export function convertToInt(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value)
  if (typeof value === 'string') {
    const t = value.trim()
    if (/^[+-]?\d+(_\d+)*$/.test(t)) return Number(t.replace(/_/g, ''))
  }
  throw new InvalidInput(`'${pyStr(value)}' is not an integer`)
}

function validateString(attr: string, v: unknown): string {
  if (typeof v !== 'string') throw httpBadRequest(`Invalid input for ${attr}. Reason: '${pyStr(v)}' is not a valid string.`)
  const max = MAX_LEN[attr]
  if (max !== undefined && v.length > max) {
    throw httpBadRequest(`Invalid input for ${attr}. Reason: '${v}' exceeds maximum length of ${max}.`)
  }
  return v
}

const present = (body: Record<string, unknown>, k: string) => Object.hasOwn(body, k) && body[k] !== undefined

/** True when a request body (create or update) carries any provider:* attribute. */
export function hasProviderAttrs(body: Record<string, unknown>): boolean {
  return PROVIDER_ATTRIBUTES.some((k) => present(body, k))
}

/**
 * The segments a network create body asks for, converted and shape-checked as Neutron's API layer
 * does (segmentation_id to int, string limits, unknown keys in `segments` entries), then
 * `provider:*` and `segments` together → SegmentsSetInConjunctionWithProviders.
 * Returns null when the body asks for no segment (tenant allocation); `segments: []` gives [].
 */
export function extractSegments(body: Record<string, unknown>): RequestedSegment[] | null {
  const single: RequestedSegment = { network_type: null, physical_network: null, segmentation_id: null }
  if (present(body, NETWORK_TYPE)) single.network_type = validateString(NETWORK_TYPE, body[NETWORK_TYPE])
  if (present(body, PHYSICAL_NETWORK)) single.physical_network = validateString(PHYSICAL_NETWORK, body[PHYSICAL_NETWORK])
  if (present(body, SEGMENTATION_ID)) single.segmentation_id = convertToInt(body[SEGMENTATION_ID])

  let multi: RequestedSegment[] | null = null
  if (present(body, SEGMENTS) && body[SEGMENTS] !== null) multi = convertSegments(body[SEGMENTS])

  if (hasProviderAttrs(body)) {
    if (multi !== null) throw new SegmentsSetInConjunctionWithProviders()
    return [single]
  }
  return multi
}

/** multiprovidernet.convert_and_validate_segments. */
function convertSegments(raw: unknown): RequestedSegment[] {
  if (!Array.isArray(raw)) throw httpBadRequest(`Invalid input for ${SEGMENTS}. Reason: '${pyStr(raw)}' is not a list.`)
  return raw.map((s) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      throw httpBadRequest(`Invalid input for ${SEGMENTS}. Reason: '${pyStr(s)}' is not a dictionary.`)
    }
    const seg = s as Record<string, unknown>
    const unknown = Object.keys(seg).filter((k) => !(PROVIDER_ATTRIBUTES as readonly string[]).includes(k))
    const sid = seg[SEGMENTATION_ID]
    // Neutron converts segmentation_id before looking for unknown keys.
    const segmentation_id = sid !== undefined && sid !== null && sid !== 0 && sid !== '' && sid !== false ? convertToInt(sid) : null
    if (unknown.length) throw httpBadRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`)
    const nt = seg[NETWORK_TYPE]
    const pn = seg[PHYSICAL_NETWORK]
    return {
      network_type: nt === undefined || nt === null ? null : String(nt),
      physical_network: pn === undefined || pn === null ? null : String(pn),
      segmentation_id,
    }
  })
}

/**
 * multiprovidernet.check_duplicate_segments: two identical fully specified segments. Partial
 * ones (e.g. two "any vxlan") may repeat: each gets its own id.
 */
export function checkDuplicateSegments(segments: readonly Segment[], isPartial?: (s: Segment) => boolean): void {
  const seen = new Set<string>()
  for (const s of segments) {
    if (isPartial?.(s)) continue
    const key = JSON.stringify([s.network_type, s.physical_network ?? null, s.segmentation_id ?? null])
    if (seen.has(key)) throw new SegmentsContainDuplicateEntry()
    seen.add(key)
  }
}

/**
 * The GET view (extend_network_with_provider_segments): no segment → provider:* null; one →
 * provider:*; several → `segments`. Pass the static segments in segment_index order.
 */
export function segmentsToApi(segments: readonly Segment[]): Record<string, unknown> {
  const view = (s: Segment) => ({
    [NETWORK_TYPE]: s.network_type,
    [PHYSICAL_NETWORK]: s.physical_network ?? null,
    [SEGMENTATION_ID]: s.segmentation_id ?? null,
  })
  if (segments.length === 0) return { [NETWORK_TYPE]: null, [PHYSICAL_NETWORK]: null, [SEGMENTATION_ID]: null }
  if (segments.length === 1) return view(segments[0]!)
  return { [SEGMENTS]: segments.map(view) }
}

/**
 * TypeManager.network_matches_filters for list queries: with provider:* filters (lists of wanted
 * values, compared as strings) a network matches when any of its segments matches all of them.
 * A network without segments matches, as in Neutron.
 */
export function segmentsMatchFilters(
  segments: readonly Segment[],
  filters: Readonly<Record<string, readonly unknown[] | undefined>>,
): boolean {
  const active = PROVIDER_ATTRIBUTES.filter((a) => (filters[a]?.length ?? 0) > 0)
  if (active.length === 0 || segments.length === 0) return true
  const field = { [NETWORK_TYPE]: 'network_type', [PHYSICAL_NETWORK]: 'physical_network', [SEGMENTATION_ID]: 'segmentation_id' } as const
  return segments.some((s) =>
    active.every((a) => filters[a]!.some((want) => String(want) === String(s[field[a]] ?? ''))),
  )
}
