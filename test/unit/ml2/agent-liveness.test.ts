/**
 * agent_down_time in one place (src/ml2/agent-liveness.ts): the agents API and port binding
 * (PortContext.hostAgents) read the same answer.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AgentLiveness, parseConfigurations } from '../../../src/ml2/agent-liveness.js'

describe('agent liveness', () => {
  const now = new Date('2026-12-07T02:00:00Z')
  const live = new AgentLiveness(() => now, 75)

  it('alive up to agent_down_time seconds after the last heartbeat, dead after', () => {
    assert.equal(live.isAlive('2026-12-07 01:58:45'), true) // exactly 75 s
    assert.equal(live.isAlive('2026-12-07 01:58:44'), false)
    assert.equal(live.isAlive('2026-12-07T01:59:59Z'), true)
  })

  it('reads the clock it was given, each time', () => {
    let t = now
    const l = new AgentLiveness(() => t, 10)
    assert.equal(l.isAlive('2026-12-07 01:59:55'), true)
    t = new Date('2026-12-07T02:00:06Z')
    assert.equal(l.isAlive('2026-12-07 01:59:55'), false)
  })

  it('configurations: JSON text, empty or malformed reads as {}', () => {
    assert.deepEqual(parseConfigurations('{"bridge_mappings":{"physnet1":"br-eth1"}}'), { bridge_mappings: { physnet1: 'br-eth1' } })
    assert.deepEqual(parseConfigurations(''), {})
    assert.deepEqual(parseConfigurations('{not json'), {})
  })
})
