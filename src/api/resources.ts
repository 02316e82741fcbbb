/**
 * One generic controller per resource (neutron/api/v2/base.py Controller): request body handling
 * through the attribute map, policy, plugin call, then visibility and `fields=` on the way out.
 */
import type { RequestContext } from '../common/context.js'
import { httpBadRequest, httpNotFound, InvalidInput, TagNotFound } from '../common/exceptions.js'
import { prepareRequestBody, validateListOfUniqueStrings, validateString, type AttrMap } from './attributes.js'
import { PolicyEnforcer } from '../policy/index.js'
import { ApiPolicy, checkProjectOnCreate, type PolicyView, type ResourcePolicy, type TagVerb } from './policy.js'
import { applyFilters, markerNotFound, pageLinks, paginate, parseListQuery, selectFields, type ListQuery, type Page } from './query.js'
import type { ApiRequest, ApiResponse } from './api-request.js'
import { hasOwn, own } from './own.js'
import type { ListLimits } from './list-bound.js'

export type Dict = Record<string, any>

/** What the ML2 plugin offers for one resource. */
export interface ResourceOps {
  createBulk(ctx: RequestContext, bodies: Dict[]): Promise<Dict[]>
  update(ctx: RequestContext, id: string, body: Dict): Promise<Dict>
  delete(ctx: RequestContext, id: string): Promise<void>
  get(ctx: RequestContext, id: string): Promise<Dict>
  /** All visible items; `filters` is a hint the plugin may use to narrow its SQL. */
  list(ctx: RequestContext, filters: Map<string, string[]>): Promise<Dict[]>
  /**
   * The list planned in SQL (src/db/resources/row-query.ts), when the plugin can: items of the
   * rows the filters select, `rest` the filters it left; `paged`: the page itself, in order.
   */
  listPage?(ctx: RequestContext, q: ListQuery): Promise<{ items: Dict[]; rest: Map<string, string[]>; paged: boolean; markerFound: boolean }>
  /** standard-attr-tag (src/ml2/tag-ops.ts); absent: the resource has no tags sub-resource. */
  readonly tags?: TagStore
}

/** The tags of one resource, scoped to what the caller may see (its NotFound otherwise). */
export interface TagStore {
  get(ctx: RequestContext, id: string): Promise<string[]>
  /** Replaces them all. */
  set(ctx: RequestContext, id: string, tags: readonly string[]): Promise<void>
  /** Adds one; false when it was there already. */
  add(ctx: RequestContext, id: string, tag: string): Promise<boolean>
  /** Removes one; false when there was no such tag. */
  remove(ctx: RequestContext, id: string, tag: string): Promise<boolean>
}

/** The policy verb of each tags request method (neutron/extensions/tagging.py, 2024.1). */
const TAG_VERBS: Readonly<Record<string, TagVerb>> = { GET: 'get', PUT: 'update', DELETE: 'delete' }

export interface ControllerOptions {
  paginationMaxLimit: number
  allowBulk: boolean
  /** [DEFAULT] list-size options (src/api/list-bound.ts); Neutron's defaults when absent. */
  listLimits?: ListLimits
  /** Attributes added only to a create response (Neutron shows e.g. is_default there). */
  createExtras?: Dict
  /** The server's policy (default: Neutron's default rules, no policy file, no parent lookups). */
  policy?: ApiPolicy
  /** URL segment when it differs from the JSON collection key (security-groups vs security_groups). */
  path?: string
  /** Member actions, PUT /{collection}/{id}/{action} (Neutron's ACTION_MAP, e.g. add_router_interface). */
  actions?: Readonly<Record<string, (r: ApiRequest, id: string) => Promise<ApiResponse>>>
}

const COMMA = Buffer.from(',')
const CLOSE = Buffer.from('}')

export class ResourceController {
  readonly policy: ResourcePolicy

  constructor(
    readonly resource: string,
    readonly collection: string,
    readonly map: AttrMap,
    readonly ops: ResourceOps,
    readonly opts: ControllerOptions,
  ) {
    this.policy = (opts.policy ?? new ApiPolicy(new PolicyEnforcer())).forResource(resource, collection, map)
    this.#showHead = Buffer.from(`{"${resource}":`)
  }

