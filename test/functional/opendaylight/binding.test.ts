/**
 * Pseudo-agent binding from the controller's hostconfigs, with a scripted northbound on
 * 127.0.0.1:0: hosts become "ODL L2" agents; a port binds `ovs` with the host's vif_details only
 * where the host allows the segment's type; a port created before its host's hostconfig is bound
 * as soon as the hostconfig arrives (networking-odl left it binding_failed); malformed entries are
 * skipped without stopping the others.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

const VIF_DETAILS = { uuid: '00000000-0000-0000-0000-000000000001', host_addresses: ['198.51.100.1'], has_datapath_type_netdev: true, support_vhost_user: false }
const hostconfig = (host: string, types: string[]) => ({
  'host-id': host,
  'host-type': 'ODL L2',
  config: JSON.stringify({ supported_vnic_types: [{ vnic_type: 'normal', vif_type: 'ovs', vif_details: VIF_DETAILS }], allowed_network_types: types, bridge_mappings: {} }),
})

describe('opendaylight pseudo-agent binding from hostconfigs', () => {
  let nb: Server
  let s: TestServer
  let hostconfigs: unknown[] = []

  before(async () => {
    nb = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        if (req.url!.startsWith('/restconf/operational/neutron:neutron/hostconfigs')) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hostconfigs: { hostconfig: hostconfigs } }))
        } else if (req.url!.startsWith('/restconf/')) res.writeHead(404).end()
        else res.writeHead(req.method === 'POST' ? 201 : req.method === 'DELETE' ? 204 : 200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((r) => nb.listen(0, '127.0.0.1', r))
    const port = (nb.address() as AddressInfo).port
    s = await startNeutrino({ ini: `[ml2]\nmechanism_drivers = opendaylight\ntenant_network_types = vxlan\n[ml2_odl]\nurl = http://127.0.0.1:${port}/controller/nb/v2/neutron\nrestconf_poll_interval = 1\n` })
  })
  after(async () => {
    await s?.close()
    await new Promise((r) => nb?.close(r))
  })

  it('binds a waiting port once its host reports, only on allowed segment types', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'n' } })).body.network
    assert.equal(net['provider:network_type'], 'vxlan')
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '203.0.113.0/24', ip_version: 4 } })
    const early = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv1' } })).body.port
    assert.equal(early['binding:vif_type'], 'binding_failed')

    hostconfigs = [hostconfig('hv1', ['vxlan', 'vlan']), hostconfig('hv2', ['vlan']), { 'host-id': 'bad', 'host-type': 'ODL L2', config: '{not json' }, { nonsense: true }]
    const deadline = Date.now() + 30_000
    let bound
    do {
      await new Promise((r) => setTimeout(r, 100))
      bound = (await s.call('GET', `/v2.0/ports/${early.id}`)).body.port
    } while (bound['binding:vif_type'] !== 'ovs' && Date.now() < deadline)
    assert.equal(bound['binding:vif_type'], 'ovs')
    assert.deepEqual(bound['binding:vif_details'], VIF_DETAILS)

    const agents = (await s.call('GET', '/v2.0/agents')).body.agents
    assert.deepEqual(agents.filter((a: any) => a.agent_type === 'ODL L2').map((a: any) => a.host).sort(), ['hv1', 'hv2'])
    assert.equal(agents.find((a: any) => a.host === 'hv1').binary, 'neutron-odlagent-portbinding')

    const p1 = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv1' } })).body.port
    assert.equal(p1['binding:vif_type'], 'ovs')
    assert.equal(p1.status, 'ACTIVE', 'no operational-port-status: ACTIVE at once')
    const p2 = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv2' } })).body.port
    assert.equal(p2['binding:vif_type'], 'binding_failed', 'hv2 cannot carry vxlan')
  })
})
