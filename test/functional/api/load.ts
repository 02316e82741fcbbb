/**
 * The concurrency scenario shared by the single-server tests (test/functional/api/concurrency)
 * and the several-server-processes tests (test/fullstack/multi-server): N HTTP clients spread
 * over one or more servers that share one database.
 *
 * Small pools make every race matter: 60 VNIs + 40 VLANs = 100 tenant segments, and a /24
 * with 253 pool addresses. Filling them exactly, then asking for one more, proves that nothing
 * was handed out twice and nothing leaked; deleting everything must leave the pools full again.
 */
import assert from 'node:assert/strict'
import { openDb } from '../../../src/db/connect.js'
import type { Db } from '../../../src/db/engine.js'
import { httpCall } from '../../helpers/server-process.js'

export const VNI_RANGE: [number, number] = [1, 60]
export const VLAN_RANGE: [number, number] = [100, 139]
export const SEGMENTS = VNI_RANGE[1] - VNI_RANGE[0] + 1 + (VLAN_RANGE[1] - VLAN_RANGE[0] + 1)
export const CIDR = '198.51.100.0/24'
export const POOL_SIZE = 253

/** Layered over TEST_INI: the small pools and no quotas (the tests create hundreds). */
export const LOAD_INI = `
[ml2_type_vxlan]
vni_ranges = ${VNI_RANGE[0]}:${VNI_RANGE[1]}
[ml2_type_vlan]
network_vlan_ranges = physnet1:${VLAN_RANGE[0]}:${VLAN_RANGE[1]}
[ml2]
mechanism_drivers = test
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
`

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>

/** `clients` workers, client i talking to urls[i % urls.length], pulling jobs 0..total-1. */
export async function runClients<T>(urls: string[], clients: number, total: number, job: (call: Call, i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(total)
  let next = 0
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const url = urls[c % urls.length]!
      const call: Call = (m, p, b) => httpCall(url, m, p, b)
      for (let i = next++; i < total; i = next++) out[i] = await job(call, i)
    }),
  )
  return out
}

const dupes = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i)

export async function poolState(db: Db): Promise<{ vxlanTotal: number; vxlanUsed: number; vlanTotal: number; vlanUsed: number }> {
  const n = async (sql: string) => Number((await db.get<{ c: number }>(sql))!.c)
  return {
    vxlanTotal: await n('SELECT COUNT(*) AS c FROM ml2_vxlan_allocations'),
    vxlanUsed: await n('SELECT COUNT(*) AS c FROM ml2_vxlan_allocations WHERE allocated = TRUE'),
    vlanTotal: await n("SELECT COUNT(*) AS c FROM ml2_vlan_allocations WHERE physical_network = 'physnet1'"),
    vlanUsed: await n('SELECT COUNT(*) AS c FROM ml2_vlan_allocations WHERE allocated = TRUE'),
  }
}

export async function assertPoolsFull(db: Db): Promise<void> {
  assert.deepEqual(await poolState(db), {
    vxlanTotal: VNI_RANGE[1] - VNI_RANGE[0] + 1,
    vxlanUsed: 0,
    vlanTotal: VLAN_RANGE[1] - VLAN_RANGE[0] + 1,
    vlanUsed: 0,
  })
  const left = await db.get<{ c: number }>('SELECT (SELECT COUNT(*) FROM ml2_network_segments) + (SELECT COUNT(*) FROM ipallocations) + (SELECT COUNT(*) FROM ports) AS c')
  assert.equal(Number(left!.c), 0, 'segments, ports or IP allocations left behind')
}

/**
 * Networks: fill every tenant segment with `clients` concurrent creators, check that no
 * (type, segmentation id) repeats and that one more network gets NoNetworkAvailable; delete all
 * concurrently; the allocation tables are all free again. Twice, so freed ids are reused.
 */
export async function hammerNetworks(urls: string[], dbUrl: string, clients = 8): Promise<void> {
  const db = openDb(dbUrl)
  try {
    for (let round = 0; round < 2; round++) {
      const created = await runClients(urls, clients, SEGMENTS, async (call, i) => {
        const r = await call('POST', '/v2.0/networks', { network: { name: `load-${round}-${i}` } })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        return r.body.network
      })
      const keys = created.map((n) => `${n['provider:network_type']}:${n['provider:physical_network'] ?? ''}:${n['provider:segmentation_id']}`)
      assert.deepEqual(dupes(keys), [], 'a segmentation id was handed out twice')
      assert.equal(keys.filter((k) => k.startsWith('vxlan:')).length, VNI_RANGE[1] - VNI_RANGE[0] + 1)
      assert.equal(keys.filter((k) => k.startsWith('vlan:physnet1:')).length, VLAN_RANGE[1] - VLAN_RANGE[0] + 1)
      const st = await poolState(db)
      assert.equal(st.vxlanUsed + st.vlanUsed, SEGMENTS)
      // what the servers say agrees with the database
      const listed = await httpCall(urls[0]!, 'GET', '/v2.0/networks?fields=id&fields=provider:segmentation_id')
      assert.equal(listed.body.networks.length, SEGMENTS)
      const full = await httpCall(urls[urls.length - 1]!, 'POST', '/v2.0/networks', { network: { name: 'one-too-many' } })
      assert.equal(full.status, 503, JSON.stringify(full.body))
      assert.equal(full.body.NeutronError.type, 'NoNetworkAvailable')
      await runClients(urls, clients, created.length, async (call, i) => {
        const r = await call('DELETE', `/v2.0/networks/${created[i].id}`)
        assert.equal(r.status, 204, JSON.stringify(r.body))
      })
      await assertPoolsFull(db)
    }
  } finally {
    await db.close()
  }
}

