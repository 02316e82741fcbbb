/**
 * A connection claiming the identity (system-id / Open_vSwitch uuid) of a connected node does
 * not silently replace it: refused while the existing node answers an echo, admitted when the
 * existing one is dead (half-open), always admitted with `duplicates: 'replace'`.
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { describe, it } from 'node:test'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { OvsdbManager, type ManagerOptions } from '../../../src/ovsdb/manager.js'
import { MemoryOvsdbServer } from '../../../src/ovsdb/testing/memory-server.js'
import { VSWITCH_SCHEMA } from '../../fakes/ovsdb-fake.js'

/** A switch (in-process OVSDB server) that dials the manager, as `set-manager` makes ovsdb-server do. */
async function fakeSwitch(port: number, systemId: string): Promise<{ server: MemoryOvsdbServer; sock: Socket }> {
  const server = new MemoryOvsdbServer({ schemas: [VSWITCH_SCHEMA] })
  server.db().execute([{ op: 'insert', table: 'Open_vSwitch', row: { external_ids: ['map', [['system-id', systemId]]] } }], { ownsLock: () => false })
  const sock = connect(port, '127.0.0.1')
  await new Promise((r) => sock.once('connect', r))
  server.serve(sock)
  return { server, sock }
}

async function withManager(options: ManagerOptions, f: (mgr: OvsdbManager) => Promise<void>): Promise<void> {
  const mgr = await OvsdbManager.listen('ptcp:0:127.0.0.1', { logger: silentLogger, ...options })
  try {
    await f(mgr)
  } finally {
    await mgr.close()
  }
}

describe('duplicate node identities', () => {
  it('refuses a second connection claiming a live node\'s system-id (default)', async () => {
    const warnings: string[] = []
    await withManager({ logger: { ...silentLogger, warn: (m) => warnings.push(m) } }, async (mgr) => {
      const a = await fakeSwitch(mgr.port, 'hv1')
      const first = await mgr.waitForNode((n) => n.systemId === 'hv1')
      const rejected = new Promise<string>((r) => mgr.once('rejected', (_remote, why) => r(why)))
      const b = await fakeSwitch(mgr.port, 'hv1')
      assert.match(await rejected, /system-id hv1 is already connected from 127\.0\.0\.1:\d+/)
      assert.ok(warnings.some((w) => /refusing connection/.test(w)))
      assert.equal(mgr.nodes.size, 1)
      assert.equal(mgr.bySystemId('hv1'), first)
      assert.ok(first.client.connected)
      await a.server.close()
      await b.server.close()
    })
  })

  it('admits the newcomer when the existing node no longer answers (half-open)', async () => {
    await withManager({ duplicateProbeMs: 200 }, async (mgr) => {
      const a = await fakeSwitch(mgr.port, 'hv1')
      const first = await mgr.waitForNode((n) => n.systemId === 'hv1')
      a.sock.pause() // the old switch stops reading: it cannot answer the echo
      const down = new Promise((r) => mgr.once('down', r))
      const b = await fakeSwitch(mgr.port, 'hv1')
      const second = await mgr.waitForNode((n) => n.systemId === 'hv1' && n !== first)
      assert.equal(await down, first)
      assert.equal(mgr.nodes.size, 1)
      assert.equal(mgr.bySystemId('hv1'), second)
      await a.server.close()
      await b.server.close()
    })
  })

  it("replaces a live node only when configured with duplicates: 'replace'", async () => {
    await withManager({ duplicates: 'replace' }, async (mgr) => {
      const a = await fakeSwitch(mgr.port, 'hv1')
      const first = await mgr.waitForNode((n) => n.systemId === 'hv1')
      const down = new Promise((r) => mgr.once('down', r))
      const b = await fakeSwitch(mgr.port, 'hv1')
      const second = await mgr.waitForNode((n) => n !== first)
      assert.equal(await down, first)
      assert.equal(mgr.bySystemId('hv1'), second)
      await a.server.close()
      await b.server.close()
    })
  })

  it('the inactivity probe is on by default for listeners', async () => {
    await withManager({}, async (mgr) => {
      const a = await fakeSwitch(mgr.port, 'hv1')
      const n = await mgr.waitForNode()
      assert.equal(n.client.options.probeIntervalMs, 5000)
      await a.server.close()
    })
    await withManager({ probeIntervalMs: 0 }, async (mgr) => {
      const a = await fakeSwitch(mgr.port, 'hv1')
      assert.equal((await mgr.waitForNode()).client.options.probeIntervalMs, 0)
      await a.server.close()
    })
  })
})
