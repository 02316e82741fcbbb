/**
 * An in-memory oslo.messaging Transport (src/messaging/types.ts) for unit tests. Semantic, not a
 * mock: calls and casts are routed to the endpoints of started RPC servers as the RabbitMQ
 * transport routes them (topic → one server round-robin, topic.server → that server, fanout →
 * every server of the topic that consumes its fanout), dispatched as oslo's dispatcher does
 * (method lookup, same major and minor ≤ endpoint's, else NoSuchMethod / UnsupportedVersion),
 * and every argument and result goes through JSON so a non-serialisable result fails here too.
 * Casts are recorded (`casts`) with their target, whether or not anything consumed them.
 */
import { RemoteFailure, type ContextDict, type RpcEndpoint, type RpcServer, type RpcServerOptions, type Target, type Transport } from '../../src/messaging/types.js'

export class FakeRemoteError extends Error {
  constructor(readonly excClass: string, readonly excModule: string, message: string) {
    super(message)
  }
}

export interface RecordedCast {
  target: Target
  method: string
  args: any
  ctx: ContextDict
}

interface Started {
  o: RpcServerOptions
}

function wire<T>(v: T): T {
  const text = JSON.stringify(v)
  return text === undefined ? (null as T) : JSON.parse(text)
}

function versionOk(endpoint: string, msg: string): boolean {
  const [eM, em] = endpoint.split('.').map(Number)
  const [mM, mm] = msg.split('.').map(Number)
  return eM === mM && (mm ?? 0) <= (em ?? 0)
}

export class FakeTransport implements Transport {
  readonly casts: RecordedCast[] = []
  /** Failure replies sent, as the caller sees them (class, module, message). */
  readonly failures: Array<{ method: string; excClass: string; excModule: string; message: string }> = []
  private readonly servers: Started[] = []
  private rr = new Map<string, number>()

  rpcServer(o: RpcServerOptions): RpcServer {
    const s: Started = { o }
    return {
      start: async () => {
        this.servers.push(s)
      },
      stop: async () => {
        const i = this.servers.indexOf(s)
        if (i >= 0) this.servers.splice(i, 1)
      },
    }
  }

  private route(target: Target): Started[] {
    const same = this.servers.filter((s) => s.o.target.topic === target.topic)
    if (target.fanout) return same.filter((s) => s.o.fanout)
    if (target.server) return same.filter((s) => s.o.target.server === target.server)
    if (!same.length) return []
    const i = (this.rr.get(target.topic) ?? 0) % same.length
    this.rr.set(target.topic, i + 1)
    return [same[i]!]
  }

  /** oslo dispatcher: the first endpoint with the method and a compatible version. */
  async dispatch(endpoints: readonly RpcEndpoint[], method: string, version: string, args: Record<string, unknown>, ctx: ContextDict): Promise<unknown> {
    let found = false
    for (const e of endpoints) {
      const h = e.methods.get(method)
      if (!h) continue
      found = true
      if (versionOk(e.version, version)) return wire(await h(wire(ctx), wire(args)))
    }
    if (found) throw new FakeRemoteError('UnsupportedVersion', 'oslo_messaging.rpc.dispatcher', `Endpoint does not support RPC version ${version}. Attempted method: ${method}`)
    throw new FakeRemoteError('NoSuchMethod', 'oslo_messaging.rpc.dispatcher', `Endpoint does not support RPC method ${method}`)
  }

  async cast(target: Target, method: string, args: Record<string, unknown>, ctx: ContextDict = {}): Promise<void> {
    this.casts.push({ target: { ...target }, method, args: wire(args), ctx })
    for (const s of this.route(target)) {
      // A cast's failure is only logged by the consumer; nothing reaches the caster.
      await this.dispatch(s.o.endpoints, method, target.version ?? '1.0', args, ctx).catch(() => {})
    }
  }

  async call(target: Target, method: string, args: Record<string, unknown>, o: { ctx?: ContextDict; timeoutMs?: number } = {}): Promise<unknown> {
    const [s] = this.route(target)
    if (!s) throw new FakeRemoteError('MessagingTimeout', 'oslo_messaging.exceptions', `Timed out waiting for a reply to ${method}`)
    try {
      return await this.dispatch(s.o.endpoints, method, target.version ?? '1.0', args, o.ctx ?? {})
    } catch (e) {
      const f = e instanceof RemoteFailure
        ? new FakeRemoteError(e.excClass, e.excModule, e.message)
        : e instanceof FakeRemoteError ? e : new FakeRemoteError('Exception', 'builtins', 'Remote error')
      this.failures.push({ method, excClass: f.excClass, excModule: f.excModule, message: f.message })
      throw f
    }
  }

  async close(): Promise<void> {
    this.servers.length = 0
  }

  /** Casts whose target topic matches, in order. */
  castsTo(topic: string): RecordedCast[] {
    return this.casts.filter((c) => c.target.topic === topic)
  }
}
