/**
 * Recovery of failed rows (networking-odl journal/recovery.py): compare Neutrino's object with the
 * controller's and record what brings the controller in line (create, update or delete); the
 * failed row is then closed. A controller that cannot be asked leaves the row failed.
 */
import type { Db } from '../../../db/engine.js'
import { parentIds } from './dependencies.js'
import { filterBody } from './filters.js'
import { listRows, recordEntry } from './journal-store.js'
import { COLLECTIONS, ConnectionFailure, type OdlClient } from './odl-client.js'
import type { ResourceReader } from './resource-reader.js'

export async function recoverFailed(o: { db: Db; client: OdlClient; reader: ResourceReader; now: () => number }): Promise<number> {
  let recovered = 0
  for (const row of await listRows(o.db, { state: 'failed', limit: 500 })) {
    let onController: boolean
    try {
      const r = await o.client.nb('GET', `${COLLECTIONS[row.object_type]}/${row.object_uuid}`)
      if (r.status !== 404 && (r.status < 200 || r.status >= 300)) continue
      onController = r.status !== 404
    } catch (e) {
      if (e instanceof ConnectionFailure) return recovered
      throw e
    }
    const mine = await o.reader.get(row.object_type, row.object_uuid)
    await o.db.transaction(async (tx) => {
      const gone = await tx.run(`DELETE FROM opendaylightjournal WHERE seqnum = ? AND state = 'failed'`, [row.seqnum])
      if (!gone.changes) return
      if (mine) {
        const net = row.object_type === 'port' ? await o.reader.get('network', String(mine.network_id)) : null
        const op = onController ? 'update' : 'create'
        const data = filterBody(row.object_type, op, mine, (net?.project_id as string | undefined) ?? undefined)
        await recordEntry(tx, { type: row.object_type, uuid: row.object_uuid, op, data, parents: parentIds(row.object_type, mine) }, o.now())
      } else if (onController) {
        await recordEntry(tx, { type: row.object_type, uuid: row.object_uuid, op: 'delete', data: [], parents: [] }, o.now())
      }
      recovered++
    })
  }
  return recovered
}
