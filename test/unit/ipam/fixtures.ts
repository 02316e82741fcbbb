/** Loads the test fixtures: netaddr 0.8.0 answers and copies of real Neutron (Zed) responses. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const fixturesDir = join(here, 'fixtures')

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8')) as T
}

export function reference<T = any>(name: string): T {
  return fixture<T>(join('reference', name))
}

/** The shared reference folder, when this checkout has one beside it (to check the copies). */
export function sharedReferenceDir(): string | undefined {
  const candidates = [join(here, '../../../../shared/reference/neutron'), '/work/shared/reference/neutron']
  return candidates.find((d) => existsSync(join(d, '_index.json')))
}
