/**
 * The API server with `agentRpc: { transport, host }`: the agents' topics are served as RPC
 * server `host`, API changes are notified, and close() stops the RPC servers.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildApp } from '../../../src/apps/server/app.js'
import { memoryLogger } from '../../../src/common/log.js'
import { buildConfig, parseIni } from '../../../src/conf/index.js'
import { TEST_INI } from '../../helpers/neutrino.js'
import { httpCall } from '../../helpers/http.js'
import { FakeTransport } from '../../fakes/fake-transport.js'
import { INI, P1 } from '../../helpers/agent-rpc-harness.js'
import { loadSamples } from '../../helpers/agent-rpc-recorded.js'

describe('API server with agent RPC', () => {
  it('serves the agents as server ctl, notifies API changes, stops on close', async () => {
    const files = [parseIni(TEST_INI, 'defaults.conf'), parseIni(INI, 'test.conf'), parseIni('[database]\nconnection = sqlite://\n', 'db.conf')]
    const { config } = buildConfig(files, { env: {}, warn: () => {} })
    const t = new FakeTransport()
    const app = await buildApp({ config, log: memoryLogger(), agentRpc: { transport: t, host: 'ctl' } })
    try {
      const addr = await app.api.listen(0, '127.0.0.1')
      const call = (m: string, p: string, b?: unknown) => httpCall(`http://127.0.0.1:${addr.port}`, m, p, b, P1)
      assert.equal(await t.call({ topic: 'q-reports-plugin', server: 'ctl', version: '1.2' }, 'report_state', loadSamples().get(12)!.args), 'new')
      const net = (await call('POST', '/v2.0/networks', { network: { name: 'n' } })).body.network
      await call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24' } })
      const port = (await call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv2', device_owner: 'compute:nova' } })).body.port
      assert.equal(port['binding:vif_type'], 'bridge')
      await app.agentRpc!.drain()
      assert.ok(t.castsTo('neutron-vo-Port-1.7').length >= 1)
      await t.call({ topic: 'q-plugin', version: '1.9' }, 'update_device_up', { device: `tap${port.id.slice(0, 11)}`, host: 'hv2', agent_id: 'lb' })
      assert.equal((await call('GET', `/v2.0/ports/${port.id}`)).body.port.status, 'ACTIVE')
    } finally {
      await app.close()
    }
    await assert.rejects(t.call({ topic: 'q-plugin', version: '1.9' }, 'update_device_up', { device: 'x' }), /Timed out/)
  })
})
