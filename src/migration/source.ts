/**
 * Read access to a source database of the monolithic plugins: MySQL/MariaDB (mysql2, loaded only
 * when needed), PostgreSQL (our client, src/db/pg) or SQLite (better-sqlite3, opened read-only). All reads happen in
 * one read-only snapshot transaction, so a server still writing cannot tear the copy.
 * URLs follow SQLAlchemy, as the original script took them:
 *   mysql://user:pass@host:port/db   mysql+pymysql://…   mysql://user@/db?unix_socket=/run/mysqld/mysqld.sock
 *   postgresql://…   sqlite:///relative/path   sqlite:////abs/path
 */
import Database from 'better-sqlite3'
import { PgConnection } from '../db/pg/connection.js'
import { parsePgUrl } from '../db/pg/url.js'
import type { Param, Row, Tx } from '../db/engine.js'
import { MigrationError } from './errors.js'

export type SourceDialect = 'mysql' | 'postgres' | 'sqlite'

export interface SourceConn {
  readonly dialect: SourceDialect
  all(sql: string, params?: readonly Param[]): Promise<Row[]>
  /** Names of the tables of the current database / schema, lower case. */
  tables(): Promise<Set<string>>
  /** Column names of one table, lower case. */
  columns(table: string): Promise<Set<string>>
}

export interface ParsedUrl {
  scheme: 'mysql' | 'postgres' | 'sqlite'
  url: string
}

export function classifyUrl(url: string): ParsedUrl {
  const m = /^([a-z0-9]+)(\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(url)
  if (!m) throw new MigrationError(`invalid database connection URL '${redact(url)}'`)
  const s = m[1]!.toLowerCase()
  if (s === 'mysql' || s === 'mariadb') return { scheme: 'mysql', url }
  if (s === 'postgresql' || s === 'postgres') return { scheme: 'postgres', url }
  if (s === 'sqlite') return { scheme: 'sqlite', url }
  throw new MigrationError(`unsupported database '${s}' in '${redact(url)}' (use mysql://, postgresql:// or sqlite:///)`)
}

/** Hides the password of a URL for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@')
}

/** SQLite path of a sqlite:// URL (same rules as db/connect.ts). */
export function sqlitePath(url: string): string {
  const rest = url.replace(/^[^:]+:\/\//, '')
  if (rest === '' || rest === '/' || rest === '/:memory:') return ':memory:'
  if (!rest.startsWith('/')) throw new MigrationError(`invalid sqlite URL '${url}': expected sqlite:///PATH`)
  return rest.slice(1)
}

/** mysql2 connection options from a SQLAlchemy MySQL URL. */
export function mysqlOptions(url: string): Record<string, unknown> {
  // Hand-parsed: SQLAlchemy allows an empty host (mysql://user@/db?unix_socket=…), WHATWG URL does not.
  const m = /^[^:]+:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/:?]*)(?::(\d+))?(?:\/([^?]*))?(?:\?(.*))?$/.exec(url)
  if (!m) throw new MigrationError(`invalid MySQL URL '${redact(url)}'`)
  const dec = (v: string | undefined) => (v ? decodeURIComponent(v) : undefined)
  const query = new URLSearchParams(m[6] ?? '')
  const opts: Record<string, unknown> = {
    user: dec(m[1]),
    password: dec(m[2]),
    database: dec(m[5]),
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: true,
  }
  const socket = query.get('unix_socket') ?? query.get('socket')
  if (socket) opts.socketPath = socket
  else {
    opts.host = m[3] || 'localhost'
    if (m[4]) opts.port = Number(m[4])
  }
  if (!opts.database) throw new MigrationError(`no database name in '${redact(url)}'`)
  return opts
}

export interface OpenSource {
  conn: SourceConn
  /** Ends the snapshot transaction and closes the connection. */
  close(): Promise<void>
}

/** Opens a source for reading, inside a read-only snapshot transaction. */
export async function openSource(url: string): Promise<OpenSource> {
  const { scheme } = classifyUrl(url)
  if (scheme === 'sqlite') return openSqlite(sqlitePath(url))
  if (scheme === 'postgres') return openPostgres(url)
  return openMysql(url)
}

