/**
 * Port status from the controller's websocket (operational-port-status advertised), with a
 * scripted northbound and websocket on 127.0.0.1:0: a bound port stays DOWN until the controller
 * reports it ACTIVE; a status reported while the stream was down is pulled after the reconnect;
 * garbage on the stream changes nothing.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { WebSocketServer } from 'ws'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { parsePortStatusEvents } from '../../../src/ml2/mech/opendaylight/port-status-listener.js'

const event = (id: string, status: string) => JSON.stringify({ notification: { 'data-changed-notification': { 'data-change-event': [{ path: `/neutron:neutron/neutron:ports/neutron:port[neutron:uuid='${id}']/neutron:status`, operation: 'updated', data: { status: { content: status } } }] } } })

async function waitFor<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('opendaylight port status from the controller', () => {
  let nb: Server
  let wss: WebSocketServer
  let s: TestServer
  const operational = new Map<string, string>()

  before(async () => {
    nb = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        const url = req.url!
        const json = (status: number, body: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
        if (url.startsWith('/restconf/operational/neutron:neutron/neutron:features')) json(200, { features: { feature: [{ 'service-provider-feature': 'neutron-extensions:operational-port-status', configuration: '' }] } })
        else if (url.startsWith('/restconf/operational/neutron:neutron/hostconfigs')) json(200, { hostconfigs: { hostconfig: [{ 'host-id': 'hv1', 'host-type': 'ODL L2', config: JSON.stringify({ supported_vnic_types: [{ vnic_type: 'normal', vif_type: 'ovs', vif_details: {} }], allowed_network_types: ['vxlan'] }) }] } })
        else if (url === '/restconf/operations/sal-remote:create-data-change-event-subscription') json(200, { output: { 'stream-name': 'ports-stream' } })
        else if (url.startsWith('/restconf/streams/stream/')) json(200, {}, { location: `ws://127.0.0.1:${(nb.address() as AddressInfo).port}/ports-stream` })
        else if (url.startsWith('/restconf/operational/neutron:neutron/ports/port/')) {
          const id = url.split('/').pop()!
          if (operational.has(id)) json(200, { port: [{ uuid: id, status: operational.get(id) }] })
          else json(404, {})
        } else res.writeHead(req.method === 'POST' ? 201 : req.method === 'DELETE' ? 204 : 200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    wss = new WebSocketServer({ server: nb })
    await new Promise<void>((r) => nb.listen(0, '127.0.0.1', r))
    const port = (nb.address() as AddressInfo).port
    s = await startNeutrino({ ini: `[ml2]\nmechanism_drivers = opendaylight\ntenant_network_types = vxlan\n[ml2_odl]\nurl = http://127.0.0.1:${port}/controller/nb/v2/neutron\nrestconf_poll_interval = 1\n` })
  })
  after(async () => {
    await s?.close()
    for (const c of wss?.clients ?? []) c.terminate()
    wss?.close()
    await new Promise((r) => nb?.close(r))
  })

  it('keeps a bound port DOWN until the controller reports it ACTIVE', async () => {
    await waitFor(async () => wss.clients.size, (n) => n > 0)
    const agents = await waitFor(async () => (await s.call('GET', '/v2.0/agents')).body.agents, (a) => a.length > 0)
    assert.equal(agents[0].host, 'hv1')
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'n' } })).body.network
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '203.0.113.0/24', ip_version: 4 } })
    const p = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv1' } })).body.port
    assert.equal(p['binding:vif_type'], 'ovs')
    assert.equal(p.status, 'DOWN')
    for (const c of wss.clients) {
      c.send('not json')
      c.send(JSON.stringify({ notification: { 'data-changed-notification': { 'data-change-event': { path: "neutron:uuid='x'", data: {} } } } }))
      c.send(event(p.id, 'ACTIVE'))
    }
    const got = await waitFor(async () => (await s.call('GET', `/v2.0/ports/${p.id}`)).body.port.status, (st) => st === 'ACTIVE')
    assert.equal(got, 'ACTIVE')

    // A status set while the stream is down is pulled after the reconnect.
    const q = (await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': 'hv1' } })).body.port
    assert.equal(q.status, 'DOWN')
    operational.set(q.id, 'ACTIVE')
    for (const c of wss.clients) c.terminate()
    const pulled = await waitFor(async () => (await s.call('GET', `/v2.0/ports/${q.id}`)).body.port.status, (st) => st === 'ACTIVE')
    assert.equal(pulled, 'ACTIVE')
  })

  it('parses single events and ignores malformed ones', () => {
    assert.deepEqual(parsePortStatusEvents(event('a-b', 'ACTIVE')), [{ id: 'a-b', status: 'ACTIVE' }])
    const single = JSON.stringify({ notification: { 'data-changed-notification': { 'data-change-event': { path: "x[neutron:uuid='c']", operation: 'updated', data: { status: { content: 'DOWN' } } } } } })
    assert.deepEqual(parsePortStatusEvents(single), [{ id: 'c', status: 'DOWN' }])
    assert.deepEqual(parsePortStatusEvents('{'), [])
    assert.deepEqual(parsePortStatusEvents(event('a', 'WEIRD')), [])
  })
})
