/**
 * The registry wired into ML2 (src/ml2/*-ops.ts), through HTTP on an in-process server (SQLite):
 * precommit subscribers roll the transaction back with their own error; after_* failures never
 * fail the request; events arrive in lifecycle order with typed payloads; after_bind and
 * update_port_status (PortService.updateStatus) publish what the agent notifier will need.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { adminContext } from '../../../src/common/context.js'
import { Conflict, PortNotFound } from '../../../src/common/exceptions.js'
import type { Event, Resource } from '../../../src/ml2/callbacks/events.js'
import type { Callback, EventPayload } from '../../../src/ml2/callbacks/payload.js'
import type { Ml2Service } from '../../../src/ml2/service.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

class VetoedByTest extends Conflict {
  override readonly type = 'VetoedByTest'
}

describe('ML2 lifecycle events', () => {
  let s: TestServer
  let ml2: Ml2Service
  let net: string
  const subs: Array<[Callback<any>, Resource, Event]> = []
  const on = <R extends Resource>(cb: Callback<R>, resource: R, event: Event, priority?: number) => {
    ml2.registry.subscribe(cb, resource, event, priority)
    subs.push([cb, resource, event])
  }
  const count = async (sql: string) => Number((await s.app.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${sql}`))!.n)

  before(async () => {
    s = await startNeutrino()
    ml2 = s.app.plugin
    net = (await s.call('POST', '/v2.0/networks', { network: { name: 'events' } })).body.network.id
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '192.0.2.0/24' } })
  })
  after(() => s.close())
  beforeEach(() => {
    for (const [cb, r, e] of subs.splice(0)) ml2.registry.unsubscribe(cb, r, e)
  })

  it('a precommit_create subscriber rolls the create back with its own error', async () => {
    const before = [await count('networks'), await count('ml2_network_segments')]
    let sawTx = false
    on((_r, _e, _t, p) => {
      sawTx = p.tx !== undefined && p.current?.name === 'vetoed'
      throw new VetoedByTest('no networks named vetoed')
    }, 'network', 'precommit_create')
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'vetoed' } })
    assert.equal(r.status, 409)
    assert.equal(r.body.NeutronError.type, 'VetoedByTest')
    assert.equal(r.body.NeutronError.message, 'no networks named vetoed')
    assert.ok(sawTx, 'the payload carries the open transaction and the new network')
    assert.deepEqual([await count('networks'), await count('ml2_network_segments')], before)
  })

  it('a precommit_update subscriber on ports rolls the update back', async () => {
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, name: 'keep' } })).body.port
    on(() => { throw new VetoedByTest('not this name') }, 'port', 'precommit_update')
    const r = await s.call('PUT', `/v2.0/ports/${port.id}`, { port: { name: 'changed' } })
    assert.equal(r.status, 409)
    const shown = (await s.call('GET', `/v2.0/ports/${port.id}`)).body.port
    assert.equal(shown.name, 'keep')
    assert.equal(shown.revision_number, port.revision_number)
  })

  it('a precommit_delete subscriber keeps the port and its addresses', async () => {
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net } })).body.port
    on(() => { throw new VetoedByTest('keep it') }, 'port', 'precommit_delete')
    assert.equal((await s.call('DELETE', `/v2.0/ports/${port.id}`)).status, 409)
    assert.equal(await count(`ipallocations WHERE port_id = '${port.id}'`), 1)
    assert.equal((await s.call('GET', `/v2.0/ports/${port.id}`)).status, 200)
  })

  it('a failing after_* subscriber is logged by name and the request succeeds; later subscribers run', async () => {
    const seen: string[] = []
    on(function brokenNotifier() { throw new Error('queue down') }, 'port', 'after_create', 1)
    on((_r, _e, _t, p) => { seen.push(p.resourceId) }, 'port', 'after_create')
    const r = await s.call('POST', '/v2.0/ports', { port: { network_id: net } })
    assert.equal(r.status, 201)
    assert.deepEqual(seen, [r.body.port.id])
    assert.ok(s.log.lines.some((l) => l.includes('brokenNotifier') && l.includes(r.body.port.id) && l.includes('queue down')))
  })

  it('publishes a port lifecycle in order, with typed current/original and the driver context', async () => {
    const seen: string[] = []
    const record = (_r: 'port', e: Event, _t: unknown, p: EventPayload<'port'>) => {
      seen.push(`${e}:${p.tx ? 'tx' : 'no-tx'}:${p.current?.name ?? '-'}:${p.original?.name ?? '-'}`)
    }
    for (const e of ['before_create', 'precommit_create', 'after_create', 'before_update', 'precommit_update', 'after_update', 'before_delete', 'precommit_delete', 'after_delete'] as const) on(record, 'port', e)
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, name: 'a' } })).body.port
    await s.call('PUT', `/v2.0/ports/${port.id}`, { port: { name: 'b' } })
    assert.equal((await s.call('DELETE', `/v2.0/ports/${port.id}`)).status, 204)
    assert.deepEqual(seen, [
      'before_create:no-tx:-:-',
      'precommit_create:tx:a:-',
      'after_create:no-tx:a:-',
      'before_update:no-tx:-:-',
      'precommit_update:tx:b:a',
      'after_update:no-tx:b:a',
      'before_delete:no-tx:-:-',
      'precommit_delete:tx:b:-',
      'after_delete:no-tx:b:-',
    ])
  })

  it('network delete publishes before/precommit/after_delete and its subnets and ports go through their own events', async () => {
    const n = (await s.call('POST', '/v2.0/networks', { network: { name: 'gone' } })).body.network.id
    const sub = (await s.call('POST', '/v2.0/subnets', { subnet: { network_id: n, ip_version: 4, cidr: '198.51.100.0/24' } })).body.subnet.id
    const dhcp = (await s.call('POST', '/v2.0/ports', { port: { network_id: n, device_owner: 'network:dhcp' } })).body.port.id
    const seen: string[] = []
    on((_r, e, _t, p) => { seen.push(`network.${e}:${p.resourceId === n}`) }, 'network', 'before_delete')
    on((_r, e, _t, p) => { seen.push(`network.${e}:${p.current?.id === n && p.networkContext?.networkSegments.length === 1}`) }, 'network', 'precommit_delete')
    on((_r, e, _t, p) => { seen.push(`network.${e}:${p.current?.id === n}`) }, 'network', 'after_delete')
    on((_r, e, _t, p) => { seen.push(`subnet.${e}:${p.resourceId === sub}`) }, 'subnet', 'after_delete')
    on((_r, e, _t, p) => { seen.push(`port.${e}:${p.resourceId === dhcp}`) }, 'port', 'after_delete')
    assert.equal((await s.call('DELETE', `/v2.0/networks/${n}`)).status, 204)
    assert.deepEqual(seen, ['network.before_delete:true', 'port.after_delete:true', 'subnet.after_delete:true', 'network.precommit_delete:true', 'network.after_delete:true'])
  })

  it('after_bind follows a completed binding, not a failed one', async () => {
    const bound: string[] = []
    on((_r, _e, _t, p) => { bound.push(`${p.current!['binding:host_id']}:${p.portContext?.vifType}`) }, 'port', 'after_bind')
    const p1 = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'test-host-1' } })).body.port
    assert.equal(p1['binding:vif_type'], 'test')
    const p2 = (await s.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'nobody-binds-here' } })).body.port
    assert.equal(p2['binding:vif_type'], 'binding_failed')
    await s.call('PUT', `/v2.0/ports/${p2.id}`, { port: { 'binding:host_id': 'test-host-2' } })
    await s.call('PUT', `/v2.0/ports/${p2.id}`, { port: { name: 'no rebinding' } })
    assert.deepEqual(bound, ['test-host-1:test', 'test-host-2:test'])
  })

  it('updateStatus is an update: new revision, after_update with original; unchanged status writes nothing', async () => {
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net } })).body.port
    const seen: Array<[string, string | undefined]> = []
    on((_r, _e, _t, p) => { seen.push([p.current!.status, p.original?.status]) }, 'port', 'after_update')
    const up = await ml2.ports.updateStatus(adminContext(), port.id, 'ACTIVE')
    assert.equal(up.status, 'ACTIVE')
    assert.equal(up.revision_number, port.revision_number + 1)
    assert.deepEqual(seen, [['ACTIVE', 'DOWN']])
    const again = await ml2.ports.updateStatus(adminContext(), port.id, 'ACTIVE')
    assert.equal(again.revision_number, up.revision_number)
    assert.equal(seen.length, 1)
    assert.equal((await s.call('GET', `/v2.0/ports/${port.id}`)).body.port.status, 'ACTIVE')
    await assert.rejects(ml2.ports.updateStatus(adminContext(), port.id, ''), /Invalid port status/)
    await assert.rejects(ml2.ports.updateStatus(adminContext(), 'f0000000-0000-4000-8000-000000000000', 'DOWN'), PortNotFound)
  })

  it('the API still refuses a status in PUT /ports (only updateStatus changes it)', async () => {
    const port = (await s.call('POST', '/v2.0/ports', { port: { network_id: net } })).body.port
    const r = await s.call('PUT', `/v2.0/ports/${port.id}`, { port: { status: 'ACTIVE' } })
    assert.equal(r.status, 400)
    assert.equal((await s.call('GET', `/v2.0/ports/${port.id}`)).body.port.status, 'DOWN')
  })

  it('segments, security groups, subnet pools and routers publish their after_* events', async () => {
    const seen: string[] = []
    const rec = (r: Resource, e: Event, _t: unknown, p: EventPayload<any>) => { seen.push(`${r}.${e}:${p.current ? 'current' : 'id'}`) }
    for (const r of ['segment', 'security_group', 'subnetpool', 'router'] as const) for (const e of ['after_create', 'after_update', 'after_delete'] as const) on(rec, r, e)
    on(rec, 'segment', 'precommit_create')
    const n = (await s.call('POST', '/v2.0/networks', { network: { name: 'segmented' } })).body.network.id
    await s.call('DELETE', `/v2.0/networks/${n}`)
    const sg = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'web' } })).body.security_group.id
    await s.call('PUT', `/v2.0/security-groups/${sg}`, { security_group: { description: 'd' } })
    await s.call('DELETE', `/v2.0/security-groups/${sg}`)
    const pool = (await s.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'p', prefixes: ['203.0.113.0/24'] } })).body.subnetpool.id
    await s.call('DELETE', `/v2.0/subnetpools/${pool}`)
    const router = (await s.call('POST', '/v2.0/routers', { router: { name: 'r' } })).body.router.id
    await s.call('PUT', `/v2.0/routers/${router}`, { router: { name: 'r2' } })
    await s.call('DELETE', `/v2.0/routers/${router}`)
    assert.deepEqual(seen, [
      'segment.precommit_create:current',
      'segment.after_create:current',
      'segment.after_delete:current',
      'security_group.after_create:current',
      'security_group.after_update:current',
      'security_group.after_delete:id',
      'subnetpool.after_create:current',
      'subnetpool.after_delete:id',
      'router.after_create:current',
      'router.after_update:current',
      'router.after_delete:id',
    ])
  })

  it('report_state publishes agent after_create for a new agent, after_update with the outcome after', async () => {
    const seen: string[] = []
    const rec = (_r: 'agent', e: Event, _t: unknown, p: EventPayload<'agent'>) => { seen.push(`${e}:${p.reportResult}:${p.current?.host}:${p.current?.alive}`) }
    on(rec, 'agent', 'after_create')
    on(rec, 'agent', 'after_update')
    const state = { agent_type: 'Open vSwitch agent', binary: 'neutron-openvswitch-agent', host: 'events-host' }
    assert.equal(await ml2.agents.reportState(state), 'new')
    assert.equal(await ml2.agents.reportState(state), 'alive')
    await assert.rejects(ml2.agents.reportState({ ...state, host: '' }), /host/)
    assert.deepEqual(seen, ['after_create:new:events-host:true', 'after_update:alive:events-host:true'])
  })
})
