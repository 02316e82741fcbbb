/**
 * Shared by `neutrino db current|history|check|upgrade`: the database of the loaded config, and
 * how a schema revision is shown (`7 (one index per lookup shape on ipallocations and ports)`).
 */
import type { Db } from '../../db/engine.js'
import { openDb } from '../../db/connect.js'
import { MIGRATIONS } from '../../db/migrations.js'
import type { CliIo, Parsed } from '../command.js'
import { loadCommandConfig } from '../config-args.js'

export const HEAD = MIGRATIONS.at(-1)!.version

export function describeRevision(version: number): string {
  if (version === 0) return '0 (empty: no schema yet)'
  const m = MIGRATIONS.find((x) => x.version === version)
  return m ? `${version} (${m.name})` : `${version} (unknown to this Neutrino, whose head is ${HEAD})`
}

export async function withConfiguredDb<T>(p: Parsed, io: CliIo, fn: (db: Db) => Promise<T>): Promise<T> {
  const { config } = loadCommandConfig(p, io)
  const db = openDb(config.database.connection)
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}
