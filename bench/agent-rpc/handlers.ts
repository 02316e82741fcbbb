/**
 * Server-side cost of the agent RPC handlers, in process: the FakeTransport routes each call to
 * the endpoints with JSON encode/decode both ways (what the broker path adds on top is the AMQP
 * round trip, measured with the full-stack bench). Per engine (SQLite; PostgreSQL when installed):
 *   - get_devices_details_list of 100 LB devices (p50/p99 of 20, after the first that sets BUILD);
 *   - bulk_pull of 100 Ports by id (p50/p99 of 20);
 *   - report_state: 1,000 scripted agents, first reports (new) then periodic ones (alive), 8 in flight.
 * node --import tsx bench/agent-rpc/handlers.ts [--engine sqlite|postgres|both]
 */
import { performance } from 'node:perf_hooks'
import { buildAgentRpc, startAgentRpc, TOPIC_PLUGIN } from '../../src/agent-rpc/agent-rpc-server.js'
import { startNeutrino } from '../../test/helpers/neutrino.js'
import { pgSkipReason, startPostgres } from '../../test/helpers/postgres.js'
import { FakeTransport } from '../../test/fakes/fake-transport.js'

const INI = `[ml2]
mechanism_drivers = openvswitch,linuxbridge,l2population
tenant_network_types = vxlan
[ml2_type_vxlan]
vni_ranges = 1000:2000
[DEFAULT]
agent_down_time = 3600
`
const P1 = { 'X-Project-Id': 'p1', 'X-Roles': 'admin' }

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!

async function run(engine: 'sqlite' | 'postgres') {
  const pg = engine === 'postgres' ? startPostgres() : undefined
  const s = await startNeutrino({ ini: INI, dbUrl: pg?.url })
  const t = new FakeTransport()
  const rpc = buildAgentRpc({ plugin: s.app.plugin, tunnelTypes: new Set(s.app.plugin.core.typeManager.drivers.keys()), transport: t, log: s.log })
  await startAgentRpc(rpc, t, 'ctl')
  const call = (topic: string, method: string, version: string, args: Record<string, unknown>) => t.call({ topic, version }, method, args)
  const state = (host: string, type: string, binary: string, start: boolean) => ({
    agent_state: { agent_state: {
      binary, host, topic: 'N/A', agent_type: type, ...(start ? { start_flag: true, resource_versions: { Port: '1.7' } } : {}),
      configurations: { tunnel_types: ['vxlan'], tunneling_ip: '198.51.100.1', l2_population: true, bridge_mappings: {}, interface_mappings: {} },
    } },
    time: new Date().toISOString().slice(0, 23),
  })
  try {
    await call('q-reports-plugin', 'report_state', '1.2', state('hv2', 'Linux bridge agent', 'neutron-linuxbridge-agent', true))
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'b' } }, P1)).body.network
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/16' } }, P1)
    const ports: string[] = []
    for (let i = 0; i < 100; i++) {
      ports.push((await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv2', device_owner: 'compute:nova' } }, P1)).body.port.id)
    }
    const devices = ports.map((id) => `tap${id.slice(0, 11)}`)
    await call(TOPIC_PLUGIN, 'get_devices_details_list', '1.9', { devices, agent_id: 'lb', host: 'hv2' })
    const details: number[] = []
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now()
      await call(TOPIC_PLUGIN, 'get_devices_details_list', '1.9', { devices, agent_id: 'lb', host: 'hv2' })
      details.push(performance.now() - t0)
    }
    const pulls: number[] = []
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now()
      await call(TOPIC_PLUGIN, 'bulk_pull', '1.1', { resource_type: 'Port', version: '1.7', filter_kwargs: { id: ports } })
      if (i) pulls.push(performance.now() - t0)
    }
    const reports = async (start: boolean) => {
      const t0 = performance.now()
      let next = 0
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < 1000) {
          const i = next++
          await call('q-reports-plugin', 'report_state', '1.2', state(`bench-${i}`, 'Open vSwitch agent', 'neutron-openvswitch-agent', start))
        }
      }))
      return 1000 / ((performance.now() - t0) / 1000)
    }
    const firstRate = await reports(true)
    const aliveRate = await reports(false)
    console.log(`${engine}: get_devices_details_list(100) p50 ${pct(details, 50).toFixed(1)} ms p99 ${pct(details, 99).toFixed(1)} ms; ` +
      `bulk_pull Port(100) p50 ${pct(pulls, 50).toFixed(1)} ms p99 ${pct(pulls, 99).toFixed(1)} ms; ` +
      `report_state first ${firstRate.toFixed(0)}/s, periodic ${aliveRate.toFixed(0)}/s`)
  } finally {
    await s.close()
    pg?.stop()
  }
}

const arg = process.argv.indexOf('--engine')
const which = arg > 0 ? process.argv[arg + 1] : 'both'
for (const e of ['sqlite', 'postgres'] as const) {
  if (which !== 'both' && which !== e) continue
  if (e === 'postgres' && pgSkipReason()) {
    console.log(`postgres: skipped (${pgSkipReason()})`)
    continue
  }
  await run(e)
}