/**
 * Ports: `clients` creators fill a /24 exactly (253 ports) on one network, one more gets
 * IpAddressGenerationFailure; no IP or MAC twice; every port shows what was returned; delete all
 * concurrently, then fill the subnet again (the addresses are reusable) and clean up.
 */
export async function hammerPorts(urls: string[], dbUrl: string, clients = 8): Promise<void> {
  const db = openDb(dbUrl)
  const call0: Call = (m, p, b) => httpCall(urls[0]!, m, p, b)
  try {
    const net = await call0('POST', '/v2.0/networks', { network: { name: 'port-load' } })
    assert.equal(net.status, 201)
    const netId = net.body.network.id
    const sub = await call0('POST', '/v2.0/subnets', { subnet: { network_id: netId, ip_version: 4, cidr: CIDR } })
    assert.equal(sub.status, 201, JSON.stringify(sub.body))
    for (let round = 0; round < 2; round++) {
      const ports = await runClients(urls, clients, POOL_SIZE, async (call, i) => {
        const r = await call('POST', '/v2.0/ports', { port: { network_id: netId, name: `p${round}-${i}`, device_id: `vm-${i}` } })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        return r.body.port
      })
      const ips = ports.map((p) => p.fixed_ips[0].ip_address)
      assert.deepEqual(dupes(ips), [], 'an IP address was handed out twice')
      assert.deepEqual(dupes(ports.map((p) => p.mac_address)), [], 'a MAC address was handed out twice')
      assert.equal(new Set(ips).size, POOL_SIZE)
      assert.ok(!ips.includes('198.51.100.1') && !ips.includes('198.51.100.255') && !ips.includes('198.51.100.0'))
      const more = await httpCall(urls[urls.length - 1]!, 'POST', '/v2.0/ports', { port: { network_id: netId } })
      assert.equal(more.status, 409, JSON.stringify(more.body))
      assert.equal(more.body.NeutronError.type, 'IpAddressGenerationFailure')
      // every server lists the same committed state
      for (const url of urls) {
        const listed = await httpCall(url, 'GET', `/v2.0/ports?network_id=${netId}`)
        assert.equal(listed.body.ports.length, POOL_SIZE)
        const byId = new Map(ports.map((p) => [p.id, p]))
        for (const p of listed.body.ports) assert.deepEqual(p.fixed_ips, byId.get(p.id).fixed_ips)
      }
      const rows = await db.all<{ c: number }>('SELECT COUNT(*) AS c FROM ipallocations GROUP BY ip_address HAVING COUNT(*) > 1')
      assert.deepEqual(rows, [])
      await runClients(urls, clients, ports.length, async (call, i) => {
        const r = await call('DELETE', `/v2.0/ports/${ports[i].id}`)
        assert.equal(r.status, 204, JSON.stringify(r.body))
      })
      assert.equal(Number((await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM ipallocations'))!.c), 0)
    }
    assert.equal((await call0('DELETE', `/v2.0/networks/${netId}`)).status, 204)
    await assertPoolsFull(db)
  } finally {
    await db.close()
  }
}

/** Networks and ports at once: creators of both kinds interleaved, then everything deleted. */
export async function hammerMixed(urls: string[], dbUrl: string, clients = 8): Promise<void> {
  const db = openDb(dbUrl)
  try {
    const call0: Call = (m, p, b) => httpCall(urls[0]!, m, p, b)
    const net = await call0('POST', '/v2.0/networks', { network: { name: 'mixed' } })
    const netId = net.body.network.id
    await call0('POST', '/v2.0/subnets', { subnet: { network_id: netId, ip_version: 4, cidr: '203.0.113.0/24' } })
    const N = 160
    const made = await runClients(urls, clients, N, async (call, i) => {
      if (i % 2) {
        const r = await call('POST', '/v2.0/networks', { network: { name: `m${i}` } })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        return { kind: 'networks', id: r.body.network.id, key: String(r.body.network['provider:segmentation_id']) + r.body.network['provider:network_type'] }
      }
      const r = await call('POST', '/v2.0/ports', { port: { network_id: netId } })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      return { kind: 'ports', id: r.body.port.id, key: r.body.port.fixed_ips[0].ip_address + r.body.port.mac_address }
    })
    assert.deepEqual(dupes(made.filter((m) => m.kind === 'networks').map((m) => m.key)), [])
    assert.deepEqual(dupes(made.filter((m) => m.kind === 'ports').map((m) => m.key)), [])
    await runClients(urls, clients, N, async (call, i) => {
      const r = await call('DELETE', `/v2.0/${made[i]!.kind}/${made[i]!.id}`)
      assert.equal(r.status, 204, JSON.stringify(r.body))
    })
    assert.equal((await call0('DELETE', `/v2.0/networks/${netId}`)).status, 204)
    await assertPoolsFull(db)
  } finally {
    await db.close()
  }
}
