/**
 * List/show query parameters (neutron/api/api_common.py, api/v2/base.py):
 *   fields=a&fields=b            only these attributes in the result
 *   <attr>=v1&<attr>=v2          filter, repeated values OR'ed; values converted like the attribute
 *   tags / tags-any / not-tags / not-tags-any   comma-separated tag filters
 *   sort_key=k&sort_dir=asc|desc (repeatable; id is appended as the tie-breaker)
 *   limit, marker, page_reverse  pagination, with `<collection>_links` (next/previous)
 */
import { BadRequest, httpBadRequest, NetworkNotFound, NotFound, PortNotFound, RouterNotFound, SubnetNotFound } from '../common/exceptions.js'
import { toInt, type AttrMap } from './attributes.js'
import { hasOwn, own } from './own.js'

export interface ListQuery {
  fields: string[] | null
  filters: Map<string, string[]>
  /** `numeric`: an integer attribute (its converter is toInt) shown as text, e.g. a subnet pool's prefix lengths. */
  sort: Array<{ key: string; dir: 'asc' | 'desc'; numeric?: boolean }>
  limit: number | null
  marker: string | null
  pageReverse: boolean
}

const RESERVED = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse', 'verbose'])
const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any']

export function parseListQuery(params: URLSearchParams, map: AttrMap, maxLimit: number, resource = 'resource'): ListQuery {
  const fields = params.getAll('fields').flatMap((f) => f.split(',')).filter((f) => f)
  const filters = new Map<string, string[]>()
  for (const [k, v] of params) {
    if (RESERVED.has(k)) continue
    if (!hasOwn(map, k) && !TAG_FILTERS.includes(k) && k !== 'fixed_ips') continue
    const list = filters.get(k)
    if (list) list.push(v)
    else filters.set(k, [v])
  }
  // api_common.get_sorts: empty values ignored, counts must match, keys must be attributes,
  // directions exactly 'asc'/'desc'; messages quote Python lists.
  const keys = params.getAll('sort_key').filter((k) => k)
  const dirs = params.getAll('sort_dir').filter((d) => d)
  if (keys.length !== dirs.length) throw httpBadRequest('The number of sort_keys and sort_dirs must be same')
  const absent = keys.filter((k) => !hasOwn(map, k))
  if (absent.length) throw httpBadRequest(`${pyList(absent)} is invalid attribute for sort_keys`)
  const badDirs = dirs.filter((d) => d !== 'asc' && d !== 'desc')
  if (badDirs.length) throw httpBadRequest(`${pyList(badDirs)} is invalid value for sort_dirs, valid value is 'asc' and 'desc'`)
  const sort = keys.map((key, i) => {
    // In the attribute map but not a column Neutron can sort on (sqlalchemyutils.paginate_query).
    if (!map[key]!.isSortKey) throw new BadRequest(resource, `${key} is invalid attribute for sort_key`)
    // Neutron sorts in SQL on the column: integers as integers even where the API shows text.
    return { key, dir: dirs[i] as 'asc' | 'desc', numeric: map[key]!.convert === toInt }
  })
  // api_common._get_limit_param / get_limit_and_marker
  let limit: number | null = null
  const rawLimit = params.get('limit')
  if (rawLimit !== null) {
    if (!/^\s*[+-]?\d+\s*$/.test(rawLimit) || Number(rawLimit) < 0) {
      throw new BadRequest('limit', `Limit must be an integer 0 or greater and not '${rawLimit}'`)
    }
    limit = Number(rawLimit) || null
  }
  if (maxLimit > 0) limit = Math.min(maxLimit, limit ?? maxLimit)
  for (const [k, vs] of filters) {
    if (TAG_FILTERS.includes(k) || k === 'fixed_ips') continue
    const conv = own(map, k)?.convertFilter ?? own(map, k)?.convert
    // A value the attribute's converter refuses is a 400, as in api_common.get_filters.
    if (conv) for (const v of vs) if (v !== '') conv(v)
  }
  return {
    fields: fields.length ? fields : null,
    filters,
    sort,
    limit,
    marker: limit === null ? null : params.get('marker'),
    pageReverse: (params.get('page_reverse') ?? 'False').toLowerCase() === 'true',
  }
}

function pyList(items: string[]): string {
  return `[${items.map((i) => `'${i}'`).join(', ')}]`
}

/** Converts a filter's string value to the attribute's type, for comparison. */
function filterValue(map: AttrMap, key: string, raw: string): unknown {
  const spec = own(map, key)
  const conv = spec?.convertFilter ?? spec?.convert
  if (!conv) return raw
  try {
    return conv(raw)
  } catch {
    return raw
  }
}

function matchOne(map: AttrMap, key: string, values: string[], item: Record<string, any>): boolean {
  if (key === 'tags' || key === 'tags-any' || key === 'not-tags' || key === 'not-tags-any') {
    const have: string[] = item.tags ?? []
    const wanted = values.flatMap((v) => v.split(',')).filter((t) => t)
    const all = wanted.every((t) => have.includes(t))
    const any = wanted.some((t) => have.includes(t))
    return key === 'tags' ? all : key === 'tags-any' ? any : key === 'not-tags' ? !all : !any
  }
  if (key === 'fixed_ips') {
    // fixed_ips=ip_address=1.2.3.4 / subnet_id=… / ip_address_substr=…: any port IP matching every part of one value
    const ips: Array<{ subnet_id: string; ip_address: string }> = item.fixed_ips ?? []
    return values.some((v) => {
      const [k, val = ''] = v.split(/=(.*)/s)
      return ips.some((ip) =>
        k === 'ip_address' ? ip.ip_address === val
          : k === 'subnet_id' ? ip.subnet_id === val
            : k === 'ip_address_substr' ? ip.ip_address.includes(val)
              : false,
      )
    })
  }
  const actual = item[key]
  return values.some((raw) => {
    const want = filterValue(map, key, raw)
    if (Array.isArray(actual)) return actual.some((a) => String(a) === String(want))
    if (actual === null || actual === undefined) return raw === '' || raw === 'None'
    return actual === want || String(actual) === String(want)
  })
}

