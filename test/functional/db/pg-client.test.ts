/**
 * The PostgreSQL client (src/db/pg/) against real private servers (test/helpers/postgres.ts):
 * pipelining, defer() and its error semantics (also through PostgresDb), the statement cache,
 * type round trips, the simple protocol, the pool, and authentication (SCRAM-SHA-256, MD5,
 * cleartext) and TLS (require, verify-ca, verify-full, prefer) over TCP on ephemeral ports.
 */
import assert from 'node:assert/strict'
import { connect as netConnect, createServer, type Server } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { RetryRequest } from '../../../src/common/exceptions.js'
import { PgConnection, type PgConnectionOptions } from '../../../src/db/pg/connection.js'
import { PgConnectionError, PgError } from '../../../src/db/pg/errors.js'
import { PgPool } from '../../../src/db/pg/pool.js'
import { MessageFramer } from '../../../src/db/pg/protocol.js'
import { parsePgUrl } from '../../../src/db/pg/url.js'
import { PostgresDb } from '../../../src/db/postgres-engine.js'
import { pgSkipReason, startPostgres, type PgServer, type PgUser } from '../../helpers/postgres.js'

const USERS: PgUser[] = [
  { name: 'u_scram', password: 'scr@m:pässword', method: 'scram-sha-256' },
  { name: 'u_md5', password: 'md5 pass+word', method: 'md5' },
  { name: 'u_clear', password: 'clear/text?', method: 'password' },
]

const skip = pgSkipReason({ ssl: true, users: USERS })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `cond` every 10 ms for up to `ms`. */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await sleep(10)
  }
}

/**
 * A TCP proxy to the server's unix socket that reads what the client sends: frontend messages
 * by type, so a test can see how many batches (Syncs) a burst of statements went out in.
 */
