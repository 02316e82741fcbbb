/**
 * EUI-48 MAC addresses (IEEE 802): parsing, validation, random generation.
 *
 * Accepted text forms are netaddr 0.8's (strategy/eui48.py RE_MAC_FORMATS), since Neutron
 * feeds port mac_address through netaddr: 'fa:16:3e:0:0:1', 'FA-16-3E-00-00-01',
 * 'fa16.3e00.0001', 'fa163e:000001', 'fa163e000001' … The API's converter
 * (convert_to_sanitized_mac_address) rewrites them to lower-case 'xx:xx:xx:xx:xx:xx'.
 */
import { pyStr } from './py-repr.js'
import type { Rng } from './availability.js'

const H = '[0-9A-Fa-f]'
const rep = (unit: string, n: number, sep: string) => Array.from({ length: n }, () => `(${unit})`).join(sep)
// Python's '$' also matches before one trailing newline: kept, since netaddr's converter
// sees the raw request value.
const MAC_FORMATS: RegExp[] = [
  new RegExp(`^${rep(`${H}{1,2}`, 6, ':')}\\n?$`),
  new RegExp(`^${rep(`${H}{1,2}`, 6, '-')}\\n?$`),
  new RegExp(`^${rep(`${H}{1,4}`, 3, ':')}\\n?$`),
  new RegExp(`^${rep(`${H}{1,4}`, 3, '-')}\\n?$`),
  new RegExp(`^${rep(`${H}{1,4}`, 3, '\\.')}\\n?$`),
  new RegExp(`^${rep(`${H}{5,6}`, 2, '-')}\\n?$`),
  new RegExp(`^${rep(`${H}{5,6}`, 2, ':')}\\n?$`),
  new RegExp(`^(${H}{12})\\n?$`),
  new RegExp(`^(${H}{11})\\n?$`),
]

/** neutron_lib INVALID_MAC_ADDRESSES: all-zero and broadcast. Multicast MACs are accepted. */
export const INVALID_MAC_VALUES: readonly bigint[] = [0n, 0xffffffffffffn]

/** A MAC as a 48-bit value, or undefined when netaddr would not accept the text. */
export function parseMac(text: string): bigint | undefined {
  if (typeof text !== 'string') return undefined
  for (const re of MAC_FORMATS) {
    const m = re.exec(text)
    if (!m) continue
    const words = m.slice(1)
    const bits = 48 / words.length
    let v = 0n
    for (const w of words) v = (v << BigInt(bits)) | BigInt(parseInt(w, 16))
    return v
  }
  return undefined
}

/** 'xx:xx:xx:xx:xx:xx', lower case (netaddr mac_unix_expanded). */
export function formatMac(value: bigint): string {
  const out: string[] = []
  for (let k = 5; k >= 0; k--) out.push(Number((value >> BigInt(k * 8)) & 0xffn).toString(16).padStart(2, '0'))
  return out.join(':')
}

/** convert_to_sanitized_mac_address: the canonical form, or the input unchanged when not a MAC. */
export function sanitizeMacAddress<T>(value: T): T | string {
  if (typeof value !== 'string') return value
  const v = parseMac(value)
  return v === undefined ? value : formatMac(v)
}

/** The canonical form of a valid MAC, else undefined. */
export function normalizeMac(text: string): string | undefined {
  return validateMacAddress(text) === undefined ? formatMac(parseMac(text)!) : undefined
}

/**
 * neutron_lib validate_mac_address: no whitespace, a netaddr MAC format, not all-zero nor
 * broadcast. Returns the message or undefined.
 */
export function validateMacAddress(data: unknown): string | undefined {
  let ok = false
  if (typeof data === 'string' && !/\s/.test(data)) {
    const v = parseMac(data)
    ok = v !== undefined && !INVALID_MAC_VALUES.includes(v)
  }
  return ok ? undefined : `'${pyStr(data)}' is not a valid MAC address`
}

export function isMulticastMac(value: bigint): boolean {
  return ((value >> 40n) & 1n) === 1n
}

/**
 * neutron_lib.utils.net.get_random_mac: octets 1–3 from base_mac, octet 4 too unless it is the
 * text '00' (a string comparison, as in neutron-lib), octets 5–6 (and 4) random.
 * `baseMac` is the base_mac option ('fa:16:3e:00:00:00') or its split list.
 */
export function randomMac(baseMac: string | readonly string[], rng: Rng = Math.random): string {
  const base = typeof baseMac === 'string' ? baseMac.split(':') : baseMac
  if (base.length < 4) throw new TypeError(`base_mac needs at least 4 octets: ${JSON.stringify(baseMac)}`)
  const byte = () => Math.min(255, Math.floor(rng() * 256))
  const octet = (s: string) => {
    const n = parseInt(s, 16)
    if (!/^[0-9A-Fa-f]+$/.test(s.trim()) || n > 255) throw new TypeError(`bad base_mac octet ${JSON.stringify(s)}`)
    return n
  }
  const mac = [octet(base[0]!), octet(base[1]!), octet(base[2]!), byte(), byte(), byte()]
  if (base[3] !== '00') mac[3] = octet(base[3]!)
  return mac.map((x) => x.toString(16).padStart(2, '0')).join(':')
}
