/**
 * Canary check and full sync (networking-odl journal/full_sync.py; odl-northbound.md §3): a
 * controller that answers for `networks` but no longer knows the canary network lost its state.
 * Then pending creates and updates are dropped, every object is recorded again as a create in
 * dependency order, and the canary itself is recorded last, so it reappears only once everything
 * before it was delivered.
 */
import type { Db } from '../../../db/engine.js'
import { parentIds } from './dependencies.js'
import { filterBody, type Obj } from './filters.js'
import { recordEntry } from './journal-store.js'
import type { OdlClient } from './odl-client.js'
import type { ResourceReader } from './resource-reader.js'

export const CANARY_NETWORK_ID = 'bd8db3a8-2b30-4083-a8b3-b3fd46401142'
/** Exactly the canary networking-odl posts (full_sync.py _CANARY_NETWORK_DATA). */
export const CANARY_NETWORK: Obj = {
  id: CANARY_NETWORK_ID,
  tenant_id: CANARY_NETWORK_ID,
  name: 'Sync Canary Network',
  admin_state_up: false,
  project_id: CANARY_NETWORK_ID,
}

export type SyncResult = 'unreachable' | 'in-sync' | 'synced'

export async function canaryCheck(o: { db: Db; client: OdlClient; reader: ResourceReader; now: () => number }): Promise<{ result: SyncResult; recorded: number }> {
  // A full sync still being delivered ends with the canary: until then its absence means nothing.
  const inFlight = await o.db.get(`SELECT 1 AS x FROM opendaylightjournal WHERE object_uuid = ? AND state IN ('pending', 'processing')`, [CANARY_NETWORK_ID])
  if (inFlight) return { result: 'in-sync', recorded: 0 }
  const all = await o.client.nb('GET', 'networks')
  if (all.status < 200 || all.status >= 300) return { result: 'unreachable', recorded: 0 }
  const canary = await o.client.nb('GET', `networks/${CANARY_NETWORK_ID}`)
  if (canary.status !== 404) return { result: canary.status >= 200 && canary.status < 300 ? 'in-sync' : 'unreachable', recorded: 0 }
  return { result: 'synced', recorded: await fullSync(o) }
}

/**
 * Records every object as a create (and the canary last). Returns the rows recorded.
 *
 * The journal's sequence row is locked first: transactions that record rows take it too and hold
 * it to their commit, so while we read, every change is either committed (and in what we read) or
 * not yet recorded (and recorded after us, with a later seqnum). Taking it first also orders the
 * locks the same way as recordEntry, so the two never deadlock.
 */
export async function fullSync(o: { db: Db; reader: ResourceReader; now: () => number }): Promise<number> {
  // Listing security groups may create the listing project's default group (Neutron's
  // ensure_default_security_group), a write that records journal rows and so needs the sequence
  // lock: do it once before we hold that lock, or the two would wait for each other.
  if (o.reader.types.includes('security_group')) await o.reader.list('security_group')
  return o.db.transaction(async (tx) => {
    await tx.run('UPDATE opendaylight_journal_seq SET last_seqnum = last_seqnum WHERE id = 1')
    const objects: Array<[(typeof o.reader.types)[number], Obj]> = []
    for (const t of o.reader.types) for (const obj of await o.reader.list(t)) objects.push([t, obj])
    const tenants = new Map(objects.filter(([t]) => t === 'network').map(([, n]) => [n.id as string, (n.project_id ?? n.tenant_id) as string]))
    await tx.run(`DELETE FROM opendaylightjournal WHERE state = 'pending' AND operation IN ('create', 'update')`)
    let n = 0
    for (const [type, obj] of objects) {
      if (type === 'network' && obj.id === CANARY_NETWORK_ID) continue
      const data = filterBody(type, 'create', obj, tenants.get(obj.network_id as string))
      await recordEntry(tx, { type, uuid: String(obj.id), op: 'create', data, parents: parentIds(type, obj) }, o.now())
      n++
    }
    await recordEntry(tx, { type: 'network', uuid: CANARY_NETWORK_ID, op: 'create', data: CANARY_NETWORK, parents: [] }, o.now())
    return n + 1
  })
}
