/**
 * Broker outages against a real RabbitMQ node: down at start (transport created at once, RPC
 * server started, casts buffered, calls time out, all served once the broker comes up), a
 * broker restart mid-run (reconnect, queues re-declared, buffered cast delivered, in-flight call
 * gets MessagingTimeout), and fail-over across the hosts of the transport_url.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { MessagingTimeout, type AmqpTransport } from '../../../src/messaging/index.js'
import { freePort, rabbitSkipReason, startRabbit, type RabbitNode } from '../../helpers/rabbitmq.js'
import { endpoint, listRows, transportFor, until, type MemLog } from './helpers.js'

const skip = rabbitSkipReason()

describe('messaging through broker outages', { skip, timeout: 300_000 }, () => {
  let node: RabbitNode | undefined
  const transports: AmqpTransport[] = []
  const seen: string[] = []
  let a: { t: AmqpTransport; log: MemLog }
  let port: number
  after(async () => {
    for (const t of transports) await t.close()
    await node?.stop()
  })

  const ep = endpoint('1.0', {
    note: (_ctx, args) => { seen.push(String(args.k)) },
    ping: () => 'pong',
  })

  it('RabbitMQ down at start: created at once, casts wait, calls time out, all served once it is up', async () => {
    port = await freePort()
    a = transportFor(`rabbit://guest:guest@127.0.0.1:${port}/`)
    transports.push(a.t)
    const server = a.t.rpcServer({ target: { topic: 'nmq-out', server: 'hA' }, endpoints: [ep], fanout: true })
    await server.start() // returns at once: declared when the broker appears
    assert.equal(a.t.connected, false)
    let castDone = false
    const cast = a.t.cast({ topic: 'nmq-out', version: '1.0' }, 'note', { k: 'buffered' }).then(() => { castDone = true })
    await assert.rejects(a.t.call({ topic: 'nmq-out' }, 'ping', {}, { timeoutMs: 1500 }), MessagingTimeout)
    assert.equal(castDone, false)
    await until('a connection-refused log line', () => a.log.lines.find((l) => /AMQP server on 127\.0\.0\.1:\d+ is unreachable/.test(l)))
    node = await startRabbit({ port })
    await cast
    await until('the buffered cast handled', () => seen.includes('buffered'), 60_000)
    assert.equal(await a.t.call({ topic: 'nmq-out', server: 'hA' }, 'ping', {}, { timeoutMs: 20_000 }), 'pong')
  })

  it('broker restart: in-flight call times out, the server reconnects and re-declares, buffered casts arrive', async () => {
    assert.ok(node)
    const b = transportFor(node.url)
    transports.push(b.t)
    assert.equal(await b.t.call({ topic: 'nmq-out' }, 'ping', {}, { timeoutMs: 20_000 }), 'pong')
    const halted = node.halt()
    await until('both transports see the outage', () => !a.t.connected && !b.t.connected, 60_000)
    const inFlight = b.t.call({ topic: 'nmq-out' }, 'ping', {}, { timeoutMs: 2000 })
    const castDuring = a.t.cast({ topic: 'nmq-out', server: 'hA' }, 'note', { k: 'during-outage' })
    await assert.rejects(inFlight, MessagingTimeout)
    await halted
    await node.resume()
    await castDuring
    await until('the cast made during the outage handled', () => seen.includes('during-outage'), 60_000)
    const queues = listRows(node, 'queues', ['name', 'arguments']).map((r) => r[0])
    for (const q of ['nmq-out', 'nmq-out.hA', b.t.replyQueue]) assert.ok(queues.includes(q), `${q} re-declared`)
    assert.ok(queues.some((q) => /^nmq-out_fanout_[0-9a-f]{32}$/.test(q!)))
    assert.equal(await until('a call after the restart', () => b.t.call({ topic: 'nmq-out' }, 'ping', {}, { timeoutMs: 3000 }).catch(() => undefined), 60_000), 'pong')
    await b.t.cast({ topic: 'nmq-out', fanout: true }, 'note', { k: 'fanout-after' })
    await until('fanout after restart', () => seen.includes('fanout-after'))
    assert.ok(a.log.lines.some((l) => /connection lost\. Trying to reconnect/.test(l)))
  })

  it('casts in flight when the broker drops every connection are re-sent and handled exactly once', async () => {
    assert.ok(node)
    const counts = new Map<number, number>()
    const srv = transportFor(node.url)
    const cli = transportFor(node.url)
    transports.push(srv.t, cli.t)
    await srv.t.rpcServer({ target: { topic: 'nmq-burst', server: 'hB' }, endpoints: [endpoint('1.0', {
      k: (_c, args) => { counts.set(Number(args.k), (counts.get(Number(args.k)) ?? 0) + 1) },
    })] }).start()
    await srv.t.waitConnected()
    await cli.t.cast({ topic: 'nmq-burst' }, 'k', { k: -1 }) // exchange declared: the burst goes straight to the socket
    await until('the first cast', () => counts.has(-1))
    counts.delete(-1)
    const N = 600
    const casts = Array.from({ length: N }, (_, k) => cli.t.cast({ topic: 'nmq-burst' }, 'k', { k }))
    node.ctl('close_all_connections', 'nmq outage test') // blocks this process while the broker drops us
    const results = await Promise.allSettled(casts)
    assert.deepEqual(results.filter((r) => r.status === 'rejected'), [])
    await until('every cast handled', () => counts.size === N, 60_000)
    await new Promise((r) => setTimeout(r, 500))
    assert.deepEqual([...counts.values()].filter((c) => c !== 1), [], 'no cast handled twice')
    // The scenario really happened: publishes were lost with the connection and sent again.
    assert.ok(cli.log.lines.some((l) => /lost with the connection \(channel closed\); retrying after reconnect/.test(l)))
    assert.ok(cli.log.lines.some((l) => /connection lost\. Trying to reconnect/.test(l)))
  })

  it('a hung broker (sockets open, nothing answered) is detected by the AMQP heartbeat, then rejoined', async () => {
    assert.ok(node)
    const beam = node.beamPid()
    assert.ok(beam)
    const h = transportFor(node.url, undefined, { heartbeatTimeoutThreshold: 1 })
    transports.push(h.t)
    assert.equal(await h.t.call({ topic: 'nmq-out' }, 'ping', {}, { timeoutMs: 20_000 }), 'pong')
    process.kill(beam, 'SIGSTOP')
    try {
      await until('the heartbeat timeout noticed', () => !h.t.connected, 20_000)
      await assert.rejects(h.t.call({ topic: 'nmq-out' }, 'ping', {}, { timeoutMs: 1000 }), MessagingTimeout)
    } finally {
      process.kill(beam, 'SIGCONT')
    }
    assert.ok(h.log.lines.some((l) => /heartbeat/i.test(l)), 'the reason is logged')
    assert.equal(await until('a call after the broker wakes up', () => h.t.call({ topic: 'nmq-out' }, 'ping', {}, { timeoutMs: 3000 }).catch(() => undefined), 60_000), 'pong')
  })

  it('tries the hosts of the transport_url in turn', async () => {
    assert.ok(node)
    const dead = await freePort()
    const c = transportFor(`rabbit://guest:guest@127.0.0.1:${dead},guest:guest@127.0.0.1:${node.port}/`)
    transports.push(c.t)
    assert.equal(await c.t.call({ topic: 'nmq-out' }, 'ping', {}, { timeoutMs: 20_000 }), 'pong')
    assert.ok(c.log.lines.some((l) => l.includes(`127.0.0.1:${dead} is unreachable`)))
    assert.ok(c.log.lines.some((l) => l.includes(`Connected to AMQP server on 127.0.0.1:${node!.port}`)))
  })
})
