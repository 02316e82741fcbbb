/**
 * The network tag allocator: every network gets one number 1..65535 (the value of the network
 * register in every node's pipeline, desired-state.ts `Network.tag`), allocated once and kept in
 * the controller's store database, so a restarted controller computes the very same flows and
 * reconciliation finds nothing to change (issue 13, "Reconcile after restart … 0 flow mods").
 */
import type { Db } from '../../db/engine.js'

const SCHEMA = `CREATE TABLE IF NOT EXISTS controller_network_tags (
  network_id VARCHAR(64) NOT NULL PRIMARY KEY,
  tag INTEGER NOT NULL UNIQUE
)`

export const MAX_TAG = 0xffff

export class NetworkTagsExhausted extends Error {
  override name = 'NetworkTagsExhausted'
}

export class NetworkTags {
  readonly #db: Db
  readonly #byNetwork = new Map<string, number>()
  readonly #used = new Set<number>()
  #tail: Promise<unknown> = Promise.resolve()

  private constructor(db: Db) {
    this.#db = db
  }

  static async open(db: Db): Promise<NetworkTags> {
    const t = new NetworkTags(db)
    await db.exec(SCHEMA)
    for (const r of await db.all<{ network_id: string; tag: number }>('SELECT network_id, tag FROM controller_network_tags')) {
      t.#byNetwork.set(r.network_id, Number(r.tag))
      t.#used.add(Number(r.tag))
    }
    return t
  }

  get(networkId: string): number | undefined {
    return this.#byNetwork.get(networkId)
  }

  snapshot(): ReadonlyMap<string, number> {
    return new Map(this.#byNetwork)
  }

  /**
   * Makes the set of tagged networks exactly `networkIds`: new networks get the lowest free tag,
   * tags of networks that are gone are released. Durable before it resolves.
   */
  sync(networkIds: Iterable<string>): Promise<void> {
    const want = new Set(networkIds)
    const run = this.#tail.then(async () => {
      for (const id of [...this.#byNetwork.keys()]) {
        if (want.has(id)) continue
        await this.#db.run('DELETE FROM controller_network_tags WHERE network_id = ?', [id])
        this.#used.delete(this.#byNetwork.get(id)!)
        this.#byNetwork.delete(id)
      }
      for (const id of [...want].sort()) {
        if (this.#byNetwork.has(id)) continue
        let tag = 1
        while (this.#used.has(tag)) tag++
        if (tag > MAX_TAG) throw new NetworkTagsExhausted(`no free network tag for network ${id} (${MAX_TAG} in use)`)
        await this.#db.run('INSERT INTO controller_network_tags (network_id, tag) VALUES (?, ?)', [id, tag])
        this.#byNetwork.set(id, tag)
        this.#used.add(tag)
      }
    })
    this.#tail = run.catch(() => undefined)
    return run
  }
}
