/**
 * The oslo.policy rule language (oslo_policy/_parser.py, _checks.py): checks `kind:match`
 * joined by `and`, `or`, `not` and parentheses; `@` always passes, `!` never does, an empty rule
 * passes. `and` binds tighter than `or` (oslo's reducer turns "a or b and c" into a or (b and c)).
 * Like oslo, a rule that does not parse fails closed (becomes `!`) instead of throwing, and a
 * token without a colon is a `!` check. The old list-of-lists JSON form is supported too.
 * String forms mirror oslo's `__str__`, because Neutron's 403 message is `str(rule)`.
 */

export type Check =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'not'; readonly rule: Check }
  | { readonly kind: 'and'; readonly rules: readonly Check[] }
  | { readonly kind: 'or'; readonly rules: readonly Check[] }
  /** `rule:name` — another rule (an unknown name evaluates the default rule). */
  | { readonly kind: 'rule'; readonly match: string }
  /** `role:admin` — case-insensitive role membership (match may interpolate the target). */
  | { readonly kind: 'role'; readonly match: string }
  /** `tenant_id:%(network:tenant_id)s` — Neutron's OwnerCheck (may look up a parent resource). */
  | { readonly kind: 'owner'; readonly match: string; readonly targetField: string | null }
  /** `field:networks:shared=True` — Neutron's FieldCheck on the target's attribute. */
  | { readonly kind: 'field'; readonly resource: string; readonly field: string; readonly value: string }
  /** Anything else: `project_id:%(project_id)s`, `is_admin:True`, `'Member':%(role.name)s`. */
  | { readonly kind: 'generic'; readonly key: string; readonly match: string }

export const TRUE: Check = { kind: 'true' }
export const FALSE: Check = { kind: 'false' }

export const ruleCheck = (name: string): Check => ({ kind: 'rule', match: name })
export const andCheck = (...rules: Check[]): Check => ({ kind: 'and', rules })
export const orCheck = (...rules: Check[]): Check => ({ kind: 'or', rules })

export class PolicyParseError extends Error {}

/** Parses one base check (`kind:match`, `@`, `!`). */
export function parseCheck(text: string): Check {
  if (text === '!') return FALSE
  if (text === '@') return TRUE
  const i = text.indexOf(':')
  if (i < 0) return FALSE
  const kind = text.slice(0, i)
  const match = text.slice(i + 1)
  switch (kind) {
    case 'rule':
      return { kind: 'rule', match }
    case 'role':
      return { kind: 'role', match }
    case 'tenant_id': {
      const m = /^%\((.*)\)s$/.exec(match)
      return { kind: 'owner', match, targetField: m ? m[1]! : null }
    }
    case 'field': {
      const j = match.indexOf(':')
      const k = j < 0 ? -1 : match.indexOf('=', j + 1)
      if (j < 0 || k < 0) return FALSE
      return { kind: 'field', resource: match.slice(0, j), field: match.slice(j + 1, k), value: match.slice(k + 1) }
    }
    default:
      return { kind: 'generic', key: kind, match }
  }
}

type Tok = { t: '(' | ')' | 'and' | 'or' | 'not' | 'string' } | { t: 'check'; c: Check }

/** oslo's tokenizer: whitespace-separated; parentheses peeled off the ends of each word. */
function tokenize(rule: string): Tok[] {
  const out: Tok[] = []
  for (const word of rule.split(/\s+/)) {
    if (!word) continue
    let tok = word
    while (tok.startsWith('(')) {
      out.push({ t: '(' })
      tok = tok.slice(1)
    }
    if (!tok) continue
    let trail = 0
    while (tok.endsWith(')')) {
      trail++
      tok = tok.slice(0, -1)
    }
    const lowered = tok.toLowerCase()
    if (lowered === 'and' || lowered === 'or' || lowered === 'not') out.push({ t: lowered })
    else if (tok) {
      const q = tok.length >= 2 && ((tok[0] === '"' && tok.endsWith('"')) || (tok[0] === "'" && tok.endsWith("'")))
      out.push(q ? { t: 'string' } : { t: 'check', c: parseCheck(tok) })
    }
    for (let i = 0; i < trail; i++) out.push({ t: ')' })
  }
  return out
}

/** Parses a rule string; throws PolicyParseError (see parseRule for the fail-closed form). */
export function parseRuleStrict(rule: string): Check {
  if (rule.trim() === '') return TRUE
  const toks = tokenize(rule)
  let pos = 0
  const peek = () => toks[pos]?.t
  const expr = (): Check => {
    const first = andExpr()
    if (peek() !== 'or') return first
    const rules = [first]
    while (peek() === 'or') {
      pos++
      rules.push(andExpr())
    }
    return { kind: 'or', rules }
  }
  const andExpr = (): Check => {
    const first = unary()
    if (peek() !== 'and') return first
    const rules = [first]
    while (peek() === 'and') {
      pos++
      rules.push(unary())
    }
    return { kind: 'and', rules }
  }
  const unary = (): Check => {
    const tok = toks[pos]
    if (!tok) throw new PolicyParseError('unexpected end of rule')
    pos++
    if (tok.t === 'not') return { kind: 'not', rule: unary() }
    if (tok.t === 'check') return tok.c
    if (tok.t === '(') {
      const inner = expr()
      if (peek() !== ')') throw new PolicyParseError("missing ')'")
      pos++
      return inner
    }
    throw new PolicyParseError(`unexpected ${tok.t === 'string' ? 'quoted string' : `'${tok.t}'`}`)
  }
  const result = expr()
  if (pos !== toks.length) throw new PolicyParseError(`unexpected '${toks[pos]!.t}'`)
  return result
}

/** Parses a rule (string or old list-of-lists form); an unparsable rule fails closed. */
export function parseRule(rule: string | unknown[], onError?: (rule: string, err: Error) => void): Check {
  if (Array.isArray(rule)) return parseListRule(rule)
  try {
    return parseRuleStrict(rule)
  } catch (e) {
    onError?.(rule, e as Error)
    return FALSE
  }
}

/** [["a", "b"], ["c"]] = (a and b) or c; [] = always. */
function parseListRule(rule: unknown[]): Check {
  if (rule.length === 0) return TRUE
  const ors: Check[] = []
  for (const inner of rule) {
    const list = typeof inner === 'string' ? [inner] : Array.isArray(inner) ? inner : []
    if (list.length === 0) continue
    const ands = list.map((r) => (typeof r === 'string' ? parseCheck(r) : FALSE))
    ors.push(ands.length === 1 ? ands[0]! : { kind: 'and', rules: ands })
  }
  if (ors.length === 0) return FALSE
  return ors.length === 1 ? ors[0]! : { kind: 'or', rules: ors }
}

/** oslo's `str(check)`: `(a and b)`, `(a or b)`, `not a`, `kind:match`, `@`, `!`. */
export function checkToString(c: Check): string {
  switch (c.kind) {
    case 'true':
      return '@'
    case 'false':
      return '!'
    case 'not':
      return `not ${checkToString(c.rule)}`
    case 'and':
      return `(${c.rules.map(checkToString).join(' and ')})`
    case 'or':
      return `(${c.rules.map(checkToString).join(' or ')})`
    case 'rule':
    case 'role':
      return `${c.kind}:${c.match}`
    case 'owner':
      return `tenant_id:${c.match}`
    case 'field':
      return `field:${c.resource}:${c.field}=${c.value}`
    case 'generic':
      return `${c.key}:${c.match}`
  }
}
