/**
 * `neutrino db history`: every schema revision this Neutrino knows, oldest first, marking which
 * the configured database has (with when it was applied) and which is current; without a config
 * file naming a database it still lists the revisions (`--offline` skips the database).
 */
import type { Db } from '../../db/engine.js'
import { currentVersion, MIGRATIONS } from '../../db/migrations.js'
import type { Command } from '../command.js'
import { CONFIG_OPTIONS } from '../config-args.js'
import { withConfiguredDb } from './db-revision.js'

export const dbHistoryCommand: Command = {
  name: 'db history',
  summary: 'list the schema revisions and which are applied',
  description: 'Lists the schema revisions, oldest first: number, name, and for the configured\ndatabase whether it is applied (and when) and which one is current (like `neutron-db-manage history`).',
  options: { ...CONFIG_OPTIONS, offline: { type: 'boolean', help: 'list the revisions without opening the database' } },
  example: 'neutrino db history --config-file /etc/neutrino/neutron.conf',
  async run(p, io) {
    if (p.values.offline) {
      for (const m of MIGRATIONS) io.stdout.write(`${m.version}  ${m.name}\n`)
      return 0
    }
    return withConfiguredDb(p, io, async (db) => {
      const cur = await currentVersion(db)
      const applied = await appliedAt(db)
      for (const m of MIGRATIONS) {
        const when = applied.get(m.version)
        const mark = m.version === cur ? ' (current)' : ''
        io.stdout.write(`${m.version}  ${m.name}  ${when ? `applied ${when}` : 'pending'}${mark}\n`)
      }
      return 0
    })
  },
}

async function appliedAt(db: Db): Promise<Map<number, string>> {
  const rows = await db.all<{ version: number; applied_at: string }>('SELECT version, applied_at FROM neutrino_schema_version ORDER BY version')
  return new Map(rows.map((r) => [Number(r.version), r.applied_at]))
}
