/**
 * The controller's OpenDaylight northbound against what networking-odl V2 (Zed) really sent
 * (reference/odl-nb, recorded from the real driver inside Debian's neutron-server): every recorded
 * request replayed in order gets the status the ODL-modelled recorder gave; plus durability, the
 * canary check after a wiped store, auth, bad input, and the port-status websocket.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { WebSocket } from 'ws'
import { memoryLogger } from '../../../src/common/log.js'
import { hostconfigOf } from '../../../src/controller/hostconfig.js'
import { NorthboundServer } from '../../../src/controller/northbound/northbound-server.js'
import { PortStatusBook } from '../../../src/controller/port-status.js'
import { ObjectStore } from '../../../src/controller/store/object-store.js'
import { openDb } from '../../../src/db/connect.js'
import { sharedDir } from '../../helpers/shared-dir.js'
import type { Db } from '../../../src/db/engine.js'

const REF = sharedDir('reference', 'odl-nb')
const AUTH = 'Basic ' + Buffer.from('admin:admin').toString('base64')
const CANARY = 'bd8db3a8-2b30-4083-a8b3-b3fd46401142'

interface Recorded { method: string; path: string; body: unknown; status: number }

function recorded(file: string): Recorded[] {
  return readFileSync(join(REF, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Recorded)
}

interface Res { status: number; headers: Record<string, string | string[] | undefined>; body: any; raw: string }

function http(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body, null, 2)
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'Content-Type': 'application/json', Authorization: AUTH, ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body: raw ? JSON.parse(raw) : undefined })
      })
    })
    req.on('error', reject)
    if (data !== undefined) req.write(data)
    req.end()
  })
}

async function start(db: Db, features: string[] = []) {
  const log = memoryLogger()
  const store = await ObjectStore.open(db)
  const portStatus = new PortStatusBook()
  const nodes = [{ uuid: '11111111-2222-3333-4444-555555555555', externalIds: { 'system-id': 'hv1' }, otherConfig: { local_ip: '198.51.100.1', provider_mappings: 'physnet1:br-phys' } }]
  const nb = new NorthboundServer({
    store, portStatus, features, username: 'admin', password: 'admin', log,
    hostconfigs: () => nodes.map((n) => hostconfigOf(n, { tunnelTypes: ['vxlan', 'gre'], datapathType: 'netdev' })!),
  })
  const addr = await nb.listen(0, '127.0.0.1')
  return { store, portStatus, nb, port: addr.port, log }
}

describe('controller northbound (networking-odl V2 wire)', () => {
  let dir: string
  before(() => { dir = mkdtempSync(join(tmpdir(), 'nctl-nb-')) })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('answers every recorded request of a networking-odl run with the recorded status', async () => {
    const db = openDb('sqlite://')
    const { nb, port } = await start(db)
    try {
      for (const r of recorded('requests-v2-zed.jsonl')) {
        const res = await http(port, r.method, r.path, r.body ?? undefined)
        assert.equal(res.status, r.status, `${r.method} ${r.path}: ${res.raw}`)
      }
      // What it was told is what it serves: the port as last updated (binding from the PUT).
      const ports = await http(port, 'GET', '/controller/nb/v2/neutron/ports')
      assert.equal(ports.status, 200)
      assert.ok(Array.isArray(ports.body.ports))
      const sgs = await http(port, 'GET', '/controller/nb/v2/neutron/security-groups')
      assert.ok(Array.isArray(sgs.body.security_groups))
    } finally {
      await nb.close()
      await db.close()
    }
  })

  it('keeps what it was told across a restart; a wiped store fails the canary check with 404', async () => {
    const file = join(dir, 'store.sqlite')
    const run = recorded('requests-v2-zed-port-status-feature.jsonl').filter((r) => r.path.startsWith('/controller/nb/v2/neutron/'))
    {
      const db = openDb(`sqlite:///${file}`)
      const { nb, port } = await start(db)
      for (const r of run) await http(port, r.method, r.path, r.body ?? undefined)
      assert.equal((await http(port, 'GET', `/controller/nb/v2/neutron/networks/${CANARY}`)).status, 200)
      await nb.close()
      await db.close()
    }
    {
      const db = openDb(`sqlite:///${file}`)
      const { nb, port, store } = await start(db)
      const canary = await http(port, 'GET', `/controller/nb/v2/neutron/networks/${CANARY}`)
      assert.equal(canary.status, 200)
      assert.equal(canary.body.network.name, 'Sync Canary Network')
      assert.ok(store.count() > 5)
      await nb.close()
      await db.close()
    }
    rmSync(file)
    {
      const db = openDb(`sqlite:///${file}`)
      const { nb, port } = await start(db)
      assert.equal((await http(port, 'GET', `/controller/nb/v2/neutron/networks/${CANARY}`)).status, 404)
      await nb.close()
      await db.close()
    }
  })

  it('follows ODL semantics: 409 on a second create, 442 for a missing parent, stale updates ignored, merge on update', async () => {
    const db = openDb('sqlite://')
    const { nb, port } = await start(db)
    try {
      const net = { network: { id: 'a0000000-0000-0000-0000-000000000001', name: 'n1', tenant_id: 'p1', revision_number: 2 } }
      assert.equal((await http(port, 'POST', '/controller/nb/v2/neutron/networks', net)).status, 201)
      assert.equal((await http(port, 'POST', '/controller/nb/v2/neutron/networks', net)).status, 409)
      const orphan = { subnet: { id: 'b0000000-0000-0000-0000-000000000001', network_id: 'a0000000-0000-0000-0000-00000000ffff', cidr: '192.0.2.0/24' } }
      assert.equal((await http(port, 'POST', '/controller/nb/v2/neutron/subnets', orphan)).status, 442)
      const upd = await http(port, 'PUT', '/controller/nb/v2/neutron/networks/a0000000-0000-0000-0000-000000000001', { network: { name: 'n2', revision_number: 3 } })
      assert.equal(upd.status, 200)
      assert.deepEqual(upd.body.network, { id: 'a0000000-0000-0000-0000-000000000001', name: 'n2', tenant_id: 'p1', revision_number: 3 })
      const stale = await http(port, 'PUT', '/controller/nb/v2/neutron/networks/a0000000-0000-0000-0000-000000000001', { network: { name: 'old', revision_number: 1 } })
      assert.equal(stale.status, 200)
      assert.equal(stale.raw, '')
      const got = await http(port, 'GET', '/controller/nb/v2/neutron/networks/a0000000-0000-0000-0000-000000000001?fields=name')
      assert.deepEqual(got.body, { network: { name: 'n2' } })
      assert.equal((await http(port, 'PUT', '/controller/nb/v2/neutron/networks/a0000000-0000-0000-0000-00000000ffff', { network: { name: 'x' } })).status, 404)
      assert.equal((await http(port, 'DELETE', '/controller/nb/v2/neutron/networks/a0000000-0000-0000-0000-000000000001')).status, 204)
      assert.equal((await http(port, 'DELETE', '/controller/nb/v2/neutron/networks/a0000000-0000-0000-0000-000000000001')).status, 404)
      // Bulk create, filters and pagination.
      const bulk = { networks: [1, 2, 3].map((i) => ({ id: `c000000${i}-0000-0000-0000-000000000000`, name: i === 2 ? 'two' : 'other', tenant_id: 'p1' })) }
      assert.equal((await http(port, 'POST', '/controller/nb/v2/neutron/networks', bulk)).status, 201)
      const two = await http(port, 'GET', '/controller/nb/v2/neutron/networks?name=two&fields=id')
      assert.deepEqual(two.body, { networks: [{ id: 'c0000002-0000-0000-0000-000000000000' }] })
      const page = await http(port, 'GET', '/controller/nb/v2/neutron/networks?limit=1&marker=c0000001-0000-0000-0000-000000000000&fields=id')
      assert.deepEqual(page.body, { networks: [{ id: 'c0000002-0000-0000-0000-000000000000' }] })
    } finally {
      await nb.close()
      await db.close()
    }
  })

  it('refuses bad input with a clear error and stores nothing', async () => {
    const db = openDb('sqlite://')
    const { nb, port, store, log } = await start(db)
    try {
      const cases: Array<[string, string, unknown, number, Record<string, string>?]> = [
        ['GET', '/controller/nb/v2/neutron/networks', undefined, 401, { Authorization: 'Basic ' + Buffer.from('admin:wrong').toString('base64') }],
        ['POST', '/controller/nb/v2/neutron/networks', '{"network": ', 400],
        ['POST', '/controller/nb/v2/neutron/networks', '[1,2]', 400],
        ['POST', '/controller/nb/v2/neutron/networks', { network: 'x' }, 400],
        ['POST', '/controller/nb/v2/neutron/networks', { network: { name: 'no id' } }, 400],
        ['POST', '/controller/nb/v2/neutron/networks', { subnet: { id: 'x' } }, 400],
        ['POST', '/controller/nb/v2/neutron/networks', Buffer.from([0x7b, 0xff, 0x7d]), 400],
        ['GET', '/controller/nb/v2/neutron/constructor', undefined, 404],
        ['GET', '/controller/nb/v2/neutron/__proto__/x', undefined, 404],
        ['GET', '/controller/nb/v2/neutron/networks/%zz', undefined, 400],
        ['PATCH', '/controller/nb/v2/neutron/networks', undefined, 405],
        ['GET', '/nothing/here', undefined, 404],
        ['POST', '/restconf/operations/sal-remote:create-data-change-event-subscription', { input: { path: '/neutron:neutron/neutron:routers' } }, 400],
      ]
      for (const [m, p, b, want, h] of cases) {
        const res = await http(port, m, p, b, h)
        assert.equal(res.status, want, `${m} ${p} ${String(b)}: ${res.raw}`)
        assert.ok(res.body?.errors?.error?.[0]?.['error-message'], `${m} ${p}: error body`)
      }
      // Peers that stop mid-body and disconnect: the server keeps serving and logs no internal error.
      await Promise.all(Array.from({ length: 10 }, () => new Promise<void>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write(`POST /controller/nb/v2/neutron/networks HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Length: 1000\r\n\r\n{"network": {`)
          setTimeout(() => s.destroy(), 20)
        })
        s.on('close', () => resolve())
      })))
      assert.equal((await http(port, 'GET', '/controller/nb/v2/neutron/networks')).status, 200)
      assert.deepEqual(log.lines.filter((l) => / ERROR /.test(l)), [])
      const unauth = await http(port, 'GET', '/controller/nb/v2/neutron/networks', undefined, { Authorization: '' })
      assert.equal(unauth.status, 401)
      assert.equal(unauth.headers['www-authenticate'], 'Basic realm="opendaylight"')
      assert.equal(store.count(), 0)
    } finally {
      await nb.close()
      await db.close()
    }
  })

  it('serves features, hostconfigs and port status over the RESTCONF paths and the websocket', async () => {
    const db = openDb('sqlite://')
    const { nb, port, portStatus } = await start(db, ['operational-port-status'])
    try {
      const f = await http(port, 'GET', '/restconf/operational/neutron:neutron/neutron:features/')
      assert.deepEqual(f.body, { features: { feature: [{ 'service-provider-feature': 'neutron-extensions:operational-port-status', configuration: '' }] } })
      const hc = await http(port, 'GET', '/restconf/operational/neutron:neutron/hostconfigs/')
      const entry = hc.body.hostconfigs.hostconfig[0]
      assert.equal(entry['host-id'], 'hv1')
      assert.equal(entry['host-type'], 'ODL L2')
      const cfg = JSON.parse(entry.config)
      assert.deepEqual(cfg.allowed_network_types, ['local', 'flat', 'vlan', 'vxlan', 'gre'])
      assert.deepEqual(cfg.bridge_mappings, { physnet1: 'br-phys' })
      assert.equal(cfg.supported_vnic_types[0].vif_type, 'ovs')
      assert.equal((await http(port, 'GET', '/restconf/operational/neutron:neutron/hostconfigs/hostconfig/hv1/ODL L2'.replace(' ', '%20'))).status, 200)
      assert.equal((await http(port, 'GET', '/restconf/operational/neutron:neutron/hostconfigs/hostconfig/hv9/ODL%20L2')).status, 404)

      const sub = await http(port, 'POST', '/restconf/operations/sal-remote:create-data-change-event-subscription', {
        input: { path: '/neutron:neutron/neutron:ports', 'sal-remote-augment:datastore': 'OPERATIONAL', 'sal-remote-augment:scope': 'SUBTREE', 'sal-remote-augment:notification-output-type': 'JSON' },
      })
      assert.equal(sub.status, 200)
      const name = sub.body.output['stream-name'] as string
      const loc = await http(port, 'GET', `/restconf/streams/stream/${name}`)
      assert.equal(loc.status, 200)
      const url = loc.headers.location as string
      assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\//)
      const ws = new WebSocket(url)
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
      const got = new Promise<any>((resolve) => ws.once('message', (m) => resolve(JSON.parse(String(m)))))
      portStatus.set('d8ef11ed-e233-4924-9c20-4865d2b7133d', 'ACTIVE')
      const ev = (await got).notification['data-changed-notification']['data-change-event'][0]
      assert.match(ev.path, /neutron:uuid='d8ef11ed-e233-4924-9c20-4865d2b7133d'/)
      assert.equal(ev.data.status.content, 'ACTIVE')
      ws.close()
      const op = await http(port, 'GET', '/restconf/operational/neutron:neutron/ports/port/d8ef11ed-e233-4924-9c20-4865d2b7133d')
      assert.deepEqual(op.body, { port: [{ uuid: 'd8ef11ed-e233-4924-9c20-4865d2b7133d', status: 'ACTIVE' }] })
      assert.equal((await http(port, 'GET', '/restconf/operational/neutron:neutron/ports/port/00000000-0000-0000-0000-000000000000')).status, 404)
    } finally {
      await nb.close()
      await db.close()
    }
  })
})
