import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, it } from 'node:test'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import { OvsdbManager } from '../../../src/ovsdb/manager.js'
import { MemoryOvsdbServer } from '../../../src/ovsdb/testing/memory-server.js'
import { formatEndpoint, parseEndpoint } from '../../../src/ovsdb/transport.js'
import { VSWITCH_TABLES } from '../../../src/ovsdb/vswitch/vswitch-api.js'
import { VSWITCH_SCHEMA } from '../../fakes/ovsdb-fake.js'

describe('endpoints', () => {
  it('parses OVS connection strings', () => {
    assert.deepEqual(parseEndpoint('unix:/run/openvswitch/db.sock'), { kind: 'unix', path: '/run/openvswitch/db.sock' })
    assert.deepEqual(parseEndpoint('tcp:192.0.2.1:6640'), { kind: 'tcp', host: '192.0.2.1', port: 6640 })
    assert.deepEqual(parseEndpoint('ssl:[2001:db8::1]:6640'), { kind: 'ssl', host: '2001:db8::1', port: 6640 })
    assert.deepEqual(parseEndpoint('ptcp:6640'), { kind: 'ptcp', host: '0.0.0.0', port: 6640 })
    assert.deepEqual(parseEndpoint('ptcp:0:127.0.0.1'), { kind: 'ptcp', host: '127.0.0.1', port: 0 })
    assert.deepEqual(parseEndpoint('pssl:6640:[::1]'), { kind: 'pssl', host: '::1', port: 6640 })
    assert.equal(formatEndpoint(parseEndpoint('ssl:[2001:db8::1]:6640')), 'ssl:[2001:db8::1]:6640')
    assert.throws(() => parseEndpoint('udp:1.2.3.4:5'), /unknown method "udp"/)
    assert.throws(() => parseEndpoint('tcp:1.2.3.4'), /HOST:PORT/)
  })
})

/** A "switch" that dials the manager and serves a database over that connection (like ovsdb-server with set-manager). */
async function fakeSwitch(port: number, systemId: string) {
  const server = new MemoryOvsdbServer({ schemas: [VSWITCH_SCHEMA] })
  server.db().execute([{ op: 'insert', table: 'Open_vSwitch', row: { external_ids: ['map', [['system-id', systemId]]] } }], { ownsLock: () => false })
  const sock = connect(port, '127.0.0.1')
  await new Promise((r) => sock.once('connect', r))
  server.serve(sock)
  return server
}

describe('OvsdbManager (passive mode)', () => {
  it('accepts many switches, identifies each, replaces a reconnecting one', async () => {
    const mgr = await OvsdbManager.listen('ptcp:0:127.0.0.1', { logger: silentLogger, replica: { tables: VSWITCH_TABLES } })
    try {
      const seen: string[] = []
      mgr.on('up', (s) => seen.push(s.systemId!))
      const s1 = await fakeSwitch(mgr.port, 'hv1')
      const s2 = await fakeSwitch(mgr.port, 'hv2')
      const a = await mgr.waitForNode((s) => s.systemId === 'hv1')
      const b = await mgr.waitForNode((s) => s.systemId === 'hv2')
      assert.notEqual(a.id, b.id)
      assert.equal(mgr.nodes.size, 2)
      assert.equal(mgr.bySystemId('hv2'), b)
      assert.equal(a.replica!.rows('Open_vSwitch').size, 1)
      const gone = new Promise((r) => mgr.once('down', r))
      await s1.close()
      await gone
      assert.equal(mgr.nodes.size, 1)
      assert.deepEqual(seen.sort(), ['hv1', 'hv2'])
      await s2.close()
    } finally {
      await mgr.close()
    }
  })

  it('drops a peer that is not an OVSDB server, with a logged reason', async () => {
    const warnings: string[] = []
    const mgr = await OvsdbManager.listen('ptcp:0:127.0.0.1', { logger: { ...silentLogger, warn: (m) => warnings.push(m) }, identifyTimeoutMs: 500 })
    try {
      const sock = connect(mgr.port, '127.0.0.1')
      await new Promise((r) => sock.once('connect', r))
      sock.resume() // drain what the manager sends, so the close is seen
      sock.write('GET / HTTP/1.1\r\n\r\n')
      await new Promise((r) => sock.once('close', r))
      assert.ok(warnings.some((w) => /dropping connection/.test(w)), warnings.join('\n'))
      assert.equal(mgr.nodes.size, 0)
    } finally {
      await mgr.close()
    }
  })
})
