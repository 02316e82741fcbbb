/**
 * A list request planned in SQL (issue 15: a list's cost depends on the rows it returns, not on
 * what else is stored). Filters on plain columns and the tag filters become a WHERE clause;
 * when every filter could be planned and the order is by id alone (Neutron's default, and
 * sqlalchemyutils.paginate_query's tie-breaker), the marker and limit do too, so only the page's
 * rows are read and only their tags and child rows are loaded afterwards.
 *
 * Semantics are those of the API's in-memory filter (src/api/query.ts matchOne), exactly:
 *   - a string column matches a value equal to it (every planned column is NOT NULL);
 *   - a boolean column matches 'true'/'1' or 'false'/'0' in any case; other values match nothing;
 *   - repeated values are OR'ed, different attributes AND'ed;
 *   - `tags` (all of), `tags-any`, `not-tags`, `not-tags-any`: comma-separated, blanks dropped;
 *     no tag at all makes `tags` and `not-tags-any` true, `tags-any` and `not-tags` false.
 * Ids are compared as bytes (`COLLATE "C"` on PostgreSQL), as JavaScript compares ASCII strings.
 */
import type { Dialect, Param, Queryable, Row } from '../engine.js'

/** The list request, as the API parsed it (structurally src/api/query.ts ListQuery). */
export interface ListRequest {
  readonly filters: ReadonlyMap<string, readonly string[]>
  readonly sort: ReadonlyArray<{ readonly key: string; readonly dir: 'asc' | 'desc' }>
  readonly limit: number | null
  readonly marker: string | null
  readonly pageReverse: boolean
}

/** API attribute name → its column, for the attributes that filter as plain columns. */
export type FilterColumns = Readonly<Record<string, { readonly column: string; readonly kind: 'string' | 'boolean' }>>

export interface RowPlan {
  /** SQL conditions on the table (aliased `t`), AND'ed; empty for none. */
  conditions: string[]
  params: Param[]
  /** Filters the plan could not express; the caller applies them to the built items. */
  rest: Map<string, string[]>
  /** The page in SQL: id order (`desc` after page_reverse is folded in), rows after the marker. */
  page: { limit: number; desc: boolean; marker: string | null; reverse: boolean } | null
}

/** What a planned list returns: the items built for the selected rows. */
export interface ListPage<T> {
  items: T[]
  /** Filters still to apply to `items` (RowPlan.rest). */
  rest: Map<string, string[]>
  /** `items` is the page already: filtered, in order, after the marker, at most `limit`. */
  paged: boolean
  /** With `paged`: false when the marker is none of the listed rows (the caller's NotFound). */
  markerFound: boolean
}

const TAG_FILTERS = new Set(['tags', 'tags-any', 'not-tags', 'not-tags-any'])

export function planRows(req: ListRequest, columns: FilterColumns, resourceType: string): RowPlan {
  const conditions: string[] = []
  const params: Param[] = []
  const rest = new Map<string, string[]>()
  for (const [key, values] of req.filters) {
    const col = Object.hasOwn(columns, key) ? columns[key] : undefined
    if (TAG_FILTERS.has(key)) {
      conditions.push(tagCondition(key, values, resourceType, params))
    } else if (col) {
      const wanted = col.kind === 'boolean' ? values.map(toBool).filter((v) => v !== undefined) : [...values]
      if (wanted.length === 0) conditions.push('1 = 0')
      else {
        conditions.push(`t.${col.column} IN (${wanted.map(() => '?').join(', ')})`)
        params.push(...(wanted as Param[]))
      }
    } else {
      rest.set(key, [...values])
    }
  }
  const byIdOnly = req.sort.every((s) => s.key === 'id')
  const dir = req.sort[0]?.dir ?? 'asc'
  const page = rest.size === 0 && byIdOnly && req.limit !== null
    ? { limit: req.limit, desc: (dir === 'asc') === req.pageReverse, marker: req.marker, reverse: req.pageReverse }
    : null
  return { conditions, params, rest, page }
}

