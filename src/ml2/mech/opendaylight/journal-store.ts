/**
 * The durable journal (networking-odl db/db.py + journal/journal.py, facts §5.2): rows are written
 * inside the API transaction that made the change, claimed by exactly one sender (row lock on
 * PostgreSQL, BEGIN IMMEDIATE on SQLite), and moved through pending → processing → completed or
 * failed. Every function takes its database handle and its clock; no state lives here.
 */
import type { Db, Param, Queryable, Tx } from '../../../db/engine.js'
import type { Obj, ObjectType, Operation } from './filters.js'

export type JournalState = 'pending' | 'processing' | 'failed' | 'completed'

export interface JournalRow {
  seqnum: number
  object_type: ObjectType
  object_uuid: string
  operation: Operation
  data: Obj | string[]
  state: JournalState
  retry_count: number
  last_retried: number
  next_attempt: number
  version_id: number
  lock_owner: string | null
  last_error: string | null
  created_at: number
  depends_on?: number[]
}

export interface NewEntry {
  type: ObjectType
  uuid: string
  op: Operation
  /** The filtered body (create/update) or the parent ids (delete; never sent). */
  data: Obj | string[]
  /** Ids this object refers to (dependencies.ts). */
  parents: readonly string[]
}

const ACTIVE = `('pending', 'processing')`

/** Records one row and its dependencies inside the caller's transaction. Returns its seqnum. */
export async function recordEntry(tx: Tx, e: NewEntry, nowMs: number): Promise<number> {
  const r = await tx.get<{ last_seqnum: number | string }>('UPDATE opendaylight_journal_seq SET last_seqnum = last_seqnum + 1 WHERE id = 1 RETURNING last_seqnum')
  if (!r) throw new Error('opendaylight_journal_seq has no row (schema migration 9 missing)')
  const seq = Number(r.last_seqnum)
  await tx.run(
    'INSERT INTO opendaylightjournal (seqnum, object_type, object_uuid, operation, data, state, retry_count, last_retried, next_attempt, version_id, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, 1, ?)',
    [seq, e.type, e.uuid, e.op, JSON.stringify(e.data), 'pending', nowMs, nowMs],
  )
  for (const p of e.parents) await tx.run('INSERT INTO opendaylight_journal_parents (seqnum, parent_uuid) VALUES (?, ?)', [seq, p])
  // dependency_validations.py: the same object's earlier rows; a create/update also waits for its
  // parents' rows; a delete also waits for the rows of children that name it.
  const ids = e.op === 'delete' ? [e.uuid] : [e.uuid, ...e.parents]
  const params: Param[] = [seq, ...ids]
  let sql = `SELECT seqnum FROM opendaylightjournal WHERE state IN ${ACTIVE} AND seqnum < ? AND object_uuid IN (${ids.map(() => '?').join(', ')})`
  if (e.op === 'delete') {
    sql += ` UNION SELECT p.seqnum FROM opendaylight_journal_parents p JOIN opendaylightjournal j ON j.seqnum = p.seqnum WHERE p.parent_uuid = ? AND p.seqnum < ? AND j.state IN ${ACTIVE}`
    params.push(e.uuid, seq)
  }
  const deps = await tx.all<{ seqnum: number | string }>(sql, params)
  for (const d of deps) await tx.run('INSERT INTO opendaylight_journal_deps (depends_on, dependent) VALUES (?, ?)', [Number(d.seqnum), seq])
  return seq
}

/**
 * Claims the oldest pending row whose dependencies are all done and whose backoff has expired,
 * for `owner`. Exactly one claimer gets a row: PostgreSQL skips rows another transaction locked,
 * SQLite runs writers one at a time.
 */
export async function claimNext(db: Db, owner: string, nowMs: number): Promise<JournalRow | null> {
  return db.transaction(async (tx) => {
    const lock = tx.dialect === 'postgres' ? ' FOR NO KEY UPDATE OF j SKIP LOCKED' : ''
    const cand = await tx.get<{ seqnum: number | string }>(
      `SELECT j.seqnum FROM opendaylightjournal j WHERE j.state = 'pending' AND j.next_attempt <= ?
         AND NOT EXISTS (SELECT 1 FROM opendaylight_journal_deps d JOIN opendaylightjournal p ON p.seqnum = d.depends_on
                         WHERE d.dependent = j.seqnum AND p.state IN ${ACTIVE})
       ORDER BY j.seqnum LIMIT 1${lock}`,
      [nowMs],
    )
    if (!cand) return null
    const row = await tx.get<Row>(
      `UPDATE opendaylightjournal SET state = 'processing', lock_owner = ?, last_retried = ?, version_id = version_id + 1
       WHERE seqnum = ? AND state = 'pending' RETURNING *`,
      [owner, nowMs, Number(cand.seqnum)],
    )
    return row ? toRow(row) : null
  })
}

/** 2xx: completed; deleted at once when the retention is 0 (its dependency edges go with it). */
export async function markCompleted(db: Db, seq: number, retentionSec: number, nowMs: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM opendaylight_journal_deps WHERE depends_on = ?', [seq])
    if (retentionSec === 0) {
      await tx.run('DELETE FROM opendaylightjournal WHERE seqnum = ?', [seq])
      return
    }
    await tx.run(`UPDATE opendaylightjournal SET state = 'completed', lock_owner = NULL, last_retried = ?, version_id = version_id + 1 WHERE seqnum = ?`, [nowMs, seq])
  })
}

