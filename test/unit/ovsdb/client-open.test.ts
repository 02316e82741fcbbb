/** OvsdbClient.open: dial with backoff from the first attempt (connect() rejects instead). */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { MemoryOvsdbServer } from '../../../src/ovsdb/testing/memory-server.js'
import { VSWITCH_SCHEMA } from '../../fakes/ovsdb-fake.js'

describe('OvsdbClient.open', () => {
  it('keeps dialing a server that is not up yet, then connects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nod-ovsdb-open-'))
    const sock = join(dir, 'db.sock')
    const c = OvsdbClient.open(`unix:${sock}`, { logger: silentLogger, reconnect: { initialMs: 10, maxMs: 50 } })
    const server = new MemoryOvsdbServer({ schemas: [VSWITCH_SCHEMA] })
    try {
      await assert.rejects(OvsdbClient.connect(`unix:${sock}`, { logger: silentLogger }), /ENOENT/)
      let attempts = 0
      await new Promise<void>((r) =>
        c.on('reconnecting', () => {
          if (++attempts === 3) r()
        }),
      )
      assert.equal(c.connected, false)
      await server.listen(`punix:${sock}`)
      await c.whenConnected()
      assert.deepEqual(await c.listDbs(), ['Open_vSwitch'])
    } finally {
      c.close()
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses bad endpoints at once', () => {
    assert.throws(() => OvsdbClient.open('ptcp:6640'), /not an active endpoint/)
    assert.throws(() => OvsdbClient.open('ssl:127.0.0.1:1'), /needs the tls option/)
    assert.throws(() => OvsdbClient.open('tcp:x'), /HOST:PORT/)
  })
})
