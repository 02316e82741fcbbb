/**
 * The healthcheck's database check (api/healthcheck.ts): a `SELECT 1` that must answer within
 * the timeout. A database that is down makes the healthcheck answer 503, as the API itself does
 * meanwhile, and 200 again once it is back.
 */
import type { HealthResult } from '../../api/healthcheck.js'
import type { Db } from '../../db/engine.js'

export function databaseCheck(db: Db, timeoutMs: number): () => Promise<HealthResult> {
  return async () => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      await Promise.race([db.get('SELECT 1 AS ok'), timeout])
      return { available: true, reason: 'OK', kind: 'DatabaseCheck', details: db.description }
    } catch (e) {
      return { available: false, reason: 'database unreachable', kind: 'DatabaseCheck', details: `${db.description}: ${(e as Error)?.message ?? e}` }
    } finally {
      clearTimeout(timer)
    }
  }
}