/** Back to pending, not before `nextAttemptMs`; the retry counter is unchanged (controller unreachable, 5xx). */
export async function markBackoff(db: Db, seq: number, nextAttemptMs: number, error: string, nowMs: number): Promise<void> {
  await db.run(
    `UPDATE opendaylightjournal SET state = 'pending', lock_owner = NULL, next_attempt = ?, last_error = ?, last_retried = ?, version_id = version_id + 1 WHERE seqnum = ? AND state = 'processing'`,
    [nextAttemptMs, error.slice(0, 255), nowMs, seq],
  )
}

/** The controller refused the row (4xx): counted; `failed` once `maxRetries` retries were spent. Returns the new state. */
export async function markRefused(db: Db, seq: number, maxRetries: number, error: string, nowMs: number): Promise<JournalState> {
  const row = await db.get<{ state: JournalState }>(
    `UPDATE opendaylightjournal SET state = CASE WHEN retry_count >= ? THEN 'failed' ELSE 'pending' END,
       retry_count = CASE WHEN retry_count >= ? THEN retry_count ELSE retry_count + 1 END,
       lock_owner = NULL, last_error = ?, last_retried = ?, version_id = version_id + 1
     WHERE seqnum = ? AND state = 'processing' RETURNING state`,
    [maxRetries, maxRetries, error.slice(0, 255), nowMs, seq],
  )
  return row?.state ?? 'pending'
}

/** Rows left in processing by a server that died mid-send go back to pending (maintenance). */
export async function resetStuck(db: Queryable, olderThanMs: number): Promise<number> {
  const r = await db.run(`UPDATE opendaylightjournal SET state = 'pending', lock_owner = NULL, version_id = version_id + 1 WHERE state = 'processing' AND last_retried < ?`, [olderThanMs])
  return r.changes
}

/** Deletes completed rows older than the retention (-1: keep forever), and dependency edges to rows gone. */
export async function purgeCompleted(db: Queryable, retentionSec: number, nowMs: number): Promise<number> {
  await db.run('DELETE FROM opendaylight_journal_deps WHERE NOT EXISTS (SELECT 1 FROM opendaylightjournal j WHERE j.seqnum = depends_on)')
  if (retentionSec < 0) return 0
  const r = await db.run(`DELETE FROM opendaylightjournal WHERE state = 'completed' AND last_retried <= ?`, [nowMs - retentionSec * 1000])
  return r.changes
}

/** Failed rows (or one of them) back to pending with a fresh retry budget (`neutrino journal retry`). */
export async function retryFailed(db: Queryable, seq?: number): Promise<number> {
  const where = seq === undefined ? '' : ' AND seqnum = ?'
  const r = await db.run(`UPDATE opendaylightjournal SET state = 'pending', retry_count = 0, next_attempt = 0, version_id = version_id + 1 WHERE state = 'failed'${where}`, seq === undefined ? [] : [seq])
  return r.changes
}

export async function listRows(db: Queryable, o: { state?: JournalState; limit?: number } = {}): Promise<JournalRow[]> {
  const rows = await db.all<Row>(
    `SELECT * FROM opendaylightjournal${o.state ? ' WHERE state = ?' : ''} ORDER BY seqnum LIMIT ?`,
    o.state ? [o.state, o.limit ?? 1000] : [o.limit ?? 1000],
  )
  return rows.map(toRow)
}

export async function getRow(db: Queryable, seq: number): Promise<JournalRow | null> {
  const r = await db.get<Row>('SELECT * FROM opendaylightjournal WHERE seqnum = ?', [seq])
  if (!r) return null
  const deps = await db.all<{ depends_on: number | string }>('SELECT depends_on FROM opendaylight_journal_deps WHERE dependent = ? ORDER BY depends_on', [seq])
  return { ...toRow(r), depends_on: deps.map((d) => Number(d.depends_on)) }
}

/** Deletes one row whatever its state (`neutrino journal purge --seqnum`); its dependents no longer wait for it. */
export async function deleteRow(db: Queryable, seq: number): Promise<boolean> {
  return (await db.run('DELETE FROM opendaylightjournal WHERE seqnum = ?', [seq])).changes > 0
}

export interface JournalFigures {
  /** Rows not yet delivered (pending + processing). */
  depth: number
  failed: number
  /** Age in seconds of the oldest pending row (0 when none). */
  oldestPendingAgeSeconds: number
}

/** The figures an operator watches (metrics endpoint, `neutrino journal list`). */
export async function journalFigures(db: Queryable, nowMs: number): Promise<JournalFigures> {
  const r = await db.get<{ depth: number | string | null; failed: number | string | null; oldest: number | string | null }>(
    `SELECT SUM(CASE WHEN state IN ${ACTIVE} THEN 1 ELSE 0 END) AS depth, SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed,
            MIN(CASE WHEN state IN ${ACTIVE} THEN created_at END) AS oldest FROM opendaylightjournal`,
  )
  const oldest = r?.oldest == null ? null : Number(r.oldest)
  return { depth: Number(r?.depth ?? 0), failed: Number(r?.failed ?? 0), oldestPendingAgeSeconds: oldest === null ? 0 : Math.max(0, (nowMs - oldest) / 1000) }
}

type Row = Record<string, any>

function toRow(r: Row): JournalRow {
  return {
    seqnum: Number(r.seqnum),
    object_type: r.object_type,
    object_uuid: r.object_uuid,
    operation: r.operation,
    data: JSON.parse(r.data),
    state: r.state,
    retry_count: Number(r.retry_count),
    last_retried: Number(r.last_retried),
    next_attempt: Number(r.next_attempt),
    version_id: Number(r.version_id),
    lock_owner: r.lock_owner ?? null,
    last_error: r.last_error ?? null,
    created_at: Number(r.created_at),
  }
}