/** The planned rows' SQL: `SELECT <cols> FROM <table> t WHERE scope AND plan [AND id after marker] [ORDER BY id LIMIT]`. */
export function rowsSql(
  dialect: Dialect,
  table: string,
  cols: string,
  scope: { sql: string; params: Param[] } | null,
  plan: RowPlan,
): { sql: string; params: Param[] } {
  const where = [...(scope ? [`(${scope.sql})`] : []), ...plan.conditions]
  const params = [...(scope?.params ?? []), ...plan.params]
  const collate = dialect === 'postgres' ? ' COLLATE "C"' : ''
  let tail = ''
  if (plan.page) {
    if (plan.page.marker !== null) {
      where.push(`t.id${collate} ${plan.page.desc ? '<' : '>'} ?`)
      params.push(plan.page.marker)
    }
    tail = ` ORDER BY t.id${collate} ${plan.page.desc ? 'DESC' : 'ASC'} LIMIT ${plan.page.limit}`
  }
  const sql = `SELECT ${cols.split(',').map((c) => `t.${c.trim()}`).join(', ')} FROM ${table} t${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${tail}`
  return { sql, params }
}

/** Whether the marker is one of the rows the list would show (the marker must be; else NotFound). */
export function markerSql(table: string, scope: { sql: string; params: Param[] } | null, plan: RowPlan, marker: string): { sql: string; params: Param[] } {
  const where = [...(scope ? [`(${scope.sql})`] : []), ...plan.conditions, 't.id = ?']
  return { sql: `SELECT t.id FROM ${table} t WHERE ${where.join(' AND ')}`, params: [...(scope?.params ?? []), ...plan.params, marker] }
}

/**
 * The rows a plan selects within `scope` (conditions on `t`), in the page's order when it pages;
 * `markerFound` is false when it pages and the marker is none of the selected rows.
 */
export async function selectPlanned(
  q: Queryable,
  dialect: Dialect,
  table: string,
  cols: string,
  scope: { sql: string; params: Param[] } | null,
  plan: RowPlan,
): Promise<{ rows: Row[]; markerFound: boolean }> {
  const marker = plan.page?.marker ?? null
  if (marker !== null) {
    const m = markerSql(table, scope, plan, marker)
    if (!(await q.get(m.sql, m.params))) return { rows: [], markerFound: false }
  }
  const { sql, params } = rowsSql(dialect, table, cols, scope, plan)
  const rows = await q.all<Row>(sql, params)
  if (plan.page?.reverse) rows.reverse()
  return { rows, markerFound: true }
}

function toBool(v: string): boolean | undefined {
  const s = v.toLowerCase()
  return s === 'true' || s === '1' ? true : s === 'false' || s === '0' ? false : undefined
}

function tagCondition(key: string, values: readonly string[], resourceType: string, params: Param[]): string {
  const wanted = [...new Set(values.flatMap((v) => v.split(',')).filter((x) => x))]
  // One IN list, never a chain of ANDs/ORs: thousands of tags in a query string must not reach
  // SQLite's expression depth limit (1000).
  const matching = (select: string) => {
    params.push(resourceType, ...wanted)
    return `(SELECT ${select} FROM tags g WHERE g.resource_type = ? AND g.resource_id = t.id AND g.tag IN (${wanted.map(() => '?').join(', ')}))`
  }
  // every() of nothing is true, some() of nothing false (matchOne).
  const all = () => (wanted.length ? `(${matching('COUNT(*)')} = ${wanted.length})` : '(1 = 1)')
  const any = () => (wanted.length ? `EXISTS ${matching('1')}` : '(1 = 0)')
  if (key === 'tags') return all()
  if (key === 'tags-any') return any()
  if (key === 'not-tags') return `NOT ${all()}`
  return `NOT ${any()}`
}
