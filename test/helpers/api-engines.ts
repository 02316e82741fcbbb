/**
 * The functional API tests run each suite once per database engine: SQLite, and a private
 * PostgreSQL server when one is installed. This module holds what every such test file used to
 * repeat — the engine list with its skip reasons, a `describe` per engine whose hooks start (and
 * always tear down) the database and in-process API servers, and the check of Neutron's error
 * body — so that the files keep only what they test.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe } from 'node:test'
import { startNeutrino, type TestServer } from './neutrino.js'
import { pgSkipReason, startPostgres, type PgServer } from './postgres.js'

export type EngineName = 'sqlite' | 'postgres'

export interface Engine {
  name: EngineName
  /** Why the engine's suites are skipped here (PostgreSQL not installed), or undefined. */
  skip: string | undefined
}

/** SQLite always; PostgreSQL when its server binaries are installed (in CI they must be). */
export const ENGINES: readonly Engine[] = [
  { name: 'sqlite', skip: undefined },
  { name: 'postgres', skip: pgSkipReason() },
]

export type StartOptions = Omit<NonNullable<Parameters<typeof startNeutrino>[0]>, 'dbUrl'>

/**
 * Registers `describe(title(engine), …)` for each engine in ENGINES (skipped with its reason).
 * `before` starts a private PostgreSQL when the engine is postgres, then one in-process server on
 * it (SQLite in memory otherwise) with `options` (a function is called in `before`, once per
 * engine); `after` closes the server and stops PostgreSQL, also when starting failed half-way.
 * `body` registers the suite's hooks and tests; `server` stands for the running server from the
 * suite's own `before` hooks on (they run after this one): using it earlier throws.
 */
export function describeOnEngines(
  title: (engine: EngineName) => string,
  options: StartOptions | (() => StartOptions),
  body: (server: TestServer, engine: Engine) => void,
): void {
  describeServers(title, 1, options, (servers, engine) => body(servers[0]!, engine))
}

/**
 * Like describeOnEngines, with `count` servers sharing one database (on SQLite a file in a
 * temporary directory, removed in `after`), for what several API servers do at once.
 */
export function describeOnEnginesWithServers(
  title: (engine: EngineName) => string,
  count: number,
  body: (servers: TestServer[], engine: Engine) => void,
): void {
  describeServers(title, count, {}, body)
}

function describeServers(
  title: (engine: EngineName) => string,
  count: number,
  options: StartOptions | (() => StartOptions),
  body: (servers: TestServer[], engine: Engine) => void,
): void {
  for (const engine of ENGINES) {
    describe(title(engine.name), { skip: engine.skip }, () => {
      let pg: PgServer | undefined
      let dir: string | undefined
      const started: TestServer[] = []
      before(async () => {
        const opts = typeof options === 'function' ? options() : options
        if (engine.name === 'postgres') pg = startPostgres()
        else if (count > 1) dir = mkdtempSync(join(tmpdir(), 'neutrino-shared-db-'))
        const dbUrl = pg?.url ?? (dir ? `sqlite:///${join(dir, 'neutrino.sqlite')}` : undefined)
        for (let i = 0; i < count; i++) started.push(await startNeutrino({ ...opts, dbUrl }))
      })
      const running = (i: number) => () => {
        const s = started[i]
        if (!s) throw new Error(`${title(engine.name)}: API server ${i} is not running`)
        return s
      }
      body(Array.from({ length: count }, (_, i) => lateServer(running(i))), engine)
      // Registered after the suite's own hooks, so its `after` hooks still see the servers.
      after(async () => {
        const failures: unknown[] = []
        for (const s of started.splice(0)) await s.close().catch((e: unknown) => failures.push(e))
        try {
          pg?.stop()
        } finally {
          if (dir) rmSync(dir, { recursive: true, force: true })
        }
        if (failures.length > 0) throw failures[0]
      })
    })
  }
}

/** A TestServer that forwards to `get()`, for code written before the server starts. */
function lateServer(get: () => TestServer): TestServer {
  return {
    get url() { return get().url },
    get app() { return get().app },
    get config() { return get().config },
    get log() { return get().log },
    call: (method, path, body, headers) => get().call(method, path, body, headers),
    close: () => get().close(),
  }
}

/**
 * Asserts a Neutron error answer: the HTTP status, NeutronError.type, NeutronError.message when
 * `message` is given, and an empty NeutronError.detail.
 */
export function expectNeutronError(r: { status: number; body: any }, status: number, type: string, message?: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body))
  assert.equal(r.body.NeutronError.type, type, JSON.stringify(r.body))
  if (message !== undefined) assert.equal(r.body.NeutronError.message, message)
  assert.equal(r.body.NeutronError.detail, '')
}