  async list(r: ApiRequest): Promise<ApiResponse> {
    const q = parseListQuery(r.url.searchParams, this.map, this.opts.paginationMaxLimit, this.collection)
    // Policy (src/api/policy.ts); null for an admin under Zed's defaults. Nobody may filter on
    // what they cannot see; items they may not get are dropped, hidden attributes stripped.
    const view = this.policy.view(r.ctx)
    view?.restrictQuery(q.filters, q.sort)
    const selfUrl = (p: URLSearchParams) => `${r.baseUrl}/v2.0/${this.path}?${p}`
    const page = (await this.#plannedPage(r, q, view, selfUrl)) ?? await this.#fullPage(r, q, view, selfUrl)
    const links = page.links?.length ? page.links : null
    if (!view) {
      // Fast path: an admin's full view of a dict is the dict itself, so its JSON text can be
      // kept with it (dicts are cached per revision by the plugin) and joined without
      // re-serialising. A `fields=` view is kept the same way, so selecting fewer fields never
      // costs more than selecting all of them (docs/benchmarks.md, issue 17).
      const fields = q.fields
      const n = page.items.length
      const chunks: Buffer[] = new Array(n * 2 + 1)
      chunks[0] = Buffer.from(`{"${this.collection}":[`)
      for (let i = 0; i < n; i++) {
        chunks[2 * i + 1] = fields === null ? this.fragment(page.items[i]!) : this.projection(page.items[i]!, fields)
        chunks[2 * i + 2] = i < n - 1 ? COMMA : Buffer.from(links ? `],"${this.collection}_links":${JSON.stringify(links)}}` : ']}')
      }
      if (n === 0) chunks[0] = Buffer.from(links ? `{"${this.collection}":[],"${this.collection}_links":${JSON.stringify(links)}}` : `{"${this.collection}":[]}`)
      return { status: 200, chunks: n === 0 ? chunks.slice(0, 1) : chunks }
    }
    const items = view ? await view.strip(page.items, q.fields) : page.items.map((it) => selectFields(it, q.fields))
    const body: Dict = { [this.collection]: items }
    if (links) body[`${this.collection}_links`] = links
    return { status: 200, body }
  }

  readonly #fragments = new WeakMap<Dict, Buffer>()
  readonly #showHead: Buffer

  /** The last `fields=` projection's JSON per dict, keyed by its field list. */
  readonly #projections = new WeakMap<Dict, { key: string; buf: Buffer }>()

  /** Where the collection lives under /v2.0/. */
  get path(): string {
    return this.opts.path ?? this.collection
  }

  /** The UTF-8 JSON of a dict, kept with the (cached, immutable) dict object. */
  private fragment(item: Dict): Buffer {
    let buf = this.#fragments.get(item)
    if (buf === undefined) {
      buf = Buffer.from(JSON.stringify(item), 'utf8')
      this.#fragments.set(item, buf)
    }
    return buf
  }

  /** The UTF-8 JSON of `selectFields(item, fields)`, kept with the dict like `fragment`. */
  private projection(item: Dict, fields: string[]): Buffer {
    const key = fields.join(',')
    const hit = this.#projections.get(item)
    if (hit !== undefined && hit.key === key) return hit.buf
    const buf = Buffer.from(JSON.stringify(selectFields(item, fields)), 'utf8')
    this.#projections.set(item, { key, buf })
    return buf
  }

  async show(r: ApiRequest, id: string): Promise<ApiResponse> {
    const fields = r.url.searchParams.getAll('fields').flatMap((f) => f.split(',')).filter((f) => f)
    const item = await this.ops.get(r.ctx, id)
    const view = this.policy.view(r.ctx)
    const f = fields.length ? fields : null
    // An admin's full show is the cached dict: reuse its JSON text, as lists do.
    if (!view && f === null) return { status: 200, chunks: [this.#showHead, this.fragment(item), CLOSE] }
    return { status: 200, body: { [this.resource]: view ? await view.show(item, f) : selectFields(item, f) } }
  }

  /**
   * The page from the plugin's SQL plan (issue 15), or null when it has none for this request.
   * The plan's scope is the default policy's; should the policy hide any item of a planned page,
   * the page is decided over the whole list instead (#fullPage), as it would have been.
   */
  async #plannedPage(r: ApiRequest, q: ListQuery, view: PolicyView | null, selfUrl: (p: URLSearchParams) => string): Promise<Page | null> {
    if (!this.ops.listPage) return null
    const planned = await this.ops.listPage(r.ctx, q)
    if (!planned.paged) {
      const filtered = applyFilters(this.map, planned.items, planned.rest)
      return paginate(view ? await view.visible(filtered) : filtered, q, this.resource, selfUrl, r.url.searchParams)
    }
    if (!planned.markerFound) throw markerNotFound(this.resource, q.marker!)
    const items = view ? await view.visible(planned.items) : planned.items
    if (items.length !== planned.items.length) return null
    return { items, links: pageLinks(items, q, selfUrl, r.url.searchParams) }
  }

  /** Every item the caller may list, then filters and the page in memory. */
  async #fullPage(r: ApiRequest, q: ListQuery, view: PolicyView | null, selfUrl: (p: URLSearchParams) => string): Promise<Page> {
    const all = await this.ops.list(r.ctx, q.filters)
    const filtered = applyFilters(this.map, all, q.filters)
    return paginate(view ? await view.visible(filtered) : filtered, q, this.resource, selfUrl, r.url.searchParams)
  }

  async create(r: ApiRequest): Promise<ApiResponse> {
    const b = r.body as Dict
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw httpBadRequest('Resource body required')
    let items: Dict[]
    let bulk = false
    if (this.collection in b) {
      bulk = true
      if (!this.opts.allowBulk) throw httpBadRequest('Bulk operation not supported')
      const list = b[this.collection]
      if (!Array.isArray(list) || list.length === 0) throw httpBadRequest('Resources required')
      // Neutron's bulk form lists bare resources ({"networks": [{…}, {…}]}, what openstacksdk
      // sends); items wrapped in their resource key are accepted too.
      items = list.map((x: unknown) => {
        const wrapped = x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 1 && this.resource in (x as Dict)
        return wrapped ? (x as Dict)[this.resource] : x
      })
    } else if (this.resource in b) {
      items = [b[this.resource]]
    } else {
      throw httpBadRequest(`Unable to find '${this.resource}' in request body`)
    }
    const prepared = items.map((it) => {
      if (it === null || typeof it !== 'object' || Array.isArray(it)) {
        throw httpBadRequest(`Unable to find '${this.resource}' in request body`)
      }
      if (hasOwn(this.map, 'project_id')) checkProjectOnCreate(r.ctx, it)
      return prepareRequestBody(this.map, it, true, this.opts.listLimits)
    })
    const view = this.policy.view(r.ctx)
    if (view) await view.authorizeCreate(prepared, items)
    const created = await this.ops.createBulk(r.ctx, prepared)
    const extras = this.opts.createExtras ?? {}
    const full = created.map((c) => ({ ...c, ...extras }))
    const shown = view ? await view.strip(full) : full
    return { status: 201, body: bulk ? { [this.collection]: shown } : { [this.resource]: shown[0] } }
  }

  async update(r: ApiRequest, id: string): Promise<ApiResponse> {
    const b = r.body as Dict
    if (b === null || typeof b !== 'object' || Array.isArray(b) || !(this.resource in b)) {
      throw httpBadRequest(`Unable to find '${this.resource}' in request body`)
    }
    const it = b[this.resource]
    if (it === null || typeof it !== 'object' || Array.isArray(it)) throw httpBadRequest('Resource body required')
    const p = prepareRequestBody(this.map, it, false, this.opts.listLimits, id)
    const view = this.policy.view(r.ctx)
    if (view) await view.authorizeUpdate(await this.ops.get(r.ctx, id), p)
    const updated = await this.ops.update(r.ctx, id, p)
    return { status: 200, body: { [this.resource]: view ? (await view.strip([updated]))[0] : updated } }
  }

  async delete(r: ApiRequest, id: string): Promise<ApiResponse> {
    const view = this.policy.view(r.ctx)
    if (view) await view.authorizeDelete(await this.ops.get(r.ctx, id))
    await this.ops.delete(r.ctx, id)
    return { status: 204 }
  }

  /**
   * standard-attr-tag: /{collection}/{id}/tags[/{tag}] (neutron/extensions/tagging.py): input
   * first, then the resource as the caller may see it (its NotFound otherwise) and
   * `get_/update_/delete_<collection>_tags` on it, denied as an update is: 404 when the caller may
   * not `get_<resource>` it either, else 403.
   */
  async tags(r: ApiRequest, id: string, tag: string | undefined): Promise<ApiResponse> {
    const store = this.ops.tags
    if (!store) throw httpNotFound()
    const verb = own(TAG_VERBS, r.method)
    if (!verb) throw r.method === 'POST' ? httpNotFound('not supported') : httpNotFound()
    // validate_tag / validate_tags raise InvalidInput.
    if (tag !== undefined) {
      const msg = validateString(255)(tag)
      if (msg) throw new InvalidInput(msg)
    }
    const replacement = verb === 'update' && tag === undefined ? tagsBody(r.body) : undefined
    // The tags as the policy target shows them (admins under Zed's defaults skip policy).
    let shown: string[] | undefined
    const view = this.policy.view(r.ctx)
    if (view) {
      const item = await this.ops.get(r.ctx, id)
      await view.authorizeTags(verb, item)
      shown = item.tags
    }
    switch (verb) {
      case 'get': {
        const current = shown ?? (await store.get(r.ctx, id))
        if (tag === undefined) return { status: 200, body: { tags: current } }
        if (!current.includes(tag)) throw new TagNotFound(tag)
        return { status: 204 }
      }
      case 'update':
        if (replacement) {
          await store.set(r.ctx, id, replacement)
          return { status: 200, body: { tags: replacement } }
        }
        // update_tag: an existing tag is a no-op.
        if (tag !== undefined) await store.add(r.ctx, id, tag)
        return { status: 201 }
      case 'delete':
        if (tag === undefined) await store.set(r.ctx, id, [])
        else if (!(await store.remove(r.ctx, id, tag))) throw new TagNotFound(tag)
        return { status: 204 }
    }
  }
}

/** tagging.py validate_tags: the body of PUT …/tags. */
function tagsBody(body: unknown): string[] {
  const b = body as Dict
  if (!b || typeof b !== 'object' || Array.isArray(b) || !('tags' in b)) throw new InvalidInput('Invalid tags body')
  const msg = validateListOfUniqueStrings(255)(b.tags)
  if (msg) throw new InvalidInput(msg)
  return b.tags as string[]
}
