/**
 * Session behaviour against a real ovs-vswitchd: TCP, TLS and unix listeners, several switches at
 * once, version negotiation failure, disconnect/reconnect, roles with generation ids, PORT_STATUS
 * and FLOW_REMOVED.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import { once } from 'node:events'
import {
  act, BarrierError, DeadPeerError, flowMod, FlowRemovedReason, SwitchListener, OpenFlowError, type SwitchConnection,
} from '../../../src/openflow/index.js'
import { needComponent } from '../../helpers/components.js'
import { OvsSwitch } from '../../helpers/ovs-switch.js'
import { TEST_CERT, TEST_KEY } from '../../unit/openflow/tls-fixture.js'

const skip = needComponent('ovs-vswitchd', ['ovs-vswitchd', 'ovsdb-server', 'ovs-vsctl', 'ovs-ofctl'])

describe('OpenFlow sessions with ovs-vswitchd', { skip }, () => {
  let ovs: OvsSwitch
  let ctl: SwitchListener
  let path: string

  before(async () => {
    ovs = OvsSwitch.start()
    ctl = new SwitchListener({ echoInterval: 1000 })
    path = ovs.unixPath()
    await ctl.listen({ path })
  })

  after(async () => {
    await ctl?.close()
    ovs?.stop()
  })

  it('accepts switches over TCP (through the namespace relay) and unix sockets at the same time', async () => {
    const addr = (await ctl.listen({ port: 0, host: '127.0.0.1' })) as AddressInfo
    const nsPort = await ovs.tcpRelay(addr.port)
    const a = ovs.addBridge({ controller: `tcp:127.0.0.1:${nsPort}`, dpid: 0xa1n })
    const b = ovs.addBridge({ controller: `unix:${path}`, dpid: 0xb1n })
    const [swA, swB] = await Promise.all([ctl.waitForSwitch(0xa1n, 20000), ctl.waitForSwitch(0xb1n, 20000)])
    assert.notEqual(swA, swB)
    assert.equal(swA.ports.get(0xfffffffe)?.name, a)
    assert.equal(swB.ports.get(0xfffffffe)?.name, b)
    assert.match(swA.remote, /^127\.0\.0\.1:/)
    assert.equal(ctl.switches.size >= 2, true)
  })

  it('accepts a switch over TLS (ovs-vswitchd ssl: controller, verified against our certificate)', async () => {
    const addr = (await ctl.listen({ port: 0, tls: { key: TEST_KEY, cert: TEST_CERT } })) as AddressInfo
    const nsPort = await ovs.tcpRelay(addr.port, 16654)
    const key = join(ovs.dir, 'key.pem')
    const cert = join(ovs.dir, 'cert.pem')
    writeFileSync(key, TEST_KEY)
    writeFileSync(cert, TEST_CERT)
    ovs.vsctl('set-ssl', key, cert, cert) // switch key/cert (test-only) and the CA it trusts
    ovs.addBridge({ controller: `ssl:127.0.0.1:${nsPort}`, dpid: 0x55n })
    const sw = await ctl.waitForSwitch(0x55n, 20000)
    assert.equal((sw.socket as TLSSocket).getProtocol(), 'TLSv1.3')
    await sw.apply([flowMod({ actions: [act.output(1)] })])
  })

  it('reports a clear error for a switch that cannot speak OpenFlow 1.3', async () => {
    const failed = once(ctl, 'handshake_failed')
    ovs.addBridge({ controller: `unix:${path}`, dpid: 0xc1n, protocols: 'OpenFlow10' })
    const [err] = (await failed) as [Error]
    assert.match(err.message, /OpenFlow 1\.3 only; switch offers 1\.0|offers 1\.0/)
    assert.equal(ctl.switches.has(0xc1n), false)
  })

  it('negotiates 1.3 with a bridge that also allows 1.0 and 1.5', async () => {
    ovs.addBridge({ controller: `unix:${path}`, dpid: 0xc2n, protocols: 'OpenFlow10,OpenFlow13,OpenFlow15' })
    const sw = await ctl.waitForSwitch(0xc2n, 20000)
    await sw.apply([flowMod({ actions: [act.output(1)] })])
  })

  it('notices a disconnect and takes the switch back when it reconnects', async () => {
    const br = ovs.addBridge({ controller: `unix:${path}`, dpid: 0xd1n })
    const first = await ctl.waitForSwitch(0xd1n, 20000)
    const gone = once(ctl, 'switch_disconnected')
    ovs.vsctl('del-controller', br)
    const [conn] = (await gone) as [SwitchConnection]
    assert.equal(conn, first)
    assert.equal(first.state, 'closed')
    assert.equal(ctl.switches.has(0xd1n), false)
    await assert.rejects(first.barrier(), /closed/)
    ovs.vsctl('set-controller', br, `unix:${path}`)
    const second = await ctl.waitForSwitch(0xd1n, 20000)
    assert.notEqual(second, first)
    await second.apply([flowMod({ actions: [act.output(1)] })])
  })

  it('changes roles with generation ids; a SLAVE cannot modify state', async () => {
    ovs.addBridge({ controller: `unix:${path}`, dpid: 0xe1n })
    const sw = await ctl.waitForSwitch(0xe1n, 20000)
    const r1 = await sw.setRole('master', 10n)
    assert.deepEqual([r1.type, r1.role, r1.generationId], ['role_reply', 'master', 10n])
    const stale = await sw.setRole('slave', 9n).catch((e: unknown) => e)
    assert.ok(stale instanceof OpenFlowError)
    assert.equal(`${stale.typeName}/${stale.codeName}`, 'ROLE_REQUEST_FAILED/STALE')
    assert.equal(stale.request?.type, 'role_request')
    assert.equal((await sw.setRole('slave', 11n)).role, 'slave')
    const denied = await sw.apply([flowMod({ table: 1, actions: [act.output(1)] })]).catch((e: unknown) => e)
    assert.ok(denied instanceof BarrierError)
    assert.equal(`${denied.errors[0]!.typeName}/${denied.errors[0]!.codeName}`, 'BAD_REQUEST/IS_SLAVE')
    assert.ok((await sw.desc()).mfrDesc.length > 0, 'reads still work as slave')
    assert.equal((await sw.setRole('master', 12n)).role, 'master')
    await sw.apply([flowMod({ table: 1, actions: [act.output(1)] })])
  })

  it('sends PORT_STATUS on port changes and FLOW_REMOVED for flows with send_flow_rem', async () => {
    const br = ovs.addBridge({ controller: `unix:${path}`, dpid: 0xf1n })
    const sw = await ctl.waitForSwitch(0xf1n, 20000)
    const added = once(sw, 'port_status')
    ovs.vsctl('add-port', br, 'nofint0', '--', 'set', 'interface', 'nofint0', 'type=internal')
    const [ps] = await added
    assert.equal(ps.reason, 0)
    assert.equal(ps.port.name, 'nofint0')
    assert.equal(sw.ports.get(ps.port.portNo)?.name, 'nofint0')

    await sw.apply([flowMod({ table: 3, priority: 9, cookie: 0x77n, flags: 1, match: { reg2: 5 }, actions: [act.output(1)] })])
    const removed = once(sw, 'flow_removed')
    await sw.apply([flowMod({ command: 'delete', table: 3 })])
    const [fr] = await removed
    assert.equal(fr.reason, FlowRemovedReason.delete)
    assert.equal(fr.cookie, 0x77n)
    assert.equal(fr.priority, 9)
    assert.deepEqual(fr.match, { reg2: 5 })
  })

  it('declares a frozen switch dead (no ECHO reply) and takes it back when it thaws', async () => {
    ovs.addBridge({ controller: `unix:${path}`, dpid: 0x1d1n })
    const sw = await ctl.waitForSwitch(0x1d1n, 20000)
    const pid = ovs.pid('ovs-vswitchd')!
    const gone = new Promise<Error | undefined>((res) => sw.once('close', res))
    process.kill(pid, 'SIGSTOP')
    let reason: Error | undefined
    try {
      reason = await gone
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    assert.ok(reason instanceof DeadPeerError, String(reason))
    const again = await ctl.waitForSwitch(0x1d1n, 20000)
    assert.notEqual(again, sw)
    await again.barrier()
  })
})
