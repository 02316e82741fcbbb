/**
 * `neutrino` command line:
 *   neutrino server [--config-file F]... [--config-dir D]   the Networking API server
 *   neutrino db upgrade [--config-file F]...                create / upgrade the schema
 *   neutrino db current [--config-file F]...                print the schema version
 *   neutrino db migrate-to-ml2 PLUGIN SOURCE_URL [...]       monolithic OVS/LB database → ML2 (docs/migration.md)
 *   neutrino genconfig [DIR]                                write neutron.conf.sample, ml2_conf.ini.sample
 * A bad config file prints one line (file:line: [section] option: reason) and exits 2.
 */
import cluster from 'node:cluster'
import { createWriteStream } from 'node:fs'
import { ConfigError, loadConfig, parseArgs, writeSamples, type NeutrinoConfig } from '../conf/index.js'
import { createLogger, type Logger } from '../common/log.js'
import { openDb } from '../db/connect.js'
import { currentVersion, upgrade } from '../db/migrations.js'
import { buildApp } from '../apps/server/app.js'
import { PolicyFileError } from '../policy/index.js'
import { runMigrateToMl2 } from './migrate.js'
import { runController } from './controller.js'
import { runJournal } from './journal.js'

const USAGE = `usage: neutrino <command> [--config-file FILE]... [--config-dir DIR]

commands:
  server        run the OpenStack Networking API v2.0 server (ML2)
  db upgrade    create or upgrade the database schema
  db current    print the database schema version
  db migrate-to-ml2 {openvswitch|linuxbridge} SOURCE_DB_URL [--target DB_URL]
                [--tunnel-type gre|vxlan] [--vxlan-udp-port N] [--dry-run] [--save-tables] [--force]
                migrate a Havana/Icehouse monolithic plugin database to ML2
  controller    run the OpenDaylight-compatible SDN controller (neutrino controller --help)
  journal       list|show|retry|purge the opendaylight driver's journal (neutrino journal --help)
  genconfig     write sample config files (default: ./etc)
`

export async function main(argv: string[]): Promise<number> {
  const cmd = argv[0]
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    process.stdout.write(USAGE)
    return cmd ? 0 : 2
  }
  try {
    switch (cmd) {
      case 'server':
        return await server(argv.slice(1))
      case 'db':
        return await dbCommand(argv.slice(1))
      case 'controller':
        return await runController(argv.slice(1))
      case 'journal':
        return await runJournal(argv.slice(1))
      case 'genconfig': {
        const dir = argv[1] ?? 'etc'
        writeSamples(dir)
        process.stdout.write(`wrote sample config files to ${dir}\n`)
        return 0
      }
      default:
        process.stderr.write(`neutrino: unknown command '${cmd}'\n${USAGE}`)
        return 2
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PolicyFileError) {
      process.stderr.write(`neutrino: ${e.message}\n`)
      return 2
    }
    process.stderr.write(`neutrino: ${(e as Error)?.message ?? e}\n`)
    return 1
  }
}

function load(args: string[]): { config: NeutrinoConfig; rest: string[]; files: readonly string[]; dirs: readonly string[] } {
  const parsed = parseArgs(args)
  return { config: loadConfig({ sources: parsed.sources }), rest: [...parsed.rest], files: parsed.files, dirs: parsed.dirs }
}

function logger(cfg: NeutrinoConfig, name = 'neutrino'): Logger {
  const file = cfg.DEFAULT.log_file
  const stream = file ? createWriteStream(file, { flags: 'a' }) : null
  return createLogger({
    name,
    level: cfg.DEFAULT.debug ? 'debug' : 'info',
    write: stream ? (l) => stream.write(l + '\n') : undefined,
  })
}

async function dbCommand(args: string[]): Promise<number> {
  const sub = args[0]
  // migrate-to-ml2 names its databases on the command line and reads no config file.
  if (sub === 'migrate-to-ml2') {
    return runMigrateToMl2(args.slice(1), { stdout: process.stdout, stderr: process.stderr, isTTY: !!process.stderr.isTTY })
  }
  const { config } = load(args.slice(1))
  const db = openDb(config.database.connection)
  try {
    if (sub === 'upgrade') {
      const applied = await upgrade(db)
      process.stdout.write(applied.length ? `applied migrations ${applied.join(', ')} to ${db.description}\n` : `${db.description} is up to date\n`)
      return 0
    }
    if (sub === 'current') {
      process.stdout.write(`${await currentVersion(db)}\n`)
      return 0
    }
    process.stderr.write(`neutrino db: unknown subcommand '${sub ?? ''}' (upgrade, current)\n`)
    return 2
  } finally {
    await db.close()
  }
}

async function server(args: string[]): Promise<number> {
  const { config, files: configFiles, dirs: configDirs } = load(args)
  const workers = config.DEFAULT.api_workers
  if (workers > 1 && cluster.isPrimary) {
    // The primary upgrades the schema and syncs allocation tables once, then forks the workers,
    // which share the listening socket (node:cluster round-robin).
    const log = logger(config, 'neutrino.primary')
    const app = await buildApp({ config, log, configFiles, configDirs })
    await app.close()
    for (let i = 0; i < workers; i++) cluster.fork({ NEUTRINO_WORKER: String(i) })
    log.info(`started ${workers} API workers on ${config.DEFAULT.bind_host}:${config.DEFAULT.bind_port}`)
    cluster.on('exit', (w, code, signal) => log.warn(`API worker ${w.process.pid} exited (${signal ?? code})`))
    await new Promise<void>((resolve) => {
      const stop = () => {
        for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM')
        resolve()
      }
      process.once('SIGTERM', stop)
      process.once('SIGINT', stop)
    })
    return 0
  }
  const log = logger(config, cluster.isWorker ? `neutrino.worker${process.env.NEUTRINO_WORKER}` : 'neutrino')
  const app = await buildApp({ config, log, skipInit: cluster.isWorker, configFiles, configDirs })
  const addr = await app.api.listen(config.DEFAULT.bind_port, config.DEFAULT.bind_host)
  log.info(`Neutrino API listening on http://${addr.address}:${addr.port} (database ${app.db.description})`)
  // Tests start the server on port 0 and read the chosen port from this line on stdout.
  if (!cluster.isWorker) process.stdout.write(`listening on http://${addr.address}:${addr.port}\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve)
    process.once('SIGINT', resolve)
  })
  log.info('shutting down')
  await app.close()
  return 0
}
