/** `neutrino db upgrade`: create or upgrade the schema (the server also does it at start). */
import { upgrade } from '../../db/migrations.js'
import type { Command } from '../command.js'
import { CONFIG_OPTIONS } from '../config-args.js'
import { describeRevision, withConfiguredDb } from './db-revision.js'

export const dbUpgradeCommand: Command = {
  name: 'db upgrade',
  summary: 'create or upgrade the database schema',
  description: 'Applies every pending schema migration to [database] connection, each in its own\ntransaction; safe to run while servers are running and from several hosts at once.',
  options: CONFIG_OPTIONS,
  example: 'neutrino db upgrade --config-file /etc/neutrino/neutron.conf',
  run: (p, io) =>
    withConfiguredDb(p, io, async (db) => {
      const applied = await upgrade(db)
      io.stdout.write(applied.length ? `applied migrations ${applied.join(', ')} to ${db.description}; now at ${describeRevision(applied.at(-1)!)}\n` : `${db.description} is up to date\n`)
      return 0
    }),
}
