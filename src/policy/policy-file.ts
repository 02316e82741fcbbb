/**
 * Reads an oslo.policy override file: JSON (`{"rule": "check"}`, the old list-of-lists values
 * too) or the YAML subset policy.yaml files use — one `key: value` mapping per line, keys and
 * values plain, 'single' or "double" quoted, `#` comments, blank lines, values that continue on
 * more indented lines (folded with one space, as YAML does), and a block sequence of rule strings
 * (`- role:admin` items: the old list form, one alternative per item). Anything else is an error
 * with its line number, so a typo never silently drops a rule.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import type { PolicyDefault } from './defaults.js'
import { parseRuleStrict, PolicyParseError, type Check } from './parser.js'

export type PolicyRules = Readonly<Record<string, string | unknown[]>>

export class PolicyFileError extends Error {}

export function parsePolicyFile(text: string, filename = 'policy file'): PolicyRules {
  const body = text.replace(/^\uFEFF/, '')
  if (/^\s*\{/.test(body)) {
    let v: unknown
    try {
      v = JSON.parse(body)
    } catch (e) {
      throw new PolicyFileError(`${filename}: invalid JSON: ${(e as Error).message}`)
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new PolicyFileError(`${filename}: not a mapping of rules`)
    const out: Record<string, string | unknown[]> = {}
    for (const [k, r] of Object.entries(v as Record<string, unknown>)) {
      if (typeof r !== 'string' && !Array.isArray(r)) throw new PolicyFileError(`${filename}: rule ${k} is not a string`)
      out[k] = r
    }
    return out
  }
  return parseYamlRules(body, filename)
}

function parseYamlRules(text: string, filename: string): PolicyRules {
  const out: Record<string, string | string[]> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let lineNo = i + 1
    const raw = lines[i]!
    if (/^\s*(#.*)?$/.test(raw) || raw === '---' || raw === '...') continue
    const fail = (why: string): never => {
      throw new PolicyFileError(`${filename}:${lineNo}: ${why}`)
    }
    if (/^\s/.test(raw)) fail('unexpected indentation (policy files are a flat mapping of rule names to strings)')
    let rest = raw
    let key: string
    const qk = readQuoted(rest)
    if (qk) {
      key = qk.value
      rest = qk.rest
    } else {
      // A plain key may contain ':' (create_network:shared); it ends at the first ': '.
      const m = /:(\s|$)/.exec(rest)
      if (!m || m.index === 0) fail('expected "rule_name": "check string"')
      key = rest.slice(0, m!.index).trim()
      rest = rest.slice(m!.index)
    }
    const colon = /^\s*:(\s+|$)/.exec(rest)
    if (!colon) fail(`expected ':' after ${JSON.stringify(key)}`)
    rest = rest.slice(colon![0].length)
    let value: string
    const startsQuoted = /^["']/.test(rest)
    if (startsQuoted) {
      // A quoted value may continue on following (indented) lines until its closing quote.
      let acc = rest
      let q = readQuoted(acc)
      while (!q && i + 1 < lines.length && /^\s+\S/.test(lines[i + 1]!)) {
        i++
        acc = `${acc.replace(/\s+$/, '')} ${lines[i]!.trim()}`
        q = readQuoted(acc)
      }
      if (!q) fail('unterminated quoted string')
      value = q!.value
      if (!/^\s*(#.*)?$/.test(q!.rest)) fail('text after the closing quote')
    } else {
      if (/^[|>[{&*!]/.test(rest)) fail('block scalars, flow collections, anchors and tags are not supported; quote the rule')
      value = rest.replace(/\s+#.*$/, '').trim()
      if (value === '' && i + 1 < lines.length && /^\s+-(\s|$)/.test(lines[i + 1]!)) {
        // A block sequence: the old list form, one alternative per item (oslo's list rules).
        const items: string[] = []
        while (i + 1 < lines.length && /^\s+-(\s|$)/.test(lines[i + 1]!)) {
          i++
          lineNo = i + 1
          const item = lines[i]!.replace(/^\s+-\s*/, '')
          const q = readQuoted(item)
          if (q && !/^\s*(#.*)?$/.test(q.rest)) fail('text after the closing quote')
          const text = q ? q.value : item.replace(/\s+#.*$/, '').trim()
          if (!q && /^[-|>[{&*!]/.test(text)) fail('list items must be rule strings')
          items.push(text)
        }
        if (key in out) fail(`duplicate rule ${JSON.stringify(key)}`)
        out[key] = items
        continue
      }
      while (i + 1 < lines.length && /^\s+[^\s#]/.test(lines[i + 1]!)) {
        i++
        value = `${value} ${lines[i]!.trim()}`.trim()
      }
      if (value === '~' || value === 'null') value = ''
    }
    if (key in out) fail(`duplicate rule ${JSON.stringify(key)}`)
    out[key] = value
  }
  return out
}

/** A 'single' ('' escapes a quote) or "double" (backslash escapes) quoted scalar at the start. */
function readQuoted(s: string): { value: string; rest: string } | null {
  if (s[0] === "'") {
    let v = ''
    for (let i = 1; i < s.length; i++) {
      if (s[i] === "'") {
        if (s[i + 1] === "'") {
          v += "'"
          i++
          continue
        }
        return { value: v, rest: s.slice(i + 1) }
      }
      v += s[i]
    }
    return null
  }
  if (s[0] === '"') {
    let v = ''
    for (let i = 1; i < s.length; i++) {
      const c = s[i]!
      if (c === '"') return { value: v, rest: s.slice(i + 1) }
      if (c === '\\') {
        const n = s[++i]
        const map: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', '/': '/', r: '\r', '0': '\0' }
        if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
          v += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16))
          i += 4
        } else if (n !== undefined && n in map) v += map[n]
        else return null
        continue
      }
      v += c
    }
    return null
  }
  return null
}

