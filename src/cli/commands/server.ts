/** `neutrino server`: the Networking API server (src/apps/server/serve.ts). */
import { serve } from '../../apps/server/serve.js'
import type { Command } from '../command.js'
import { CONFIG_OPTIONS, loadCommandConfig } from '../config-args.js'

export const serverCommand: Command = {
  name: 'server',
  summary: 'run the OpenStack Networking API v2.0 server (ML2)',
  description: [
    'Runs the OpenStack Networking API v2.0 server (ML2) on [DEFAULT] bind_host:bind_port, after',
    'creating or upgrading the database schema. Prints "listening on http://HOST:PORT" when ready.',
    'SIGTERM stops it (and its api_workers) within graceful_shutdown_timeout; SIGHUP reopens log_file.',
    'Run it as the service command (etc/systemd/neutrino-server.service).',
  ].join('\n'),
  options: CONFIG_OPTIONS,
  example: 'neutrino server --config-file /etc/neutrino/neutron.conf --config-file /etc/neutrino/ml2_conf.ini',
  run(p, io) {
    const { config, files, dirs } = loadCommandConfig(p, io)
    return serve({ config, configFiles: files, configDirs: dirs, stdout: io.stdout })
  },
}
