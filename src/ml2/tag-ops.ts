/**
 * standard-attr-tag for one resource (neutron/services/tag/tag_plugin.py): reading, replacing,
 * adding and removing the tags of a row the caller may see; every change is a new revision of the
 * resource. The row is scoped as the resource's own reads scope it (its NotFound otherwise).
 * Whether the caller may read or change the tags is the policy's `get_/update_/delete_<collection>_tags`
 * (src/api/policy.ts).
 */
import type { RequestContext } from '../common/context.js'
import type { Queryable, Tx } from '../db/engine.js'
import { tagsByResource } from '../db/resources/networks.js'
import type { PluginCore } from './plugin-core.js'

export interface TagOpsOptions {
  /** tags.resource_type: the collection ('networks', 'security_groups'). */
  readonly resourceType: string
  /** The table whose revision_number a tag change bumps, when not named resourceType ('securitygroups'). */
  readonly table?: string
  /** The row if `ctx` may see it; the resource's NotFound (NetworkNotFound…) otherwise. */
  readonly visibleRow: (q: Queryable, ctx: RequestContext, id: string) => Promise<{ readonly id: string }>
}

export class TagOps {
  constructor(
    private readonly core: PluginCore,
    private readonly o: TagOpsOptions,
  ) {}

  /** The tags of a resource `ctx` may see, in tag order (as the resource's dict shows them). */
  async get(ctx: RequestContext, id: string): Promise<string[]> {
    const q = this.core.reader
    const row = await this.o.visibleRow(q, ctx, id)
    return (await tagsByResource(q, this.o.resourceType, [row.id])).get(row.id) ?? []
  }

  /**
   * Replaces the tags (update_tags). The revision bump goes first: its row lock orders concurrent
   * tag writes on one resource (on PostgreSQL each later statement then sees the earlier commit).
   */
  async set(ctx: RequestContext, id: string, tags: readonly string[]): Promise<void> {
    await this.core.txn(async (tx) => {
      await this.o.visibleRow(tx, ctx, id)
      this.#bump(tx, id)
      replaceTags(tx, this.o.resourceType, id, tags)
    })
  }

  /** Adds one tag (update_tag); false, and no new revision, when it was there already. */
  async add(ctx: RequestContext, id: string, tag: string): Promise<boolean> {
    return this.#changeOne(ctx, id, 'INSERT INTO tags (resource_type, resource_id, tag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', tag)
  }

  /** Removes one tag (delete_tag); false when there was no such tag. */
  async remove(ctx: RequestContext, id: string, tag: string): Promise<boolean> {
    return this.#changeOne(ctx, id, 'DELETE FROM tags WHERE resource_type = ? AND resource_id = ? AND tag = ?', tag)
  }

  /** One tag row written in place (no read-modify-write of the list: concurrent adds all land). */
  #changeOne(ctx: RequestContext, id: string, sql: string, tag: string): Promise<boolean> {
    return this.core.txn(async (tx) => {
      await this.o.visibleRow(tx, ctx, id)
      const { changes } = await tx.run(sql, [this.o.resourceType, id, tag])
      if (changes > 0) this.#bump(tx, id)
      return changes > 0
    })
  }

  #bump(tx: Tx, id: string): void {
    tx.defer(`UPDATE ${this.o.table ?? this.o.resourceType} SET revision_number = revision_number + 1, updated_at = ? WHERE id = ?`, [this.core.timestamp(), id])
  }
}

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound on parameters per statement. */
const TAGS_PER_INSERT = 500

/** Deletes a resource's tags and writes `tags` (deferred writes: nothing reads their result). */
function replaceTags(tx: Tx, resourceType: string, id: string, tags: readonly string[]): void {
  tx.defer('DELETE FROM tags WHERE resource_type = ? AND resource_id = ?', [resourceType, id])
  for (let i = 0; i < tags.length; i += TAGS_PER_INSERT) {
    const chunk = tags.slice(i, i + TAGS_PER_INSERT)
    tx.defer(
      `INSERT INTO tags (resource_type, resource_id, tag) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
      chunk.flatMap((t) => [resourceType, id, t]),
    )
  }
}
