/**
 * Writing a plan into Neutrino's database, inside the caller's single transaction (all or nothing):
 * the schema is created or upgraded in that same transaction (SQLite and PostgreSQL both have
 * transactional DDL), so a failure leaves even a brand-new target exactly as it was.
 */
import { RetryRequest } from '../common/exceptions.js'
import type { Param, Tx } from '../db/engine.js'
import { MIGRATIONS } from '../db/migrations.js'
import { MigrationError } from './errors.js'
import type { Plan, TablePlan } from './plan.js'

/** Same DDL as db/migrations.ts, so `neutrino db upgrade` and the server see a normal database. */
const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS neutrino_schema_version (
  version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at VARCHAR(32) NOT NULL)`

const statements = (sql: string) => sql.split(/;\s*\n/).map((s) => s.trim()).filter((s) => s.length > 0)

/** Tables and indexes Neutrino's schema creates (from its migrations, so they never drift). */
export const NEUTRINO_TABLES: readonly string[] = [
  ...new Set(MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/CREATE TABLE (\w+)/g)].map((x) => x[1]!.toLowerCase()))),
]
const NEUTRINO_INDEXES = new Set(MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/CREATE INDEX (\w+)/g)].map((x) => x[1]!.toLowerCase())))

/** Applies the missing schema migrations inside tx; returns the versions applied. */
export async function applySchema(tx: Tx, now: Date): Promise<number[]> {
  await tx.run(VERSION_TABLE)
  if (tx.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(7047)')
  const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM neutrino_schema_version')
  const have = Number(row?.v ?? 0)
  const applied: number[] = []
  for (const m of MIGRATIONS) {
    if (m.version <= have) continue
    for (const s of statements(m.sql)) await tx.run(s)
    await tx.run('INSERT INTO neutrino_schema_version (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, now.toISOString()])
    applied.push(m.version)
  }
  return applied
}

/** Resource rows already in the target (the allocation pools a server start fills don't count). */
export async function targetContents(tx: Tx): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  const count = async (label: string, sql: string) => {
    const n = Number((await tx.get<{ n: number }>(sql))?.n ?? 0)
    if (n) out[label] = n
  }
  await count('networks', 'SELECT COUNT(*) AS n FROM networks')
  await count('subnets', 'SELECT COUNT(*) AS n FROM subnets')
  await count('ports', 'SELECT COUNT(*) AS n FROM ports')
  await count('ml2_network_segments', 'SELECT COUNT(*) AS n FROM ml2_network_segments')
  await count('allocated VLANs', 'SELECT COUNT(*) AS n FROM ml2_vlan_allocations WHERE allocated = TRUE')
  await count('allocated GRE ids', 'SELECT COUNT(*) AS n FROM ml2_gre_allocations WHERE allocated = TRUE')
  await count('allocated VNIs', 'SELECT COUNT(*) AS n FROM ml2_vxlan_allocations WHERE allocated = TRUE')
  await count('flat allocations', 'SELECT COUNT(*) AS n FROM ml2_flat_allocations')
  await count('routers', 'SELECT COUNT(*) AS n FROM routers')
  await count('floating IPs', 'SELECT COUNT(*) AS n FROM floatingips')
  await count('security groups', 'SELECT COUNT(*) AS n FROM securitygroups')
  await count('agents', 'SELECT COUNT(*) AS n FROM agents')
  return out
}

const q = (c: string) => `"${c}"`

/** Writes every table of the plan; `progress(n)` after each batch of n rows. */
export async function writePlan(tx: Tx, plan: Plan, progress: (rows: number) => void = () => {}): Promise<void> {
  for (const t of plan.tables) {
    if (!t.rows.length) continue
    if (t.mode === 'allocate') await checkAllocationConflicts(tx, t)
    await insertRows(tx, t, progress)
  }
}

async function insertRows(tx: Tx, t: TablePlan, progress: (rows: number) => void): Promise<void> {
  // Bound parameters per statement: SQLite allows 32766, PostgreSQL 65535.
  const perRow = t.columns.length
  const batch = Math.max(1, Math.min(1000, Math.floor((tx.dialect === 'sqlite' ? 30000 : 60000) / perRow)))
  const head = `INSERT INTO ${t.table} (${t.columns.map(q).join(', ')}) VALUES `
  const tuple = '(' + t.columns.map(() => '?').join(', ') + ')'
  const keys = t.key.map(q).join(', ')
  const tail =
    t.mode === 'insert'
      ? ''
      : t.mode === 'allocate' && t.columns.includes('allocated')
        ? ` ON CONFLICT (${keys}) DO UPDATE SET allocated = TRUE`
        : ` ON CONFLICT (${keys}) DO NOTHING`
  for (let i = 0; i < t.rows.length; i += batch) {
    const rows = t.rows.slice(i, i + batch)
    const params: Param[] = []
    for (const r of rows) for (const v of r) params.push(v)
    try {
      await tx.run(head + new Array(rows.length).fill(tuple).join(', ') + tail, params)
    } catch (e) {
      if (e instanceof RetryRequest) {
        throw new MigrationError(`the target already holds ${t.table} rows with the same key as the source (${e.message}); migrate into an empty database`)
      }
      throw e
    }
    progress(rows.length)
  }
}

/** An id free in the target's pool may be taken; one already allocated there is a conflict. */
async function checkAllocationConflicts(tx: Tx, t: TablePlan): Promise<void> {
  const where = t.columns.includes('allocated') ? ' WHERE allocated = TRUE' : ''
  const taken = new Set((await tx.all(`SELECT ${t.key.map(q).join(', ')} FROM ${t.table}${where}`)).map((r) => t.key.map((k) => String(r[k])).join(':')))
  if (!taken.size) return
  const clash = t.rows.map((r) => t.key.map((_, i) => String(r[i])).join(':')).filter((k) => taken.has(k))
  if (clash.length) {
    throw new MigrationError(`${t.table}: ${clash.length} id(s) the source uses are already allocated in the target: ${clash.slice(0, 10).join(', ')}`)
  }
}

export interface LegacyTables {
  /** What was (or, in a dry run, would be) done, for the report. */
  actions: string[]
  /** Source tables whose rows the plan carries: renamed legacy_<name> now, dropped by finishInPlace. */
  replaced: string[]
}

/**
 * In place (target = source), step 1: the source tables whose names Neutrino's schema uses make
 * way for it.
 * - A table the plan carries (`carried`: its rows are read and written to Neutrino's table of the
 *   same name) is renamed `legacy_<name>` until finishInPlace drops it. Foreign keys of the tables
 *   that stay (routerl3agentbindings, networkdhcpagentbindings, ipavailabilityranges, the old
 *   plugin tables with --save-tables …) keep naming `<name>`, which becomes Neutrino's table: on
 *   SQLite because the rename runs with foreign_keys off and legacy_alter_table on (the caller
 *   sets foreign_keys, which cannot change inside a transaction), on PostgreSQL because
 *   finishInPlace re-creates them.
 * - An empty table the plan does not carry is dropped (e.g. ML2 tables an earlier run of the
 *   original script created). A non-empty ML2 or tags table refuses the migration; any other
 *   non-empty one is kept as `legacy_<name>`, its foreign keys following it.
 */
export async function renameLegacyTables(tx: Tx, tables: Set<string>, carried: ReadonlySet<string>, dryRun: boolean): Promise<LegacyTables> {
  const actions: string[] = []
  const replaced: string[] = []
  if (tables.has('neutrino_schema_version')) throw new MigrationError('the source already has a Neutrino schema (neutrino_schema_version): nothing to migrate in place')
  for (const t of NEUTRINO_TABLES) {
    if (!tables.has(t)) continue
    const keep = carried.has(t)
    if (!keep) {
      const n = Number((await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n ?? 0)
      if (n === 0) {
        // CASCADE: on PostgreSQL another empty ML2 table may still reference this one.
        if (!dryRun) await tx.run(`DROP TABLE ${t}${tx.dialect === 'postgres' ? ' CASCADE' : ''}`)
        actions.push(`dropped empty ${t}`)
        continue
      }
      if (t.startsWith('ml2_') || t === 'tags') throw new MigrationError(`the source already holds ${n} row(s) in ${t}: was it migrated already?`)
    }
    const legacy = `legacy_${t}`
    if (tables.has(legacy)) throw new MigrationError(`cannot rename ${t} to ${legacy}: that table exists`)
    if (keep) {
      replaced.push(t)
      actions.push(`replaced ${t} by Neutrino's ${t}`)
    } else actions.push(`renamed ${t} to ${legacy} (not read: Neutrino's ${t} differs)`)
    if (dryRun) continue
    if (tx.dialect === 'sqlite') await tx.run(`PRAGMA legacy_alter_table = ${keep ? 'ON' : 'OFF'}`)
    await tx.run(`ALTER TABLE ${t} RENAME TO ${legacy}`)
    if (tx.dialect === 'postgres') {
      // Index (and so primary-key/unique constraint) names are schema-wide in PostgreSQL.
      const idx = await tx.all<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?', [legacy])
      for (const { indexname } of idx) await tx.run(`ALTER INDEX "${indexname}" RENAME TO "${('legacy_' + indexname).slice(0, 63)}"`)
    } else {
      const idx = await tx.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", [legacy])
      for (const { name } of idx) if (NEUTRINO_INDEXES.has(name.toLowerCase())) await tx.run(`DROP INDEX "${name}"`)
    }
  }
  if (!dryRun && tx.dialect === 'sqlite') await tx.run('PRAGMA legacy_alter_table = OFF')
  return { actions, replaced }
}

