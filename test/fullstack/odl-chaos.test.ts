/**
 * Issue 14's proof: ~500 mixed operations (networks, subnets, ports, security groups and rules,
 * updates, deletes) from 4 concurrent API clients, while the `neutrino controller` process is
 * SIGKILLed and restarted twice and once restarted with its store wiped. At the end no journal
 * row is pending or failed and the controller's state equals the server's, object by object.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startControllerProcess, type ControllerProcess } from '../helpers/odl-controller-process.js'
import { startNeutrino, type TestServer } from '../helpers/neutrino.js'
import { assertSameState, drained, until } from '../helpers/odl-state.js'
import { pgSkipReason, startPostgres, type PgServer } from '../helpers/postgres.js'

const RANGES = ['192.0.2', '198.51.100', '203.0.113']
const ITERATIONS = 12

// max_pool_size = 20: with the default 5 this workload stalls at once (known gap, docs/opendaylight.md:
// transactions queued on the journal's sequence-row lock hold every pooled connection).
describe('opendaylight journal under controller failures', { skip: pgSkipReason() }, () => {
  let pg: PgServer
  let dir: string
  let ctl: ControllerProcess
  let ctlDb: string
  let s: TestServer

  before(async () => {
    pg = startPostgres()
    dir = mkdtempSync(join(tmpdir(), 'nod4-odl-chaos-'))
    ctlDb = pg.createDatabase('ctl0')
    ctl = await startControllerProcess(dir, 0, { dbUrl: ctlDb })
    s = await startNeutrino({
      dbUrl: pg.url,
      ini: `[ml2]\nmechanism_drivers = opendaylight\n[ml2_odl]\nurl = ${ctl.url}\nusername = admin\npassword = admin\ntimeout = 5\nmaintenance_interval = 1\n[database]\nmax_pool_size = 20\n[quotas]\nquota_security_group = -1\nquota_security_group_rule = -1\n`,
    })
  })
  after(async () => {
    await s?.close()
    await ctl?.stop().catch(() => {})
    pg?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('500 mixed operations, controller killed twice and wiped once: nothing lost', { timeout: 600_000 }, async () => {
    let ops = 0
    const call = async (method: string, path: string, body?: unknown, want = [200, 201, 204]) => {
      const r = await s.call(method, path, body)
      assert.ok(want.includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
      ops++
      return r.body
    }
    const client = async (c: number) => {
      for (let i = 0; i < ITERATIONS; i++) {
        const k = c * ITERATIONS + i
        const net = (await call('POST', '/v2.0/networks', { network: { name: `c${c}n${i}` } })).network
        await call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: `${RANGES[Math.floor(k / 16)]}.${(k % 16) * 16}/28`, ip_version: 4 } })
        const ports = []
        for (let p = 0; p < 3; p++) ports.push((await call('POST', '/v2.0/ports', { port: { network_id: net.id, name: `c${c}n${i}p${p}` } })).port)
        await call('PUT', `/v2.0/ports/${ports[0].id}`, { port: { name: `c${c}n${i}p0-renamed` } })
        await call('PUT', `/v2.0/networks/${net.id}`, { network: { name: `c${c}n${i}-renamed` } })
        const sg = (await call('POST', '/v2.0/security-groups', { security_group: { name: `c${c}sg${i}` } })).security_group
        await call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22 + i, port_range_max: 22 + i } })
        await call('DELETE', `/v2.0/ports/${ports[2].id}`)
        if (i % 3 === 2) await call('DELETE', `/v2.0/security-groups/${sg.id}`)
        if (i % 4 === 3) {
          await call('DELETE', `/v2.0/ports/${ports[1].id}`)
          await call('DELETE', `/v2.0/ports/${ports[0].id}`)
          await call('DELETE', `/v2.0/networks/${net.id}`)
        }
      }
    }
    const chaos = async () => {
      const port = ctl.port
      for (const [at, wipe] of [[100, false], [250, false], [400, true]] as const) {
        await until(async () => ops >= at, `${at} operations`, 300_000)
        await ctl.kill()
        await new Promise((r) => setTimeout(r, 500))
        if (wipe) ctlDb = pg.createDatabase('ctl_wiped')
        ctl = await startControllerProcess(dir, port, { dbUrl: ctlDb })
      }
    }
    await Promise.all([client(0), client(1), client(2), client(3), chaos()])
    assert.ok(ops >= 480, `${ops} operations`)
    await drained(s, 180_000)
    await assertSameState(s, ctl)
  })
})
