/**
 * What a switch or a user listener does wrong stays with that connection (issue 13): garbage,
 * a short or lying length field, a huge frame, a peer that stops mid-message, a multipart reply
 * that never ends or grows without bound, and listeners that throw or reject. A healthy switch
 * on the same listener keeps working throughout.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { afterEach, beforeEach, describe, it } from 'node:test'
import {
  ConnectionClosedError, DeadPeerError, DecodeError, ListenerError, MultipartLimitError, SwitchListener, type SwitchConnection,
} from '../../../src/openflow/index.js'
import { encode } from '../../../src/openflow/codec.js'
import type { OFMessage } from '../../../src/openflow/messages.js'
import { connectFakeSwitch, type FakeSwitchPeer } from '../../helpers/ovs-switch-fake.js'

describe('bad input from a switch, bad listeners', { timeout: 15000 }, () => {
  let ctl: SwitchListener
  let port: number
  const peers: FakeSwitchPeer[] = []
  const raws: Socket[] = []

  async function connectSwitch(opts: Parameters<typeof connectFakeSwitch>[1] = {}): Promise<[FakeSwitchPeer, SwitchConnection]> {
    const dpid = opts.dpid ?? BigInt(2000 + peers.length)
    const peer = await connectFakeSwitch({ port }, { ...opts, dpid })
    peers.push(peer)
    return [peer, await ctl.waitForSwitch(dpid, 5000)]
  }

  /** A switch that completed the handshake, then writes `bytes` raw on its socket. */
  async function badSwitch(bytes: Buffer, dpid: bigint): Promise<[SwitchConnection, Promise<Error | undefined>]> {
    const [peer, sw] = await connectSwitch({ dpid })
    const closed = once(sw, 'close').then(([e]) => e as Error | undefined)
    peer.socket.write(bytes)
    return [sw, closed]
  }

  beforeEach(async () => {
    // generous: a loaded CI machine must not make the healthy switch look dead
    ctl = new SwitchListener({ echoInterval: 500, echoTimeout: 3000, handshakeTimeout: 5000 })
    port = ((await ctl.listen({ port: 0 })) as AddressInfo).port
  })

  afterEach(async () => {
    for (const p of peers.splice(0)) p.socket.destroy()
    for (const s of raws.splice(0)) s.destroy()
    await ctl.close()
  })

  async function healthyStillWorks(healthy: SwitchConnection): Promise<void> {
    assert.equal(healthy.state, 'ready')
    assert.ok((await healthy.echo()) >= 0)
    assert.equal((await healthy.portDesc()).length, 1)
    assert.equal(ctl.switches.get(healthy.datapathId), healthy)
  }

  it('garbage after the handshake closes only that connection, with a DecodeError', async () => {
    const [, healthy] = await connectSwitch({ dpid: 1n })
    // version 4, type 99 (unknown) is not garbage enough: a header with an impossible length is
    const garbage = Buffer.from('0404000300000001ffffffff', 'hex')
    const [, closed] = await badSwitch(garbage, 2n)
    assert.ok((await closed) instanceof DecodeError)
    await healthyStillWorks(healthy)
  })

  it('a body that does not decode (length field lying about the contents) closes only that connection', async () => {
    const [, healthy] = await connectSwitch({ dpid: 1n })
    // PORT_STATUS claims 24 bytes: too short for its ofp_port
    const frame = Buffer.from('040c0018000000050000000000000000' + '0000000100000000', 'hex')
    const [, closed] = await badSwitch(frame, 3n)
    const reason = await closed
    assert.ok(reason instanceof DecodeError, String(reason))
    assert.match(reason.message, /truncated/)
    await healthyStillWorks(healthy)
  })

  it('random bytes from a fresh connection end it before the handshake; the listener reports it', async () => {
    const [, healthy] = await connectSwitch({ dpid: 1n })
    const failed = once(ctl, 'handshake_failed')
    const s = connect(port, '127.0.0.1')
    raws.push(s)
    s.on('error', () => {})
    s.resume() // read what the controller sends (its HELLO), so the peer sees the close
    await once(s, 'connect')
    const sClosed = once(s, 'close')
    // "GE" then a length of 16: frames cleanly, and is not OpenFlow
    s.write(Buffer.concat([Buffer.from('GE\x00\x10', 'latin1'), Buffer.from('T / HTTP/1.1\r\n\r\n', 'latin1').subarray(0, 12)]))
    const [err] = await failed
    assert.match((err as Error).message, /sent OpenFlow version 0x47/)
    await sClosed
    await healthyStillWorks(healthy)
  })

  it('a peer that stops mid-message (truncated header, or a length promising more) is declared dead', async () => {
    const [, healthy] = await connectSwitch({ dpid: 1n })
    const [, closedA] = await badSwitch(Buffer.from('040a', 'hex'), 4n)
    // a full header announcing 65535 bytes, and then 100 of them
    const header = Buffer.from('040affff00000009', 'hex')
    const [, closedB] = await badSwitch(Buffer.concat([header, Buffer.alloc(100, 0xab)]), 5n)
    for (const c of [closedA, closedB]) assert.ok((await c) instanceof DeadPeerError)
    await healthyStillWorks(healthy)
  })

  it('an oversized message (64 KiB of junk behind a valid header) closes only that connection', async () => {
    const [, healthy] = await connectSwitch({ dpid: 1n })
    const big = Buffer.alloc(0xffff, 0xee)
    Buffer.from('040affff00000009', 'hex').copy(big) // PACKET_IN, 65535 bytes, junk body
    const [, closed] = await badSwitch(big, 6n)
    assert.ok((await closed) instanceof DecodeError)
    await healthyStillWorks(healthy)
  })

  it('bounds multipart reassembly: endless REPLY_MORE parts fail that request, the connection stays', async () => {
    await ctl.close()
    ctl = new SwitchListener({ echoInterval: 0, maxMultipartParts: 50 })
    port = ((await ctl.listen({ port: 0 })) as AddressInfo).port
    let served = 0
    const [, sw] = await connectSwitch({
      dpid: 7n,
      onMessage: (m) => {
        if (m.type !== 'multipart_request' || m.body.kind !== 'table') return undefined
        served++
        // 200 parts, every one with OFPMPF_REPLY_MORE: a reply that never ends
        return Array.from({ length: 200 }, () => ({ type: 'multipart_reply', flags: 1, xid: m.xid,
          body: { kind: 'table', tables: [{ table: 0, activeCount: 1, lookupCount: 2n, matchedCount: 3n }] } }) as OFMessage)
      },
    })
    await assert.rejects(sw.tableStats(), (e: Error) => e instanceof MultipartLimitError && /exceeds 50 parts/.test(e.message))
    assert.equal(served, 1)
    assert.equal(sw.state, 'ready')
    assert.ok((await sw.echo()) >= 0)
    assert.equal((await sw.portDesc()).length, 1)
  })

  it('bounds multipart reassembly by bytes; late parts of the abandoned reply are dropped', async () => {
    await ctl.close()
    ctl = new SwitchListener({ echoInterval: 0, maxMultipartBytes: 20000 })
    port = ((await ctl.listen({ port: 0 })) as AddressInfo).port
    const messages: OFMessage[] = []
    const [, sw] = await connectSwitch({
      dpid: 8n,
      onMessage: (m) => {
        if (m.type !== 'multipart_request' || m.body.kind !== 'raw') return undefined
        return [0, 1, 2, 3, 4].map((i) => ({ type: 'multipart_reply', flags: i < 4 ? 1 : 0, xid: m.xid,
          body: { kind: 'raw', mpType: m.body.kind === 'raw' ? m.body.mpType : 0, data: Buffer.alloc(8000, i) } }) as OFMessage)
      },
    })
    sw.on('message', (m) => messages.push(m))
    await assert.rejects(sw.multipart({ kind: 'raw', mpType: 12, data: Buffer.alloc(0) }), /exceeds 20000 bytes/)
    // a small reply still passes, and none of the dropped parts surfaced as unsolicited messages
    assert.ok((await sw.echo()) >= 0)
    assert.equal((await sw.portDesc()).length, 1)
    assert.deepEqual(messages.filter((m) => m.type === 'multipart_reply'), [])
  })

  it('a throwing or rejecting listener does not close the connection; errors are reported as ListenerError', async () => {
    const [peer, sw] = await connectSwitch({ dpid: 9n })
    const errors: Error[] = []
    ctl.on('error', (e) => errors.push(e))
    let later = 0
    sw.on('packet_in', () => { throw new Error('boom in packet_in') })
    sw.on('packet_in', () => { later++ })
    sw.on('port_status', async () => { throw new Error('async boom in port_status') })
    sw.on('flow_removed', () => { throw 'not even an Error' }) // eslint-disable-line no-throw-literal
    peer.send({ type: 'packet_in', bufferId: 0xffffffff, totalLen: 4, reason: 0, table: 0, cookie: 0n, match: { in_port: 1 }, data: Buffer.from('abcd') })
    peer.send({ type: 'port_status', reason: 0, port: { portNo: 2, hwAddr: '02:00:00:00:00:02', name: 'p2', config: 0, state: 4,
      curr: 0, advertised: 0, supported: 0, peer: 0, currSpeed: 0, maxSpeed: 0 } })
    peer.send({ type: 'flow_removed', cookie: 0n, priority: 1, reason: 0, table: 0, durationSec: 0, durationNsec: 0, idleTimeout: 0,
      hardTimeout: 0, packetCount: 0n, byteCount: 0n, match: {} })
    const deadline = Date.now() + 5000
    while (errors.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(errors.map((e) => (e as ListenerError).event).sort(), ['flow_removed', 'packet_in', 'port_status'])
    assert.ok(errors.every((e) => e instanceof ListenerError))
    assert.match(errors.find((e) => (e as ListenerError).event === 'packet_in')!.message, /boom in packet_in/)
    assert.equal(later, 1, 'the listeners after a throwing one still run')
    assert.equal(sw.state, 'ready')
    assert.ok(sw.ports.has(2))
    assert.ok((await sw.echo()) >= 0)
  })

  it('a throwing listener on the listener itself (switch, switch_disconnected) affects nothing else', async () => {
    const errors: Error[] = []
    ctl.on('error', (e) => errors.push(e))
    ctl.on('switch', () => { throw new Error('switch handler bug') })
    ctl.on('switch_disconnected', async () => { throw new Error('disconnect handler bug') })
    const [peer, sw] = await connectSwitch({ dpid: 10n })
    assert.ok((await sw.echo()) >= 0)
    peer.socket.destroy()
    await once(sw, 'close')
    const [, again] = await connectSwitch({ dpid: 11n })
    assert.ok((await again.echo()) >= 0)
    const deadline = Date.now() + 5000
    while (errors.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(errors.map((e) => (e as ListenerError).event).sort(), ['switch', 'switch', 'switch_disconnected'])
  })

  it('without any error listener a failing listener becomes a process warning, not a crash', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error): void => { warnings.push(w) }
    process.on('warning', onWarning)
    try {
      const [peer, sw] = await connectSwitch({ dpid: 12n })
      sw.on('packet_in', () => { throw new Error('unobserved bug') })
      peer.send({ type: 'packet_in', bufferId: 0xffffffff, totalLen: 1, reason: 0, table: 0, cookie: 0n, match: {}, data: Buffer.from('a') })
      const deadline = Date.now() + 5000
      while (!warnings.some((w) => w instanceof ListenerError) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      assert.ok(warnings.some((w) => w instanceof ListenerError && /unobserved bug/.test(w.message)))
      assert.ok((await sw.echo()) >= 0)
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('refuses multipart bounds that cannot work, at construction', () => {
    assert.throws(() => new SwitchListener({ maxMultipartParts: 0 }), /maxMultipartParts must be a positive integer, got 0/)
    assert.throws(() => new SwitchListener({ maxMultipartBytes: -1 }), /maxMultipartBytes must be a positive integer/)
    assert.throws(() => new SwitchListener({ maxMultipartBytes: 1.5 }), /maxMultipartBytes/)
  })

  it('a closed connection rejects new requests clearly', async () => {
    const [peer, sw] = await connectSwitch({ dpid: 13n })
    peer.socket.destroy()
    await once(sw, 'close')
    await assert.rejects(sw.echo(), ConnectionClosedError)
  })
})
