/**
 * The attribute validators and converters of the subnet/port API, with neutron-lib's texts
 * (neutron_lib/api/validators/__init__.py and api/converters.py at Zed). A validator returns the
 * reason text or undefined; the API layer wraps it as
 * "Invalid input for <attr>. Reason: <reason>." (HTTPBadRequest). A converter throws
 * IpamValidationError (InvalidInput) like its Python counterpart.
 *
 * Inputs are `unknown` (raw JSON); values are quoted in messages the way Python's '%s' does.
 */
import { formatCidrAsWritten, formatCidr, isLoopbackCidr, parseNetaddrNetwork, cidrFirst } from './cidr.js'
import { invalidInput } from './errors.js'
import { formatIp, formatIpv4, parseIpv4, parseIpv6, parseIp } from './ip-address.js'
import { pyInt, pyRepr, pyStr } from './py-repr.js'

const hasWhitespace = (s: string) => /\s/.test(s)

/**
 * netaddr.IPAddress(data, flags=ZEROFILL) for IPv4: each dot-separated part through Python's
 * int() (so '010' → 10), then inet_aton.
 */
function parseIpv4ZeroFill(data: string): bigint | undefined {
  const parts = data.split('.')
  const nums: number[] = []
  for (const p of parts) {
    const n = pyInt(p)
    if (n === undefined) return undefined
    nums.push(n)
  }
  if (nums.length !== 4) return undefined // fewer parts fail the dot count below anyway
  if (nums.some((n) => n < 0 || n > 255)) return undefined
  return parseIpv4(nums.join('.'))
}

/**
 * validate_ip_address: an IPv4 dotted quad written canonically (leading zeros are rejected with a
 * hint, since they could be read as octal) or an IPv6 address in any inet_pton form.
 */
export function validateIpAddress(data: unknown): string | undefined {
  const invalid = `'${pyStr(data)}' is not a valid IP address`
  if (typeof data !== 'string' || hasWhitespace(data) || data === '') return invalid
  const v4 = parseIpv4ZeroFill(data)
  const isV6 = v4 === undefined && parseIpv6(data) !== undefined
  if (v4 === undefined && !isV6) return invalid
  if (!data.includes(':') && data.split('.').length - 1 !== 3) return invalid
  if (v4 !== undefined && formatIpv4(v4) !== data) {
    return `'${data}' is not an accepted IP address, '${formatIpv4(v4)}' is recommended`
  }
  return undefined
}

export function validateIpAddressOrNone(data: unknown): string | undefined {
  return data === null || data === undefined ? undefined : validateIpAddress(data)
}

/** validate_subnet: a prefix with an explicit length; IPv4 must be written canonically. */
export function validateSubnet(data: unknown): string | undefined {
  if (typeof data !== 'string' || hasWhitespace(data)) return `'${pyStr(data)}' is not a valid IP subnet`
  const net = parseNetaddrNetwork(data)
  if (!net) return `'${data}' is not a valid IP subnet`
  if (!data.includes('/') || (net.version === 4 && formatCidrAsWritten(net) !== data)) {
    return `'${data}' isn't a recognized IP subnet cidr, '${formatCidr(net)}' is recommended`
  }
  return undefined
}

export function validateSubnetOrNone(data: unknown): string | undefined {
  return data === null || data === undefined ? undefined : validateSubnet(data)
}

/** validate_route_cidr: a network address with an explicit length, not loopback. */
export function validateRouteCidr(data: unknown): string | undefined {
  if (typeof data !== 'string' || hasWhitespace(data)) return `'${pyStr(data)}' is not a valid CIDR`
  const net = parseNetaddrNetwork(data)
  if (!net) return `'${data}' is not a valid CIDR`
  if (!data.includes('/') || cidrFirst(net) !== net.ip) {
    return `'${data}' is not a recognized CIDR, '${formatCidr(net)}' is recommended`
  }
  if (isLoopbackCidr(net)) return `'${data}' is not a routable CIDR`
  return undefined
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Python set repr of key names; CPython's order is hash-dependent, so sorted here. */
function pySet(keys: Iterable<string>): string {
  const ks = [...new Set(keys)].sort()
  return ks.length ? '{' + ks.map((k) => pyRepr(k)).join(', ') + '}' : 'set()'
}

/** _verify_dict_keys (strict): exactly the expected keys. */
export function verifyDictKeys(expected: readonly string[], target: unknown): string | undefined {
  if (!isDict(target)) {
    return `Invalid input. '${pyStr(target)}' must be a dictionary with keys: ${pyRepr([...expected])}`
  }
  const provided = Object.keys(target)
  const same = provided.length === new Set(expected).size && provided.every((k) => expected.includes(k))
  if (!same) {
    return `Validation of dictionary's keys failed. Expected keys: ${pySet(expected)} Provided keys: ${pySet(provided)}`
  }
  return undefined
}

/** Python == on JSON values (dict key order does not matter). */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]))
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && pyEquals(a[k], b[k]))
  }
  return false
}

/**
 * A text equal for two JSON values exactly when pyEquals holds (dict keys sorted), so duplicate
 * checks are one Set lookup per item: a list of n items costs O(n), not O(n²) pairwise compares.
 */