export function applyFilters(map: AttrMap, items: Record<string, any>[], filters: Map<string, string[]>): Record<string, any>[] {
  if (filters.size === 0) return items
  const entries = [...filters]
  return items.filter((it) => entries.every(([k, vs]) => matchOne(map, k, vs, it)))
}

function cmp(a: unknown, b: unknown, numeric = false): number {
  if (a === b) return 0
  if (numeric && a !== null && a !== undefined && b !== null && b !== undefined) return Number(a) - Number(b)
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

function sortedById(items: Record<string, any>[]): boolean {
  for (let i = 1; i < items.length; i++) if (!(items[i - 1]!.id < items[i]!.id)) return false
  return true
}

export function sortItems(items: Record<string, any>[], sort: ListQuery['sort'], reverse: boolean): Record<string, any>[] {
  const keys = [...sort]
  if (!keys.some((k) => k.key === 'id')) keys.push({ key: 'id', dir: 'asc' })
  // The plugin lists in id order: skip the sort when that is the order asked for.
  if (keys.length === 1 && keys[0]!.dir === 'asc' && !reverse && sortedById(items)) return items
  return items.sort((x, y) => {
    for (const { key, dir, numeric } of keys) {
      const c = cmp(x[key], y[key], numeric)
      if (c !== 0) return (dir === 'asc') !== reverse ? c : -c
    }
    return 0
  })
}

export interface Page {
  items: Record<string, any>[]
  links: Array<{ rel: string; href: string }> | null
}

/**
 * Sort, then cut a page after the marker (Neutron's native pagination: the marker row's sort
 * values bound the query; page_reverse walks backwards), with api_common.get_pagination_links.
 */
export function paginate(
  items: Record<string, any>[],
  q: ListQuery,
  resourceName: string,
  selfUrl: (params: URLSearchParams) => string,
  params: URLSearchParams,
): Page {
  sortItems(items, q.sort, q.pageReverse)
  if (q.limit === null) return { items, links: null }
  let start = 0
  if (q.marker !== null) {
    const i = items.findIndex((it) => it.id === q.marker)
    // db_base_plugin_common._get_marker_obj: the marker is fetched like a GET → <Resource>NotFound.
    // Resources listed through neutron.objects (subnet pools, floating IPs, security groups and
    // their rules) look the marker up quietly instead: an unknown one gives the first page.
    if (i < 0 && !QUIET_MARKER_RESOURCES.has(resourceName)) throw markerNotFound(resourceName, q.marker)
    start = i + 1
  }
  const page = items.slice(start, start + q.limit)
  if (q.pageReverse) page.reverse()
  return { items: page, links: pageLinks(page, q, selfUrl, params) }
}

/** api_common.get_pagination_links of a page (in the order shown) cut with `q.limit`. */
export function pageLinks(
  page: Record<string, any>[],
  q: ListQuery,
  selfUrl: (params: URLSearchParams) => string,
  params: URLSearchParams,
): Page['links'] {
  if (q.limit === null) return null
  const links: Array<{ rel: string; href: string }> = []
  // get_next_link / get_previous_link: the request's own parameters, marker replaced (appended last).
  const link = (rel: string, marker: string | undefined, reverse: boolean) => {
    const p = new URLSearchParams(params)
    p.delete('marker')
    if (marker !== undefined) p.append('marker', marker)
    p.delete('page_reverse')
    if (reverse) p.append('page_reverse', 'True')
    links.push({ rel, href: selfUrl(p) })
  }
  if (!(page.length < q.limit && !q.pageReverse)) link('next', page.at(-1)?.id, false)
  if (!(page.length < q.limit && q.pageReverse)) link('previous', page[0]?.id, true)
  return links
}

const QUIET_MARKER_RESOURCES = new Set(['subnetpool', 'floatingip', 'security_group', 'security_group_rule'])

/** db_base_plugin_common._get_marker_obj's NotFound for a marker that is no listed item. */
export function markerNotFound(resource: string, marker: string): NotFound {
  if (resource === 'network') return new NetworkNotFound(marker)
  if (resource === 'subnet') return new SubnetNotFound(marker)
  if (resource === 'port') return new PortNotFound(marker)
  if (resource === 'router') return new RouterNotFound(marker)
  return new MarkerNotFound(resource, marker)
}

export class MarkerNotFound extends NotFound {
  override readonly type = 'MarkerNotFound'
  constructor(resource: string, marker: string) {
    super(`Marker ${marker} could not be found for ${resource}.`)
  }
}

export function selectFields(item: Record<string, any>, fields: string[] | null): Record<string, any> {
  if (!fields) return item
  const out: Record<string, any> = {}
  for (const f of fields) if (hasOwn(item, f)) out[f] = item[f]
  return out
}
