/**
 * extra_dhcp_opts (neutron_lib/api/definitions/extra_dhcp_opt.py): a list of
 * {opt_name, opt_value, ip_version} checked with the maximum lengths of the `extradhcpopts`
 * columns — PostgreSQL refuses a longer value (a 500), SQLite would store it — before any SQL.
 */
import { ExtraDhcpOptBadData } from '../../common/exceptions.js'
import { pyRepr, validateNotEmptyString, validateString, type Validator } from '../attributes.js'

export const DHCP_OPT_NAME_MAX_LEN = 64
export const DHCP_OPT_VALUE_MAX_LEN = 255
/** Options that may be set with a blank value (VALID_BLANK_EXTRA_DHCP_OPTS). */
const BLANK_OK = new Set(['router', 'classless-static-route'])
const KEYS = new Set(['opt_name', 'opt_value', 'ip_version'])

/** _validate_extra_dhcp_opt: raises ExtraDhcpOptBadData; null is no data. */
export const validateExtraDhcpOpts: Validator = (data) => {
  if (data === null) return undefined
  if (!Array.isArray(data)) throw new ExtraDhcpOptBadData(pyRepr(data))
  const seen = new Set<string>()
  for (const d of data) {
    const msg = checkOne(d)
    if (msg) throw new ExtraDhcpOptBadData(msg)
    const o = d as Record<string, unknown>
    // One row per (port, name, version): the same option twice is the client's mistake, not a race.
    const key = `${o.ip_version ?? 4}|${o.opt_name as string}`
    if (seen.has(key)) throw new ExtraDhcpOptBadData(`Duplicate option '${o.opt_name as string}' for IP version ${o.ip_version ?? 4}`)
    seen.add(key)
  }
  return undefined
}

function checkOne(d: unknown): string | undefined {
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return `'${pyRepr(d)}' is not a dictionary`
  const o = d as Record<string, unknown>
  const unknown = Object.keys(o).filter((k) => !KEYS.has(k))
  if (unknown.length) return `Unexpected keys supplied: ${unknown.join(', ')}`
  if (!Object.hasOwn(o, 'opt_name') || !Object.hasOwn(o, 'opt_value')) {
    return `Validation of dictionary's keys failed. Expected keys: {'opt_name', 'opt_value'} Provided keys: {${Object.keys(o).map((k) => `'${k}'`).join(', ')}}`
  }
  const name = validateNotEmptyString(DHCP_OPT_NAME_MAX_LEN)(o.opt_name)
  if (name) return name
  const value = o.opt_value
  if (value !== null) {
    const blankOk = BLANK_OK.has(o.opt_name as string)
    const v = (blankOk ? validateString(DHCP_OPT_VALUE_MAX_LEN) : validateNotEmptyString(DHCP_OPT_VALUE_MAX_LEN))(value)
    if (v) return v
  }
  if (Object.hasOwn(o, 'ip_version')) {
    const raw = o.ip_version
    const n = typeof raw === 'string' && /^\s*[46]\s*$/.test(raw) ? Number(raw) : raw
    if (n !== 4 && n !== 6) return `${pyRepr(raw)} is not in valid_values`
    o.ip_version = n
  }
  return undefined
}
