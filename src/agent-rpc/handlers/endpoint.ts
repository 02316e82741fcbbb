/** Builds an `RpcEndpoint` (src/messaging/types.ts) from a version and plain handler functions. */
import type { RpcEndpoint, RpcHandler } from '../../messaging/types.js'

/** Every Zed endpoint has namespace None (neutron_lib RPC_NAMESPACE_*). */
export function endpoint(version: string, methods: Record<string, RpcHandler>): RpcEndpoint {
  return { namespace: null, version, methods: new Map(Object.entries(methods)) }
}