async function countingProxy(unixUrl: string): Promise<{ url: string; counts: Map<string, number>; close(): Promise<void> }> {
  const target = parsePgUrl(unixUrl)
  const counts = new Map<string, number>()
  const server: Server = createServer((client) => {
    const upstream = netConnect({ path: `${target.host}/.s.PGSQL.${target.port}` })
    let startup = true
    const framer = new MessageFramer((t) => counts.set(String.fromCharCode(t), (counts.get(String.fromCharCode(t)) ?? 0) + 1))
    client.on('data', (d: Buffer) => {
      // The startup packet has no type byte; everything after it is framed like backend messages.
      if (startup) {
        startup = false
        const len = d.readInt32BE(0)
        d = d.subarray(len)
      }
      if (d.length) framer.push(d)
    })
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `postgresql://${target.user}@127.0.0.1:${port}/${target.database}?sslmode=disable`,
    counts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

describe('PostgreSQL client against a real server', { skip }, () => {
  let pg: PgServer
  const open: PgConnection[] = []
  const connect = async (url = pg.url, extra: Partial<PgConnectionOptions> = {}) => {
    const c = await PgConnection.connect({ ...parsePgUrl(url), ...extra })
    open.push(c)
    return c
  }

  before(() => {
    pg = startPostgres()
  })
  after(async () => {
    for (const c of open) await c.close()
    pg?.stop()
  })

  describe('pipelining', () => {
    it('answers 100 statements issued at once in order, sent as one batch with one Sync', async () => {
      const proxy = await countingProxy(pg.url)
      try {
        const c = await connect(proxy.url)
        const sql = "SELECT $1::int AS i, repeat('x', $1::int) AS s"
        const before = { ...Object.fromEntries(proxy.counts) }
        const results = await Promise.all(Array.from({ length: 100 }, (_, i) => c.query(sql, [i])))
        results.forEach((r, i) => assert.deepEqual(r.rows, [{ i, s: 'x'.repeat(i) }], `statement ${i}`))
        const delta = (t: string) => (proxy.counts.get(t) ?? 0) - (before[t] ?? 0)
        assert.equal(delta('S'), 1, 'one Sync: one batch')
        assert.equal(delta('P'), 1, 'parsed once')
        assert.equal(delta('B'), 100)
        assert.equal(delta('E'), 100)
        // Again: now prepared, its row description known (no Parse, no Describe).
        const again = { ...Object.fromEntries(proxy.counts) }
        const second = await Promise.all(Array.from({ length: 100 }, (_, i) => c.query(sql, [99 - i])))
        second.forEach((r, i) => assert.equal(r.rows[0]!.i, 99 - i))
        assert.equal((proxy.counts.get('S') ?? 0) - (again.S ?? 0), 1)
        assert.equal((proxy.counts.get('P') ?? 0) - (again.P ?? 0), 0)
        assert.equal((proxy.counts.get('D') ?? 0) - (again.D ?? 0), 0)
        // Statements awaited one by one go one batch each.
        const third = { ...Object.fromEntries(proxy.counts) }
        for (let i = 0; i < 5; i++) await c.query(sql, [i])
        assert.equal((proxy.counts.get('S') ?? 0) - (third.S ?? 0), 5)
        await c.close()
      } finally {
        await proxy.close()
      }
    })

    it('keeps order across batches in flight and simple queries between them', async () => {
      const c = await connect()
      const order: string[] = []
      const a = c.query('SELECT 1 AS n').then((r) => order.push(`a${r.rows[0]!.n}`))
      const s = c.simpleQuery('SELECT 2').then(() => order.push('simple'))
      const b = c.query('SELECT 3 AS n').then((r) => order.push(`b${r.rows[0]!.n}`))
      await c.flush()
      const d = c.query('SELECT 4 AS n').then((r) => order.push(`d${r.rows[0]!.n}`))
      await Promise.all([a, s, b, d])
      assert.deepEqual(order, ['a1', 'simple', 'b3', 'd4'])
    })
  })

  describe('defer() and batch errors', () => {
    let c: PgConnection
    before(async () => {
      c = await connect()
      await c.simpleQuery('CREATE TABLE d (id int PRIMARY KEY, v text)')
    })

    it('a deferred INSERT is visible to a later query of the same transaction', async () => {
      await c.query('BEGIN')
      c.defer('INSERT INTO d VALUES ($1, $2)', [1, 'one'])
      c.defer('UPDATE d SET v = $1 WHERE id = $2', ['uno', 1])
      assert.equal(c.inFlight, true, 'queued, not sent')
      const r = await c.query('SELECT v FROM d WHERE id = 1')
      assert.deepEqual(r.rows, [{ v: 'uno' }])
      await c.query('ROLLBACK')
      assert.equal((await c.query('SELECT count(*)::int AS n FROM d')).rows[0]!.n, 0)
    })

    it('flush() sends deferred statements on their own and rejects with their error', async () => {
      c.defer('INSERT INTO d VALUES (10, $1)', ['ten'])
      await c.flush()
      assert.equal((await c.query('SELECT v FROM d WHERE id = 10')).rows[0]!.v, 'ten')
      c.defer('INSERT INTO d VALUES (10, $1)', ['again'])
      await assert.rejects(c.flush(), (e: unknown) => e instanceof PgError && e.code === '23505' && e.constraint === 'd_pkey')
      assert.equal(c.takeUnreportedError(), undefined, 'flush() received it')
      await c.query('DELETE FROM d')
    })

    it('an error in a deferred statement rejects the next awaited statement of its batch with that error', async () => {
      await c.query('INSERT INTO d VALUES (1, $1)', ['one'])
      await c.query('BEGIN')
      c.defer('INSERT INTO d VALUES (2, $1)', ['two'])
      c.defer('INSERT INTO d VALUES (1, $1)', ['dup'])
      const [next, later] = await Promise.allSettled([c.query('SELECT 1'), c.query('SELECT 2')])
      assert.equal(next.status, 'rejected')
      const err = (next as PromiseRejectedResult).reason
      assert.ok(err instanceof PgError)
      assert.equal(err.code, '23505')
      assert.match(err.detail ?? '', /Key \(id\)=\(1\) already exists/)
      assert.equal((later as PromiseRejectedResult).reason, err, 'the rest of the batch: the same error')
      await c.flush().catch(() => {}) // the batch's ReadyForQuery, should it come in a later read
      assert.equal(c.transactionStatus, 'E')
      assert.equal(c.takeUnreportedError(), undefined, 'a caller received it')
      // The next statement names the cause, not just "current transaction is aborted".
      await assert.rejects(c.query('SELECT 3'), { code: '25P02' })
      await c.query('ROLLBACK')
      assert.deepEqual((await c.query('SELECT id FROM d ORDER BY id')).rows, [{ id: 1 }])
    })

    it('takeUnreportedError: a deferred statement fails after the awaited one; COMMIT answers ROLLBACK', async () => {
      await c.query('BEGIN')
      const first = c.query('SELECT 1 AS one')
      c.defer('INSERT INTO d VALUES (1, $1)', ['dup'])
      assert.deepEqual((await first).rows, [{ one: 1 }])
      // (No flush() here: a flush waiting on that batch would receive its error.) A statement in a
      // later batch is told the original cause instead of 25P02.
      await assert.rejects(c.query('SELECT 2'), (e: unknown) => e instanceof PgError && e.code === '23505')
      const commit = await c.query('COMMIT')
      assert.equal(commit.command, 'ROLLBACK')
      const e = c.takeUnreportedError()
      assert.ok(e instanceof PgError && e.code === '23505')
      assert.equal(c.takeUnreportedError(), undefined, 'once')
      assert.equal(c.transactionStatus, 'I')
    })
  })

  describe('the statement cache', () => {
    let c: PgConnection
    before(async () => {
      c = await connect()
    })

    it('a syntax error does not poison it: the next statement works, the same bad text fails the same way', async () => {
      for (let i = 0; i < 3; i++) {
        await assert.rejects(c.query('SELEC 1'), { code: '42601' })
        assert.deepEqual((await c.query('SELECT 1 AS x')).rows, [{ x: 1 }])
      }
      // A new text whose Parse was skipped after an earlier error in its batch is parsed again later.
      const results = await Promise.allSettled([c.query('SELEC 2'), c.query('SELECT 2 AS y'), c.query('SELECT $1::int AS z', [3])])
      assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as PgError).code === '42601'))
      assert.deepEqual((await c.query('SELECT 2 AS y')).rows, [{ y: 2 }])
      assert.deepEqual((await c.query('SELECT $1::int AS z', [3])).rows, [{ z: 3 }])
      assert.equal(c.transactionStatus, 'I')
    })

    it("a statement is not failed by another batch's error that skipped its Parse", async () => {
      // Batch 1 fails before the Parse of a new text; batch 2, sent while batch 1 is unanswered,
      // uses the same text and must not bind a statement the server never prepared.
      const text = 'SELECT $1::int AS v'
      const batch1 = Promise.allSettled([c.query('SELEC 1'), c.query(text, [1]), c.flush()])
      const second = c.query(text, [2])
      const third = c.query(text, [3])
      const [bad, skipped] = await batch1
      assert.equal((bad as PromiseRejectedResult).reason.code, '42601')
      assert.equal((skipped as PromiseRejectedResult).reason.code, '42601')
      assert.deepEqual((await second).rows, [{ v: 2 }])
      assert.deepEqual((await third).rows, [{ v: 3 }])
      assert.deepEqual((await c.query(text, [4])).rows, [{ v: 4 }])
    })

    it('an error at Bind (bad parameter) keeps the statement prepared', async () => {
      const sql = 'SELECT $1::int + 1 AS n'
      await assert.rejects(c.query(sql, ['abc']), { code: '22P02' })
      assert.deepEqual((await c.query(sql, ['41'])).rows, [{ n: 42 }])
      const prepared = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [sql])
      assert.equal(prepared.rows[0]!.n, 1)
    })

    it('reuses one prepared statement across many executions', async () => {
      const sql = 'SELECT $1::int * 2 AS n, $2::text AS t'
      for (let i = 0; i < 300; i++) {
        const r = await c.query(sql, [i, `t${i}`])
        assert.deepEqual(r.rows, [{ n: i * 2, t: `t${i}` }])
      }
      const all = await Promise.all(Array.from({ length: 300 }, (_, i) => c.query(sql, [i, null])))
      all.forEach((r, i) => assert.deepEqual(r.rows, [{ n: i * 2, t: null }]))
      const ps = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [sql])
      assert.equal(ps.rows[0]!.n, 1, 'prepared once on this connection')
    })

    it('0A000 after ALTER TABLE changes a prepared result shape; the retry prepares the new shape', async () => {
      await c.simpleQuery('CREATE TABLE shape (a int); INSERT INTO shape VALUES (1)')
      assert.deepEqual((await c.query('SELECT * FROM shape')).rows, [{ a: 1 }])
      const other = await connect()
      await other.simpleQuery("ALTER TABLE shape ADD COLUMN b text DEFAULT 'bee'")
      await assert.rejects(c.query('SELECT * FROM shape'), (e: unknown) => e instanceof PgError && e.code === '0A000' && /cached plan must not change result type/.test(e.message))
      assert.deepEqual((await c.query('SELECT * FROM shape')).rows, [{ a: 1, b: 'bee' }])
      assert.deepEqual((await c.query('SELECT * FROM shape')).rows, [{ a: 1, b: 'bee' }])
    })

    it('with maxPreparedStatements reached, further texts run unnamed', async () => {
      const small = await connect(pg.url, { maxPreparedStatements: 2 })
      for (let i = 0; i < 5; i++) assert.deepEqual((await small.query(`SELECT ${i} AS n`)).rows, [{ n: i }])
      for (let i = 0; i < 5; i++) assert.deepEqual((await small.query(`SELECT ${i} AS n`)).rows, [{ n: i }])
      const ps = await small.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')
      assert.equal(ps.rows[0]!.n, 2)
    })

    it('more parameters than a named statement takes run unnamed', async () => {
      const n = 40
      const sql = `SELECT ${Array.from({ length: n }, (_, i) => `$${i + 1}::int`).join(' + ')} AS total`
      const params = Array.from({ length: n }, (_, i) => i)
      for (let k = 0; k < 2; k++) assert.deepEqual((await c.query(sql, params)).rows, [{ total: (n * (n - 1)) / 2 }])
    })
  })

  describe('values', () => {
    let c: PgConnection
    before(async () => {
      c = await connect()
    })

    it('round-trips NULLs, booleans, integers, int8, numeric, floats, text and unicode', async () => {
      const text = 'héllo wörld ✓ 😀 \u2028 \'quoted\' "double" \\back\\slash\ttab\nnewline'
      const r = await c.query(
        `SELECT $1::int AS i, $2::int8 AS big, $3::numeric AS num, $4::bool AS t, $5::bool AS f, $6::text AS txt,
                $7::text AS nul, $8::float8 AS fl, $9::int2 AS small, $10::text AS empty, NULL::int AS nothing,
                $11::int8 AS neg, $12::numeric AS tiny, 'NaN'::float8 AS nan, 'Infinity'::float8 AS inf`,
        [-2147483648, 9223372036854775807n, '12345678901234567890.123456789', true, false, text, null, 1.5e-10, 32767, '', -9007199254740993n, '0.000000000000000000000001'],
      )
      assert.deepEqual(r.rows, [
        {
          i: -2147483648,
          big: '9223372036854775807', // int8 and numeric stay strings by default: no precision lost
          num: '12345678901234567890.123456789',
          t: true,
          f: false,
          txt: text,
          nul: null,
          fl: 1.5e-10,
          small: 32767,
          empty: '',
          nothing: null,
          neg: '-9007199254740993',
          tiny: '0.000000000000000000000001',
          nan: NaN,
          inf: Infinity,
        },
      ])
      assert.equal(r.rowCount, 1)
      assert.equal(r.command, 'SELECT 1')
    })

    it('round-trips json, jsonb, bytea, timestamps and JS objects as parameters', async () => {
      const when = new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123))
      const r = await c.query(
        `SELECT $1::jsonb AS jb, $2::json AS j, $3::bytea AS b, $4::timestamptz = '2024-02-29T23:59:58.123Z'::timestamptz AS same_time,
                length($3::bytea) AS blen, $5::text[] AS arr, 'a'::char(3) AS padded, 42::oid AS o, 1.25::float4 AS f4`,
        [{ a: [1, 'ü', null], b: { c: true } }, { x: 1 }, Buffer.from([0, 1, 0xfe, 0xff]), when, '{a,"b c",NULL}'],
      )
      assert.deepEqual(r.rows, [
        { jb: { a: [1, 'ü', null], b: { c: true } }, j: { x: 1 }, b: '\\x0001feff', same_time: true, blen: 4, arr: '{a,"b c",NULL}', padded: 'a  ', o: 42, f4: 1.25 },
      ])
      await assert.rejects(c.query('SELECT $1::int[] AS a', [[1, 2]]), TypeError)
      assert.equal(c.closedWith, undefined)
    })

    it('custom type parsers (the engine reads int8 and numeric as numbers)', async () => {
      const custom = await connect(pg.url, { types: new Map<number, (t: string) => unknown>([[20, BigInt], [1700, Number], [25, (t) => t.toUpperCase()]]) })
      const r = await custom.query("SELECT 9007199254740993::int8 AS big, 1.5::numeric AS num, 'abc'::text AS t, 7 AS i")
      assert.deepEqual(r.rows, [{ big: 9007199254740993n, num: 1.5, t: 'ABC', i: '7' }])
    })

    it('reports row counts and tags of writes, and many rows', async () => {
      await c.simpleQuery('CREATE TABLE counts (id int)')
      const ins = await c.query('INSERT INTO counts SELECT generate_series(1, $1::int)', [2500])
      assert.deepEqual([ins.command, ins.rowCount, ins.rows], ['INSERT 0 2500', 2500, []])
      const upd = await c.query('UPDATE counts SET id = id + 1 WHERE id > $1', [2000])
      assert.deepEqual([upd.command, upd.rowCount], ['UPDATE 500', 500])
      const sel = await c.query<{ id: number }>('SELECT id FROM counts ORDER BY id')
      assert.equal(sel.rows.length, 2500)
      assert.equal(sel.rowCount, 2500)
      assert.equal(sel.rows.at(-1)!.id, 2501)
      const big = await c.query<{ s: string }>("SELECT repeat('é', 200000) AS s")
      assert.equal(big.rows[0]!.s.length, 200000)
      const del = await c.query('DELETE FROM counts')
      assert.equal(del.rowCount, 2500)
      const ddl = await c.query('DROP TABLE counts')
      assert.deepEqual([ddl.command, ddl.rowCount], ['DROP TABLE', 0])
    })
  })

  describe('simpleQuery', () => {
    let c: PgConnection
    before(async () => {
      c = await connect()
    })

    it('runs several statements, SELECTs included', async () => {
      await c.simpleQuery("CREATE TABLE s (a int, b text); INSERT INTO s VALUES (1, 'x'), (2, 'y'); SELECT * FROM s; UPDATE s SET b = 'z' WHERE a = 2")
      assert.deepEqual((await c.query('SELECT a, b FROM s ORDER BY a')).rows, [{ a: 1, b: 'x' }, { a: 2, b: 'z' }])
      await c.simpleQuery('')
      await c.simpleQuery('-- only a comment')
    })

    it('rejects with the error of the failing statement; the statements of the string form one transaction', async () => {
      await assert.rejects(c.simpleQuery('INSERT INTO s VALUES (3, $$w$$); SELECT 1/0; INSERT INTO s VALUES (4, $$v$$)'), (e: unknown) => e instanceof PgError && e.code === '22012')
      assert.equal((await c.query('SELECT count(*)::int AS n FROM s')).rows[0]!.n, 2)
      assert.equal(c.transactionStatus, 'I')
      await assert.rejects(c.simpleQuery('SELEC 1'), { code: '42601' })
      assert.equal(c.closedWith, undefined)
    })

    it('inside a transaction block, an error leaves it failed until ROLLBACK', async () => {
      await c.simpleQuery('BEGIN; INSERT INTO s VALUES (5, $$q$$)')
      await assert.rejects(c.simpleQuery('SELECT nonexistent_column FROM s'), { code: '42703' })
      assert.equal(c.transactionStatus, 'E')
      await assert.rejects(c.simpleQuery('SELECT 1'), { code: '25P02' })
      await c.simpleQuery('ROLLBACK')
      assert.equal((await c.query('SELECT count(*)::int AS n FROM s')).rows[0]!.n, 2)
    })
  })

  describe('PgConnection lifecycle', () => {
    it('close() rejects statements still pending and later calls', async () => {
      const c = await connect()
      const slow = assert.rejects(c.query('SELECT pg_sleep(5)'), { name: 'PgConnectionError', code: 'ECONNCLOSED' })
      await c.close()
      await slow
      await assert.rejects(c.query('SELECT 1'), { code: 'ECONNCLOSED' })
      assert.equal(c.closedWith?.message, 'connection closed by the client')
      await c.close() // twice is fine
    })

    it('reads the server parameters sent at startup', async () => {
      const c = await connect()
      assert.match(c.parameters.get('server_version') ?? '', /^\d+/)
      assert.equal(c.parameters.get('client_encoding'), 'UTF8')
      await c.query("SET application_name = 'renamed'")
      assert.equal(c.parameters.get('application_name'), 'renamed')
    })

    it('a backend killed by pg_terminate_backend rejects what it had in flight and closes', async () => {
      const c = await connect()
      const killer = await connect()
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      const slow = assert.rejects(c.query('SELECT pg_sleep(10)'), (e: unknown) => (e instanceof PgError && e.code === '57P01') || e instanceof PgConnectionError)
      await sleep(50)
      await killer.query('SELECT pg_terminate_backend($1)', [pid])
      await slow
      await until(() => c.closedWith !== undefined)
      await assert.rejects(c.query('SELECT 1'), (e) => e === c.closedWith)
    })
  })

  describe('PgPool', () => {
    const pools: PgPool[] = []
    const pool = (extra: Partial<ConstructorParameters<typeof PgPool>[0]> = {}) => {
      const p = new PgPool({ ...parsePgUrl(pg.url), max: 2, ...extra })
      pools.push(p)
      return p
    }
    after(async () => {
      for (const p of pools) await p.end()
    })
    const pidOf = async (p: PgPool) => (await p.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid

    it('never opens more than max connections for 20 concurrent callers', async () => {
      const app = `pool-max-${process.pid}`
      const p = pool({ max: 4, applicationName: app })
      const watcher = await connect()
      let maxSize = 0
      let maxServer = 0
      const results = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const r = await p.query<{ pid: number; i: number }>('SELECT pg_backend_pid() AS pid, $1::int AS i, pg_sleep(0.03)', [i])
          maxSize = Math.max(maxSize, p.size)
          const seen = await watcher.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [app])
          maxServer = Math.max(maxServer, seen.rows[0]!.n)
          return r.rows[0]!
        }),
      )
      assert.deepEqual(results.map((r) => r.i), Array.from({ length: 20 }, (_, i) => i))
      const pids = new Set(results.map((r) => r.pid))
      assert.ok(pids.size <= 4 && pids.size >= 2, `${pids.size} connections used`)
      assert.ok(maxSize <= 4, `pool size ${maxSize}`)
      assert.ok(maxServer <= 4, `${maxServer} backends seen by the server`)
    })

    it('drops a connection killed by pg_terminate_backend; the next query works', async () => {
      const p = pool({ max: 1 })
      const c = await p.acquire()
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      p.release(c)
      const killer = await connect()
      await killer.query('SELECT pg_terminate_backend($1, 5000)', [pid])
      await until(() => c.closedWith !== undefined)
      const next = await pidOf(p)
      assert.notEqual(next, pid)
      assert.equal(p.size, 1)
    })

    it('does not reuse a connection left in a failed (or open) transaction', async () => {
      const p = pool({ max: 1 })
      const c = await p.acquire()
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      await c.query('BEGIN')
      await assert.rejects(c.query('SELECT 1/0'), { code: '22012' })
      // The status is as of the last ReadyForQuery, which may come in a later read than the error.
      await c.flush().catch(() => {})
      assert.equal(c.transactionStatus, 'E')
      p.release(c)
      await until(() => c.closedWith !== undefined)
      assert.equal(p.size, 0)
      const c2 = await p.acquire()
      const pid2 = (await c2.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      assert.notEqual(pid2, pid)
      await c2.query('BEGIN')
      p.release(c2)
      assert.ok(c2.closedWith, 'an open transaction block is not handed on either')
      assert.notEqual(await pidOf(p), pid2)
    })

    it('keeps a connection after a statement error outside a transaction', async () => {
      const p = pool({ max: 1 })
      const pid = await pidOf(p)
      await assert.rejects(p.query('SELECT 1/0'), { code: '22012' })
      assert.equal(await pidOf(p), pid)
    })

    it('rejects a write whose implicit commit fails (deferred constraint), and keeps nothing', async () => {
      const p = pool({ max: 1 })
      await p.query('CREATE TABLE parent (id int PRIMARY KEY)')
      await p.query('CREATE TABLE child (pid int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)')
      for (let i = 0; i < 5; i++) {
        await assert.rejects(p.query('INSERT INTO child VALUES ($1)', [i]), (e: unknown) => e instanceof PgError && e.code === '23503')
      }
      assert.equal((await p.query<{ n: number }>('SELECT count(*)::int AS n FROM child')).rows[0]!.n, 0)
      await p.query('INSERT INTO parent VALUES (1)')
      await p.query('INSERT INTO child VALUES (1)')
    })

    it('recycles connections older than maxLifetimeMs, idle or lent', async () => {
      const p = pool({ max: 1, maxLifetimeMs: 500 })
      const pid1 = await pidOf(p)
      assert.equal(await pidOf(p), pid1, 'young: reused')
      await sleep(600)
      const pid2 = await pidOf(p)
      assert.notEqual(pid2, pid1, 'expired while idle: not handed out again')
      assert.equal(p.size, 1)
      const c = await p.acquire()
      await sleep(600)
      p.release(c)
      assert.equal(p.size, 0, 'expired while lent: closed when it came back')
      assert.ok(c.closedWith)
    })

    it('end() rejects waiters; connections lent are closed when they come back', async () => {
      const p = pool({ max: 1 })
      const c = await p.acquire()
      const waiter = p.query('SELECT 1')
      const waiter2 = p.acquire()
      await p.end()
      await assert.rejects(waiter, { name: 'PgConnectionError', code: 'ECONNCLOSED', message: /pool has been closed/ })
      await assert.rejects(waiter2, { code: 'ECONNCLOSED' })
      await assert.rejects(p.acquire(), { code: 'ECONNCLOSED' })
      assert.equal(p.size, 1)
      p.release(c)
      assert.equal(p.size, 0)
      await until(() => c.closedWith !== undefined)
    })

    it('hands a released connection to a waiting caller', async () => {
      const p = pool({ max: 1 })
      const c = await p.acquire()
      const waiting = p.acquire()
      await sleep(20)
      p.release(c)
      assert.equal(await waiting, c)
      p.release(c)
    })
  })

  describe('PostgresDb transactions', () => {
    let db: PostgresDb
    before(async () => {
      db = new PostgresDb(pg.url, { poolSize: 2 })
      await db.exec('CREATE TABLE e (id int PRIMARY KEY, v text)')
    })
    after(() => db?.close())

    it('a deferred INSERT is visible to a later statement of the transaction', async () => {
      const n = await db.transaction(async (tx) => {
        tx.defer('INSERT INTO e VALUES (?, ?)', [1, 'one'])
        return (await tx.get<{ n: number }>('SELECT count(*) AS n FROM e'))!.n
      })
      assert.equal(n, 1)
    })

    it('a failing deferred statement rejects the next awaited one, rolls back and surfaces RetryRequest', async () => {
      let sawOriginal: unknown
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO e VALUES (?, ?)', [2, 'two'])
          tx.defer('INSERT INTO e VALUES (?, ?)', [1, 'dup'])
          try {
            await tx.get('SELECT 1 AS one')
          } catch (e) {
            sawOriginal = e
            throw e
          }
        }),
        (e: unknown) => e instanceof RetryRequest && /^retry: 23505: duplicate key/.test(e.message),
      )
      assert.ok(sawOriginal instanceof RetryRequest && /23505/.test(sawOriginal.message), 'the awaited statement got the 23505')
      assert.deepEqual(await db.all('SELECT id FROM e ORDER BY id'), [{ id: 1 }], 'rolled back')
    })

    it('a deferred failure nobody awaited: COMMIT answers ROLLBACK and the original error surfaces', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          // A statement issued before the failing defer in the same tick, so it succeeds.
          const p = tx.get<{ one: number }>('SELECT 1 AS one')
          tx.defer('INSERT INTO e VALUES (?, ?)', [3, 'three'])
          tx.defer('INSERT INTO e VALUES (?, ?)', [1, 'dup'])
          assert.equal((await p)!.one, 1)
        }),
        (e: unknown) => e instanceof RetryRequest && /23505/.test(e.message),
      )
      assert.deepEqual(await db.all('SELECT id FROM e ORDER BY id'), [{ id: 1 }])
      // The connection went back clean: later transactions work and see no stale error.
      for (let i = 0; i < 4; i++) assert.equal(await db.transaction(async (tx) => (await tx.get<{ n: number }>('SELECT count(*) AS n FROM e'))!.n), 1)
    })

    it('db.run surfaces a failed implicit commit', async () => {
      await db.exec('CREATE TABLE ep (id int PRIMARY KEY); CREATE TABLE ec (pid int REFERENCES ep DEFERRABLE INITIALLY DEFERRED)')
      await assert.rejects(db.run('INSERT INTO ec VALUES (?)', [7]), { code: '23503' })
    })

    it('exec runs several statements and a SELECT among them', async () => {
      await db.exec("INSERT INTO e VALUES (50, 'x'); SELECT * FROM e; DELETE FROM e WHERE id = 50")
      assert.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM e'))!.n, 1)
    })
  })
})

