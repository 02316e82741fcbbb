/**
 * oslo.messaging message bodies (oslo_messaging/_drivers/common.py serialize_msg/deserialize_msg,
 * amqpdriver.py, rpc/client.py): envelope 2.0 `{"oslo.version": "2.0", "oslo.message": "<json>"}`
 * whose message is itself JSON text. Key order is the one oslo builds (method, args, namespace,
 * version, _msg_id, _reply_q, _timeout, _unique_id, _context_*), so our bytes match the recorded ones.
 */
import { randomUUID } from 'node:crypto'
import { MalformedMessage } from './errors.js'
import { pyDumps } from './py-json.js'
import type { ContextDict } from './types.js'

export const ENVELOPE_VERSION = '2.0'
const VERSION_KEY = 'oslo.version'
const MESSAGE_KEY = 'oslo.message'
const CONTEXT_PREFIX = '_context_'

/** uuid4().hex: the form of every oslo id (_msg_id, _unique_id, reply and fanout queue suffixes). */
export function uuidHex(): string {
  return randomUUID().replaceAll('-', '')
}

export function encodeEnvelope(msg: Record<string, unknown>): Buffer {
  return Buffer.from(pyDumps({ [VERSION_KEY]: ENVELOPE_VERSION, [MESSAGE_KEY]: pyDumps(msg) }), 'utf8')
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The message dict of a body. Like oslo's deserialize_msg, a JSON object with neither envelope
 * key is taken as a bare (pre-envelope) message; anything else that is not envelope 2.x is
 * refused with a MalformedMessage naming what is wrong.
 */
export function decodeEnvelope(body: Buffer): Record<string, unknown> {
  let outer: unknown
  try {
    outer = JSON.parse(body.toString('utf8'))
  } catch (e) {
    throw new MalformedMessage(`body is not JSON (${(e as Error).message})`)
  }
  if (!isDict(outer)) throw new MalformedMessage('body is not a JSON object')
  if (!(VERSION_KEY in outer) && !(MESSAGE_KEY in outer)) return outer
  const v = outer[VERSION_KEY]
  if (typeof v !== 'string' || !/^2\.\d+$/.test(v)) {
    throw new MalformedMessage(`unsupported envelope version ${JSON.stringify(v)} (expected ${JSON.stringify(ENVELOPE_VERSION)})`)
  }
  const inner = outer[MESSAGE_KEY]
  if (typeof inner !== 'string') throw new MalformedMessage(`envelope without an '${MESSAGE_KEY}' JSON string`)
  let msg: unknown
  try {
    msg = JSON.parse(inner)
  } catch (e) {
    throw new MalformedMessage(`'${MESSAGE_KEY}' is not JSON (${(e as Error).message})`)
  }
  if (!isDict(msg)) throw new MalformedMessage(`'${MESSAGE_KEY}' is not a JSON object`)
  return msg
}

export interface RequestParts {
  method: string
  args: Record<string, unknown>
  namespace?: string | null
  version?: string
  /** Present for a call: the reply correlation id, the caller's reply queue, call-monitor timeout. */
  reply?: { msgId: string; replyQ: string; timeout?: number | null }
  uniqueId: string
  ctx?: ContextDict
}

/** A call or cast message, keys in oslo's order. */
export function requestMessage(p: RequestParts): Record<string, unknown> {
  const msg: Record<string, unknown> = { method: p.method, args: p.args }
  if (p.namespace != null) msg.namespace = p.namespace
  if (p.version !== undefined) msg.version = p.version
  if (p.reply !== undefined) {
    msg._msg_id = p.reply.msgId
    msg._reply_q = p.reply.replyQ
    msg._timeout = p.reply.timeout ?? null
  }
  msg._unique_id = p.uniqueId
  for (const [k, v] of Object.entries(p.ctx ?? {})) msg[CONTEXT_PREFIX + k] = v
  return msg
}

/** A reply (one message, ending=true: the 2.0 protocol); `failure` is the serialised JSON string or null. */
export function replyMessage(msgId: string, result: unknown, failure: string | null, uniqueId: string): Record<string, unknown> {
  return { result: failure === null ? (result ?? null) : null, failure, ending: true, _msg_id: msgId, _unique_id: uniqueId }
}

/** Splits the `_context_*` keys off a message (oslo rpc_amqp.unpack_context). */
export function unpackContext(msg: Record<string, unknown>): { ctx: ContextDict; rest: Record<string, unknown> } {
  const ctx: ContextDict = {}
  const rest: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(msg)) {
    if (k.startsWith(CONTEXT_PREFIX)) ctx[k.slice(CONTEXT_PREFIX.length)] = v
    else rest[k] = v
  }
  return { ctx, rest }
}
