/**
 * `neutrino db check`: are migrations pending? Exit 0 when the database is at this Neutrino's head
 * revision, 1 when revisions are pending (listed), 3 when the database is newer than this
 * Neutrino (a downgrade of the code) — `neutron-db-manage check_migration`'s role, for scripts and
 * deploy tooling.
 */
import { currentVersion, MIGRATIONS } from '../../db/migrations.js'
import type { Command } from '../command.js'
import { CONFIG_OPTIONS } from '../config-args.js'
import { describeRevision, HEAD, withConfiguredDb } from './db-revision.js'

export const dbCheckCommand: Command = {
  name: 'db check',
  summary: 'exit 0 if the schema is current, 1 if migrations are pending',
  description: [
    'Compares the schema revision of [database] connection with this Neutrino\'s head revision.',
    'Exit status: 0 up to date; 1 migrations pending (listed; run `neutrino db upgrade`);',
    '3 the database is newer than this Neutrino; 2 bad usage or config.',
  ].join('\n'),
  options: CONFIG_OPTIONS,
  example: 'neutrino db check --config-file /etc/neutrino/neutron.conf || neutrino db upgrade --config-file /etc/neutrino/neutron.conf',
  run: (p, io) =>
    withConfiguredDb(p, io, async (db) => {
      const cur = await currentVersion(db)
      if (cur === HEAD) {
        io.stdout.write(`up to date at ${describeRevision(cur)}\n`)
        return 0
      }
      if (cur > HEAD) {
        io.stdout.write(`database at revision ${cur} is newer than this Neutrino (head ${describeRevision(HEAD)})\n`)
        return 3
      }
      const pending = MIGRATIONS.filter((m) => m.version > cur)
      io.stdout.write(`${pending.length} migration(s) pending (database at ${describeRevision(cur)}):\n`)
      for (const m of pending) io.stdout.write(`  ${m.version}  ${m.name}\n`)
      return 1
    }),
}
