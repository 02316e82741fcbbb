/**
 * The agent extension over HTTP on SQLite and PostgreSQL: agents appear by heartbeat
 * (AgentOps.reportState), admins list/show/update/delete them, liveness follows agent_down_time,
 * non-admins see nothing (Neutron: every agent rule is admin_only, so a show is a 404).
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeOnEngines } from '../../helpers/api-engines.js'

const MEMBER = { 'X-Project-Id': 'proj-a', 'X-Roles': 'member' }

const START = Date.parse('2026-11-25T12:00:00Z')
/** The servers' clock, set back to START as each engine's server starts (the options function runs then). */
let clock = START

describeOnEngines(
  (engine) => `agents API on ${engine}`,
  () => {
    clock = START
    return { now: () => new Date(clock), ini: '[DEFAULT]\nagent_down_time = 75\n' }
  },
  (s) => {
    let ovsId = ''

    it('is advertised and starts empty', async () => {
      const e = await s.call('GET', '/v2.0/extensions/agent')
      assert.equal(e.status, 200)
      assert.equal(e.body.extension.description, 'The agent management extension.')
      const l = await s.call('GET', '/v2.0/agents')
      assert.deepEqual(l.body, { agents: [] })
    })

    it('registers agents by heartbeat and shows them as Neutron does', async () => {
      const agents = s.app.plugin.agents
      assert.equal(
        await agents.reportState({
          agent_type: 'Open vSwitch agent',
          binary: 'neutron-openvswitch-agent',
          host: 'compute-1',
          topic: 'N/A',
          configurations: { bridge_mappings: { physnet1: 'br-eth1' }, tunnel_types: ['vxlan'] },
          start_flag: true,
        }),
        'new',
      )
      assert.equal(await agents.reportState({ agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', host: 'compute-2' }), 'new')
      const l = await s.call('GET', '/v2.0/agents?agent_type=Open%20vSwitch%20agent')
      assert.equal(l.status, 200)
      assert.equal(l.body.agents.length, 1)
      const a = l.body.agents[0]
      ovsId = a.id
      assert.deepEqual(Object.keys(a).sort(), [
        'admin_state_up', 'agent_type', 'alive', 'binary', 'configurations', 'created_at', 'description',
        'heartbeat_timestamp', 'host', 'id', 'started_at', 'topic',
      ])
      assert.equal(a.heartbeat_timestamp, '2026-11-25 12:00:00')
      assert.equal(a.alive, true)
      assert.equal(a.admin_state_up, true)
      assert.deepEqual(a.configurations.bridge_mappings, { physnet1: 'br-eth1' })
      const shown = await s.call('GET', `/v2.0/agents/${ovsId}?fields=host&fields=alive`)
      assert.deepEqual(shown.body, { agent: { host: 'compute-1', alive: true } })
    })

    it('marks agents dead after agent_down_time and revives them on the next report', async () => {
      clock += 76_000
      const dead = await s.call('GET', '/v2.0/agents?alive=false')
      assert.equal(dead.body.agents.length, 2)
      const r = await s.app.plugin.agents.reportState({ agent_type: 'Open vSwitch agent', binary: 'neutron-openvswitch-agent', host: 'compute-1' })
      assert.equal(r, 'revived')
      const alive = await s.call('GET', '/v2.0/agents?alive=true')
      assert.deepEqual(alive.body.agents.map((x: any) => x.id), [ovsId])
      assert.equal(alive.body.agents[0].started_at, '2026-11-25 12:00:00', 'started_at moves only with start_flag')
      assert.equal(await s.app.plugin.agents.reportState({ agent_type: 'Open vSwitch agent', binary: 'neutron-openvswitch-agent', host: 'compute-1' }), 'alive')
    })

    it('lets admins change admin_state_up and description, and nothing else', async () => {
      const u = await s.call('PUT', `/v2.0/agents/${ovsId}`, { agent: { admin_state_up: false, description: 'drained' } })
      assert.equal(u.status, 200)
      assert.equal(u.body.agent.admin_state_up, false)
      assert.equal(u.body.agent.description, 'drained')
      const bad = await s.call('PUT', `/v2.0/agents/${ovsId}`, { agent: { host: 'elsewhere' } })
      assert.equal(bad.status, 400)
      assert.match(bad.body.NeutronError.message, /host/)
      const badType = await s.call('PUT', `/v2.0/agents/${ovsId}`, { agent: { admin_state_up: 'maybe' } })
      assert.equal(badType.status, 400)
      const create = await s.call('POST', '/v2.0/agents', { agent: {} })
      assert.equal(create.status, 400)
      assert.equal(create.body.NeutronError.type, 'BadRequest')
    })

    it('hides agents from non-admins (empty list, 404 on show/update/delete)', async () => {
      const l = await s.call('GET', '/v2.0/agents', undefined, MEMBER)
      assert.deepEqual(l.body, { agents: [] })
      for (const [m, body] of [['GET'], ['PUT', { agent: { description: 'x' } }], ['DELETE']] as const) {
        const r = await s.call(m, `/v2.0/agents/${ovsId}`, body, MEMBER)
        assert.equal(r.status, 404, m)
        assert.equal(r.body.NeutronError.type, 'AgentNotFound')
      }
    })

    it('deletes agents; a second delete is a 404', async () => {
      assert.equal((await s.call('DELETE', `/v2.0/agents/${ovsId}`)).status, 204)
      const again = await s.call('DELETE', `/v2.0/agents/${ovsId}`)
      assert.equal(again.status, 404)
      assert.equal(again.body.NeutronError.message, `Agent ${ovsId} could not be found.`)
      assert.equal((await s.call('GET', '/v2.0/agents')).body.agents.length, 1)
    })

    it('rejects malformed heartbeats without writing anything', async () => {
      await assert.rejects(s.app.plugin.agents.reportState({ agent_type: '', binary: 'x', host: 'h' }), /agent_type/)
      await assert.rejects(
        s.app.plugin.agents.reportState({ agent_type: 't', binary: 'x', host: 'h', configurations: [] as any }),
        /configurations/,
      )
      assert.equal((await s.call('GET', '/v2.0/agents')).body.agents.length, 1)
    })

    it('takes concurrent first reports of one agent as one row', async () => {
      const st = { agent_type: 'DHCP agent', binary: 'neutron-dhcp-agent', host: 'net-1' }
      const rs = await Promise.all([1, 2, 3, 4].map(() => s.app.plugin.agents.reportState(st)))
      assert.equal(rs.filter((r) => r === 'new').length, 1)
      const l = await s.call('GET', '/v2.0/agents?host=net-1')
      assert.equal(l.body.agents.length, 1)
    })
  },
)
