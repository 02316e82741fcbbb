/**
 * The AMQP side of oslo.messaging's rabbit driver, declared once (impl_rabbit.py, as recorded in
 * shared/reference/agents-rpc/rmq-*.txt): exchange and queue shapes, routing and message
 * properties.
 */
import type { ConfirmChannel, Options } from 'amqplib'
import type { Target } from './types.js'

/** Properties of every message oslo publishes (spec §2 "AMQP properties"). */
export function messageProps(o: { expirationMs?: number; mandatory?: boolean } = {}): Options.Publish {
  const p: Options.Publish = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: 2,
    priority: 0,
    headers: {},
  }
  if (o.expirationMs !== undefined) p.expiration = String(Math.max(0, Math.round(o.expirationMs)))
  if (o.mandatory) p.mandatory = true
  return p
}

export const fanoutExchange = (topic: string): string => `${topic}_fanout`

/** The topic exchange (`control_exchange`): durable=false, auto_delete=false. */
export function declareTopicExchange(ch: ConfirmChannel, name: string): Promise<unknown> {
  return ch.assertExchange(name, 'topic', { durable: false, autoDelete: false })
}

/** `<topic>_fanout`: fanout, durable=false, auto_delete=true. */
export function declareFanoutExchange(ch: ConfirmChannel, topic: string): Promise<unknown> {
  return ch.assertExchange(fanoutExchange(topic), 'fanout', { durable: false, autoDelete: true })
}

/** `T` and `T.<host>`: durable=false, auto_delete=false, no arguments. */
export function declareServerQueue(ch: ConfirmChannel, name: string): Promise<unknown> {
  return ch.assertQueue(name, { durable: false, autoDelete: false })
}

/** Reply and fanout queues: durable=false, auto_delete=false, `x-expires` = rabbit_transient_queues_ttl. */
export function declareTransientQueue(ch: ConfirmChannel, name: string, ttlMs: number): Promise<unknown> {
  return ch.assertQueue(name, { durable: false, autoDelete: false, arguments: { 'x-expires': ttlMs } })
}

/** Exchange and routing key a request to `target` is published with. */
export function route(target: Target, controlExchange: string): { exchange: string; routingKey: string; fanout: boolean } {
  // oslo fanout_send publishes without a routing key (the trace shows ''); fanout ignores it.
  if (target.fanout) return { exchange: fanoutExchange(target.topic), routingKey: '', fanout: true }
  const routingKey = target.server ? `${target.topic}.${target.server}` : target.topic
  return { exchange: controlExchange, routingKey, fanout: false }
}