/**
 * oslo.config's find_file for `[oslo_policy] policy_file`: an absolute path as is; a relative one
 * in the --config-dir directories, then next to each --config-file (the last file's directory
 * first), then in ~/.neutron, ~, /etc/neutron, /etc. Null when not found (oslo.policy then runs
 * on the registered defaults).
 */
export function findPolicyFile(
  name: string,
  configFiles: readonly string[],
  home = process.env.HOME ?? '',
  configDirs: readonly string[] = [],
): string | null {
  if (isAbsolute(name)) return existsSync(name) ? name : null
  const dirs = [
    ...[...configDirs].reverse(),
    ...[...configFiles].reverse().map((f) => dirname(f)),
    ...(home ? [join(home, '.neutron'), home] : []),
    '/etc/neutron',
    '/etc',
  ]
  for (const d of dirs) {
    const p = join(d, name)
    if (existsSync(p)) return p
  }
  return null
}

export function loadPolicyFile(path: string): PolicyRules {
  return parsePolicyFile(readFileSync(path, 'utf8'), path)
}

/**
 * Checks the rules of a policy file before they are used, so that a mistake stops the server (or
 * a reload) with one line naming the file, the rule and what is wrong — where oslo.policy would
 * log it and deny everything that rule guards. Errors (PolicyFileError): a rule that does not
 * parse, a check without `kind:` (`admin` for `role:admin`), a malformed `field:` check, a
 * `tenant_id:` check that is not `%(field)s` (Neutron's OwnerCheck refuses it), rules that refer
 * to each other in a cycle. Returned as warnings: references to rules defined nowhere (they
 * evaluate the default rule, as in oslo).
 */
