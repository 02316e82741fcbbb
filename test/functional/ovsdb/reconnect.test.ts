/** Reconnect after ovsdb-server is killed and restarted: resync without duplicate or lost events. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'
import { OvsdbClient } from '../../../src/ovsdb/client.js'
import { silentLogger } from '../../../src/ovsdb/logger.js'
import type { Row } from '../../../src/ovsdb/replica.js'
import { VswitchApi } from '../../../src/ovsdb/vswitch/vswitch-api.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])
const until = async (f: () => boolean, ms = 5000) => {
  const t = Date.now()
  while (!f()) {
    if (Date.now() - t > ms) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('reconnect', { skip, timeout: 60_000 }, () => {
  let sb: OvsdbSandbox
  let c: OvsdbClient
  before(async () => {
    sb = await OvsdbSandbox.start()
  })
  after(async () => {
    c?.close()
    await sb?.stop()
  })

  it('re-establishes schema and monitors; replica resynced; pending transaction completes', async () => {
    c = await OvsdbClient.connect(sb.endpoint, { logger: silentLogger, reconnect: { initialMs: 50, maxMs: 400 } })
    const api = await VswitchApi.create(c)
    sb.vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'p1', '--', 'add-port', 'br0', 'p2')
    await until(() => !!api.port('p2'))
    const events: string[] = []
    const log = (kind: string) => (t: string, row: Row): void => {
      if (t === 'Port' || t === 'Bridge') events.push(`${kind} ${t} ${String(row.name)}`)
    }
    api.replica.on('insert', log('insert'))
    api.replica.on('update', log('update'))
    api.replica.on('delete', log('delete'))
    const delays: number[] = []
    c.on('reconnecting', (_n, d) => delays.push(d))
    const p2 = api.port('p2')!
    const br0 = api.bridge('br0')!

    await sb.kill()
    await until(() => !c.connected)
    // While the server is down: change the database offline, and queue a transaction.
    execFileSync('ovsdb-tool', ['transact', sb.db, JSON.stringify(['Open_vSwitch', { op: 'mutate', table: 'Bridge', where: [['_uuid', '==', ['uuid', br0._uuid]]], mutations: [['ports', 'delete', ['uuid', p2._uuid]]] }])])
    const pending = api.addPort('br0', 'p3', { mayExist: true })
    await new Promise((r) => setTimeout(r, 300))
    await sb.restart()
    await pending

    assert.ok(delays.length >= 2, `backoff delays ${delays}`)
    assert.ok(delays[1]! >= delays[0]! * 2, `exponential: ${delays}`)
    assert.equal(api.port('p2'), undefined)
    assert.ok(api.port('p1'))
    assert.ok(api.port('p3'))
    assert.equal(sb.vsctl('list-ports', 'br0'), 'p1\np3')
    // Exactly the changes, once each: no re-insert of br0/p1, the offline delete seen.
    assert.deepEqual(events.filter((e) => !e.startsWith('update')).sort(), ['delete Port p2', 'insert Port p3'])
    assert.equal(events.filter((e) => e === 'update Bridge br0').length, 2, events.join(', '))
    // And the session keeps working: monitors were re-established.
    sb.vsctl('add-port', 'br0', 'p4')
    await until(() => !!api.port('p4'))
  })
})
