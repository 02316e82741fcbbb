/**
 * Concurrent tag writes on one resource, on SQLite and on a private PostgreSQL (in-process
 * server): single-tag PUTs and DELETEs each touch their own row, so none is lost; every change
 * that lands is one revision.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startNeutrino, type TestServer } from '../../helpers/neutrino.js'
import { pgSkipReason, startPostgres, type PgServer } from '../../helpers/postgres.js'

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`concurrent tag writes, ${engine}`, { skip: engine === 'postgres' ? pgSkipReason() : undefined }, () => {
    let pg: PgServer | undefined
    let s: TestServer
    before(async () => {
      if (engine === 'postgres') pg = startPostgres()
      // 1200 tags on one resource: over the default max_tags_per_resource (50).
      s = await startNeutrino({ ini: '[DEFAULT]\nmax_tags_per_resource = 2000\n', ...(pg ? { dbUrl: pg.url } : {}) })
    })
    after(async () => {
      await s?.close()
      pg?.stop()
    })

    it('20 clients add a tag each, then remove them: every one lands, one revision each', async () => {
      const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'tagged' } })).body.network
      const base = `/v2.0/networks/${net.id}/tags`
      assert.equal((await s.call('PUT', base, { tags: ['keep'] })).status, 200)
      const names = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`)
      const added = await Promise.all(names.map((t) => s.call('PUT', `${base}/${t}`)))
      assert.deepEqual(added.map((r) => r.status), names.map(() => 201))
      assert.deepEqual((await s.call('GET', base)).body.tags, [...names, 'keep'])
      assert.equal((await s.call('GET', `/v2.0/networks/${net.id}`)).body.network.revision_number, net.revision_number + 21)
      const removed = await Promise.all(names.map((t) => s.call('DELETE', `${base}/${t}`)))
      assert.deepEqual(removed.map((r) => r.status), names.map(() => 204))
      assert.deepEqual((await s.call('GET', base)).body.tags, ['keep'])
      assert.equal((await s.call('GET', `/v2.0/networks/${net.id}`)).body.network.revision_number, net.revision_number + 41)
    })

    it('replacing all tags (also 1200 of them) while single tags come and go ends in one consistent set', async () => {
      const net = (await s.call('POST', '/v2.0/networks', { network: { name: 'replaced' } })).body.network
      const base = `/v2.0/networks/${net.id}/tags`
      const many = Array.from({ length: 1200 }, (_, i) => `m${String(i).padStart(4, '0')}`)
      assert.equal((await s.call('PUT', base, { tags: many })).status, 200)
      assert.deepEqual((await s.call('GET', base)).body.tags, many)
      const sets = [['a', 'b'], ['c'], ['d', 'e', 'f']]
      const replies = await Promise.all([...sets.map((tags) => s.call('PUT', base, { tags })), s.call('PUT', `${base}/z`)])
      assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 201])
      const final: string[] = (await s.call('GET', base)).body.tags
      const withoutZ = final.filter((t) => t !== 'z')
      assert.ok(sets.some((x) => JSON.stringify(x) === JSON.stringify(withoutZ)), `one whole set, not a mix: ${final}`)
    })
  })
}