/**
 * In place, step 2, after Neutrino's tables are written: the foreign keys of the tables that stay
 * now reference Neutrino's tables, and the legacy copies of the replaced tables are dropped.
 * PostgreSQL: each such foreign key is re-created on Neutrino's table (and so checked against its
 * rows). SQLite: the keys already name Neutrino's tables; `PRAGMA foreign_key_check` then finds
 * any row they miss: in Neutrino's tables that refuses the migration, elsewhere it is a warning
 * (SQLite did not enforce foreign keys for the old server, so such rows may predate us).
 */
export async function finishInPlace(tx: Tx, replaced: readonly string[], warnings: string[]): Promise<void> {
  const legacy = replaced.map((t) => `legacy_${t}`)
  if (!legacy.length) return
  if (tx.dialect === 'postgres') {
    const dropped = new Set(legacy)
    for (const t of replaced) {
      const fks = await tx.all<{ conname: string; tbl: string; def: string }>(
        `SELECT c.conname, r.relname AS tbl, pg_get_constraintdef(c.oid) AS def
           FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
          WHERE c.contype = 'f' AND c.confrelid = to_regclass(?) ORDER BY r.relname, c.conname`,
        [`legacy_${t}`],
      )
      for (const fk of fks) {
        if (dropped.has(fk.tbl)) continue
        const def = fk.def.replace(/REFERENCES\s+("?)legacy_(\w+)\1\s*\(/, 'REFERENCES $2(')
        await tx.run(`ALTER TABLE "${fk.tbl}" DROP CONSTRAINT "${fk.conname}"`)
        try {
          await tx.run(`ALTER TABLE "${fk.tbl}" ADD CONSTRAINT "${fk.conname}" ${def}`)
        } catch (e) {
          throw new MigrationError(`${fk.tbl} cannot keep its foreign key ${fk.conname} on Neutrino's ${t}: ${(e as Error).message}`)
        }
      }
    }
    await tx.run(`DROP TABLE ${legacy.join(', ')}`)
    return
  }
  for (const t of legacy) await tx.run(`DROP TABLE ${t}`)
  const neutrino = new Set(NEUTRINO_TABLES)
  let violations: Array<{ table: string; parent: string }>
  try {
    violations = await tx.all<{ table: string; parent: string }>('PRAGMA foreign_key_check')
  } catch (e) {
    // "foreign key mismatch": a table that stays references columns Neutrino's table lacks.
    warnings.push(`foreign keys of the tables left beside Neutrino's cannot be checked: ${(e as Error).message}`)
    return
  }
  const ours = violations.filter((v) => neutrino.has(v.table))
  if (ours.length) {
    throw new MigrationError(`the migrated rows break ${ours.length} foreign key(s): ${[...new Set(ours.map((v) => `${v.table} → ${v.parent}`))].join(', ')}`)
  }
  const per = new Map<string, number>()
  for (const v of violations) per.set(`${v.table} refer to ${v.parent}`, (per.get(`${v.table} refer to ${v.parent}`) ?? 0) + 1)
  for (const [k, n] of per) warnings.push(`${n} row(s) of ${k} rows that do not exist (left as they were)`)
}
