/**
 * The project's shared/ folder (specs, recorded references, labs): beside the checkout
 * (`../shared`, as CI lays it out) or at /work/shared on a developer machine.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const candidates = [join(import.meta.dirname, '../../../shared'), '/work/shared']

export function sharedDir(...parts: string[]): string {
  for (const c of candidates) if (existsSync(join(c, 'reference'))) return join(c, ...parts)
  throw new Error(`shared/ not found (looked in ${candidates.join(', ')})`)
}
