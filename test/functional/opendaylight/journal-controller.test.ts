/**
 * The `opendaylight` driver against a real `neutrino controller` process: changes reach the
 * controller exactly; the controller killed (SIGKILL) and restarted loses nothing; a precommit
 * failure of another driver leaves no journal row; a create-postcommit failure of another driver
 * sends the create and its delete in order (the controller ends without the object).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startControllerProcess, type ControllerProcess } from '../../helpers/odl-controller-process.js'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'
import { CANARY_NETWORK_ID } from '../../../src/ml2/mech/opendaylight/full-sync.js'
import { journalFigures } from '../../../src/ml2/mech/opendaylight/journal-store.js'
import { assertSameState, ctlGet, drained, until } from '../../helpers/odl-state.js'

describe('opendaylight driver with a real controller process', { skip: pgSkipReason() }, () => {
  let pg: PgServer
  let ctlDb: string
  let dir: string
  let ctl: ControllerProcess
  let s: TestServer

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nod4-odl-'))
    pg = startPostgres()
    ctlDb = pg.createDatabase('controller')
    ctl = await startControllerProcess(dir, 0, { dbUrl: ctlDb })
    s = await startNeutrino({
      dbUrl: pg.url,
      ini: `[ml2]\nmechanism_drivers = opendaylight,test\n[ml2_mech_test]\nfail_on = create_network_precommit:boom-net,create_network_postcommit:post-fail\n[ml2_odl]\nurl = ${ctl.url}\nusername = admin\npassword = admin\ntimeout = 5\nmaintenance_interval = 1\n`,
    })
  })
  after(async () => {
    await s?.close()
    await ctl?.stop().catch(() => {})
    pg?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('delivers creates, updates and deletes exactly, in dependency order', async () => {
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'n1' } })).body.network
    const sub = (await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '192.0.2.0/24', ip_version: 4 } })).body.subnet
    const ports = []
    for (let i = 0; i < 5; i++) ports.push((await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, name: `p${i}` } })).body.port)
    assert.equal((await s.call('PUT', `/v2.0/ports/${ports[0].id}`, { port: { name: 'renamed' } })).status, 200)
    assert.equal((await s.call('PUT', `/v2.0/networks/${net.id}`, { network: { name: 'n1b' } })).status, 200)
    assert.equal((await s.call('DELETE', `/v2.0/ports/${ports[4].id}`)).status, 204)
    const sg = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'web' } })).body.security_group
    const rule = (await s.call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 80 } })).body.security_group_rule
    assert.equal((await s.call('PUT', `/v2.0/security-groups/${sg.id}`, { security_group: { description: 'http' } })).status, 200)
    const sg2 = (await s.call('POST', '/v2.0/security-groups', { security_group: { name: 'gone' } })).body.security_group
    assert.equal((await s.call('DELETE', `/v2.0/security-groups/${sg2.id}`)).status, 204)
    await drained(s)
    assert.equal((await ctlGet(ctl, `security-group-rules/${rule.id}`)).body.security_group_rule.port_range_min, 80)
    assert.equal((await ctlGet(ctl, `security-groups/${sg2.id}`)).status, 404)

    // L3 through the same journal: router with a gateway, an interface, a floating IP.
    const ext = (await s.call('POST', '/v2.0/networks', { network: { name: 'ext', 'router:external': true } })).body.network
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4 } })
    const router = (await s.call('POST', '/v2.0/routers', { router: { name: 'r1', external_gateway_info: { network_id: ext.id } } })).body.router
    assert.equal((await s.call('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id })).status, 200)
    const fip = (await s.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: ports[1].id } })).body.floatingip
    assert.ok(fip?.id, 'floating IP created')
    assert.equal((await s.call('PUT', `/v2.0/routers/${router.id}`, { router: { name: 'r1b' } })).status, 200)
    await drained(s)
    assert.equal((await ctlGet(ctl, `routers/${router.id}`)).body.router.name, 'r1b')
    assert.equal((await ctlGet(ctl, `floatingips/${fip.id}`)).body.floatingip.port_id, ports[1].id)
    await assertSameState(s, ctl)
    const got = await ctlGet(ctl, `ports/${ports[0].id}`)
    assert.equal(got.body.port.name, 'renamed')
    assert.equal(got.body.port['binding:profile'], '{}')
    assert.equal((await ctlGet(ctl, `subnets/${sub.id}`)).body.subnet.cidr, '192.0.2.0/24')
  })

  it('loses nothing while the controller is killed and restarted', async () => {
    const port = ctl.port
    await ctl.kill()
    const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'while-down' } })).body.network
    assert.ok(net?.id, 'the API does not wait for the controller')
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '198.51.100.0/24', ip_version: 4 } })
    const pr = await s.call('POST', '/v2.0/ports', { port: { network_id: net.id, name: 'pd' } })
    assert.equal(pr.status, 201, JSON.stringify(pr.body))
    const p = pr.body.port
    await s.call('PUT', `/v2.0/ports/${p.id}`, { port: { name: 'pd2' } })
    const listed = await s.call('GET', '/v2.0/ports?name=p1')
    const old = listed.body.ports?.[0]
    assert.ok(old, JSON.stringify(listed))
    assert.equal((await s.call('DELETE', `/v2.0/ports/${old.id}`)).status, 204)
    await new Promise((r) => setTimeout(r, 300))
    const f = await journalFigures(s.app.db, Date.now())
    assert.ok(f.depth >= 5, `rows wait for the controller: ${JSON.stringify(f)}`)
    ctl = await startControllerProcess(dir, port, { dbUrl: ctlDb })
    await drained(s)
    await assertSameState(s, ctl)
  })

  it('replays everything in dependency order when the controller comes back with its store wiped', async () => {
    const port = ctl.port
    await ctl.kill()
    ctlDb = pg.createDatabase('controller2')
    ctl = await startControllerProcess(dir, port, { dbUrl: ctlDb })
    // Maintenance (every second here) finds the canary gone and records a full sync.
    await until(async () => (await ctlGet(ctl, `networks/${CANARY_NETWORK_ID}`)).status === 200, 'canary network back', 60_000)
    await drained(s)
    await assertSameState(s, ctl)
  })

  it('a precommit failure of another driver leaves no journal row and nothing on the controller', async () => {
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'boom-net' } })
    assert.ok(r.status >= 400, `create fails: ${r.status}`)
    const rows = await s.app.db.all<{ data: string }>(`SELECT data FROM opendaylightjournal WHERE object_type = 'network'`)
    assert.ok(!rows.some((x) => x.data.includes('boom-net')), 'the rollback removed the journal row')
    await drained(s)
    await assertSameState(s, ctl)
  })

  it('a create-postcommit failure of another driver sends the create and its delete in order', async () => {
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'post-fail' } })
    assert.ok(r.status >= 400, `create fails: ${r.status}`)
    await drained(s)
    const names = ((await ctlGet(ctl, 'networks')).body.networks as any[]).map((n) => n.name)
    assert.ok(!names.includes('post-fail'), 'deleted on the controller too')
    await assertSameState(s, ctl)
  })
})