describe('PostgreSQL client: authentication and TLS over TCP', { skip }, () => {
  let tlsServer: PgServer
  let plainServer: PgServer
  before(() => {
    tlsServer = startPostgres({ ssl: true, users: USERS })
    plainServer = startPostgres({ tcp: true, users: USERS })
  })
  after(() => {
    tlsServer?.stop()
    plainServer?.stop()
  })

  async function probe(url: string): Promise<{ user: string; ssl: boolean }> {
    const c = await PgConnection.connect(parsePgUrl(url))
    try {
      const r = await c.query<{ user: string; ssl: boolean }>('SELECT current_user AS user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
      return r.rows[0]!
    } finally {
      await c.close()
    }
  }

  it('listens on an ephemeral port on 127.0.0.1, never 5432', () => {
    for (const s of [tlsServer, plainServer]) {
      assert.ok(s.tcpPort && s.tcpPort !== 5432)
      assert.match(s.tcpUrl(), /^postgresql:\/\/neutrino@127\.0\.0\.1:\d+\/neutrino$/)
    }
  })

  for (const u of USERS) {
    it(`${u.method}: ${u.name} logs in with the right password and gets 28P01 with a wrong one`, async () => {
      for (const server of [plainServer, tlsServer]) {
        for (const sslmode of server === tlsServer ? ['disable', 'require'] : ['disable']) {
          assert.deepEqual(await probe(server.tcpUrl(u.name, u.password, { sslmode })), { user: u.name, ssl: sslmode === 'require' })
          await assert.rejects(
            PgConnection.connect(parsePgUrl(server.tcpUrl(u.name, u.password + 'x', { sslmode }))),
            (e: unknown) => e instanceof PgError && e.code === '28P01' && /password authentication failed/.test(e.message),
          )
        }
      }
      await assert.rejects(
        PgConnection.connect({ ...parsePgUrl(plainServer.tcpUrl(u.name, undefined, { sslmode: 'disable' })), password: undefined }),
        { name: 'PgConnectionError', code: 'EAUTH' },
      )
    })
  }

  it('the md5 user really has an MD5 hash (so the server asks for MD5, not SCRAM)', async () => {
    const c = await PgConnection.connect(parsePgUrl(plainServer.url))
    const r = await c.query<{ rolname: string; kind: string }>("SELECT rolname, left(rolpassword, 3) AS kind FROM pg_authid WHERE rolname LIKE 'u\\_%' ORDER BY rolname")
    assert.deepEqual(r.rows, [
      { rolname: 'u_clear', kind: 'SCR' },
      { rolname: 'u_md5', kind: 'md5' },
      { rolname: 'u_scram', kind: 'SCR' },
    ])
    await c.close()
  })

  it('the engine connects with a password over verified TLS', async () => {
    const u = USERS[0]!
    const db = new PostgresDb(tlsServer.tcpUrl(u.name, u.password, { sslmode: 'verify-full', sslrootcert: tlsServer.certFile!, host: 'localhost' }), { poolSize: 1 })
    try {
      assert.deepEqual(await db.get('SELECT current_user AS u, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'), { u: u.name, ssl: true })
      assert.doesNotMatch(db.description, /pässword|p%C3%A4ssword/)
    } finally {
      await db.close()
    }
  })

  it('sslmode=require is really TLS', async () => {
    assert.deepEqual(await probe(tlsServer.tcpUrl('neutrino', undefined, { sslmode: 'require' })), { user: 'neutrino', ssl: true })
    assert.deepEqual(await probe(tlsServer.tcpUrl('neutrino', undefined, { sslmode: 'prefer' })), { user: 'neutrino', ssl: true })
    assert.deepEqual(await probe(tlsServer.tcpUrl('neutrino', undefined, { sslmode: 'disable' })), { user: 'neutrino', ssl: false })
    assert.deepEqual(await probe(tlsServer.tcpUrl('neutrino', undefined, { sslmode: 'allow' })), { user: 'neutrino', ssl: false })
  })

  it('sslmode=verify-full with the CA: host name localhost and the IP address both match the certificate', async () => {
    const ca = tlsServer.certFile!
    assert.equal((await probe(tlsServer.tcpUrl('neutrino', undefined, { sslmode: 'verify-full', sslrootcert: ca, host: 'localhost' }))).ssl, true)
    assert.equal((await probe(tlsServer.tcpUrl('neutrino', undefined, { sslmode: 'verify-full', sslrootcert: ca }))).ssl, true)
    assert.equal((await probe(tlsServer.tcpUrl('neutrino', undefined, { sslmode: 'verify-ca', sslrootcert: ca }))).ssl, true)
  })

  it('sslmode=verify-full / verify-ca without the CA fail with ESSL', async () => {
    for (const sslmode of ['verify-full', 'verify-ca']) {
      await assert.rejects(PgConnection.connect(parsePgUrl(tlsServer.tcpUrl('neutrino', undefined, { sslmode, host: 'localhost' }))), (e: unknown) => {
        assert.ok(e instanceof PgConnectionError, String(e))
        assert.equal(e.code, 'ESSL')
        assert.match(e.message, /^TLS with PostgreSQL failed: .*self[- ]signed certificate/)
        return true
      })
    }
  })

  it('sslmode=require against a server without TLS fails clearly; prefer falls back to plain', async () => {
    await assert.rejects(PgConnection.connect(parsePgUrl(plainServer.tcpUrl('neutrino', undefined, { sslmode: 'require' }))), {
      name: 'PgConnectionError',
      code: 'ESSL',
      message: 'the server does not support SSL, and sslmode is require',
    })
    await assert.rejects(PgConnection.connect(parsePgUrl(plainServer.tcpUrl('neutrino', undefined, { sslmode: 'verify-full', sslrootcert: tlsServer.certFile! }))), { code: 'ESSL' })
    assert.deepEqual(await probe(plainServer.tcpUrl('neutrino', undefined, { sslmode: 'prefer' })), { user: 'neutrino', ssl: false })
    assert.deepEqual(await probe(plainServer.tcpUrl('neutrino')), { user: 'neutrino', ssl: false }, 'prefer is the default over TCP')
  })

  it('a user with no pg_hba.conf line is refused (28000)', async () => {
    await assert.rejects(PgConnection.connect(parsePgUrl(plainServer.tcpUrl('nobody', 'x', { sslmode: 'disable' }))), { code: '28000' })
  })
})
