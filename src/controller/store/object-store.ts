/**
 * The controller's durable store of what the northbound was told (issue 13, "A durable store"):
 * every Neutron object by (collection, id), as the last accepted POST/PUT left it. Written through
 * to SQLite or PostgreSQL (`[database] connection`) before the northbound answers, and held in
 * memory as well, because the dataplane computation reads the whole state on every change.
 *
 * A wiped store is detectable by a client exactly as networking-odl's canary check expects
 * (odl-northbound.md §3): the canary network is gone, so GET of its id answers 404.
 */
import { EventEmitter } from 'node:events'
import type { Db } from '../../db/engine.js'

export type NbObject = Record<string, unknown> & { id: string }

export type StoreChange =
  | { op: 'create'; collection: string; id: string; current: NbObject }
  | { op: 'update'; collection: string; id: string; current: NbObject; original: NbObject }
  | { op: 'delete'; collection: string; id: string; original: NbObject }

export type UpdateResult =
  | { status: 'updated'; object: NbObject }
  /** The stored revision_number is newer than the update's: ODL ignores such an update (200, no body). */
  | { status: 'stale' }
  | { status: 'missing' }

export interface ObjectStoreEvents {
  /** Emitted after the change is durable, in the order the changes were accepted. */
  change: [StoreChange]
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS controller_nb_objects (
  collection VARCHAR(64) NOT NULL,
  id VARCHAR(64) NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (collection, id)
)`

export class ObjectStore extends EventEmitter<ObjectStoreEvents> {
  readonly #db: Db
  readonly #cache = new Map<string, Map<string, NbObject>>()
  /** Writes are serialised: each one reads the cache, persists, then updates the cache. */
  #tail: Promise<unknown> = Promise.resolve()

  private constructor(db: Db) {
    super()
    this.#db = db
  }

  /** Creates the table if needed and loads every object into memory. */
  static async open(db: Db): Promise<ObjectStore> {
    const s = new ObjectStore(db)
    await db.exec(SCHEMA)
    const rows = await db.all<{ collection: string; id: string; body: string }>(
      'SELECT collection, id, body FROM controller_nb_objects',
    )
    for (const r of rows) s.#coll(r.collection).set(r.id, JSON.parse(r.body) as NbObject)
    return s
  }

  get(collection: string, id: string): NbObject | undefined {
    return this.#cache.get(collection)?.get(id)
  }

  list(collection: string): NbObject[] {
    return [...(this.#cache.get(collection)?.values() ?? [])]
  }

  collections(): string[] {
    return [...this.#cache.keys()]
  }

  count(): number {
    let n = 0
    for (const c of this.#cache.values()) n += c.size
    return n
  }

  /** False when an object with that id already exists (ODL answers 409). */
  create(collection: string, obj: NbObject): Promise<boolean> {
    return this.#serial(async () => {
      if (this.#coll(collection).has(obj.id)) return false
      await this.#db.run('INSERT INTO controller_nb_objects (collection, id, body) VALUES (?, ?, ?)', [
        collection, obj.id, JSON.stringify(obj),
      ])
      this.#coll(collection).set(obj.id, obj)
      this.emit('change', { op: 'create', collection, id: obj.id, current: obj })
      return true
    })
  }

  /**
   * Merges `delta` into the stored object (networking-odl's update bodies omit id, network_id,
   * tenant_id and the like: odl-northbound.md §3 "Bodies"). An older revision_number than the
   * stored one is ignored, as AbstractNeutronNorthbound does.
   */
  update(collection: string, id: string, delta: Record<string, unknown>): Promise<UpdateResult> {
    return this.#serial(async () => {
      const original = this.#coll(collection).get(id)
      if (!original) return { status: 'missing' } as const
      const stored = original.revision_number
      const incoming = delta.revision_number
      if (typeof stored === 'number' && typeof incoming === 'number' && stored > incoming) return { status: 'stale' } as const
      const object: NbObject = { ...original, ...delta, id }
      await this.#db.run('UPDATE controller_nb_objects SET body = ? WHERE collection = ? AND id = ?', [
        JSON.stringify(object), collection, id,
      ])
      this.#coll(collection).set(id, object)
      this.emit('change', { op: 'update', collection, id, current: object, original })
      return { status: 'updated', object } as const
    })
  }

  /** False when there was no such object (ODL answers 404). */
  delete(collection: string, id: string): Promise<boolean> {
    return this.#serial(async () => {
      const original = this.#coll(collection).get(id)
      if (!original) return false
      await this.#db.run('DELETE FROM controller_nb_objects WHERE collection = ? AND id = ?', [collection, id])
      this.#coll(collection).delete(id)
      this.emit('change', { op: 'delete', collection, id, original })
      return true
    })
  }

  #coll(collection: string): Map<string, NbObject> {
    let c = this.#cache.get(collection)
    if (!c) this.#cache.set(collection, (c = new Map()))
    return c
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn)
    this.#tail = run.catch(() => undefined)
    return run
  }
}
