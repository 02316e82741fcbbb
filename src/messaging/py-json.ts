/**
 * JSON text exactly as Python's `json.dumps` writes it with its defaults (what oslo.messaging's
 * `jsonutils.dumps` produces on the wire): `", "` and `": "` separators, `ensure_ascii=True`
 * (every non-ASCII UTF-16 unit escaped as `\uXXXX`), and the same short escapes. Writing the same
 * bytes as the recorded envelopes lets the tests compare byte for byte.
 */

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

function pyString(s: string): string {
  // Python escapes control characters and everything above 0x7e as \uXXXX (lower-case hex).
  return '"' + s.replace(/[\u0000-\u001f"\\\u007f-\uffff]/g, (c) => ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"'
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return 'Infinity'
  if (n === -Infinity) return '-Infinity'
  return String(n)
}

/** `json.dumps(value)`; `undefined` object members are skipped (JSON.stringify's rule), `toJSON` honoured. */
export function pyDumps(value: unknown): string {
  const seen = new Set<object>()
  const enc = (v: unknown): string | undefined => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON(): unknown }).toJSON()
    }
    switch (typeof v) {
      case 'string': return pyString(v)
      case 'number': return pyNumber(v)
      case 'boolean': return v ? 'true' : 'false'
      case 'bigint': return v.toString()
      case 'undefined': case 'function': case 'symbol': return undefined
    }
    if (v === null) return 'null'
    const o = v as object
    if (seen.has(o)) throw new TypeError('Circular reference detected')
    seen.add(o)
    try {
      if (Array.isArray(o)) return '[' + o.map((x) => enc(x) ?? 'null').join(', ') + ']'
      const parts: string[] = []
      for (const [k, x] of Object.entries(o)) {
        const t = enc(x)
        if (t !== undefined) parts.push(pyString(k) + ': ' + t)
      }
      return '{' + parts.join(', ') + '}'
    } finally {
      seen.delete(o)
    }
  }
  return enc(value) ?? 'null'
}
