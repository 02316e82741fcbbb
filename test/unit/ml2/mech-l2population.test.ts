/**
 * l2population's forwarding entries (l2pop mech_driver, pure): the flooding entry travels with a
 * host's first port on the network and leaves with its last; a host's first port (or a refresh)
 * gets the whole network in its own cast; only tunnel segments.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FLOODING_ENTRY, L2populationMechanismDriver } from '../../../src/ml2/mech/mech-l2population.js'

const d = new L2populationMechanismDriver()
const seg = { networkId: 'net', networkType: 'vxlan', segmentationId: 1612 }
const p = (id: string, agentIp: string, mac: string, ...ips: string[]) => ({ id, agentIp, mac, ips })
const FLOOD = [...FLOODING_ENTRY]

describe('l2population entries', () => {
  it('first port on a host: flooding + its addresses to all, and the network to its host', () => {
    const others = [p('b', '198.51.100.2', 'fa:16:3e:00:00:02', '203.0.113.2'), p('c', '198.51.100.3', 'fa:16:3e:00:00:03', '203.0.113.3', '203.0.113.4')]
    const ch = d.portUp(seg, 'hv1', p('a', '198.51.100.1', 'fa:16:3e:00:00:01', '203.0.113.1'), others)
    assert.equal(ch.method, 'add_fdb_entries')
    assert.deepEqual(ch.others, { net: { segment_id: 1612, network_type: 'vxlan', ports: { '198.51.100.1': [FLOOD, ['fa:16:3e:00:00:01', '203.0.113.1']] } } })
    assert.deepEqual(ch.agent, { host: 'hv1', entries: { net: { segment_id: 1612, network_type: 'vxlan', ports: {
      '198.51.100.2': [FLOOD, ['fa:16:3e:00:00:02', '203.0.113.2']],
      '198.51.100.3': [FLOOD, ['fa:16:3e:00:00:03', '203.0.113.3'], ['fa:16:3e:00:00:03', '203.0.113.4']],
    } } } })
  })

  it('second port on the same host: only its addresses, no per-host cast (unless refresh)', () => {
    const others = [p('a', '198.51.100.1', 'fa:16:3e:00:00:01', '203.0.113.1'), p('b', '198.51.100.2', 'fa:16:3e:00:00:02', '203.0.113.2')]
    const me = p('x', '198.51.100.1', 'fa:16:3e:00:00:09', '203.0.113.9')
    const ch = d.portUp(seg, 'hv1', me, others)
    assert.deepEqual(ch.others.net!.ports, { '198.51.100.1': [['fa:16:3e:00:00:09', '203.0.113.9']] })
    assert.equal(ch.agent, undefined)
    assert.deepEqual(Object.keys(d.portUp(seg, 'hv1', me, others, true).agent!.entries.net!.ports), ['198.51.100.2'])
  })

  it('down: flooding leaves with the host\'s last port only', () => {
    const me = p('x', '198.51.100.1', 'fa:16:3e:00:00:09', '203.0.113.9')
    assert.deepEqual(d.portDown(seg, me, [p('a', '198.51.100.1', 'm', 'i')]).others.net!.ports['198.51.100.1'], [['fa:16:3e:00:00:09', '203.0.113.9']])
    assert.deepEqual(d.portDown(seg, me, [p('b', '198.51.100.2', 'm', 'i')]).others.net!.ports['198.51.100.1'], [FLOOD, ['fa:16:3e:00:00:09', '203.0.113.9']])
  })

  it('changed IPs: before/after only where non-empty; unchanged → nothing', () => {
    assert.deepEqual(d.ipsChanged('net', '198.51.100.1', 'm', ['203.0.113.1', '203.0.113.2'], ['203.0.113.2']), { chg_ip: { net: { '198.51.100.1': { before: [['m', '203.0.113.1']] } } } })
    assert.deepEqual(d.ipsChanged('net', '198.51.100.1', 'm', [], ['203.0.113.3']), { chg_ip: { net: { '198.51.100.1': { after: [['m', '203.0.113.3']] } } } })
    assert.equal(d.ipsChanged('net', '198.51.100.1', 'm', ['203.0.113.1'], ['203.0.113.1']), null)
  })

  it('handles tunnels only', () => {
    assert.equal(d.handles(seg), true)
    assert.equal(d.handles({ ...seg, networkType: 'vlan' }), false)
    assert.equal(d.handles(null), false)
  })
})