export function pyKey(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyKey).join(',')}]`
  if (isDict(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${pyKey(v[k])}`).join(',')}}`
  return v === undefined ? 'undefined' : JSON.stringify(v)
}

/** validate_ip_pools: a list of {start, end} dicts of valid addresses. */
export function validateIpPools(data: unknown): string | undefined {
  if (!Array.isArray(data)) return `Invalid data format for IP pool: '${pyStr(data)}'`
  for (const pool of data) {
    const msg = verifyDictKeys(['start', 'end'], pool)
    if (msg) return msg
    for (const k of ['start', 'end']) {
      const m = validateIpAddress((pool as Record<string, unknown>)[k])
      if (m) return m
    }
  }
  return undefined
}

/** Python's iteration of a value: list items, str characters, dict keys; undefined if not iterable. */
function pyIter(data: unknown): unknown[] | undefined {
  if (Array.isArray(data)) return data
  if (typeof data === 'string') return [...data]
  if (isDict(data)) return Object.keys(data)
  return undefined
}

/** validate_nameservers: valid, unique addresses. */
export function validateNameservers(data: unknown): string | undefined {
  const items = pyIter(data)
  if (!items) return `Invalid data format for nameserver: '${pyStr(data)}'`
  const seen = new Set<string>()
  for (const host of items) {
    const msg = validateIpAddress(host)
    if (msg) return `'${pyStr(host)}' is not a valid nameserver. ${msg}`
    const key = pyKey(host)
    if (seen.has(key)) return `Duplicate nameserver '${pyStr(host)}'`
    seen.add(key)
  }
  return undefined
}

/** validate_hostroutes: unique {destination, nexthop} dicts. */
export function validateHostroutes(data: unknown): string | undefined {
  if (!Array.isArray(data)) return `Invalid data format for hostroute: '${pyStr(data)}'`
  const seen = new Set<string>()
  for (const route of data) {
    const keys = verifyDictKeys(['destination', 'nexthop'], route)
    if (keys) return keys
    const r = route as Record<string, unknown>
    const d = validateRouteCidr(r['destination'])
    if (d) return d
    const n = validateIpAddress(r['nexthop'])
    if (n) return n
    const key = pyKey(route)
    if (seen.has(key)) return `Duplicate hostroute '${pyStr(route)}'`
    seen.add(key)
  }
  return undefined
}

/** oslo uuidutils.is_uuid_like, as validate_uuid uses it. */
export function isUuidLike(v: unknown): boolean {
  if (typeof v !== 'string') return false
  const s = v.replace(/urn:/g, '').replace(/uuid:/g, '').replace(/^[{}]+|[{}]+$/g, '').replace(/-/g, '')
  return /^[0-9a-fA-F]{32}$/.test(s)
}

/** validate_fixed_ips: a list of dicts with a valid, non-repeated ip_address and a UUID subnet_id. */
export function validateFixedIps(data: unknown): string | undefined {
  if (!Array.isArray(data)) return `Invalid data format for fixed IP: '${pyStr(data)}'`
  const ips = new Set<string>()
  for (const f of data) {
    if (!isDict(f)) return `Invalid data format for fixed IP: '${pyStr(f)}'`
    if (Object.hasOwn(f, 'ip_address')) {
      const a = f['ip_address']
      const key = pyKey(a)
      const msg = ips.has(key) ? `Duplicate IP address '${pyStr(a)}'` : validateIpAddress(a)
      if (msg) return msg
      ips.add(key)
    }
    if (Object.hasOwn(f, 'subnet_id') && !isUuidLike(f['subnet_id'])) return `'${pyStr(f['subnet_id'])}' is not a valid UUID`
  }
  return undefined
}

/**
 * convert_cidr_to_canonical_format: whatever netaddr.IPNetwork reads, as 'ip/len' with the
 * host bits kept and IPv6 compacted ('10.1/16' → '10.1.0.0/16', 'FD00::5/64' → 'fd00::5/64').
 * Throws InvalidInput "<value> is not in a CIDR format".
 */
export function convertCidrToCanonicalFormat(value: unknown): string {
  const net = typeof value === 'string' ? parseNetaddrNetwork(value) : undefined
  if (!net) throw invalidInput(`${pyStr(value)} is not in a CIDR format`)
  return formatCidrAsWritten(net)
}

/** convert_ip_to_canonical_format: IPv6 text compacted; anything else returned unchanged. */
export function convertIpToCanonicalFormat<T>(value: T): T | string {
  if (typeof value !== 'string' || value.includes('/')) return value
  const a = parseIp(value)
  if (a && a.version === 6) return formatIp(6, a.value)
  return value
}

/**
 * validate_subnet_list (_validate_list_of_items with validate_subnet): a list, no repeated item,
 * each a subnet cidr. An empty list passes (the subnet pool reports it).
 */
export function validateSubnetList(data: unknown): string | undefined {
  if (!Array.isArray(data)) return `'${pyStr(data)}' is not a list`
  const seen = new Set<string>()
  const dupKeys = new Set<string>()
  const dups: unknown[] = []
  for (const d of data) {
    const key = pyKey(d)
    if (seen.has(key)) {
      if (!dupKeys.has(key)) {
        dupKeys.add(key)
        dups.push(d)
      }
    } else seen.add(key)
  }
  if (dups.length) return `Duplicate items in the list: '${dups.map(pyStr).join(', ')}'`
  for (const item of data) {
    const msg = validateSubnet(item)
    if (msg) return msg
  }
  return undefined
}
