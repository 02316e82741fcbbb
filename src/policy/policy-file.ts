/**
 * Reads an oslo.policy override file: JSON (`{"rule": "check"}`, the old list-of-lists values
 * too) or the YAML subset policy.yaml files use — one `key: value` mapping per line, keys and
 * values plain, 'single' or "double" quoted, `#` comments, blank lines, and quoted values that
 * continue on more indented lines (folded with one space, as YAML does). Anything else is an error
 * with its line number, so a typo never silently drops a rule.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'

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
  const out: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
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
 * next to each --config-file, then in ~/.neutron, ~, /etc/neutron, /etc. Null when not found
 * (oslo.policy then runs on the registered defaults).
 */
export function findPolicyFile(name: string, configFiles: readonly string[], home = process.env.HOME ?? ''): string | null {
  if (isAbsolute(name)) return existsSync(name) ? name : null
  const dirs = [...configFiles.map((f) => dirname(f)), ...(home ? [join(home, '.neutron'), home] : []), '/etc/neutron', '/etc']
  for (const d of dirs) {
    const p = join(d, name)
    if (existsSync(p)) return p
  }
  return null
}

export function loadPolicyFile(path: string): PolicyRules {
  return parsePolicyFile(readFileSync(path, 'utf8'), path)
}
