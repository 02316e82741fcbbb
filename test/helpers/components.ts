/**
 * Tests that need a real component (ovsdb-server, PostgreSQL, the openstack CLI) call
 * `needComponent()`. Outside CI a missing component skips the test with a clear reason;
 * with CI=true it fails, because CI must never pass by skipping (developers' guide).
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/** Returns a skip reason (string) or undefined when all the commands exist; throws in CI. */
export function needComponent(what: string, commands: string[]): string | undefined {
  const missing = commands.filter((c) => (c.startsWith('/') ? !existsSync(c) : !which(c)))
  if (missing.length === 0) return undefined
  const msg = `${what} missing (${missing.join(', ')}); run scripts/install-test-deps.sh`
  if (process.env.CI === 'true') throw new Error(msg)
  return msg
}
