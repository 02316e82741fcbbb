/**
 * Builds an `RpcEndpoint` (src/messaging/types.ts) from a version and plain handler functions.
 * A refused call (RemoteFailure: bad arguments, unknown network, …) is logged here, one WARNING
 * line naming the method, the exception class and its message, then answered by the transport.
 */
import type { Logger } from '../../common/log.js'
import { RemoteFailure, type RpcEndpoint, type RpcHandler } from '../../messaging/types.js'

/** Every Zed endpoint has namespace None (neutron_lib RPC_NAMESPACE_*). */
export function endpoint(version: string, methods: Record<string, RpcHandler>, log: Logger): RpcEndpoint {
  const wrapped = Object.entries(methods).map(([name, h]): [string, RpcHandler] => [
    name,
    async (ctx, args) => {
      try {
        return await h(ctx, args)
      } catch (e) {
        if (e instanceof RemoteFailure) log.warn(`${name} refused: ${e.excClass}: ${e.message}`)
        throw e
      }
    },
  ])
  return { namespace: null, version, methods: new Map(wrapped) }
}
