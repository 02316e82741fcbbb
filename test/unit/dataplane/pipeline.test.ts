import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { nodeFlows } from '../../../src/dataplane/node-flows.js'
import { goto, PIPELINE, renderPipelineMarkdown, T, TABLE_NAMES } from '../../../src/dataplane/pipeline.js'
import { threeNodes } from '../../fixtures/dataplane-states.js'

describe('dataplane pipeline declaration', () => {
  it('goto refuses an undeclared jump and allows a declared one', () => {
    assert.equal(goto('CLASSIFIER', 'PORT_SECURITY'), 'goto_table:10')
    assert.throws(() => goto('CLASSIFIER', 'OUTPUT'), /CLASSIFIER may not jump to OUTPUT/)
    assert.throws(() => goto('FLOOD', 'OUTPUT'), /declared next: none/)
  })

  it('numbers are unique, jumps go forward, misses are declared jumps', () => {
    const nums = TABLE_NAMES.map((n) => PIPELINE[n].number)
    assert.equal(new Set(nums).size, nums.length)
    for (const n of TABLE_NAMES) {
      const d = PIPELINE[n]
      for (const x of d.next) assert.ok(T(x) > d.number, `${n} -> ${x} goes forward`)
      if (d.miss !== 'drop') assert.ok(d.next.includes(d.miss.goto), `${n} miss goes to a declared next table`)
    }
  })

  it('every computed flow jumps only where its table may', () => {
    const byNumber = new Map(TABLE_NAMES.map((n) => [PIPELINE[n].number, PIPELINE[n]]))
    for (const id of ['hv1', 'hv2', 'hv3']) {
      for (const f of nodeFlows(threeNodes(), id)) {
        const decl = byNumber.get(f.table)
        assert.ok(decl, `flow in undeclared table ${f.table}`)
        for (const a of f.actions) {
          const m = /^goto_table:(\d+)$/.exec(a) ?? /^ct\(table=(\d+)/.exec(a)
          if (m) assert.ok(decl.next.some((x) => T(x) === Number(m[1])), `table ${f.table} jumps to ${m[1]}`)
        }
      }
    }
  })

  it('docs/dataplane.md carries the pipeline table as declared (drift)', () => {
    const doc = readFileSync(new URL('../../../docs/dataplane.md', import.meta.url), 'utf8')
    const m = /<!-- pipeline:begin -->\n([\s\S]*?)\n<!-- pipeline:end -->/.exec(doc)
    assert.ok(m, 'docs/dataplane.md has the pipeline markers')
    assert.equal(m[1], renderPipelineMarkdown(), 'regenerate with: node --import tsx -e "import(\'./src/dataplane/pipeline.ts\').then(m=>console.log(m.renderPipelineMarkdown()))"')
  })
})
