/**
 * The notifier's casts over a port's life, compared with the casts the real server sent in the
 * recorded run (capture-full-run1.jsonl.gz; seq numbers below are its line numbers): network and
 * subnet pushes, the port's create push and security group member update, BUILD/ACTIVE pushes
 * and l2population from the device RPC, port_update on admin-down, and the delete sequence
 * member_updated → push deleted → remove_fdb_entries → port_delete.
 * Ignored: timestamps and revision_number (see golden-replies.test.ts), standard_attr_id.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { TOPIC_L2POP } from '../../../src/agent-rpc/agent-casts.js'
import { createLabNetwork, createLabPort, masked, P1, REC, replay, startHarness, type Harness } from '../../helpers/agent-rpc-harness.js'
import { loadCapture, loadSamples } from '../../helpers/agent-rpc-recorded.js'

const IGNORED = new Set(['created_at', 'updated_at', 'revision_number'])
const ABSENT = new Set(['standard_attr_id', 'vlan_transparent'])
const CAP = loadCapture()
const S = loadSamples()
const cap = (seq: number) => CAP[seq]!

describe('agent notifier over a port lifecycle (vs the recorded run)', () => {
  let h: Harness
  let mark = 0
  /** Casts since the last call. */
  const fresh = () => {
    const c = h.t.casts.slice(mark)
    mark = h.t.casts.length
    return c
  }
  const same = (actual: unknown, seq: number) =>
    assert.deepEqual(masked(actual, IGNORED, ABSENT), masked(h.mapIds(cap(seq).args), IGNORED, ABSENT), `capture seq ${seq} ${cap(seq).method}`)

  before(async () => {
    h = await startHarness()
    await replay(h, S.get(2)!)
    await replay(h, S.get(12)!)
    mark = h.t.casts.length
  })
  after(() => h.close())

  it('network created → push Network updated (seq 33), subnet → push Subnet (seq 37)', async () => {
    await createLabNetwork(h)
    const net = (await h.s.call('GET', `/v2.0/networks/${h.ids.get(REC.network)}`)).body.network
    fresh()
    await h.rpc.notifier.networkCreated(net)
    const [push] = fresh()
    assert.equal(push!.target.topic, 'neutron-vo-Network-1.1')
    assert.equal(push!.target.fanout, true)
    assert.equal(push!.method, 'push')
    same(push!.args, 33)
    await h.rpc.notifier.subnetChanged({ id: h.ids.get(REC.subnet) })
    const [sub] = fresh()
    assert.equal(sub!.target.topic, 'neutron-vo-Subnet-1.1')
    same(sub!.args, 37)
  })

  it('port created → security_groups_member_updated (seq 38), push Port DOWN bound (seq 40)', async () => {
    const port = await createLabPort(h, 1)
    fresh()
    await h.rpc.notifier.portCreated(port)
    const casts = fresh()
    assert.deepEqual(casts.map((c) => [c.target.topic, c.method]), [
      ['q-agent-notifier-security_group-update', 'security_groups_member_updated'],
      ['neutron-vo-Port-1.7', 'push'],
    ])
    same(casts[0]!.args, 38)
    same(casts[1]!.args, 40)
  })

  it('LB port wired: BUILD then ACTIVE pushes and l2pop add (seq 46, 48)', async () => {
    await createLabPort(h, 2)
    fresh()
    await replay(h, S.get(44)!)
    const build = fresh()
    assert.deepEqual(build.map((c) => c.target.topic), ['neutron-vo-Port-1.7'])
    assert.equal(build[0]!.args.resource_list[0]['versioned_object.data'].status, 'BUILD')
    await replay(h, S.get(47)!)
    const up = fresh()
    assert.deepEqual(up.map((c) => [c.target.topic, c.method]), [['neutron-vo-Port-1.7', 'push'], [TOPIC_L2POP, 'add_fdb_entries']])
    assert.equal(up[0]!.args.resource_list[0]['versioned_object.data'].status, 'ACTIVE')
    same(up[1]!.args, 48)
  })

  it('an agent re-fetching an ACTIVE port (restart): BUILD is pushed, the l2pop entries stay', async () => {
    await replay(h, S.get(44)!)
    const casts = fresh()
    assert.deepEqual(casts.map((c) => [c.target.topic, c.method]), [['neutron-vo-Port-1.7', 'push']])
    assert.equal(casts[0]!.args.resource_list[0]['versioned_object.data'].status, 'BUILD')
    await replay(h, S.get(47)!)
    assert.deepEqual(fresh().map((c) => c.method), ['push', 'add_fdb_entries'])
  })

  it('admin_state_up=false → port_update with the segment (seq 231) and a push', async () => {
    const id = h.ids.get(REC.port2)!
    const original = (await h.s.call('GET', `/v2.0/ports/${id}`)).body.port
    const updated = (await h.s.call('PUT', `/v2.0/ports/${id}`, { port: { admin_state_up: false } }, P1)).body.port
    fresh()
    await h.rpc.notifier.portUpdated(updated, original)
    const casts = fresh()
    assert.deepEqual(casts.map((c) => [c.target.topic, c.method]), [['q-agent-notifier-port-update', 'port_update'], ['neutron-vo-Port-1.7', 'push']])
    same(casts[0]!.args, 231)
    // A name change alone is nothing the agents act on: only the push.
    const renamed = (await h.s.call('PUT', `/v2.0/ports/${id}`, { port: { name: 'x' } }, P1)).body.port
    fresh()
    await h.rpc.notifier.portUpdated(renamed, updated)
    assert.deepEqual(fresh().map((c) => c.method), ['push'])
  })

  it('fixed IPs changed → port_update, member_updated, l2pop update_fdb_entries chg_ip, push', async () => {
    const id = h.ids.get(REC.port2)!
    const original = (await h.s.call('GET', `/v2.0/ports/${id}`)).body.port
    const updated = (await h.s.call('PUT', `/v2.0/ports/${id}`, { port: { fixed_ips: [{ subnet_id: h.ids.get(REC.subnet), ip_address: '203.0.113.136' }] } }, P1)).body.port
    fresh()
    await h.rpc.notifier.portUpdated(updated, original)
    const casts = fresh()
    assert.deepEqual(casts.map((c) => c.method), ['port_update', 'security_groups_member_updated', 'update_fdb_entries', 'push'])
    assert.deepEqual(casts[2]!.args, { fdb_entries: { chg_ip: { [h.ids.get(REC.network)!]: { '198.51.100.2': {
      before: [['fa:16:3e:65:a6:28', '203.0.113.135']], after: [['fa:16:3e:65:a6:28', '203.0.113.136']],
    } } } } })
    assert.equal(casts[2]!.target.fanout, true)
  })

  it('port deleted → member_updated, push deleted stub, remove_fdb_entries, port_delete (seq 333–336)', async () => {
    // Port 1 is ACTIVE on hv1 first, as in the recording.
    await replay(h, S.get(49)!)
    const id = h.ids.get(REC.port1)!
    const port = (await h.s.call('GET', `/v2.0/ports/${id}`)).body.port
    assert.equal((await h.s.call('DELETE', `/v2.0/ports/${id}`, undefined, P1)).status, 204)
    fresh()
    await h.rpc.notifier.portDeleted(port)
    const casts = fresh()
    assert.deepEqual(casts.map((c) => [c.target.topic, c.method]), [333, 334, 335, 336].map((s) => {
      const topic = cap(s).exchange.replace(/_fanout$/, '')
      return [topic, cap(s).method]
    }))
    casts.forEach((c, i) => assert.deepEqual(c.args, h.mapIds(cap(333 + i).args), `capture seq ${333 + i}`))
  })
})
