/**
 * Field references used by Nicira actions (reg_load, reg_move, learn): an NXM/OXM header plus
 * a bit range. Text names are the NXM names ovs-ofctl prints ("NXM_NX_REG0[0..7]").
 * OVS serialises a field by its NXM header when it has one, else its OXM header (checked
 * against ovs-ofctl's bytes); both are accepted when decoding.
 */
import { DecodeError } from './wire.js'

export interface FieldRef {
  /** Field name (the OXM name from oxm.ts, or 'vlan_tci' / 'in_port16' for NXM-only fields). */
  readonly field: string
  /** First bit (0 = least significant). */
  readonly ofs: number
  readonly nbits: number
}

export interface SubfieldDef {
  readonly field: string
  readonly nxmName: string
  readonly nbits: number
  /** Header written for OF1.3. */
  readonly header: number
  readonly altHeaders: readonly number[]
}

const hdr = (cls: number, field: number, len: number): number => ((cls << 16) | (field << 9) | len) >>> 0

/** OVS writes the NXM header when a field has one (even for OF1.3), else the OXM header. */
function sf(field: string, nxmName: string, len: number, oxm: number, nxm: number[] = [], nbits = len * 8): SubfieldDef {
  const [header, ...rest] = [...nxm, oxm]
  return Object.freeze({ field, nxmName, nbits, header: header!, altHeaders: rest })
}

const B = 0x8000
export const SUBFIELDS: readonly SubfieldDef[] = [
  sf('in_port16', 'NXM_OF_IN_PORT', 2, hdr(0, 0, 2)),
  sf('in_port', 'OXM_OF_IN_PORT', 4, hdr(B, 0, 4)),
  sf('eth_dst', 'NXM_OF_ETH_DST', 6, hdr(B, 3, 6), [hdr(0, 1, 6)]),
  sf('eth_src', 'NXM_OF_ETH_SRC', 6, hdr(B, 4, 6), [hdr(0, 2, 6)]),
  sf('eth_type', 'NXM_OF_ETH_TYPE', 2, hdr(B, 5, 2), [hdr(0, 3, 2)]),
  sf('vlan_tci', 'NXM_OF_VLAN_TCI', 2, hdr(0, 4, 2)),
  sf('ip_proto', 'NXM_OF_IP_PROTO', 1, hdr(B, 10, 1), [hdr(0, 6, 1)]),
  sf('ipv4_src', 'NXM_OF_IP_SRC', 4, hdr(B, 11, 4), [hdr(0, 7, 4)]),
  sf('ipv4_dst', 'NXM_OF_IP_DST', 4, hdr(B, 12, 4), [hdr(0, 8, 4)]),
  sf('tcp_src', 'NXM_OF_TCP_SRC', 2, hdr(B, 13, 2), [hdr(0, 9, 2)]),
  sf('tcp_dst', 'NXM_OF_TCP_DST', 2, hdr(B, 14, 2), [hdr(0, 10, 2)]),
  sf('udp_src', 'NXM_OF_UDP_SRC', 2, hdr(B, 15, 2), [hdr(0, 11, 2)]),
  sf('udp_dst', 'NXM_OF_UDP_DST', 2, hdr(B, 16, 2), [hdr(0, 12, 2)]),
  sf('arp_op', 'NXM_OF_ARP_OP', 2, hdr(B, 21, 2), [hdr(0, 15, 2)]),
  sf('arp_spa', 'NXM_OF_ARP_SPA', 4, hdr(B, 22, 4), [hdr(0, 16, 4)]),
  sf('arp_tpa', 'NXM_OF_ARP_TPA', 4, hdr(B, 23, 4), [hdr(0, 17, 4)]),
  sf('arp_sha', 'NXM_NX_ARP_SHA', 6, hdr(B, 24, 6), [hdr(1, 17, 6)]),
  sf('arp_tha', 'NXM_NX_ARP_THA', 6, hdr(B, 25, 6), [hdr(1, 18, 6)]),
  sf('ipv6_src', 'NXM_NX_IPV6_SRC', 16, hdr(B, 26, 16), [hdr(1, 19, 16)]),
  sf('ipv6_dst', 'NXM_NX_IPV6_DST', 16, hdr(B, 27, 16), [hdr(1, 20, 16)]),
  sf('tunnel_id', 'NXM_NX_TUN_ID', 8, hdr(B, 38, 8), [hdr(1, 16, 8)]),
  sf('tun_ipv4_src', 'NXM_NX_TUN_IPV4_SRC', 4, hdr(1, 31, 4)),
  sf('tun_ipv4_dst', 'NXM_NX_TUN_IPV4_DST', 4, hdr(1, 32, 4)),
  sf('metadata', 'OXM_OF_METADATA', 8, hdr(B, 2, 8)),
  sf('vlan_vid', 'OXM_OF_VLAN_VID', 2, hdr(B, 6, 2), [], 13),
  ...Array.from({ length: 16 }, (_, i) => sf(`reg${i}`, `NXM_NX_REG${i}`, 4, hdr(1, i, 4))),
  sf('pkt_mark', 'NXM_NX_PKT_MARK', 4, hdr(1, 33, 4)),
  sf('ct_state', 'NXM_NX_CT_STATE', 4, hdr(1, 105, 4)),
  sf('ct_zone', 'NXM_NX_CT_ZONE', 2, hdr(1, 106, 2)),
  sf('ct_mark', 'NXM_NX_CT_MARK', 4, hdr(1, 107, 4)),
  sf('ct_label', 'NXM_NX_CT_LABEL', 16, hdr(1, 108, 16)),
]

const BY_FIELD = new Map(SUBFIELDS.map((s) => [s.field, s]))
const BY_NXM = new Map(SUBFIELDS.map((s) => [s.nxmName, s]))
const BY_HEADER = new Map<number, SubfieldDef>()
for (const s of SUBFIELDS) for (const h of [s.header, ...s.altHeaders]) BY_HEADER.set(h, s)

export function subfieldDef(field: string): SubfieldDef {
  const s = BY_FIELD.get(field)
  if (!s) throw new TypeError(`field ${JSON.stringify(field)} cannot be used in reg_load/move/learn`)
  return s
}

export function subfieldByNxmName(name: string): SubfieldDef | undefined {
  return BY_NXM.get(name)
}

export function subfieldByHeader(header: number): SubfieldDef {
  const s = BY_HEADER.get((header & ~0x100) >>> 0)
  if (!s) throw new DecodeError(`unknown NXM field header 0x${header.toString(16)}`)
  return s
}

/** A whole-field reference (`NXM_NX_REG0[]`). */
export function ref(field: string, ofs?: number, nbits?: number): FieldRef {
  const s = subfieldDef(field)
  const o = ofs ?? 0
  const n = nbits ?? s.nbits - o
  if (o < 0 || n < 1 || o + n > s.nbits) throw new RangeError(`bits ${o}..${o + n - 1} outside ${field} (${s.nbits} bits)`)
  return Object.freeze({ field, ofs: o, nbits: n })
}

export function formatRef(r: FieldRef): string {
  const s = subfieldDef(r.field)
  if (r.ofs === 0 && r.nbits === s.nbits) return `${s.nxmName}[]`
  if (r.nbits === 1) return `${s.nxmName}[${r.ofs}]`
  return `${s.nxmName}[${r.ofs}..${r.ofs + r.nbits - 1}]`
}
