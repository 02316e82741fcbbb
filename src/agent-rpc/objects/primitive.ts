/**
 * oslo.versionedobjects primitives (oslo_versionedobjects/base.py obj_to_primitive), as Neutron's
 * resources RPC sends them (spec agents-rpc §3): `{versioned_object.name, .namespace, .version,
 * .data}`; nested objects are full primitives; `versioned_object.changes` only on pushed delete
 * stubs. Fields that were never set are ABSENT, not null: `data()` drops the keys given as
 * `undefined` and keeps explicit nulls.
 */

export interface Primitive {
  'versioned_object.name': string
  'versioned_object.namespace': 'versionedobjects'
  'versioned_object.version': string
  'versioned_object.data': Record<string, unknown>
  'versioned_object.changes'?: string[]
}

export function primitive(name: string, version: string, data: Record<string, unknown>): Primitive {
  return {
    'versioned_object.name': name,
    'versioned_object.namespace': 'versionedobjects',
    'versioned_object.version': version,
    'versioned_object.data': present(data),
  }
}

/** The data dict without its `undefined` entries (unset fields), key order kept. */
export function present(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(data)) if (v !== undefined) out[k] = v
  return out
}

/** A nullable column that Neutron's object leaves unset when NULL (absent from the primitive). */
export function unsetIfNull<T>(v: T | null | undefined): T | undefined {
  return v === null ? undefined : v
}

/**
 * DateTimeField primitives: `YYYY-MM-DDTHH:MM:SSZ` (UTC, no fraction). Accepts the API's ISO form
 * and the agents table's `YYYY-MM-DD HH:MM:SS`.
 */
export function oboTime(v: unknown): string | null {
  if (typeof v !== 'string' || !v) return null
  const iso = v.includes('T') ? v : v.replace(' ', 'T')
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 19) + 'Z'
}

/**
 * Python's json.dumps text (separators ', ' and ': ', non-ASCII escaped): PortBinding.profile and
 * vif_details are DictOfMiscValuesField strings the agents json.loads; the same bytes keep the
 * golden comparisons exact.
 */
export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`).join(', ')}}`
  }
  return 'null'
}
