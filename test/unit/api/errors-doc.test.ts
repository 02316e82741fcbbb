/** docs/errors.md lists exactly the exception classes of src/common/exceptions.ts (and its HTTP factories). */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import * as exceptions from '../../../src/common/exceptions.js'

const root = new URL('../../../', import.meta.url)
const source = readFileSync(new URL('src/common/exceptions.ts', root), 'utf8')
const doc = readFileSync(new URL('docs/errors.md', root), 'utf8')

/** First-column names of the markdown tables. */
function documented(): Set<string> {
  const out = new Set<string>()
  for (const line of doc.split('\n')) {
    const m = /^\|\s*([A-Za-z][A-Za-z0-9]*)\s*\|/.exec(line)
    if (m && m[1] !== 'Class' && m[1] !== 'Factory') out.add(m[1]!)
  }
  return out
}

describe('docs/errors.md drift', () => {
  const classes = [...source.matchAll(/^export (?:abstract )?class (\w+)/gm)].map((m) => m[1]!)
  const factories = [...source.matchAll(/^export const (http\w+)/gm)].map((m) => m[1]!)
  const doced = documented()

  it('documents every exception class and factory', () => {
    assert.ok(classes.length > 30)
    assert.deepEqual(classes.filter((c) => !doced.has(c)), [])
    assert.deepEqual(factories.filter((f) => !doced.has(f)), [])
  })

  it('documents nothing that does not exist', () => {
    const known = new Set([...classes, ...factories])
    assert.deepEqual([...doced].filter((d) => !known.has(d)), [])
  })

  it('the documented wire type is the class type', () => {
    for (const line of doc.split('\n')) {
      const m = /^\|\s*([A-Za-z]\w*)\s*\|\s*([A-Za-z]\w*)\s*\|\s*(\d{3})\s*\|/.exec(line)
      if (!m || !classes.includes(m[1]!)) continue
      const cls = (exceptions as Record<string, any>)[m[1]!]
      // Instantiate with placeholder arguments to read `type`.
      const inst = new cls(['a'], ['b'], ['c'])
      assert.equal(inst.type, m[2], `${m[1]} wire type`)
    }
  })
})
