/**
 * Python-style rendering of request values inside error messages.
 *
 * Neutron builds its messages with `'%s' % value`, so a dict in a request body shows up as
 * `{'start': '10.0.0.9', 'end': '10.0.0.2'}` and `null` as `None`. Clients match on these texts,
 * so the API must render values exactly as CPython's str()/repr() would (insertion order for
 * dicts, which JSON.parse preserves).
 */

/** CPython's repr() of a str: single quotes unless the text holds ' and no ". */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (ch === '\\') out += '\\\\'
    else if (ch === quote) out += '\\' + quote
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
}

function pyNumber(n: number): string {
  if (Number.isInteger(n)) return String(n)
  if (Number.isNaN(n)) return 'nan'
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf'
  return String(n)
}

/** CPython's repr() of a JSON-ish value. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None'
  if (typeof v === 'string') return pyReprString(v)
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  if (typeof v === 'number') return pyNumber(v)
  if (typeof v === 'bigint') return v.toString()
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']'
  if (typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyReprString(k)}: ${pyRepr(x)}`)
    return '{' + parts.join(', ') + '}'
  }
  return String(v)
}

/** CPython's str(): strings as they are, everything else as repr(). */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v)
}

/**
 * Python's int(str) for base 10: surrounding whitespace, an optional sign, ASCII digits with
 * single underscores between them (PEP 515). netaddr feeds prefix lengths and partial IPv4
 * octets through int(), so '10.0.0.0/ 24' and '10.0.0.0/+24' are accepted by Neutron.
 */
export function pyInt(s: string): number | undefined {
  const t = s.replace(/^\s+|\s+$/g, '')
  if (!/^[+-]?[0-9](?:_?[0-9])*$/.test(t)) return undefined
  const n = Number(t.replace(/_/g, ''))
  return Number.isSafeInteger(n) ? n : undefined
}