function openSqlite(path: string): OpenSource {
  let db: Database.Database
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
  } catch (e) {
    throw new MigrationError(`cannot open source database ${path}: ${(e as Error).message}`)
  }
  db.prepare('BEGIN').run()
  const conn: SourceConn = {
    dialect: 'sqlite',
    all: async (sql, params = []) => db.prepare(sql).all(...params.map(sqliteParam)) as Row[],
    tables: async () => sqliteTables((sql) => db.prepare(sql).all() as Row[]),
    columns: async (t) => new Set((db.prepare(`PRAGMA table_info("${t}")`).all() as Row[]).map((r) => String(r.name).toLowerCase())),
  }
  return {
    conn,
    close: async () => {
      if (db.inTransaction) db.prepare('ROLLBACK').run()
      db.close()
    },
  }
}

const sqliteParam = (p: Param) => (p === true ? 1 : p === false ? 0 : p)

async function sqliteTables(all: (sql: string) => Row[] | Promise<Row[]>): Promise<Set<string>> {
  const rows = await all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
  return new Set(rows.map((r) => String(r.name).toLowerCase()))
}

async function openPostgres(url: string): Promise<OpenSource> {
  let client: PgConnection
  try {
    client = await PgConnection.connect(parsePgUrl(url.replace(/^[^:]+:\/\//, 'postgresql://'), process.env))
  } catch (e) {
    throw new MigrationError(`cannot connect to source database ${redact(url)}: ${(e as Error).message}`)
  }
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
  const all = async (sql: string, params: readonly Param[] = []) => (await client.query(toDollar(sql), params)).rows as Row[]
  return {
    conn: pgConn(all),
    close: async () => {
      await client.query('ROLLBACK').catch(() => {})
      await client.close()
    },
  }
}

/** `?` → `$n` (our SQL never holds a literal `?`). */
export function toDollar(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

function pgConn(all: (sql: string, params?: readonly Param[]) => Promise<Row[]>): SourceConn {
  return {
    dialect: 'postgres',
    all,
    tables: async () =>
      new Set(
        (await all("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).map(
          (r) => String(r.name).toLowerCase(),
        ),
      ),
    columns: async (t) =>
      new Set(
        (await all('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?', [t])).map(
          (r) => String(r.name).toLowerCase(),
        ),
      ),
  }
}

async function openMysql(url: string): Promise<OpenSource> {
  let mysql: any
  try {
    mysql = await import('mysql2/promise' as string)
  } catch {
    throw new MigrationError('reading a MySQL/MariaDB source needs the mysql2 package (npm install mysql2)')
  }
  let c: any
  try {
    c = await (mysql.default ?? mysql).createConnection(mysqlOptions(url))
  } catch (e) {
    throw new MigrationError(`cannot connect to source database ${redact(url)}: ${(e as Error).message}`)
  }
  await c.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ')
  await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')
  const all = async (sql: string, params: readonly Param[] = []) => {
    const [rows] = await c.query(sql, params as any[])
    return rows as Row[]
  }
  const lower = (rows: Row[]) => new Set(rows.map((r) => String(r.name ?? r.NAME).toLowerCase()))
  return {
    conn: {
      dialect: 'mysql',
      all,
      tables: async () => lower(await all("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")),
      columns: async (t) => lower(await all('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?', [t])),
    },
    close: async () => {
      await c.query('ROLLBACK').catch(() => {})
      await c.end()
    },
  }
}

/** The target's transaction as a source, for an in-place migration (source = target). */
export function txSource(tx: Tx): SourceConn {
  if (tx.dialect === 'postgres') return pgConn((sql, params) => tx.all(sql, params))
  return {
    dialect: 'sqlite',
    all: (sql, params) => tx.all(sql, params),
    tables: () => sqliteTables((sql) => tx.all(sql)),
    columns: async (t) => new Set((await tx.all(`PRAGMA table_info("${t}")`)).map((r) => String(r.name).toLowerCase())),
  }
}
