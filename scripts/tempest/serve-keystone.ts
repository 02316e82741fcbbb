/**
 * Interim Neutrino server with auth_strategy = keystone, until src/apps/server/app.ts builds the
 * KeystoneAuth itself: loads the config files given as arguments, builds KeystoneAuth from
 * [keystone_authtoken] and hands it to buildApp (AppOptions.auth). Prints the same
 * `listening on http://IP:PORT` line as `neutrino server`; stops on SIGTERM/SIGINT.
 *
 *   node --import tsx scripts/tempest/serve-keystone.ts neutron.conf [more.conf...]
 */
import { createWriteStream } from 'node:fs'
import { keystoneAuthFromConfig } from '../../src/auth/index.js'
import { createLogger } from '../../src/common/log.js'
import { loadConfig } from '../../src/conf/index.js'
import { buildApp } from '../../src/apps/server/app.js'

const files = process.argv.slice(2)
if (files.length === 0) {
  process.stderr.write('usage: serve-keystone.ts CONFIG_FILE...\n')
  process.exit(2)
}
const config = loadConfig({ files })
const stream = config.DEFAULT.log_file ? createWriteStream(config.DEFAULT.log_file, { flags: 'a' }) : null
const log = createLogger({ level: config.DEFAULT.debug ? 'debug' : 'info', write: stream ? (l) => stream.write(l + '\n') : undefined })
const auth = keystoneAuthFromConfig(config.keystone_authtoken, log.child('auth'))
const app = await buildApp({ config, log, auth })
const addr = await app.api.listen(config.DEFAULT.bind_port, config.DEFAULT.bind_host)
log.info(`Neutrino API (keystone auth, interim) listening on http://${addr.address}:${addr.port}`)
process.stdout.write(`listening on http://${addr.address}:${addr.port}\n`)
await new Promise<void>((resolve) => {
  process.once('SIGTERM', resolve)
  process.once('SIGINT', resolve)
})
await app.close()
