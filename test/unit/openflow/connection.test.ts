/**
 * Controller and SwitchConnection against scripted in-process switches: version negotiation,
 * keepalive and dead-peer detection, xid-keyed errors and barriers, multipart reassembly,
 * timeouts, many switches, reconnects, TCP / TLS / unix listeners.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import {
  act, BarrierError, DeadPeerError, flowMod, SwitchListener, OpenFlowError, RequestTimeoutError, type SwitchConnection,
} from '../../../src/openflow/index.js'
import type { FlowStats, OFMessage } from '../../../src/openflow/messages.js'
import { connectFakeSwitch, type FakeSwitchPeer } from '../../helpers/ovs-switch-fake.js'
import { TEST_CERT, TEST_KEY } from './tls-fixture.js'

describe('SwitchListener with scripted switches', () => {
  let ctl: SwitchListener
  let port: number
  const peers: FakeSwitchPeer[] = []

  async function connectSwitch(opts: Parameters<typeof connectFakeSwitch>[1] = {}): Promise<[FakeSwitchPeer, SwitchConnection]> {
    const dpid = opts.dpid ?? BigInt(1000 + peers.length)
    const peer = await connectFakeSwitch({ port }, { ...opts, dpid })
    peers.push(peer)
    return [peer, await ctl.waitForSwitch(dpid, 5000)]
  }

  beforeEach(async () => {
    ctl = new SwitchListener({ echoInterval: 0 })
    port = ((await ctl.listen({ port: 0 })) as AddressInfo).port
  })

  afterEach(async () => {
    for (const p of peers.splice(0)) p.socket.destroy()
    await ctl.close()
  })

  it('runs the handshake: HELLO with a 1.3 bitmap, FEATURES, SET_CONFIG, PORT_DESC', async () => {
    const [peer, sw] = await connectSwitch({ dpid: 0xabcdefn })
    assert.equal(sw.datapathId, 0xabcdefn)
    assert.equal(sw.dpidHex, '0000000000abcdef')
    assert.deepEqual([...sw.ports.keys()], [1])
    const types = peer.received.map((r) => r.msg.type)
    assert.deepEqual(types.slice(0, 4), ['hello', 'features_request', 'set_config', 'multipart_request'])
    const hello = peer.received[0]!.msg as Extract<OFMessage, { type: 'hello' }>
    assert.deepEqual(hello.versions, [4])
    const cfg = peer.received[2]!.msg as { missSendLen: number }
    assert.equal(cfg.missSendLen, 0xffff)
  })

  it('negotiates down to 1.3 with a switch offering 1.0–1.5', async () => {
    const [, sw] = await connectSwitch({ versions: [1, 4, 5, 6] })
    assert.equal(sw.state, 'ready')
  })

  it('fails clearly with a switch that only speaks OpenFlow 1.0, and tells the switch', async () => {
    const failed = once(ctl, 'handshake_failed')
    const peer = await connectFakeSwitch({ port }, { versions: [1] })
    peers.push(peer)
    const [err] = (await failed) as [Error]
    assert.equal(err.name, 'HandshakeError')
    assert.match(err.message, /OpenFlow 1\.3 only; switch offers 1\.0/)
    const e = await peer.waitFor((m) => m.type === 'error')
    assert.ok(e.type === 'error' && e.errorType === 0 && e.code === 0, 'HELLO_FAILED/INCOMPATIBLE sent')
    assert.equal(ctl.switches.size, 0)
  })

  it('answers the switch’s ECHO_REQUEST with the same xid and data', async () => {
    const [peer] = await connectSwitch()
    peer.send({ type: 'echo_request', data: Buffer.from('hi') }, 4242)
    const r = await peer.waitFor((m) => m.type === 'echo_reply')
    assert.equal(r.xid, 4242)
    assert.deepEqual((r as { data: Buffer }).data, Buffer.from('hi'))
  })

  it('probes an idle switch with ECHO and declares a silent one dead', async () => {
    await ctl.close()
    // Generous timeout: under CI load the live peer must never look dead (it answers within ms).
    ctl = new SwitchListener({ echoInterval: 50, echoTimeout: 1500 })
    port = ((await ctl.listen({ port: 0 })) as AddressInfo).port
    const [alive] = await connectSwitch({ dpid: 1n })
    const [, deadConn] = await connectSwitch({ dpid: 2n, ignoreEcho: true })
    const gone = once(ctl, 'switch_disconnected')
    const [conn, reason] = (await gone) as [SwitchConnection, Error]
    assert.equal(conn, deadConn)
    assert.ok(reason instanceof DeadPeerError, String(reason))
    assert.ok(alive.received.some((r) => r.msg.type === 'echo_request'))
    assert.equal(ctl.switches.get(1n)?.state, 'ready')
  })

  it('ties switch errors to their request by xid; barrier() rejects with them', async () => {
    const [, sw] = await connectSwitch({
      onMessage: (m, raw) => (m.type === 'flow_mod' && m.priority === 666
        ? [{ type: 'error', errorType: 4, code: 9, data: raw.subarray(0, 64), xid: m.xid }] : undefined),
    })
    const ok = flowMod({ priority: 1, actions: [act.output(1)] })
    const bad = flowMod({ priority: 666, actions: [act.output(1)] })
    const xids = await sw.sendAll([ok, bad, ok])
    const err = await sw.barrier().catch((e: unknown) => e)
    assert.ok(err instanceof BarrierError)
    assert.equal(err.errors.length, 1)
    assert.equal(err.errors[0]!.xid, xids[1])
    assert.equal(err.errors[0]!.request, bad)
    assert.equal(err.errors[0]!.message, `FLOW_MOD (xid ${xids[1]}) failed: BAD_MATCH/BAD_PREREQ`)
    await sw.barrier() // errors are consumed by the barrier that saw them
  })

  it('rejects a request whose reply is an error, without leaking it into the next barrier', async () => {
    const [, sw] = await connectSwitch({
      onMessage: (m, raw) => (m.type === 'role_request' ? [{ type: 'error', errorType: 11, code: 0, data: raw, xid: m.xid }] : undefined),
    })
    const e = await sw.setRole('master', 5n).catch((x: unknown) => x)
    assert.ok(e instanceof OpenFlowError)
    assert.equal(e.message.startsWith('ROLE_REQUEST'), true)
    assert.equal(e.codeName, 'STALE')
    await sw.barrier()
  })

  it('reassembles multipart replies sent in several messages', async () => {
    const entry = (i: number): FlowStats => ({
      table: 0, durationSec: 0, durationNsec: 0, priority: i, idleTimeout: 0, hardTimeout: 0, flags: 0, cookie: 0n,
      packetCount: 0n, byteCount: 0n, match: { reg0: i }, instructions: [],
    })
    const [, sw] = await connectSwitch({
      onMessage: (m) => (m.type === 'multipart_request' && m.body.kind === 'flow'
        ? [0, 1, 2].map((part) => ({ type: 'multipart_reply', flags: part < 2 ? 1 : 0, xid: m.xid,
          body: { kind: 'flow', flows: [entry(part * 2), entry(part * 2 + 1)] } }) as OFMessage)
        : undefined),
    })
    const flows = await sw.flowStats()
    assert.deepEqual(flows.map((f) => f.priority), [0, 1, 2, 3, 4, 5])
  })

  it('times out a request the switch never answers, and rejects pending requests on disconnect', async () => {
    const [peer, sw] = await connectSwitch({
      onMessage: (m) => (m.type === 'multipart_request' && m.body.kind !== 'port_desc') || m.type === 'barrier_request' ? [] : undefined,
    })
    await assert.rejects(sw.request({ type: 'multipart_request', flags: 0, body: { kind: 'desc' } }, 50), RequestTimeoutError)
    const pending = sw.barrier()
    peer.socket.destroy()
    await assert.rejects(pending, /closed/)
    assert.equal(sw.state, 'closed')
  })

  it('sends a batch of 20,000 flow mods in a few socket writes, confirmed by one barrier', async () => {
    const [peer, sw] = await connectSwitch()
    const write = sw.socket.write.bind(sw.socket)
    let writes = 0
    sw.socket.write = ((...args: Parameters<typeof write>) => { writes++; return write(...args) }) as typeof sw.socket.write
    const flows = Array.from({ length: 20000 }, (_, i) => flowMod({ priority: 10, match: { reg0: i }, actions: [act.output(1)] }))
    await sw.apply(flows)
    assert.ok(writes <= 3, `${writes} writes`)
    assert.equal(peer.received.filter((r) => r.msg.type === 'flow_mod').length, 20000)
  })

  it('serves many switches at once, keyed by datapath id', async () => {
    const conns = await Promise.all(Array.from({ length: 25 }, (_, i) => connectSwitch({ dpid: BigInt(5000 + i) })))
    assert.equal(ctl.switches.size, 25)
    await Promise.all(conns.map(([, sw]) => sw.apply([flowMod({ actions: [act.output(1)] })])))
    for (const [peer] of conns) assert.ok(peer.received.some((r) => r.msg.type === 'flow_mod'))
  })

  it('replaces the old connection when a switch reconnects with the same dpid', async () => {
    const [, first] = await connectSwitch({ dpid: 77n })
    const closed = once(first, 'close')
    const peer2 = await connectFakeSwitch({ port }, { dpid: 77n })
    peers.push(peer2)
    await closed
    const second = ctl.switches.get(77n)!
    await second.ready
    assert.notEqual(second, first)
    assert.equal(first.state, 'closed')
  })

  it('listens on a unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neutrino-of-unit-'))
    try {
      const path = join(dir, 'of.sock')
      assert.equal(await ctl.listen({ path }), path)
      const peer = await connectFakeSwitch({ path }, { dpid: 88n })
      peers.push(peer)
      const sw = await ctl.waitForSwitch(88n)
      assert.equal(sw.remote, 'unix')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('listens with TLS', async () => {
    const addr = (await ctl.listen({ port: 0, tls: { key: TEST_KEY, cert: TEST_CERT } })) as AddressInfo
    const peer = await connectFakeSwitch({ port: addr.port, tlsCa: TEST_CERT }, { dpid: 99n })
    peers.push(peer)
    const sw = await ctl.waitForSwitch(99n)
    await sw.apply([flowMod({ actions: [act.output(2)] })])
    assert.ok(peer.received.some((r) => r.msg.type === 'flow_mod'))
  })
})
