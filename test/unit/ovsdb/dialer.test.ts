/**
 * OvsdbDialer without daemons (in-process OVSDB servers): a target that answers garbage is
 * retried without touching the healthy target's node, and both directions emit the same events.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { describe, it } from 'node:test'
import { OvsdbDialer } from '../../../src/ovsdb/dialer.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { startFakeVswitch } from '../../fakes/ovsdb-fake.js'

describe('OvsdbDialer', () => {
  it('a target speaking garbage is retried; the healthy node is untouched', async () => {
    const good = await startFakeVswitch()
    const garbage: Server = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'))
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r))
    const badTarget = `tcp:127.0.0.1:${(garbage.address() as { port: number }).port}`
    const dialer = new OvsdbDialer([good.endpoint, badTarget], { logger: silentLogger, backoff: { initialMs: 10, maxMs: 40 }, identifyTimeoutMs: 2000 })
    try {
      const reasons: string[] = []
      const enough = new Promise<void>((r) =>
        dialer.on('retry', (target, _attempt, _delay, reason) => {
          if (target === badTarget && reasons.push(reason) >= 3) r()
        }),
      )
      const node = await dialer.waitForNode()
      await enough
      assert.ok(reasons.some((x) => /unexpected byte 0x48 between JSON texts/.test(x)), reasons.join('\n'))
      assert.equal(dialer.nodes.size, 1)
      assert.equal(node.remote, good.endpoint)
      assert.ok(node.client.connected)
      assert.deepEqual(await node.client.echo('still here'), ['still here'])
    } finally {
      dialer.close()
      garbage.close()
      await good.close()
    }
  })

  it('close() stops redialing and closes the nodes', async () => {
    const good = await startFakeVswitch()
    const dialer = new OvsdbDialer([good.endpoint], { logger: silentLogger, backoff: { initialMs: 10, maxMs: 10 } })
    const node = await dialer.waitForNode()
    const down = new Promise((r) => dialer.once('down', r))
    dialer.close()
    assert.equal(await down, node)
    let retried = false
    dialer.on('retry', () => (retried = true))
    await new Promise((r) => setTimeout(r, 100))
    assert.equal(retried, false)
    assert.equal(dialer.nodes.size, 0)
    assert.throws(() => dialer.addTarget(good.endpoint), /dialer is closed/)
    await good.close()
  })
})
