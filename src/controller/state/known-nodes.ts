/**
 * Host ids of every node the controller has ever programmed, kept in its store database: after a
 * restart the reconciler waits until all of them are back (or a grace period ends) before it
 * applies anything, because a node's desired state depends on its peers (tunnels, remote MACs)
 * and a partial view would delete tunnels and flows that are right (issue 13, "reconciliation
 * waits for a complete view of the nodes before deleting anything").
 */
import type { Db } from '../../db/engine.js'

const SCHEMA = 'CREATE TABLE IF NOT EXISTS controller_known_nodes (host_id VARCHAR(255) NOT NULL PRIMARY KEY)'

export class KnownNodes {
  readonly #db: Db
  readonly #ids = new Set<string>()

  private constructor(db: Db) {
    this.#db = db
  }

  static async open(db: Db): Promise<KnownNodes> {
    const k = new KnownNodes(db)
    await db.exec(SCHEMA)
    for (const r of await db.all<{ host_id: string }>('SELECT host_id FROM controller_known_nodes')) k.#ids.add(r.host_id)
    return k
  }

  ids(): string[] {
    return [...this.#ids].sort()
  }

  async add(hostId: string): Promise<void> {
    if (this.#ids.has(hostId)) return
    await this.#db.run('INSERT INTO controller_known_nodes (host_id) VALUES (?)', [hostId])
    this.#ids.add(hostId)
  }
}
