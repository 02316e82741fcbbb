/**
 * The API server with `[DEFAULT] transport_url` (src/apps/server/agent-rpc.ts), against a real
 * private RabbitMQ: started while the broker is DOWN, the API serves; when the broker comes up
 * the three agent RPC servers declare their queues as server `[DEFAULT] host` and answer an
 * agent's call; API changes are cast; close() stops consuming.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { freePort, rabbitSkipReason, startRabbit, type RabbitNode } from '../../helpers/rabbitmq.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { listRows, transportFor, until } from './helpers.js'

describe('neutrino server with transport_url', { skip: rabbitSkipReason(), timeout: 180_000 }, () => {
  let node: RabbitNode | undefined
  let s: TestServer | undefined
  const agent = { t: undefined as ReturnType<typeof transportFor>['t'] | undefined }
  after(async () => {
    await agent.t?.close()
    await s?.close()
    await node?.stop()
  })

  it('serves the API with the broker down, consumes as [DEFAULT] host once it is up, stops on close', async () => {
    const port = await freePort()
    s = await startNeutrino({ ini: `
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:${port}/
host = nae-ctl
[oslo_messaging_rabbit]
rabbit_retry_interval = 1
rabbit_interval_max = 2
[ml2]
mechanism_drivers = openvswitch,l2population
` })
    assert.equal(s.app.agentRpc?.host, 'nae-ctl')
    // Broker down: the API still works.
    const net = await s.call('POST', '/v2.0/networks', { network: { name: 'while-down' } })
    assert.equal(net.status, 201)

    node = await startRabbit({ port })
    const queues = () => new Set(listRows(node!, 'queues', ['name']).map((r) => r[0]))
    await until('agent RPC queues declared', () => {
      const q = queues()
      return ['q-plugin', 'q-plugin.nae-ctl', 'q-reports-plugin', 'q-reports-plugin.nae-ctl', 'q-server-resource-versions'].every((n) => q.has(n))
    }, 60_000)

    // An agent's first call (the OVS agent loops on it until answered).
    agent.t = transportFor(node.url).t
    assert.equal(await agent.t.call({ topic: 'q-reports-plugin', version: '1.0' }, 'has_alive_neutron_server', {}, { timeoutMs: 30_000 }), true)
    // An API change is cast to the agents' fanout exchange once the broker is up.
    await s.call('PUT', `/v2.0/networks/${net.body.network.id}`, { network: { name: 'renamed' } })
    await until('network_update exchange', () => listRows(node!, 'exchanges', ['name']).some((r) => r[0] === 'q-agent-notifier-network-update_fanout'), 30_000)

    const consumers = () => Number(listRows(node!, 'queues', ['name', 'consumers']).find((r) => r[0] === 'q-plugin')?.[1] ?? -1)
    assert.equal(consumers(), 1)
    await s.close()
    s = undefined
    await until('q-plugin consumer gone', () => consumers() === 0, 30_000)
  })
})
