/**
 * Starts a Neutrino API server in-process for a test: config from INI text (layered over test
 * defaults), database SQLite in memory unless `dbUrl` is given, listening on an ephemeral port.
 * `call()` speaks HTTP to it like any client would.
 */
import { buildConfig, parseIni, type NeutrinoConfig } from '../../src/conf/index.js'
import { memoryLogger } from '../../src/common/log.js'
import type { MechanismDriver } from '../../src/ml2/driver-api.js'
import { buildApp, type App } from '../../src/apps/server/app.js'
import { httpCall } from './http.js'

export const TEST_INI = `
[DEFAULT]
bind_port = 0
state_path = /nonexistent-neutrino-test-state
[ml2]
type_drivers = local,flat,vlan,gre,vxlan
project_network_types = vxlan,vlan
mechanism_drivers = logger,test
[ml2_type_flat]
flat_networks = *
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:199,physnet2
[ml2_type_gre]
tunnel_id_ranges = 1:100
[ml2_type_vxlan]
vni_ranges = 1:1000
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
`

export interface TestServer {
  url: string
  app: App
  config: NeutrinoConfig
  log: ReturnType<typeof memoryLogger>
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>
  close(): Promise<void>
}

export async function startNeutrino(
  opts: { ini?: string; dbUrl?: string; mechanismDrivers?: MechanismDriver[]; now?: () => Date } = {},
): Promise<TestServer> {
  const files = [parseIni(TEST_INI, 'test-defaults.conf')]
  if (opts.ini) files.push(parseIni(opts.ini, 'test.conf'))
  files.push(parseIni(`[database]\nconnection = ${opts.dbUrl ?? 'sqlite://'}\n`, 'test-db.conf'))
  const { config } = buildConfig(files, { env: {}, warn: () => {} })
  const log = memoryLogger()
  const app = await buildApp({ config, log, mechanismDrivers: opts.mechanismDrivers, now: opts.now })
  const addr = await app.api.listen(0, '127.0.0.1')
  const url = `http://127.0.0.1:${addr.port}`
  return {
    url,
    app,
    config,
    log,
    call: (method, path, body, headers = {}) => httpCall(url, method, path, body, headers),
    close: () => app.close(),
  }
}
