/** Shared set-up for the type driver tests: a migrated database and a networks row factory. */
import { randomUUID } from 'node:crypto'
import { openDb } from '../../../../src/db/connect.js'
import type { Db, Queryable } from '../../../../src/db/engine.js'
import { upgrade } from '../../../../src/db/migrations.js'

export async function freshDb(url = 'sqlite://'): Promise<Db> {
  const db = openDb(url)
  await upgrade(db)
  return db
}

/** Inserts a bare networks row (ml2_network_segments has a FK to it) and returns its id. */
export async function addNetwork(q: Queryable, id: string = randomUUID()): Promise<string> {
  const now = '2026-01-01T00:00:00Z'
  await q.run(
    'INSERT INTO networks (id, project_id, status, admin_state_up, mtu, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, 'p1', 'ACTIVE', true, 1500, now, now],
  )
  return id
}

export async function ids(q: Queryable, sql: string, params: any[] = []): Promise<number[]> {
  return (await q.all<{ v: number }>(sql, params)).map((r) => Number(r.v)).sort((a, b) => a - b)
}

/** Runs fn expecting a NeutronException; returns [type, message]. */
export async function failure(p: Promise<unknown> | (() => unknown)): Promise<[string, string]> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e: any) {
    return [e.type ?? e.constructor.name, e.message]
  }
  throw new Error('expected an error')
}
