/** Shared bits of the messaging functional tests: a transport with fast retries, raw AMQP access, polling. */
import * as amqp from 'amqplib'
import { memoryLogger } from '../../../src/common/log.js'
import { createTransport, type AmqpTransport } from '../../../src/messaging/index.js'
import type { RpcEndpoint, RpcHandler } from '../../../src/messaging/types.js'
import type { RabbitNode } from '../../helpers/rabbitmq.js'

export type MemLog = ReturnType<typeof memoryLogger>

export function transportFor(url: string, log: MemLog = memoryLogger(), extra: { rpcResponseTimeoutMs?: number; heartbeatTimeoutThreshold?: number } = {}): { t: AmqpTransport; log: MemLog } {
  const t = createTransport({ url, log, retry: { intervalMs: 200, backoffMs: 200, maxMs: 1000 }, connectTimeoutMs: 5000, ...extra })
  return { t, log }
}

export function endpoint(version: string, methods: Record<string, RpcHandler>, namespace: string | null = null): RpcEndpoint {
  return { namespace, version, methods: new Map(Object.entries(methods)) }
}

export async function until<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A raw amqplib connection to the node (to see the wire as another client sees it). */
export async function rawChannel(node: RabbitNode): Promise<{ ch: amqp.Channel; close(): Promise<void> }> {
  const conn = await amqp.connect({ hostname: '127.0.0.1', port: node.port, username: 'guest', password: 'guest' })
  const ch = await conn.createChannel()
  return { ch, close: () => conn.close().catch(() => undefined) }
}

/** rabbitmqctl list_* as rows of tab-separated columns (header lines dropped). */
export function listRows(node: RabbitNode, what: 'queues' | 'exchanges' | 'bindings' | 'connections', cols: string[]): string[][] {
  const out = node.ctl(`list_${what}`, '-q', '--no-table-headers', ...cols)
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('\t'))
}
