// oslo.messaging concepts, nothing of Neutron: the contract between src/messaging (the transport)
// and its users (src/agent-rpc). Shapes follow oslo_messaging/target.py and rpc/dispatcher.py.

/** oslo.messaging Target. */
export interface Target {
  topic: string
  /** RPC server name (host): routes to `<topic>.<server>`. */
  server?: string
  /** Fanout cast to every server of the topic (`<topic>_fanout` exchange). */
  fanout?: boolean
  /** Target version 'X.Y' sent in the envelope. */
  version?: string
  namespace?: string | null
}

/** The request context dict: the `_context_*` keys of the envelope, prefix removed. */
export type ContextDict = Record<string, unknown>

export type RpcHandler = (ctx: ContextDict, args: Record<string, unknown>) => Promise<unknown> | unknown

/** One endpoint: its namespace (null for every Neutron endpoint) and the version it implements. */
export interface RpcEndpoint {
  readonly namespace: string | null
  readonly version: string            // 'X.Y'; accepts messages with same major and minor <= Y
  readonly methods: ReadonlyMap<string, RpcHandler>
}

/** Throw this from a handler to send a failure reply naming the exception the caller expects
 *  (e.g. new RemoteFailure('InvalidInput', 'neutron_lib.exceptions', 'Invalid input for operation: ...')). */
export class RemoteFailure extends Error {
  constructor(readonly excClass: string, readonly excModule: string, message: string, readonly excArgs: unknown[] = [message], readonly excKwargs: Record<string, unknown> = {}) { super(message) }
}

export interface RpcServerOptions { target: Target & { server: string }; endpoints: RpcEndpoint[]; /** also consume `<topic>_fanout` */ fanout?: boolean }

export interface RpcServer { start(): Promise<void>; stop(): Promise<void> }

export interface Transport {
  /** Start consuming; survives broker restarts (re-declares its queues on reconnect). */
  rpcServer(o: RpcServerOptions): RpcServer
  /** cast (no reply) — to `topic`, `topic.server`, or `topic_fanout` when target.fanout. Resolves when published (buffered while disconnected). */
  cast(target: Target, method: string, args: Record<string, unknown>, ctx?: ContextDict): Promise<void>
  /** call with reply; rejects with RemoteError (carrying excClass/excModule) or MessagingTimeout. */
  call(target: Target, method: string, args: Record<string, unknown>, o?: { ctx?: ContextDict; timeoutMs?: number }): Promise<unknown>
  close(): Promise<void>
}
