/**
 * Segmentation id limits and the parsers for the range options of the type drivers
 * (facts §2.1, §2.2; neutron_lib/plugins/utils.py parse_network_vlan_ranges / verify_*_range).
 * The parsers throw a plain Error with Neutron's wording; the config module turns it into a
 * ConfigError with the file location. Drivers take the parsed values, never the strings.
 */

export const MIN_VLAN_TAG = 1
export const MAX_VLAN_TAG = 4094
export const MIN_GRE_ID = 1
export const MAX_GRE_ID = 2 ** 32 - 1
export const MIN_VXLAN_VNI = 1
export const MAX_VXLAN_VNI = 2 ** 24 - 1

/** Inclusive [min, max]. */
export type IdRange = [number, number]

export const TUNNEL_ID_LIMITS: Readonly<Record<string, IdRange>> = {
  gre: [MIN_GRE_ID, MAX_GRE_ID],
  vxlan: [MIN_VXLAN_VNI, MAX_VXLAN_VNI],
}

const INT_RE = /^[+-]?\d+$/

function toInt(s: string): number | undefined {
  const t = s.trim()
  return INT_RE.test(t) ? Number(t) : undefined
}

function vlanRangeError(range: string, error: string): Error {
  return new Error(`Invalid network VLAN range: '${range}' - '${error}'.`)
}

function tunnelRangeError(range: string, error: string): Error {
  return new Error(`Invalid network tunnel range: '${range}' - ${error}.`)
}

export function isValidVlanTag(v: number): boolean {
  return Number.isInteger(v) && v >= MIN_VLAN_TAG && v <= MAX_VLAN_TAG
}

/**
 * `[ml2_type_vlan] network_vlan_ranges`: entries `physnet` (provider networks only, no tenant
 * pool) or `physnet:min:max`, repeatable per physnet. Keeps the configuration order of physnets,
 * which is the order tenant allocation tries them in.
 */
export function parseNetworkVlanRanges(entries: readonly string[]): Map<string, IdRange[]> {
  const out = new Map<string, IdRange[]>()
  for (const raw of entries) {
    const entry = raw.trim()
    if (entry === '') continue
    if (!entry.includes(':')) {
      if (!out.has(entry)) out.set(entry, [])
      continue
    }
    const parts = entry.split(':')
    if (parts.length !== 3) throw vlanRangeError(entry, 'Need exactly two values for VLAN range')
    const [physnet, lo, hi] = parts as [string, string, string]
    if (physnet === '') throw new Error('Empty physical network name.')
    const min = toInt(lo)
    if (min === undefined || !isValidVlanTag(min)) throw vlanRangeError(entry, `${lo} is not a valid VLAN tag`)
    const max = toInt(hi)
    if (max === undefined || !isValidVlanTag(max)) throw vlanRangeError(entry, `${hi} is not a valid VLAN tag`)
    if (max < min) throw vlanRangeError(entry, 'End of VLAN range is less than start of VLAN range')
    const list = out.get(physnet) ?? []
    list.push([min, max])
    out.set(physnet, list)
  }
  return out
}

/** `[ml2_type_gre] tunnel_id_ranges` / `[ml2_type_vxlan] vni_ranges`: `min:max` entries. */
export function parseTunnelRanges(entries: readonly string[], type: 'gre' | 'vxlan'): IdRange[] {
  const out: IdRange[] = []
  for (const raw of entries) {
    const entry = raw.trim()
    if (entry === '') continue
    const parts = entry.split(':')
    const min = parts.length === 2 ? toInt(parts[0]!) : undefined
    const max = parts.length === 2 ? toInt(parts[1]!) : undefined
    if (min === undefined || max === undefined) throw tunnelRangeError(entry, `expected 'min:max' integers`)
    verifyTunnelRange([min, max], type)
    out.push([min, max])
  }
  return out
}

export function verifyTunnelRange(range: IdRange, type: string): void {
  const limits = TUNNEL_ID_LIMITS[type]
  const shown = `${range[0]}:${range[1]}`
  if (limits) {
    for (const id of range) {
      if (!Number.isInteger(id) || id < limits[0] || id > limits[1]) {
        throw tunnelRangeError(shown, `${id} is not a valid ${type} identifier`)
      }
    }
  }
  if (range[1] < range[0]) throw tunnelRangeError(shown, 'End of tunnel range is less than start of tunnel range')
}

export function verifyVlanRange(range: IdRange): void {
  const shown = `${range[0]}:${range[1]}`
  for (const id of range) if (!isValidVlanTag(id)) throw vlanRangeError(shown, `${id} is not a valid VLAN tag`)
  if (range[1] < range[0]) throw vlanRangeError(shown, 'End of VLAN range is less than start of VLAN range')
}

/** `[ml2] physical_network_mtus`: `physnet:mtu` entries. */
export function parsePhysnetMtus(entries: readonly string[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const raw of entries) {
    const entry = raw.trim()
    if (entry === '') continue
    const i = entry.lastIndexOf(':')
    const physnet = i > 0 ? entry.slice(0, i).trim() : ''
    const mtu = i > 0 ? toInt(entry.slice(i + 1)) : undefined
    if (physnet === '' || mtu === undefined) throw new Error(`Invalid mapping: '${entry}'`)
    out.set(physnet, mtu)
  }
  return out
}

/** Sorted, overlapping and adjacent ranges merged: the SQL that uses them stays short. */
export function normalizeRanges(ranges: readonly (readonly [number, number])[]): IdRange[] {
  const sorted = ranges.map(([a, b]) => [a, b] as IdRange).sort((x, y) => x[0] - y[0])
  const out: IdRange[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1])
    else out.push(r)
  }
  return out
}

export function inRanges(id: number, ranges: readonly (readonly [number, number])[]): boolean {
  for (const [lo, hi] of ranges) if (id >= lo && id <= hi) return true
  return false
}
