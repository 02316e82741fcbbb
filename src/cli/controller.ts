/**
 * `neutrino controller --config-file FILE …`: the OpenDaylight-compatible SDN controller process
 * (docs/controller.md). Same conventions as the server: layered --config-file / --config-dir,
 * one line and exit 2 for a bad config or an unknown option, SIGTERM/SIGINT stop it cleanly.
 */
import { parseArgs } from 'node:util'
import { buildController } from '../apps/controller/app.js'
import { createLogger } from '../common/log.js'
import { type ControllerConfig, controllerSchema } from '../conf/controller-opts.js'
import { ConfigError, loadConfig } from '../conf/index.js'

export const CONTROLLER_HELP = `usage: neutrino controller [--config-file FILE]... [--config-dir DIR]...

Runs the OpenDaylight-compatible SDN controller: the Neutron northbound networking-odl speaks
(/controller/nb/v2/neutron on [controller] northbound_port, default 8181) with a durable store
([database] connection, default sqlite:///$state_path/controller.sqlite), and the southbound that
programs every hypervisor's Open vSwitch: OVSDB nodes that dial [controller] ovsdb_listen
(\`neutrino node join\` / ovs-vsctl set-manager) or that it dials ([controller] ovsdb_nodes), and
the integration bridges' OpenFlow connections to [controller] openflow_listen. Per node it logs
"node ID: flow_mods=N ovsdb_ops=M flows=F" after each reconciliation.

options:
  --config-file FILE   INI file ([DEFAULT], [database], [controller]); repeatable, later wins
  --config-dir DIR     read DIR/*.conf after the files; repeatable
  -h, --help           show this help

example:
  neutrino controller --config-file /etc/neutrino/controller.conf
`

export async function runController(argv: string[], o: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = o.stdout ?? process.stdout
  const err = o.stderr ?? process.stderr
  let args
  try {
    args = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'config-file': { type: 'string', multiple: true },
        'config-dir': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (e) {
    err.write(`neutrino controller: ${(e as Error).message}\n`)
    return 2
  }
  if (args.values.help) {
    out.write(CONTROLLER_HELP)
    return 0
  }
  let config: ControllerConfig
  try {
    config = loadConfig({
      schema: controllerSchema,
      files: args.values['config-file'] ?? [],
      dirs: args.values['config-dir'] ?? [],
      warn: (line) => err.write(`neutrino controller: warning: ${line}\n`),
    }) as ControllerConfig
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`neutrino controller: ${e.message}\n`)
      return 2
    }
    throw e
  }
  const log = createLogger({ level: config.DEFAULT.debug ? 'debug' : 'info', name: 'neutrino.controller' })
  const app = await buildController({ config, log })
  log.info(`northbound listening on ${app.northboundUrl}`)
  // Tests start the controller on port 0 and read the chosen port from this line on stdout.
  out.write(`northbound listening on ${app.northboundUrl}\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  log.info('stopping')
  await app.close()
  return 0
}
