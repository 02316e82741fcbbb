/** `neutrino db current`: the schema revision of the configured database, with its name. */
import { currentVersion } from '../../db/migrations.js'
import type { Command } from '../command.js'
import { CONFIG_OPTIONS } from '../config-args.js'
import { describeRevision, withConfiguredDb } from './db-revision.js'

export const dbCurrentCommand: Command = {
  name: 'db current',
  summary: 'print the database schema revision',
  description: 'Prints the schema revision of [database] connection and its name, like\n`neutron-db-manage current`. 0 means no schema yet.',
  options: CONFIG_OPTIONS,
  example: 'neutrino db current --config-file /etc/neutrino/neutron.conf',
  run: (p, io) =>
    withConfiguredDb(p, io, async (db) => {
      io.stdout.write(`${describeRevision(await currentVersion(db))}\n`)
      return 0
    }),
}
