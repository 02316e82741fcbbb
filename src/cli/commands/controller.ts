/**
 * `neutrino controller`: the OpenDaylight-compatible SDN controller (docs/controller.md). Same
 * conventions as the server: layered --config-file / --config-dir, one line and exit 2 for a bad
 * config, warnings for unknown options, SIGTERM/SIGINT stop it cleanly.
 */
import { buildController } from '../../apps/controller/app.js'
import { createLogger } from '../../common/log.js'
import { type ControllerConfig, controllerSchema } from '../../conf/controller-opts.js'
import { loadConfig } from '../../conf/index.js'
import type { Command } from '../command.js'
import { CONFIG_OPTIONS, configSources } from '../config-args.js'

export const controllerCommand: Command = {
  name: 'controller',
  summary: 'run the OpenDaylight-compatible SDN controller',
  description: [
    'Runs the OpenDaylight-compatible SDN controller: the Neutron northbound networking-odl speaks',
    '(/controller/nb/v2/neutron on [controller] northbound_port, default 8181) with a durable store',
    '([database] connection, default sqlite:///$state_path/controller.sqlite), and the southbound that',
    "programs every hypervisor's Open vSwitch: OVSDB nodes that dial [controller] ovsdb_listen",
    '(`neutrino node join` / ovs-vsctl set-manager) or that it dials ([controller] ovsdb_nodes), and',
    "the integration bridges' OpenFlow connections to [controller] openflow_listen. Per node it logs",
    '"node ID: flow_mods=N ovsdb_ops=M flows=F" after each reconciliation. Prints',
    '"northbound listening on http://HOST:PORT/controller/nb/v2/neutron" when ready; SIGTERM stops it.',
  ].join('\n'),
  options: CONFIG_OPTIONS,
  example: 'neutrino controller --config-file /etc/neutrino/controller.conf',
  async run(p, io) {
    const config = loadConfig({
      schema: controllerSchema,
      sources: configSources(p),
      env: io.env,
      warn: (line) => io.stderr.write(`neutrino: warning: ${line}\n`),
    }) as ControllerConfig
    const log = createLogger({ level: config.DEFAULT.debug ? 'debug' : 'info', name: 'neutrino.controller' })
    const app = await buildController({ config, log })
    log.info(`northbound listening on ${app.northboundUrl}`)
    // Tests start the controller on port 0 and read the chosen port from this line on stdout.
    io.stdout.write(`northbound listening on ${app.northboundUrl}\n`)
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve)
      process.once('SIGINT', resolve)
    })
    log.info('stopping')
    await app.close()
    return 0
  },
}
