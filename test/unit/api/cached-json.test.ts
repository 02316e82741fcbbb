/**
 * Show and `fields=` lists are served from JSON kept with the cached dicts (src/api/resources.ts,
 * issue 17): the bytes must be exactly what serialising the current dict gives, follow every
 * revision, and follow a change of the field list.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'

describe('cached JSON of shows and fields= lists', () => {
  let s: TestServer
  let netId: string
  const ports: string[] = []
  before(async () => {
    s = await startNeutrino()
    netId = (await s.call('POST', '/v2.0/networks', { network: { name: 'n' } })).body.network.id
    await s.call('POST', '/v2.0/subnets', { subnet: { network_id: netId, ip_version: 4, cidr: '192.0.2.0/24' } })
    for (let i = 0; i < 3; i++) ports.push((await s.call('POST', '/v2.0/ports', { port: { network_id: netId, name: `p${i}` } })).body.port.id)
    ports.sort()
  })
  after(() => s.close())

  const get = async (path: string) => {
    const r = await s.call('GET', path)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body
  }

  it('a show is the listed dict, and follows an update', async () => {
    const full = (await get('/v2.0/ports')).ports
    for (const p of full) assert.deepEqual((await get(`/v2.0/ports/${p.id}`)).port, p)
    const put = await s.call('PUT', `/v2.0/ports/${ports[0]}`, { port: { name: 'renamed' } })
    assert.equal(put.status, 200)
    const shown = (await get(`/v2.0/ports/${ports[0]}`)).port
    assert.equal(shown.name, 'renamed')
    assert.equal(shown.revision_number, put.body.port.revision_number)
    assert.deepEqual(shown, put.body.port)
  })

  it('fields= lists select exactly the fields asked, for each field list in turn', async () => {
    const full = (await get('/v2.0/ports')).ports
    const pick = (keys: string[]) => full.map((p: any) => Object.fromEntries(keys.filter((k) => k in p).map((k) => [k, p[k]])))
    for (const q of [['id'], ['id'], ['name'], ['id', 'name'], ['name', 'id'], ['id', 'no_such_field'], ['id']]) {
      const got = (await get(`/v2.0/ports?${q.map((f) => `fields=${f}`).join('&')}`)).ports
      assert.deepEqual(got, pick(q), `fields=${q.join(',')}`)
      // key order follows the request, as selectFields builds it
      assert.deepEqual(Object.keys(got[0]), q.filter((k) => k in full[0]))
    }
  })

  it('fields= lists follow an update of a listed port', async () => {
    assert.deepEqual((await get('/v2.0/ports?fields=name')).ports.map((p: any) => p.name).includes('again'), false)
    await s.call('PUT', `/v2.0/ports/${ports[1]}`, { port: { name: 'again' } })
    const names = (await get('/v2.0/ports?fields=name')).ports.map((p: any) => p.name)
    assert.ok(names.includes('again'), names.join(','))
  })

  it('a show of a missing port is still a PortNotFound', async () => {
    const r = await s.call('GET', '/v2.0/ports/00000000-0000-0000-0000-000000000000')
    assert.equal(r.status, 404)
    assert.equal(r.body.NeutronError.type, 'PortNotFound')
  })
})
