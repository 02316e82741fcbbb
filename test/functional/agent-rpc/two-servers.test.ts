/**
 * Two Neutrino servers on one database behind one broker: q-plugin calls go round-robin, an
 * agent's retry lands on the other server, both may handle the same device at once — and each
 * status change is still notified exactly once (the compare-and-swap in ml2-backend.ts).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { TOPIC_L2POP } from '../../../src/agent-rpc/agent-casts.js'
import { buildAgentRpc, TOPIC_PLUGIN } from '../../../src/agent-rpc/agent-rpc-server.js'
import { L2populationMechanismDriver } from '../../../src/ml2/mech/mech-l2population.js'
import { ENGINES } from '../../helpers/api-engines.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { startPostgres, type PgServer } from '../../helpers/postgres.js'
import { FakeTransport } from '../../fakes/fake-transport.js'
import { INI, P1 } from '../../helpers/agent-rpc-harness.js'
import { loadSamples } from '../../helpers/agent-rpc-recorded.js'

const S = loadSamples()

for (const engine of ENGINES) {
  describe(`two servers share the agents (${engine.name})`, { skip: engine.skip }, () => {
    let pg: PgServer | undefined
    let dir: string | undefined
    const servers: TestServer[] = []
    const t = new FakeTransport()
    before(async () => {
      if (engine.name === 'postgres') pg = startPostgres()
      else dir = mkdtempSync(join(tmpdir(), 'nar-two-servers-'))
      const dbUrl = pg?.url ?? `sqlite:///${join(dir!, 'neutrino.sqlite')}`
      for (const name of ['ctl1', 'ctl2']) {
        const s = await startNeutrino({ ini: INI, dbUrl })
        servers.push(s)
        const l2pop = s.app.mechanismDrivers.find((d): d is L2populationMechanismDriver => d instanceof L2populationMechanismDriver) ?? null
        const rpc = buildAgentRpc({ plugin: s.app.plugin, tunnelTypes: new Set(s.app.plugin.core.typeManager.drivers.keys()), transport: t, log: s.log.child('agent-rpc'), l2pop })
        for (const { topic, endpoints, fanout } of rpc.topics) await t.rpcServer({ target: { topic, server: name }, endpoints, fanout }).start()
      }
    })
    after(async () => {
      await t.close()
      for (const s of servers) await s.close()
      pg?.stop()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('the same device reported up four times across both servers: one ACTIVE push, one l2pop announcement', async () => {
      const call = (method: string, version: string, args: unknown) => t.call({ topic: TOPIC_PLUGIN, version }, method, args as Record<string, unknown>)
      // Both agents report through whichever server the broker picks.
      for (const seq of [2, 12]) assert.equal(await t.call({ topic: 'q-reports-plugin', version: '1.2' }, 'report_state', S.get(seq)!.args), 'new')
      const [a, b] = servers as [TestServer, TestServer]
      const net = (await a.call('POST', '/v2.0/networks', { network: { name: 'n', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 1612 } }, P1)).body.network
      await b.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '203.0.113.0/24' } }, P1)
      const port = (await b.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv2', device_owner: 'compute:nova' } }, P1)).body.port
      const device = `tap${port.id.slice(0, 11)}`
      const details = await call('get_devices_details_list', '1.9', { devices: [device], agent_id: 'lb', host: 'hv2' })
      assert.equal((details as any[])[0].port_id, port.id)
      const before = t.casts.length
      const up = () => call('update_device_up', '1.9', { device, agent_id: 'lb', host: 'hv2' })
      // PostgreSQL: four at once. SQLite: one after the other (an agent's retry on the other
      // server) — two SQLite servers in ONE process would wait on each other's lock inside
      // better-sqlite3's synchronous busy handler, which blocks the event loop they share.
      if (engine.name === 'postgres') await Promise.all([up(), up(), up(), up()])
      else for (let i = 0; i < 4; i++) await up()
      const casts = t.casts.slice(before)
      const pushes = casts.filter((c) => c.method === 'push' && c.args.resource_list[0]['versioned_object.data'].status === 'ACTIVE')
      assert.equal(pushes.length, 1, JSON.stringify(casts.map((c) => c.method)))
      assert.equal(casts.filter((c) => c.target.topic === TOPIC_L2POP).length, 1)
      assert.equal((await a.call('GET', `/v2.0/ports/${port.id}`)).body.port.status, 'ACTIVE')
    })
  })
}
