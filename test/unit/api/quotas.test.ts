import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

const member = (project: string) => ({ 'X-Project-Id': project, 'X-Roles': 'member' })

describe('quotas', () => {
  let s: TestServer
  before(async () => (s = await startNeutrino({ ini: '[quotas]\nquota_network = 3\nquota_subnet = 100\nquota_port = 2\n' })))
  after(() => s.close())

  it('shows defaults from [quotas] and per-project limits', async () => {
    const d = await s.call('GET', '/v2.0/quotas/p1/default')
    assert.equal(d.status, 200)
    assert.deepEqual(d.body.quota, { network: 3, subnet: 100, port: 2, subnetpool: -1, router: 10, floatingip: 50, security_group: 10, security_group_rule: 100 })
    const q = await s.call('GET', '/v2.0/quotas/p1', undefined, member('p1'))
    assert.deepEqual(q.body.quota, { network: 3, subnet: 100, port: 2, subnetpool: -1, router: 10, floatingip: 50, security_group: 10, security_group_rule: 100 })
    const other = await s.call('GET', '/v2.0/quotas/p2', undefined, member('p1'))
    assert.equal(other.status, 403)
  })

  it('refuses creates over the limit with OverQuota and counts per project', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await s.call('POST', '/v2.0/networks', { network: { name: `q${i}`, tenant_id: 'p1' } }, member('p1'))
      assert.equal(r.status, 201, JSON.stringify(r.body))
    }
    const over = await s.call('POST', '/v2.0/networks', { network: { name: 'q3', tenant_id: 'p1' } }, member('p1'))
    assert.equal(over.status, 409)
    assert.deepEqual(over.body, { NeutronError: { type: 'OverQuota', message: "Quota exceeded for resources: ['network'].", detail: '' } })
    // another project is unaffected
    const p2 = await s.call('POST', '/v2.0/networks', { network: { name: 'x', tenant_id: 'p2' } }, member('p2'))
    assert.equal(p2.status, 201)
    // a bulk create that would go over is refused as a whole
    const bulk = await s.call('POST', '/v2.0/networks', { networks: [{ network: { name: 'b1', tenant_id: 'p2' } }, { network: { name: 'b2', tenant_id: 'p2' } }, { network: { name: 'b3', tenant_id: 'p2' } }] }, member('p2'))
    assert.equal(bulk.status, 409)
    const list = await s.call('GET', '/v2.0/networks?fields=name', undefined, member('p2'))
    assert.deepEqual(list.body.networks.map((n: any) => n.name), ['x'])
  })

  it('admin raises a limit, details show usage, delete resets', async () => {
    const up = await s.call('PUT', '/v2.0/quotas/p1', { quota: { network: 5 } })
    assert.equal(up.status, 200)
    assert.equal(up.body.quota.network, 5)
    const r = await s.call('POST', '/v2.0/networks', { network: { name: 'q3', tenant_id: 'p1' } }, member('p1'))
    assert.equal(r.status, 201)
    const det = await s.call('GET', '/v2.0/quotas/p1/details', undefined, member('p1'))
    assert.deepEqual(det.body.quota.network, { limit: 5, used: 4, reserved: 0 })
    const list = await s.call('GET', '/v2.0/quotas')
    assert.deepEqual(list.body.quotas.map((q: any) => [q.project_id, q.network]), [['p1', 5]])
    assert.equal((await s.call('PUT', '/v2.0/quotas/p1', { quota: { network: 9 } }, member('p1'))).status, 403)
    assert.equal((await s.call('PUT', '/v2.0/quotas/p1', { quota: { bogus: 1 } })).status, 400)
    assert.equal((await s.call('PUT', '/v2.0/quotas/p1', { quota: { network: -2 } })).status, 400)
    assert.equal((await s.call('DELETE', '/v2.0/quotas/p1')).status, 204)
    assert.equal((await s.call('GET', '/v2.0/quotas/p1')).body.quota.network, 3)
  })
})
