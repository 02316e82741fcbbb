/**
 * `neutrino db migrate-to-ml2`: moves a Havana/Icehouse openvswitch or linuxbridge plugin database
 * into Neutrino's ML2 schema (neutron/db/migration/migrate_to_ml2.py, facts §4), with its routers,
 * floating IPs, security groups, agents and quotas, either into a separate Neutrino database
 * (--target; the source is only read) or in place, as the original did.
 * All writes happen in one transaction on the target: any failure leaves both databases unchanged.
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { openDb } from '../db/connect.js'
import type { Db } from '../db/engine.js'
import { MigrationError } from './errors.js'
import { buildPlan, planRowCount, type Plan, type TunnelType } from './plan.js'
import { readSource, type SourceData } from './read-source.js'
import { OLD_PLUGIN_TABLES, checkLayout, checkSchemaVersion, type Plugin } from './source-schema.js'
import { classifyUrl, openSource, redact, sqlitePath, txSource, type SourceConn } from './source.js'
import { applySchema, finishInPlace, renameLegacyTables, targetContents, writePlan } from './write-target.js'

export interface MigrateOptions {
  plugin: Plugin
  source: string
  /** Neutrino database URL; omitted (or equal to source) = in place. */
  target?: string
  tunnelType?: TunnelType
  vxlanUdpPort?: number
  dryRun?: boolean
  /** In place: keep the old plugin tables. */
  saveTables?: boolean
  /** Write into a target that already holds resources (key collisions still abort). */
  force?: boolean
  now?: () => Date
  newId?: () => string
}

export interface MigrateEvents {
  /** A phase with a known row total starts (progress bar). */
  phase?(label: string, total: number): void
  advance?(rows: number): void
  phaseEnd?(): void
}

export interface MigrateResult {
  plan: Plan
  inPlace: boolean
  dryRun: boolean
  schemaVersion: string
  /** In place: tables renamed / dropped. */
  actions: string[]
  /** Neutrino schema versions created in the target. */
  schemaApplied: number[]
  seconds: number
}

export async function migrateToMl2(o: MigrateOptions, ev: MigrateEvents = {}): Promise<MigrateResult> {
  const started = process.hrtime.bigint()
  const now = (o.now ?? (() => new Date()))()
  const src = classifyUrl(o.source)
  const inPlace = o.target === undefined || o.target === o.source
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9
  const planOf = (d: SourceData) => buildPlan(d, { tunnelType: o.tunnelType, vxlanUdpPort: o.vxlanUdpPort, now, newId: o.newId ?? randomUUID })

  if (inPlace) {
    if (src.scheme === 'mysql') {
      throw new MigrationError(
        'Neutrino cannot serve a MySQL/MariaDB database, so it cannot migrate one in place: give --target sqlite:///PATH or --target postgresql://…',
      )
    }
    if (src.scheme === 'sqlite' && !existsSync(sqlitePath(o.source))) throw new MigrationError(`source database ${sqlitePath(o.source)} does not exist`)
    const db = openDb(o.source)
    // SQLite: the old tables are renamed and dropped with foreign keys off (see renameLegacyTables);
    // the pragma cannot change inside a transaction. finishInPlace checks the keys before commit.
    if (db.dialect === 'sqlite') await db.exec('PRAGMA foreign_keys = OFF')
    try {
      return await db.transaction(async (tx) => {
        const conn = txSource(tx)
        const { data, tables } = await load(conn, o.plugin, ev)
        const plan = planOf(data)
        const legacy = await renameLegacyTables(tx, tables, new Set(data.carried), !!o.dryRun)
        const actions = legacy.actions
        const drops = o.saveTables ? [] : OLD_PLUGIN_TABLES[o.plugin].filter((t) => tables.has(t))
        for (const t of drops) actions.push(`dropped ${t}`)
        if (o.dryRun) return { plan, inPlace, dryRun: true, schemaVersion: data.schemaVersion, actions, schemaApplied: [], seconds: elapsed() }
        const schemaApplied = await applySchema(tx, now)
        await write(tx, plan, ev)
        for (const t of drops) await tx.run(`DROP TABLE ${t}`)
        await finishInPlace(tx, legacy.replaced, plan.warnings)
        return { plan, inPlace, dryRun: false, schemaVersion: data.schemaVersion, actions, schemaApplied, seconds: elapsed() }
      })
    } finally {
      if (db.dialect === 'sqlite') await db.exec('PRAGMA foreign_keys = ON').catch(() => {})
      await db.close()
    }
  }

  const tgt = classifyUrl(o.target!)
  if (tgt.scheme === 'mysql') throw new MigrationError(`the target must be a Neutrino database (sqlite:/// or postgresql://), not ${redact(o.target!)}`)
  const source = await openSource(o.source)
  let data: SourceData
  try {
    data = (await load(source.conn, o.plugin, ev)).data
  } finally {
    await source.close()
  }
  const plan = planOf(data)
  if (o.dryRun) return { plan, inPlace, dryRun: true, schemaVersion: data.schemaVersion, actions: [], schemaApplied: [], seconds: elapsed() }
  const db: Db = openDb(o.target!)
  try {
    return await db.transaction(async (tx) => {
      const schemaApplied = await applySchema(tx, now)
      const have = await targetContents(tx)
      if (Object.keys(have).length && !o.force) {
        throw new MigrationError(
          `the target ${db.description} is not empty (${Object.entries(have).map(([k, n]) => `${n} ${k}`).join(', ')}); migrate into an empty database, or give --force to add to it`,
        )
      }
      await write(tx, plan, ev)
      return { plan, inPlace, dryRun: false, schemaVersion: data.schemaVersion, actions: [], schemaApplied, seconds: elapsed() }
    })
  } finally {
    await db.close()
  }
}

async function load(conn: SourceConn, plugin: Plugin, ev: MigrateEvents): Promise<{ data: SourceData; tables: Set<string> }> {
  const tables = await conn.tables()
  if (tables.has('neutrino_schema_version')) throw new MigrationError('the source already has a Neutrino schema (neutrino_schema_version): it was migrated already')
  const version = await checkSchemaVersion(conn, tables)
  const layout = await checkLayout(conn, plugin, tables)
  ev.phase?.('reading', 0)
  const data = await readSource(conn, plugin, layout, version, (_t, rows) => ev.advance?.(rows))
  ev.phaseEnd?.()
  return { data, tables }
}

async function write(tx: Parameters<typeof writePlan>[0], plan: Plan, ev: MigrateEvents): Promise<void> {
  ev.phase?.('writing', planRowCount(plan))
  await writePlan(tx, plan, (rows) => ev.advance?.(rows))
  ev.phaseEnd?.()
}
