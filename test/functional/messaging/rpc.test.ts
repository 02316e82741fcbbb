/**
 * The transport against a real private RabbitMQ node: call/cast/fanout/`topic.host` round trips,
 * round-robin of the shared queue, the queues and exchanges exactly as oslo declares them
 * (shared/reference/agents-rpc/rmq-*.txt), AMQP properties, failure replies, timeouts,
 * `_unique_id` de-duplication and every kind of bad input from the wire.
 */
import assert from 'node:assert/strict'
import type { ConsumeMessage } from 'amqplib'
import { after, before, describe, it } from 'node:test'
import { encodeEnvelope, requestMessage, uuidHex } from '../../../src/messaging/envelope.js'
import { MessagingTimeout, RemoteError, RemoteFailure, type AmqpTransport, type RpcServer } from '../../../src/messaging/index.js'
import { rabbitSkipReason, startRabbit, type RabbitNode } from '../../helpers/rabbitmq.js'
import { endpoint, listRows, rawChannel, transportFor, until, type MemLog } from './helpers.js'

const skip = rabbitSkipReason()
const TOPIC = 'nmq-topic'

describe('messaging over a real RabbitMQ', { skip, timeout: 240_000 }, () => {
  let node: RabbitNode
  let srv: { t: AmqpTransport; log: MemLog }
  let cli: { t: AmqpTransport; log: MemLog }
  const servers: RpcServer[] = []
  const got: Array<{ host: string; method: string; args: Record<string, unknown>; ctx: Record<string, unknown> }> = []

  const hostEndpoint = (host: string) => endpoint('1.3', {
    echo: (ctx, args) => { got.push({ host, method: 'echo', args, ctx }); return { host, args, ctx } },
    note: (ctx, args) => { got.push({ host, method: 'note', args, ctx }) },
    refuse: () => { throw new RemoteFailure('InvalidInput', 'neutron_lib.exceptions', 'Invalid input for operation: no.') },
    crash: () => { throw new Error('secret internal detail') },
    nothing: () => undefined,
    slowly: async () => { await new Promise((r) => setTimeout(r, 300)); return 'late' },
  })

  before(async () => {
    node = await startRabbit()
    srv = transportFor(node.url)
    cli = transportFor(node.url)
    for (const host of ['h1', 'h2']) {
      const s = srv.t.rpcServer({ target: { topic: TOPIC, server: host }, endpoints: [hostEndpoint(host)], fanout: true })
      servers.push(s)
    }
    await srv.t.waitConnected()
    for (const s of servers) await s.start()
  })

  after(async () => {
    await cli?.t.close()
    await srv?.t.close()
    await node?.stop()
  })

  it('declares exchanges and queues exactly as oslo.messaging does', async () => {
    await cli.t.call({ topic: TOPIC, version: '1.0' }, 'nothing', {}) // also declares the reply queue
    const queues = listRows(node, 'queues', ['name', 'durable', 'auto_delete', 'arguments'])
    const q = (name: string) => queues.find((r) => r[0] === name)
    assert.deepEqual(q(TOPIC), [TOPIC, 'false', 'false', '[]'])
    assert.deepEqual(q(`${TOPIC}.h1`), [`${TOPIC}.h1`, 'false', 'false', '[]'])
    const fanoutQs = queues.filter((r) => new RegExp(`^${TOPIC}_fanout_[0-9a-f]{32}$`).test(r[0]!))
    assert.equal(fanoutQs.length, 2)
    for (const r of fanoutQs) assert.deepEqual(r.slice(1), ['false', 'false', '[{"x-expires",1800000}]'])
    assert.deepEqual(q(cli.t.replyQueue), [cli.t.replyQueue, 'false', 'false', '[{"x-expires",1800000}]'])
    assert.match(cli.t.replyQueue, /^reply_[0-9a-f]{32}$/)
    const ex = listRows(node, 'exchanges', ['name', 'type', 'durable', 'auto_delete'])
    assert.deepEqual(ex.find((r) => r[0] === 'neutron'), ['neutron', 'topic', 'false', 'false'])
    assert.deepEqual(ex.find((r) => r[0] === `${TOPIC}_fanout`), [`${TOPIC}_fanout`, 'fanout', 'false', 'true'])
    const b = listRows(node, 'bindings', ['source_name', 'destination_name', 'routing_key'])
    assert.ok(b.some((r) => r[0] === 'neutron' && r[1] === TOPIC && r[2] === TOPIC))
    assert.ok(b.some((r) => r[0] === 'neutron' && r[1] === `${TOPIC}.h2` && r[2] === `${TOPIC}.h2`))
    assert.equal(b.filter((r) => r[0] === `${TOPIC}_fanout` && r[2] === TOPIC).length, 2)
  })

  it('call: result, context and args round trip; topic.host reaches that host', async () => {
    for (const host of ['h1', 'h2', 'h2', 'h1']) {
      const r = await cli.t.call({ topic: TOPIC, server: host, version: '1.2' }, 'echo', { n: 1, s: 'é' }, { ctx: { request_id: 'req-1', is_admin: true } }) as Record<string, unknown>
      assert.deepEqual(r, { host, args: { n: 1, s: 'é' }, ctx: { request_id: 'req-1', is_admin: true } })
    }
    assert.equal(await cli.t.call({ topic: TOPIC }, 'nothing', {}), null)
    assert.equal(await cli.t.call({ topic: TOPIC }, 'slowly', {}), 'late')
  })

  it('the shared topic queue is round-robin between the servers', async () => {
    const hosts = new Set<string>()
    for (let i = 0; i < 8; i++) hosts.add(((await cli.t.call({ topic: TOPIC }, 'echo', { i })) as { host: string }).host)
    assert.deepEqual([...hosts].sort(), ['h1', 'h2'])
  })

  it('cast reaches one server; fanout cast reaches every server; topic.host cast reaches that host', async () => {
    got.length = 0
    await cli.t.cast({ topic: TOPIC, version: '1.0' }, 'note', { k: 'one' }, { request_id: 'req-c' })
    await until('cast', () => got.find((g) => g.args.k === 'one'))
    await cli.t.cast({ topic: TOPIC, fanout: true, version: '1.0' }, 'note', { k: 'all' })
    await until('fanout to both', () => got.filter((g) => g.args.k === 'all').length === 2)
    await cli.t.cast({ topic: TOPIC, server: 'h2', version: '1.0' }, 'note', { k: 'h2' })
    const g = await until('cast to h2', () => got.find((x) => x.args.k === 'h2'))
    assert.equal(g.host, 'h2')
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(got.filter((x) => x.args.k === 'one').length, 1)
    assert.deepEqual(got.find((x) => x.args.k === 'one')!.ctx, { request_id: 'req-c' })
  })

  it('failure replies: RemoteFailure, NoSuchMethod, UnsupportedVersion, and a generic error that hides internals', async () => {
    const fail = (method: string, version = '1.0') => cli.t.call({ topic: TOPIC, version }, method, {}).then(() => assert.fail('no error'), (e: unknown) => e as RemoteError)
    const e1 = await fail('refuse')
    assert.ok(e1 instanceof RemoteError)
    assert.deepEqual([e1.excClass, e1.excModule, e1.remoteMessage], ['InvalidInput', 'neutron_lib.exceptions', 'Invalid input for operation: no.'])
    const e2 = await fail('no_such_method')
    assert.deepEqual([e2.excClass, e2.excModule, e2.remoteMessage], ['NoSuchMethod', 'oslo_messaging.rpc.dispatcher', 'Endpoint does not support RPC method no_such_method'])
    const e3 = await fail('echo', '9.0')
    assert.deepEqual([e3.excClass, e3.remoteMessage], ['UnsupportedVersion', 'Endpoint does not support RPC version 9.0. Attempted method: echo'])
    const e4 = await fail('echo', '1.4')
    assert.equal(e4.excClass, 'UnsupportedVersion')
    const e5 = await fail('crash')
    assert.deepEqual([e5.excClass, e5.excModule], ['Exception', 'builtins'])
    assert.doesNotMatch(e5.remoteMessage, /secret/)
    assert.ok(srv.log.lines.some((l) => l.includes('ERROR') && l.includes('secret internal detail')), 'the stack is logged')
  })

  it('handles messages concurrently: a slow handler does not hold up the next call', async () => {
    const order: string[] = []
    const slow = cli.t.call({ topic: TOPIC, server: 'h1' }, 'slowly', {}).then(() => order.push('slow'))
    const fast = cli.t.call({ topic: TOPIC, server: 'h1' }, 'nothing', {}).then(() => order.push('fast'))
    await Promise.all([slow, fast])
    assert.deepEqual(order, ['fast', 'slow'])
  })

  it('a stopped server consumes no more: its calls time out, its queues keep no consumer', async () => {
    const s = srv.t.rpcServer({ target: { topic: 'nmq-stop', server: 'h9' }, endpoints: [hostEndpoint('h9')] })
    await s.start()
    assert.equal((await cli.t.call({ topic: 'nmq-stop' }, 'echo', {}) as { host: string }).host, 'h9')
    await s.stop()
    const consumers = listRows(node, 'queues', ['name', 'consumers']).filter((r) => r[0]!.startsWith('nmq-stop'))
    assert.deepEqual(consumers.sort(), [['nmq-stop', '0'], ['nmq-stop.h9', '0']])
    await assert.rejects(cli.t.call({ topic: 'nmq-stop' }, 'echo', {}, { timeoutMs: 1000 }), MessagingTimeout)
  })

  it('a call nobody consumes ends with MessagingTimeout', async () => {
    const t0 = Date.now()
    await assert.rejects(cli.t.call({ topic: 'nmq-nobody' }, 'echo', {}, { timeoutMs: 1500 }), (e: unknown) => e instanceof MessagingTimeout && e.timeoutMs === 1500)
    assert.ok(Date.now() - t0 >= 1400)
  })

  it('sends the recorded AMQP properties (expiration on calls only)', async () => {
    const raw = await rawChannel(node)
    try {
      await raw.ch.assertQueue('nmq-props', { durable: false, autoDelete: false })
      await raw.ch.bindQueue('nmq-props', 'neutron', 'nmq-props')
      const seen: ConsumeMessage[] = []
      await raw.ch.consume('nmq-props', (m) => { if (m) seen.push(m) }, { noAck: true })
      void cli.t.call({ topic: 'nmq-props' }, 'x', {}, { timeoutMs: 2500 }).catch(() => undefined)
      await cli.t.cast({ topic: 'nmq-props' }, 'y', {})
      await until('both messages', () => seen.length === 2)
      const props = (m: ConsumeMessage) => {
        const p = m.properties
        return { contentType: p.contentType, contentEncoding: p.contentEncoding, deliveryMode: p.deliveryMode, priority: p.priority, headers: p.headers, expiration: p.expiration }
      }
      const base = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, headers: {} }
      const byMethod = Object.fromEntries(seen.map((m) => [JSON.parse(JSON.parse(m.content.toString())['oslo.message']).method, props(m)]))
      assert.deepEqual(byMethod.x, { ...base, expiration: '2500' })
      assert.deepEqual(byMethod.y, { ...base, expiration: undefined })
    } finally {
      await raw.close()
    }
  })

  describe('bad input from the wire', () => {
    let raw: Awaited<ReturnType<typeof rawChannel>>
    const replyQ = `reply_${uuidHex()}`
    const replies: Array<Record<string, unknown>> = []
    before(async () => {
      raw = await rawChannel(node)
      await raw.ch.assertQueue(replyQ, { durable: false, autoDelete: false, arguments: { 'x-expires': 60000 } })
      await raw.ch.consume(replyQ, (m) => { if (m) replies.push(JSON.parse(JSON.parse(m.content.toString())['oslo.message'])) }, { noAck: true })
    })
    after(async () => { await raw?.close() })

    const send = (body: string | Buffer) => raw.ch.publish('neutron', `${TOPIC}.h1`, Buffer.isBuffer(body) ? body : Buffer.from(body))
    const call = (msg: Record<string, unknown>) => {
      const msgId = uuidHex()
      send(encodeEnvelope({ ...msg, _msg_id: msgId, _reply_q: replyQ, _unique_id: uuidHex() }))
      return msgId
    }
    const failureOf = async (msgId: string) => {
      const r = await until(`reply ${msgId}`, () => replies.find((x) => x._msg_id === msgId))
      assert.equal(r.result, null)
      return JSON.parse(r.failure as string) as { class: string; module: string; message: string }
    }
    const logged = (re: RegExp) => until(`log ${re}`, () => srv.log.lines.find((l) => re.test(l)))

    it('missing method, missing args, args not an object, wrong version string: failure replies', async () => {
      const f1 = await failureOf(call({ args: {} }))
      assert.deepEqual([f1.class, f1.module], ['TypeError', 'builtins'])
      assert.match(f1.message, /'method' must be a non-empty string/)
      assert.match((await failureOf(call({ method: 'echo' }))).message, /'args' must be an object, got nothing/)
      assert.match((await failureOf(call({ method: 'echo', args: 'x' }))).message, /'args' must be an object, got "x"/)
      const f4 = await failureOf(call({ method: 'echo', args: {}, version: 'v1' }))
      assert.deepEqual([f4.class, f4.message], ['ValueError', `Malformed RPC message for echo: 'version' must be 'X.Y', got "v1"`])
      await logged(/RPC echo on nmq-topic\.h1 refused: builtins\.ValueError/)
    })

    it('non-JSON body, oslo.message not JSON: logged, answered when the reply queue can be read', async () => {
      send('this is not json')
      await logged(/Malformed message on nmq-topic\.h1 dropped: body is not JSON/)
      send('{"oslo.version": "2.0"}')
      await logged(/dropped: envelope without an 'oslo\.message' JSON string/)
      send('{"oslo.version": "3.5", "oslo.message": "{}"}')
      await logged(/dropped: unsupported envelope version "3\.5"/)
      const msgId = uuidHex()
      send(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': `{"method": "echo", "_msg_id": "${msgId}", "_reply_q": "${replyQ}", oops` }))
      const f = await failureOf(msgId)
      assert.deepEqual([f.class, f.module], ['ValueError', 'builtins'])
      assert.match(f.message, /'oslo\.message' is not JSON/)
    })

    it('a call without _reply_q is logged, and nothing crashes: the next call is served', async () => {
      send(encodeEnvelope({ method: 'echo', args: {}, _msg_id: uuidHex(), _unique_id: uuidHex() }))
      await logged(/Call echo on nmq-topic\.h1 cannot be answered: no '_reply_q'/)
      assert.deepEqual(await cli.t.call({ topic: TOPIC, server: 'h1' }, 'echo', { after: 'bad input' }), { host: 'h1', args: { after: 'bad input' }, ctx: {} })
    })

    it('a reply whose queue is gone comes back (mandatory) and is logged', async () => {
      const gone = `reply_${uuidHex()}`
      send(encodeEnvelope({ method: 'echo', args: {}, _msg_id: uuidHex(), _reply_q: gone, _unique_id: uuidHex() }))
      await logged(new RegExp(`AMQP message to \\(default\\)/${gone} returned unroutable`))
    })

    it('a message delivered twice (same _unique_id) is handled once', async () => {
      got.length = 0
      const body = encodeEnvelope(requestMessage({ method: 'note', args: { dup: 1 }, version: '1.0', uniqueId: uuidHex() }))
      send(body)
      send(body)
      const msgId = uuidHex()
      const callBody = encodeEnvelope(requestMessage({ method: 'echo', args: { dup: 2 }, reply: { msgId, replyQ: replyQ }, uniqueId: uuidHex() }))
      send(callBody)
      send(callBody)
      await until('the call answered', () => replies.find((r) => r._msg_id === msgId))
      await logged(/Duplicate message [0-9a-f]{32} on nmq-topic\.h1 ignored/)
      await new Promise((r) => setTimeout(r, 500))
      assert.equal(got.filter((g) => g.args.dup === 1).length, 1)
      assert.equal(got.filter((g) => g.args.dup === 2).length, 1)
      assert.equal(replies.filter((r) => r._msg_id === msgId).length, 1)
    })
  })
})
