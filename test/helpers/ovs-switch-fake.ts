/**
 * A scripted OpenFlow "switch" in-process: it accepts a controller-side client (ovs-ofctl, or
 * our SwitchConnection through a socket pair), answers HELLO/FEATURES/PORT_DESC/ECHO/BARRIER
 * and records every other message. Used to capture the exact bytes ovs-ofctl sends, and to
 * test handshake, errors and keepalive without a daemon.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { decodeMessage, encode } from '../../src/openflow/codec.js'
import { Framer } from '../../src/openflow/framer.js'
import type { OFMessage } from '../../src/openflow/messages.js'

export interface FakeSwitchOptions {
  /** Versions offered in our HELLO bitmap (default [4]); hello header version = max. */
  versions?: number[]
  dpid?: bigint
  /** Stay silent to ECHO_REQUEST (dead-peer tests). */
  ignoreEcho?: boolean
  /** Custom reply hook: return messages to send back, or undefined for the default. */
  onMessage?: (m: OFMessage & { xid: number }, raw: Buffer) => OFMessage[] | undefined
}

export class FakeSwitchPeer {
  readonly received: { msg: OFMessage & { xid: number }; raw: Buffer }[] = []
  private readonly framer = new Framer()
  private waiters: (() => void)[] = []
  /** Set when a received frame could not be decoded (the connection is then closed). */
  error: Error | undefined

  constructor(readonly socket: Socket, readonly opts: FakeSwitchOptions = {}) {
    const versions = opts.versions ?? [4]
    socket.write(encode({ type: 'hello', version: Math.max(...versions), versions }, 1))
    socket.on('data', (c: Buffer) => {
      try {
        this.framer.push(c, (f) => this.onFrame(Buffer.from(f)))
      } catch (e) {
        this.error = e as Error
        socket.destroy()
      }
    })
    socket.on('error', () => {})
  }

  private onFrame(raw: Buffer): void {
    const msg = decodeMessage(raw)
    this.received.push({ msg, raw })
    for (const w of this.waiters.splice(0)) w()
    const custom = this.opts.onMessage?.(msg, raw)
    const send = (m: OFMessage): void => {
      if (!this.socket.destroyed) this.socket.write(encode(m, m.xid ?? msg.xid))
    }
    if (custom) return custom.forEach(send)
    switch (msg.type) {
      case 'features_request':
        return send({ type: 'features_reply', datapathId: this.opts.dpid ?? 0xabcn, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0x4f })
      case 'echo_request':
        if (!this.opts.ignoreEcho) send({ type: 'echo_reply', data: msg.data })
        return
      case 'barrier_request':
        return send({ type: 'barrier_reply' })
      case 'multipart_request':
        if (msg.body.kind === 'port_desc') {
          return send({ type: 'multipart_reply', flags: 0, body: { kind: 'port_desc', ports: [{
            portNo: 1, hwAddr: '02:00:00:00:00:01', name: 'p1', config: 0, state: 4, curr: 0, advertised: 0, supported: 0,
            peer: 0, currSpeed: 0, maxSpeed: 0 }] } })
        }
        // other multipart types (ovs-ofctl without --no-names asks for TABLE_FEATURES)
        if (msg.body.kind === 'raw') return send({ type: 'error', errorType: 1, code: 2, data: raw.subarray(0, 64) })
        return
      default:
    }
  }

  /** Resolves when a message satisfying `pred` has been received. */
  async waitFor(pred: (m: OFMessage) => boolean, timeout = 5000): Promise<OFMessage & { xid: number }> {
    const deadline = Date.now() + timeout
    for (;;) {
      const hit = this.received.find((r) => pred(r.msg))
      if (hit) return hit.msg
      if (Date.now() > deadline) throw new Error('fake switch: timed out waiting for a message')
      await new Promise<void>((res) => {
        const t = setTimeout(res, 50)
        this.waiters.push(() => { clearTimeout(t); res() })
      })
    }
  }

  send(m: OFMessage, xid = 0): void {
    this.socket.write(encode(m, xid))
  }
}

/** Listens like a passive-mode switch (ovs-ofctl connects to "tcp:127.0.0.1:port"). */
export async function listenFakeSwitch(opts: FakeSwitchOptions = {}): Promise<{ port: number; server: Server; peers: FakeSwitchPeer[] }> {
  const peers: FakeSwitchPeer[] = []
  const server = createServer((s) => peers.push(new FakeSwitchPeer(s, opts)))
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
  return { port: (server.address() as AddressInfo).port, server, peers }
}

/** Connects to a controller listener like an active-mode switch. */
export function connectFakeSwitch(
  target: { port: number; tlsCa?: string } | { path: string },
  opts: FakeSwitchOptions = {},
): Promise<FakeSwitchPeer> {
  return new Promise((res, rej) => {
    if ('port' in target && target.tlsCa) {
      const s = tlsConnect({ port: target.port, host: '127.0.0.1', ca: target.tlsCa }, () => res(new FakeSwitchPeer(s, opts)))
      s.once('error', rej)
      return
    }
    const s = 'path' in target ? connect(target.path) : connect(target.port, '127.0.0.1')
    s.once('connect', () => res(new FakeSwitchPeer(s, opts)))
    s.once('error', rej)
  })
}
