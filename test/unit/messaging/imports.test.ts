/** src/messaging stands alone: it imports only itself, node: builtins and amqplib (house style). */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { it } from 'node:test'

it('src/messaging imports nothing outside itself but node: and amqplib', () => {
  const dir = join(import.meta.dirname, '../../../src/messaging')
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))
  assert.ok(files.length >= 10)
  const bad: string[] = []
  for (const f of files) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!
      const ok = spec.startsWith('node:') || spec === 'amqplib' || /^\.\/[a-z0-9-]+\.js$/.test(spec)
      if (!ok) bad.push(`${f}: ${spec}`)
    }
  }
  assert.deepEqual(bad, [])
})
