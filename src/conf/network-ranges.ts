/**
 * Parsing of ML2 segment ranges from config, with Neutron's bounds and messages
 * (facts §2.2; neutron plugins/common/utils.py parse_network_vlan_range, verify_tunnel_range):
 *   VLAN 1..4094, GRE 1..2^32-1, VXLAN 1..2^24-1, and min <= max.
 * Exported for the type drivers, which get the already validated config but need the ranges.
 */

export const MIN_VLAN_TAG = 1;
export const MAX_VLAN_TAG = 4094;
export const MIN_GRE_ID = 1;
export const MAX_GRE_ID = 2 ** 32 - 1;
export const MIN_VXLAN_VNI = 1;
export const MAX_VXLAN_VNI = 2 ** 24 - 1;

export type IdRange = readonly [min: number, max: number];
export type TunnelType = 'gre' | 'vxlan';

/** A malformed range entry; the message is Neutron's wording. */
export class NetworkRangeError extends Error {}

const TUNNEL_BOUNDS: Record<TunnelType, readonly [number, number]> = {
  gre: [MIN_GRE_ID, MAX_GRE_ID],
  vxlan: [MIN_VXLAN_VNI, MAX_VXLAN_VNI],
};

function toInt(s: string): number | undefined {
  const t = s.trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : undefined;
}

function vlanError(entry: string, error: string): NetworkRangeError {
  return new NetworkRangeError(`Invalid network VLAN range: '${entry}' - '${error}'`);
}

/** One `physnet` or `physnet:min:max` entry; a bare physnet has no range (provider networks only). */
export function parseVlanRange(raw: string): { physnet: string; range: IdRange | undefined } {
  const entry = raw.trim();
  if (!entry.includes(':')) {
    if (entry === '') throw new NetworkRangeError('Empty physical network name');
    return { physnet: entry, range: undefined };
  }
  const parts = entry.split(':');
  if (parts.length !== 3) throw vlanError(entry, 'Need exactly two values for VLAN range');
  const [physnet, lo, hi] = parts as [string, string, string];
  if (physnet.trim() === '') throw new NetworkRangeError(`Empty physical network name in VLAN range '${entry}'`);
  const min = toInt(lo);
  const max = toInt(hi);
  for (const [text, tag] of [[lo, min], [hi, max]] as const) {
    if (tag === undefined || tag < MIN_VLAN_TAG || tag > MAX_VLAN_TAG) {
      throw vlanError(entry, `${text.trim()} is not a valid VLAN tag`);
    }
  }
  if (max! < min!) throw vlanError(entry, 'End of VLAN range is less than start of VLAN range');
  return { physnet: physnet.trim(), range: [min!, max!] };
}

/**
 * `[ml2_type_vlan] network_vlan_ranges` → physnet → ranges, in config order. A physnet listed
 * bare maps to an empty array; listing a physnet several times accumulates its ranges.
 */
export function parseVlanRanges(entries: readonly string[]): Map<string, IdRange[]> {
  const out = new Map<string, IdRange[]>();
  for (const raw of entries) {
    const { physnet, range } = parseVlanRange(raw);
    let ranges = out.get(physnet);
    if (ranges === undefined) out.set(physnet, (ranges = []));
    if (range !== undefined) ranges.push(range);
  }
  return out;
}

/** `min:max` tunnel id ranges (`[ml2_type_gre] tunnel_id_ranges`, `[ml2_type_vxlan] vni_ranges`). */
export function parseTunnelRanges(entries: readonly string[], type: TunnelType): IdRange[] {
  const [lowest, highest] = TUNNEL_BOUNDS[type];
  const label = type === 'gre' ? 'GRE' : 'VXLAN';
  return entries.map((raw) => {
    const entry = raw.trim();
    const parts = entry.split(':');
    const min = parts.length === 2 ? toInt(parts[0]!) : undefined;
    const max = parts.length === 2 ? toInt(parts[1]!) : undefined;
    if (min === undefined || max === undefined) {
      throw new NetworkRangeError(`Invalid network tunnel range: '${entry}' - expected <min>:<max> integers`);
    }
    for (const id of [min, max]) {
      if (id < lowest || id > highest) {
        throw new NetworkRangeError(`Invalid network tunnel range: '${entry}' - ${id} is not a valid ${label} identifier (${lowest}..${highest})`);
      }
    }
    if (max < min) {
      throw new NetworkRangeError(`Invalid network tunnel range: '${entry}' - End of tunnel range is less than start of tunnel range`);
    }
    return [min, max] as const;
  });
}

/** `physnet:mtu` pairs (`[ml2] physical_network_mtus`) → physnet → MTU. */
export function parsePhysnetMtus(entries: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of entries) {
    const entry = raw.trim();
    const colon = entry.lastIndexOf(':');
    const physnet = colon > 0 ? entry.slice(0, colon).trim() : '';
    const mtu = colon > 0 ? toInt(entry.slice(colon + 1)) : undefined;
    if (physnet === '' || mtu === undefined) throw new NetworkRangeError(`invalid mapping '${entry}' (expected <physnet>:<mtu>)`);
    if (mtu < 68 || mtu > 65535) throw new NetworkRangeError(`invalid MTU ${mtu} for physical network '${physnet}' (68..65535)`);
    if (out.has(physnet)) throw new NetworkRangeError(`physical network '${physnet}' listed twice`);
    out.set(physnet, mtu);
  }
  return out;
}

export interface FailOnRule {
  /** Driver call, e.g. `create_network_precommit`. */
  readonly phase: string;
  /** Name of the resource (network/subnet/port `name`) that makes the call fail. */
  readonly name: string;
}

/** `[ml2_mech_test] fail_on` entries `phase:resource_name`; the name may itself contain ':'. */
export function parseFailOn(entries: readonly string[]): FailOnRule[] {
  return entries.map((raw) => {
    const entry = raw.trim();
    const colon = entry.indexOf(':');
    const phase = colon > 0 ? entry.slice(0, colon).trim() : '';
    const name = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!/^[a-z][a-z0-9_]*$/.test(phase) || name === '') {
      throw new NetworkRangeError(`invalid rule '${entry}' (expected <phase>:<resource_name>, e.g. create_network_precommit:boom-net)`);
    }
    return { phase, name };
  });
}