export function validatePolicyRules(rules: PolicyRules, filename: string, defaults: readonly PolicyDefault[]): string[] {
  const fail = (name: string, why: string): never => {
    throw new PolicyFileError(`${filename}: rule ${JSON.stringify(name)}: ${why}`)
  }
  const parsed = new Map<string, Check[]>()
  for (const [name, rule] of Object.entries(rules)) {
    const texts = typeof rule === 'string' ? [rule] : listRuleChecks(rule, (why) => fail(name, why))
    const checks: Check[] = []
    for (const text of texts) {
      const word = badWord(text)
      if (word) fail(name, word)
      try {
        checks.push(parseRuleStrict(text))
      } catch (e) {
        if (!(e instanceof PolicyParseError)) throw e
        fail(name, `${e.message} in ${JSON.stringify(text)}`)
      }
    }
    parsed.set(name, checks)
  }
  // Effective references: a rule from the file replaces the default of that name.
  const refs = new Map<string, string[]>()
  for (const d of defaults) {
    if (rules[d.name] !== undefined) continue
    const texts = [d.checkStr, ...(d.deprecatedCheckStr !== undefined ? [d.deprecatedCheckStr] : [])]
    refs.set(d.name, texts.flatMap((t) => { try { return ruleRefs(parseRuleStrict(t)) } catch { return [] } }))
  }
  for (const [name, checks] of parsed) refs.set(name, checks.flatMap(ruleRefs))
  const warnings: string[] = []
  for (const name of parsed.keys()) {
    for (const r of refs.get(name)!) {
      if (!refs.has(r)) warnings.push(`${filename}: rule ${JSON.stringify(name)} refers to undefined rule ${JSON.stringify(r)} (the default rule applies)`)
    }
  }
  // Cycles, found from the file's rules (defaults alone have none).
  const state = new Map<string, 'open' | 'done'>()
  const visit = (n: string, path: string[]): void => {
    const st = state.get(n)
    if (st === 'done') return
    if (st === 'open') {
      const cycle = path.slice(path.indexOf(n))
      fail(path[0]!, `rules refer to each other in a cycle: ${cycle.join(' -> ')}`)
    }
    state.set(n, 'open')
    for (const r of refs.get(n) ?? []) visit(r, [...path, r])
    state.set(n, 'done')
  }
  for (const name of parsed.keys()) visit(name, [name])
  return warnings
}

/** The check strings of the old list-of-lists form ([["a", "b"], ["c"]]). */
function listRuleChecks(rule: unknown[], fail: (why: string) => never): string[] {
  const out: string[] = []
  for (const inner of rule) {
    const list = typeof inner === 'string' ? [inner] : Array.isArray(inner) ? inner : fail('list rules must hold lists of strings')
    for (const c of list) out.push(typeof c === 'string' ? c : fail('list rules must hold lists of strings'))
  }
  return out
}

/** The first word of a rule oslo would silently turn into a failing check, explained; null if none. */
function badWord(text: string): string | null {
  for (let word of text.split(/\s+/)) {
    word = word.replace(/^\(+/, '').replace(/\)+$/, '')
    if (!word || /^(and|or|not)$/i.test(word) || word === '@' || word === '!' || /^(['"]).*\1$/.test(word)) continue
    const i = word.indexOf(':')
    if (i <= 0) return `${JSON.stringify(word)} is not a check (expected kind:match, e.g. role:${word})`
    const kind = word.slice(0, i)
    const match = word.slice(i + 1)
    if (kind === 'field' && !/^[^:=]+:[^=]+=./.test(match)) return `${JSON.stringify(word)}: a field check reads field:<collection>:<attribute>=<value>`
    if (kind === 'tenant_id' && !/^%\(.+\)s$/.test(match)) return `${JSON.stringify(word)}: a tenant_id check must match %(<field>)s`
  }
  return null
}

function ruleRefs(c: Check): string[] {
  switch (c.kind) {
    case 'rule':
      return [c.match]
    case 'not':
      return ruleRefs(c.rule)
    case 'and':
    case 'or':
      return c.rules.flatMap(ruleRefs)
    default:
      return []
  }
}
