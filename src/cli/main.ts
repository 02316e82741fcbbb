/**
 * `neutrino` command line: one file per command in src/cli/commands/, all parsed strictly
 * (node:util parseArgs): every command and subcommand has --help (what it does, its options, an
 * example) and --version, and an unknown option exits 2 with one line.
 *   neutrino server [--config-file F]... [--config-dir D]...   the Networking API server
 *   neutrino db upgrade|current|history|check [--config-file F]...
 *   neutrino db migrate-to-ml2 PLUGIN SOURCE_URL [...]        monolithic OVS/LB database → ML2 (docs/migration.md)
 *   neutrino controller [--config-file F]...                 the OpenDaylight-compatible SDN controller
 *   neutrino genconfig [DIR]                                 write neutron.conf.sample, ml2_conf.ini.sample
 * A bad config file prints one line (file:line: [section] option: reason) and exits 2; unknown
 * sections and options are warned about, one line each.
 */
import { ConfigError } from '../conf/index.js'
import { PolicyFileError } from '../policy/index.js'
import { type CliIo, type Command, runCommand } from './command.js'
import { dbCheckCommand } from './commands/db-check.js'
import { dbCurrentCommand } from './commands/db-current.js'
import { dbHistoryCommand } from './commands/db-history.js'
import { dbUpgradeCommand } from './commands/db-upgrade.js'
import { controllerCommand } from './commands/controller.js'
import { genconfigCommand } from './commands/genconfig.js'
import { serverCommand } from './commands/server.js'
import { runMigrateToMl2 } from './migrate.js'
import { packageVersion } from './version.js'
import { runNodeJoin } from './node-join.js'
import { runJournal } from './journal.js'

const DB_COMMANDS: Command[] = [dbUpgradeCommand, dbCurrentCommand, dbHistoryCommand, dbCheckCommand]
const MIGRATE_SUMMARY = 'migrate a Havana/Icehouse openvswitch or linuxbridge database to ML2'

function usage(): string {
  const rows: Array<[string, string]> = [
    ['server', serverCommand.summary],
    ...DB_COMMANDS.map((c): [string, string] => [c.name, c.summary]),
    ['db migrate-to-ml2', MIGRATE_SUMMARY],
    ['controller', controllerCommand.summary],
    ['node join', 'join this hypervisor\'s Open vSwitch to a controller'],
    ['journal', 'list|show|retry|purge the opendaylight driver\'s journal'],
    ['genconfig', genconfigCommand.summary],
  ]
  return [
    'usage: neutrino <command> [options]   (neutrino <command> --help for its options)',
    '',
    'OpenStack-Networking-compatible network service (Neutron API v2.0, ML2).',
    '',
    'commands:',
    ...rows.map(([n, s]) => `  ${n.padEnd(19)}  ${s}`),
    '',
    'options:',
    '  -h, --help           show this help and exit',
    '  --version            print the Neutrino version and exit',
    '',
    'example:',
    '  neutrino server --config-file /etc/neutrino/neutron.conf --config-file /etc/neutrino/ml2_conf.ini',
    '',
  ].join('\n')
}

function dbUsage(): string {
  return [
    'usage: neutrino db <subcommand> [options]   (neutrino db <subcommand> --help for its options)',
    '',
    'Manage the Neutrino database schema (like neutron-db-manage).',
    '',
    'subcommands:',
    ...DB_COMMANDS.map((c) => `  ${c.name.slice(3).padEnd(16)}  ${c.summary}`),
    `  ${'migrate-to-ml2'.padEnd(16)}  ${MIGRATE_SUMMARY}`,
    '',
    'example:',
    '  neutrino db check --config-file /etc/neutrino/neutron.conf',
    '',
  ].join('\n')
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env }
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await dispatch(argv, io)
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PolicyFileError) {
      io.stderr.write(`neutrino: ${e.message}\n`)
      return 2
    }
    io.stderr.write(`neutrino: ${(e as Error)?.message ?? e}\n`)
    return 1
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv
  switch (cmd) {
    case undefined:
      io.stderr.write(usage())
      return 2
    case '-h':
    case '--help':
    case 'help':
      io.stdout.write(usage())
      return 0
    case '--version':
      io.stdout.write(`neutrino ${packageVersion()}\n`)
      return 0
    case 'server':
      return runCommand(serverCommand, rest, io)
    case 'controller':
      return runCommand(controllerCommand, rest, io)
    case 'journal':
      return runJournal([...rest], io.stdout as NodeJS.WritableStream, io.stderr as NodeJS.WritableStream)
    case 'node':
      return runNodeJoin([...rest], { stdout: io.stdout as NodeJS.WritableStream, stderr: io.stderr as NodeJS.WritableStream })
    case 'genconfig':
      return runCommand(genconfigCommand, rest, io)
    case 'db':
      return dbDispatch(rest, io)
    default:
      io.stderr.write(`neutrino: ${cmd.startsWith('-') ? `unknown option '${cmd}'` : `unknown command '${cmd}'`} (see 'neutrino --help')\n`)
      return 2
  }
}

async function dbDispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined) {
    io.stderr.write(dbUsage())
    return 2
  }
  if (sub === '-h' || sub === '--help' || sub === 'help') {
    io.stdout.write(dbUsage())
    return 0
  }
  if (sub === '--version') {
    io.stdout.write(`neutrino ${packageVersion()}\n`)
    return 0
  }
  // migrate-to-ml2 names its databases on the command line and reads no config file.
  if (sub === 'migrate-to-ml2') return runMigrateToMl2([...rest], { stdout: io.stdout, stderr: io.stderr, isTTY: !!io.stderr.isTTY })
  const c = DB_COMMANDS.find((x) => x.name === `db ${sub}`)
  if (!c) {
    const known = [...DB_COMMANDS.map((x) => x.name.slice(3)), 'migrate-to-ml2'].join(', ')
    io.stderr.write(`neutrino db: ${sub.startsWith('-') ? `unknown option '${sub}'` : `unknown subcommand '${sub}'`} (one of: ${known}; see 'neutrino db --help')\n`)
    return 2
  }
  return runCommand(c, rest, io)
}
