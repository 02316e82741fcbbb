/**
 * Checks shared by the opendaylight tests: the journal drained (nothing pending, nothing failed),
 * and the controller's objects equal to the server's (every id, every attribute sent).
 */
import assert from 'node:assert/strict'
import { filterBody, type ObjectType } from '../../src/ml2/mech/opendaylight/filters.js'
import { COLLECTIONS } from '../../src/ml2/mech/opendaylight/odl-client.js'
import { journalFigures, listRows } from '../../src/apps/server/journal-admin.js'
import type { Db } from '../../src/db/engine.js'
import type { ControllerProcess } from './odl-controller-process.js'

export interface ApiClient {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
}

export async function until(f: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export const AUTH = 'Basic ' + Buffer.from('admin:admin').toString('base64')

export async function ctlGet(c: ControllerProcess, path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${c.url}/${path}`, { headers: { Authorization: AUTH } })
  const t = await r.text()
  return { status: r.status, body: t ? JSON.parse(t) : null }
}

export async function drained(s: { app: { db: Db } }, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const f = await journalFigures(s.app.db, Date.now())
    if (f.depth === 0) {
      assert.equal(f.failed, 0, `failed rows: ${JSON.stringify(await listRows(s.app.db, { state: 'failed' }))}`)
      return
    }
    if (Date.now() > end) throw new Error(`journal not drained: ${JSON.stringify(f)} ${JSON.stringify(await listRows(s.app.db))}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Every network, subnet and port of the server is on the controller with the attributes it was sent, and nothing else. */
export async function assertSameState(s: ApiClient, c: ControllerProcess): Promise<void> {
  const cases: Array<[ObjectType, string]> = [['network', 'networks'], ['subnet', 'subnets'], ['port', 'ports'], ['security_group', 'security_groups'], ['security_group_rule', 'security_group_rules'], ['router', 'routers'], ['floatingip', 'floatingips']]
  for (const [type, plural] of cases) {
    const mine = (await s.call('GET', `/v2.0/${COLLECTIONS[type]}`)).body[plural] as any[]
    const theirs = ((await ctlGet(c, COLLECTIONS[type])).body[plural] as any[]).filter((o) => o.id !== 'bd8db3a8-2b30-4083-a8b3-b3fd46401142')
    assert.deepEqual(theirs.map((o) => o.id).sort(), mine.map((o) => o.id).sort(), `${plural} ids`)
    const byId = new Map(theirs.map((o) => [o.id, o]))
    for (const m of mine) {
      const want = filterBody(type, type === 'security_group_rule' ? 'create' : 'update', m)
      // status is the controller's to report; a network's revision_number and updated_at also move
      // when its subnets change, which is no network update (Neutron sends none either).
      delete want.status
      // So do a group's when its rules change; the rules it is shown with are the rules collection's.
      if (type === 'network' || type === 'security_group' || type === 'router') { delete want.revision_number; delete want.updated_at; delete want.security_group_rules }
      const got = byId.get(m.id)
      for (const k of Object.keys(want)) assert.deepEqual(got[k], want[k], `${type} ${m.id} ${k}`)
    }
  }
}

