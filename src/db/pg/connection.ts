/**
 * One PostgreSQL connection speaking the extended query protocol with pipelining (PostgreSQL
 * docs §55.2.3 "Extended Query" and §55.2.4 "Pipelining").
 *
 * Statements are not sent one round trip each: `query()` appends Parse/Bind/Execute messages to
 * an outgoing batch, and the batch goes out with one Sync and one socket write at the end of the
 * current microtask run. So statements issued together (Promise.all) cost one round trip, and
 * `defer()` lets a write whose result nobody needs ride along with the next statement that is
 * awaited (or the COMMIT). On a machine where a socket write that wakes another process costs
 * tens of microseconds, this is most of the cost of a short transaction.
 *
 * Error semantics follow the protocol: after an ErrorResponse the server skips every message up
 * to the Sync, so every statement of that batch after the failed one is rejected with the same
 * error. Statements flushed together outside BEGIN … COMMIT form one implicit transaction; the
 * pool therefore gives a connection to one caller at a time.
 *
 * Each distinct SQL text is prepared once per connection (a named statement with its row
 * description cached), then only bound and executed.
 */
import { createHash } from 'node:crypto'
import { connect as netConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import { readFileSync } from 'node:fs'
import { PgConnectionError, PgError, PgProtocolError } from './errors.js'
import {
  MessageFramer,
  MessageWriter,
  parseErrorFields,
  parseRowDescription,
  passwordMessage,
  PayloadReader,
  rowCountOf,
  saslInitialResponse,
  saslResponse,
  sslRequest,
  startupMessage,
  terminateMessage,
  writeBind,
  writeDescribe,
  writeExecute,
  writeParse,
  writeQuery,
  writeSync,
  type FieldInfo,
  type TextParam,
} from './protocol.js'
import { SCRAM_SHA_256, ScramClient } from './scram.js'
import type { PgConnectOptions } from './url.js'

export type PgParam = string | number | boolean | bigint | null | undefined | Date | Buffer | object
export type PgRow = Record<string, unknown>

export interface PgResult<R = PgRow> {
  rows: R[]
  /** From the CommandComplete tag: rows inserted, updated, deleted or returned. */
  rowCount: number
  /** The CommandComplete tag, e.g. "INSERT 0 1". */
  command: string
}

/** Text-format value parsers by type OID; types not listed stay strings. */
export type TypeParsers = ReadonlyMap<number, (text: string) => unknown>

/**
 * Defaults: what converts without loss. int8 (20) and numeric (1700) stay strings, since a JS
 * number cannot hold every value; callers that know their values fit pass their own parsers.
 */
export const DEFAULT_TYPE_PARSERS: TypeParsers = new Map<number, (t: string) => unknown>([
  [16, (t) => t === 't'],
  [21, Number],
  [23, Number],
  [26, Number],
  [700, Number],
  [701, Number],
  [114, (t) => JSON.parse(t)],
  [3802, (t) => JSON.parse(t)],
])

export interface PgConnectionOptions extends PgConnectOptions {
  types?: TypeParsers
  /** Named statements kept per connection; texts beyond stay unnamed (parsed on every use). */
  maxPreparedStatements?: number
}

interface Statement {
  name: string
  /** Columns of its result (empty: no rows), known once the Describe answered. */
  fields?: FieldInfo[]
  /** Parse sent, ParseComplete not yet seen. */
  parsing: boolean
  /** The batch its Parse is in (see #batch). */
  batch: number
}

interface Waiter<T> {
  resolve(v: T): void
  reject(e: Error): void
}

/** One statement in flight; `waiter` is absent for deferred ones. */
interface StatementEntry {
  kind: 'statement'
  statement?: Statement
  /** This entry's Parse created `statement` (so a failure un-prepares it). */
  parses: boolean
  /** Its Describe is of the statement (fields go to the cache) rather than of the portal. */
  describesStatement: boolean
  fields?: FieldInfo[]
  rows: PgRow[]
  waiter?: Waiter<PgResult>
}

interface SyncEntry {
  kind: 'sync'
  /** The first error of its batch, if any. */
  error?: PgError
  /** A statement's caller received that error. */
  claimed?: boolean
  waiters: Array<Waiter<void>>
}

/** A simple-protocol Query ('Q'): completes at its ReadyForQuery. */
interface SimpleEntry {
  kind: 'simple'
  error?: Error
  waiter: Waiter<void>
  /** flush() calls waiting for it. */
  waiters: Array<Waiter<void>>
}

type Entry = StatementEntry | SyncEntry | SimpleEntry

const MAX_NAMED_PARAMS = 32

export class PgConnection {
  readonly #socket: Socket | TLSSocket
  readonly #types: TypeParsers
  readonly #maxPrepared: number
  readonly #framer: MessageFramer
  readonly #out = new MessageWriter()
  /** Entries in the order their responses will arrive. */
  #queue: Entry[] = []
  #head = 0
  /** Statements appended since the last Sync. */
  #unsynced = 0
  /** Numbers the batches: incremented as each one goes out. */
  #batch = 0
  #flushScheduled = false
  #statements = new Map<string, Statement>()
  /** Statement names are never reused on a connection (a dropped one may live on in the server). */
  #nextName = 1
  #closed?: Error
  #txStatus = 'I'
  /** A batch's error that no caller received (its failed statement was deferred). */
  #unreported?: PgError
  readonly parameters = new Map<string, string>()
  readonly createdAt = Date.now()

  private constructor(socket: Socket | TLSSocket, framer: MessageFramer, opts: PgConnectionOptions) {
    this.#socket = socket
    this.#framer = framer
    this.#types = opts.types ?? DEFAULT_TYPE_PARSERS
    this.#maxPrepared = opts.maxPreparedStatements ?? 2000
  }

  /** Opens a connection, negotiates TLS when asked, authenticates and waits for ReadyForQuery. */
  static async connect(opts: PgConnectionOptions): Promise<PgConnection> {
    // The timeout covers everything up to ReadyForQuery: TCP connect, SSLRequest, TLS handshake
    // and authentication (it used to start after the TLS handshake, so a server that never
    // answered the SSLRequest of sslmode=prefer hung the caller forever). Every socket opened
    // (TCP, then TLS over it) is destroyed on timeout or failure.
    const sockets: Socket[] = []
    // A TLS socket and the TCP socket under it may both report a destroyed one's error: once we
    // drop them, nobody else listens, and an 'error' without a listener would crash the process.
    const discard = (err?: Error) => {
      for (const s of sockets) s.on('error', () => {}).destroy(err)
    }
    let timedOut: PgConnectionError | undefined
    const timer = opts.connectTimeoutMs > 0
      ? setTimeout(() => {
          timedOut = new PgConnectionError(`connection to PostgreSQL timed out after ${opts.connectTimeoutMs} ms`, 'ETIMEDOUT')
          discard(timedOut) // with the error, so that whatever step is waiting rejects
        }, opts.connectTimeoutMs)
      : undefined
    let conn: PgConnection | undefined
    try {
      const socket = await openSocket(opts, (s) => sockets.push(s))
      conn = await new Promise<PgConnection>((resolve, reject) => {
        const startup = new StartupHandler(opts, socket, resolve, reject)
        const framer = new MessageFramer((type, payload) => {
          if (conn) conn.#onMessage(type, payload)
          else startup.onMessage(type, payload, () => {
            conn = new PgConnection(socket, framer, opts)
            for (const [k, v] of startup.parameters) conn.parameters.set(k, v)
            return conn
          })
        })
        const onData = (data: Buffer) => {
          try {
            framer.push(data)
          } catch (e) {
            // Fail at once, not at the socket's 'error' event: callbacks of statements answered
            // earlier in this read must already see closedWith (and not write to a dead socket).
            if (conn) conn.#fail(e as Error)
            else reject(e as Error)
            socket.destroy()
          }
        }
        socket.on('data', onData)
        socket.on('error', (e) => (conn ? conn.#fail(e) : reject(e)))
        socket.on('close', () => {
          const err = new PgConnectionError('the PostgreSQL server closed the connection')
          if (conn) conn.#fail(err)
          else reject(err)
        })
        socket.write(startupMessage(startup.params()))
      })
      return conn
    } catch (e) {
      discard()
      throw timedOut ?? e
    } finally {
      if (timer) clearTimeout(timer)
    }
  }

  /** Set once the connection failed or was closed; then every call rejects with it. */
  get closedWith(): Error | undefined {
    return this.#closed
  }

  /** The error of a batch that no caller received (see query()), once; then forgotten. */
  takeUnreportedError(): PgError | undefined {
    const e = this.#unreported
    this.#unreported = undefined
    return e
  }

  /** Statements or batches sent whose answers have not all arrived. */
  get inFlight(): boolean {
    return this.#head < this.#queue.length || this.#unsynced > 0
  }

  /** 'I' idle, 'T' in a transaction block, 'E' in a failed one (as of the last ReadyForQuery). */
  get transactionStatus(): string {
    return this.#txStatus
  }

  /** Runs a statement; sent with everything else issued in this microtask run. */
  query<R = PgRow>(text: string, params: readonly PgParam[] = []): Promise<PgResult<R>> {
    if (this.#closed) return Promise.reject(this.#closed)
    return new Promise<PgResult<R>>((resolve, reject) => {
      try {
        this.#append(text, params, { resolve: resolve as (r: PgResult) => void, reject })
      } catch (e) {
        reject(e)
        return
      }
      this.#scheduleFlush()
    })
  }

  /**
   * Queues a statement whose result is not needed. It is sent with the next flush (the next
   * `query()`, or `flush()`); if it fails, that batch's later statements and its flush() reject
   * with its error.
   */
  defer(text: string, params: readonly PgParam[] = []): void {
    if (this.#closed) throw this.#closed
    this.#append(text, params, undefined)
  }

  /** Sends what is queued now; resolves at the batch's ReadyForQuery, rejects with its first error. */
  flush(): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed)
    return new Promise((resolve, reject) => {
      if (this.#unsynced === 0) {
        // Nothing new: wait for the last batch (or simple query) in flight, if any.
        const last = this.#lastBatch()
        if (last) last.waiters.push({ resolve, reject })
        else resolve()
        return
      }
      const sync = this.#sendBatch()
      sync.waiters.push({ resolve, reject })
    })
  }

  /** Runs SQL text with the simple query protocol (several statements, no parameters: DDL). */
  simpleQuery(text: string): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed)
    return new Promise((resolve, reject) => {
      if (this.#unsynced) this.#sendBatch()
      writeQuery(this.#out, text)
      this.#queue.push({ kind: 'simple', waiter: { resolve, reject }, waiters: [] })
      this.#write()
    })
  }

  /** Sends Terminate and closes; pending statements reject. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#fail(new PgConnectionError('connection closed by the client', 'ECONNCLOSED'))
    const socket = this.#socket
    if (socket.destroyed) return Promise.resolve()
    return new Promise((resolve) => {
      // Not unref'd: a caller awaiting close() (then stopping a server, removing a directory)
      // must get to run its next line even when the socket never reports back.
      const timer = setTimeout(() => {
        socket.destroy()
        done()
      }, 1000)
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      socket.once('close', done)
      socket.end(terminateMessage(), done)
    })
  }

  // ---- sending ----------------------------------------------------------------------------------

  #append(text: string, params: readonly PgParam[], waiter: Waiter<PgResult> | undefined): void {
    const values = params.map(toText)
    const w = this.#out
    let st = this.#statements.get(text)
    const entry: StatementEntry = { kind: 'statement', parses: false, describesStatement: false, rows: [], waiter }
    if (st?.parsing && st.batch !== this.#batch) {
      // Its Parse is in an earlier batch, still unanswered: should that batch fail before the
      // Parse, the server will not have the statement. This use is parsed unnamed instead. (It
      // used to bind the name, and a valid statement failed with 26000 "prepared statement does
      // not exist" because of another batch's error, hiding that error's code.)
      st = undefined
    } else if (st === undefined && this.#statements.size < this.#maxPrepared && params.length <= MAX_NAMED_PARAMS) {
      st = { name: `s${this.#nextName++}`, parsing: true, batch: this.#batch }
      this.#statements.set(text, st)
      writeParse(w, st.name, text)
      writeDescribe(w, 'S', st.name)
      entry.parses = true
      entry.describesStatement = true
    }
    if (st) {
      entry.statement = st
      writeBind(w, st.name, values)
      // A statement parsed in a batch still in flight has no fields yet: describe the portal.
      if (!entry.describesStatement && st.fields === undefined) writeDescribe(w, 'P', '')
    } else {
      writeParse(w, '', text)
      writeBind(w, '', values)
      writeDescribe(w, 'P', '')
    }
    writeExecute(w)
    this.#queue.push(entry)
    this.#unsynced++
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    queueMicrotask(() => {
      this.#flushScheduled = false
      if (this.#unsynced && !this.#closed) this.#sendBatch()
    })
  }

  #sendBatch(): SyncEntry {
    writeSync(this.#out)
    const sync: SyncEntry = { kind: 'sync', waiters: [] }
    this.#queue.push(sync)
    this.#unsynced = 0
    this.#batch++
    this.#write()
    return sync
  }

  #write(): void {
    if (this.#out.length) this.#socket.write(this.#out.take())
  }

  /**
   * The last entry that ends with a ReadyForQuery. A simple query counts: flush() used to wait
   * only for Syncs, so with a simple query in flight it resolved at once, and PgPool.release()
   * (flush, then release again while inFlight) spun in microtasks forever.
   */
  #lastBatch(): SyncEntry | SimpleEntry | undefined {
    for (let i = this.#queue.length - 1; i >= this.#head; i--) {
      const e = this.#queue[i]!
      if (e.kind !== 'statement') return e
    }
    return undefined
  }

  // ---- receiving --------------------------------------------------------------------------------

  #peek(): Entry | undefined {
    return this.#queue[this.#head]
  }

  #shift(): Entry | undefined {
    const e = this.#queue[this.#head]
    if (e === undefined) return undefined
    this.#queue[this.#head++] = undefined as unknown as Entry
    if (this.#head > 256 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    return e
  }

  #expectStatement(what: string): StatementEntry {
    const e = this.#peek()
    if (!e || e.kind !== 'statement') throw new PgProtocolError(`${what} with no statement waiting for it`)
    return e
  }

  #onMessage(type: number, payload: Buffer): void {
    switch (type) {
      case 0x31: {
        // ParseComplete
        const e = this.#expectStatement('ParseComplete')
        if (e.parses && e.statement) e.statement.parsing = false
        return
      }
      case 0x32: // BindComplete
      case 0x74: // ParameterDescription
        this.#expectStatement('BindComplete/ParameterDescription')
        return
      case 0x54: {
        // RowDescription. A simple query's rows are not returned (it used to throw here, so a
        // simpleQuery() with a SELECT broke the connection).
        if (this.#peek()?.kind === 'simple') return
        const e = this.#expectStatement('RowDescription')
        e.fields = parseRowDescription(payload)
        if (e.describesStatement && e.statement) e.statement.fields = e.fields
        return
      }
      case 0x6e: {
        // NoData
        const e = this.#expectStatement('NoData')
        e.fields = []
        if (e.describesStatement && e.statement) e.statement.fields = e.fields
        return
      }
      case 0x44: {
        // DataRow
        const e = this.#peek()
        if (!e || e.kind === 'sync') throw new PgProtocolError('DataRow with no statement waiting for it')
        if (e.kind === 'simple') return // simple queries return no rows to the caller
        const fields = e.fields ?? e.statement?.fields
        if (!fields) throw new PgProtocolError('DataRow before its RowDescription')
        e.rows.push(this.#parseRow(payload, fields))
        return
      }
      case 0x43: // CommandComplete
      case 0x49: {
        // EmptyQueryResponse
        const e = this.#peek()
        if (e?.kind === 'simple') return
        const st = this.#expectStatement('CommandComplete')
        // Read before shifting: a malformed tag must leave the entry queued for #fail to reject.
        const command = type === 0x43 ? new PayloadReader(payload).cstring() : ''
        this.#shift()
        st.waiter?.resolve({ rows: st.rows, rowCount: rowCountOf(command), command })
        return
      }
      case 0x45: {
        // ErrorResponse. "Current transaction is aborted" (25P02) names no cause; when an
        // earlier deferred statement's error was received by nobody, that error is the cause.
        const reported = new PgError(parseErrorFields(payload))
        const err = reported.code === '25P02' && this.#unreported ? this.#unreported : reported
        const e = this.#peek()
        if (!e) {
          // Outside any request: the server is going away (e.g. 57P01 admin_shutdown).
          this.#fail(err)
          return
        }
        if (e.kind === 'simple') {
          e.error ??= err
          return
        }
        // The server skips to the Sync: this statement and every later one of the batch fail.
        let first = true
        let claimed = false
        while (this.#peek()?.kind === 'statement') {
          const st = this.#shift() as StatementEntry
          // 0A000 "cached plan must not change result type": the table changed under a prepared
          // statement; forget it so the next use prepares the new shape.
          if (first && reported.code === '0A000') this.#forget(st.statement)
          else this.#unprepareIfParsing(st)
          first = false
          if (st.waiter) {
            claimed = true
            st.waiter.reject(err)
          }
        }
        const sync = this.#peek()
        if (sync?.kind === 'sync') {
          sync.error ??= err
          sync.claimed ||= claimed
        }
        return
      }
      case 0x5a: {
        // ReadyForQuery
        // Checked before shifting: an unanswered statement taken off the queue here would never
        // be rejected by #fail, and its caller would wait forever.
        const head = this.#peek()
        if (head === undefined) throw new PgProtocolError('ReadyForQuery with nothing waiting for it')
        if (head.kind === 'statement') throw new PgProtocolError('ReadyForQuery with statements still unanswered')
        this.#txStatus = String.fromCharCode(payload[0] ?? 0x49)
        const e = this.#shift() as SyncEntry | SimpleEntry
        if (e.kind === 'sync') {
          if (e.error && !e.waiters.length && !e.claimed) this.#unreported = e.error
          for (const w of e.waiters) e.error ? w.reject(e.error) : w.resolve()
        } else {
          e.error ? e.waiter.reject(e.error) : e.waiter.resolve()
          for (const w of e.waiters) e.error ? w.reject(e.error) : w.resolve()
        }
        return
      }
      case 0x53: {
        // ParameterStatus
        const r = new PayloadReader(payload)
        this.parameters.set(r.cstring(), r.cstring())
        return
      }
      case 0x4e: // NoticeResponse
      case 0x41: // NotificationResponse
        return
      default:
        throw new PgProtocolError(`unexpected message type 0x${type.toString(16)}`)
    }
  }

  #unprepareIfParsing(st: StatementEntry): void {
    // Its Parse never completed (failed, or skipped after an earlier error): forget it, so the
    // next use parses again instead of naming a statement the server does not have.
    if (st.parses && st.statement?.parsing) this.#forget(st.statement)
  }

  #forget(statement: Statement | undefined): void {
    if (!statement) return
    for (const [text, s] of this.#statements) {
      if (s === statement) {
        this.#statements.delete(text)
        return
      }
    }
  }

  #parseRow(payload: Buffer, fields: FieldInfo[]): PgRow {
    // (A DataRow too short for its column count field used to throw a RangeError.)
    if (payload.length < 2) throw new PgProtocolError('truncated DataRow')
    const n = payload.readInt16BE(0)
    if (n !== fields.length) throw new PgProtocolError(`DataRow has ${n} columns, RowDescription ${fields.length}`)
    const row: PgRow = {}
    let off = 2
    for (let i = 0; i < n; i++) {
      if (off + 4 > payload.length) throw new PgProtocolError('truncated DataRow')
      const len = payload.readInt32BE(off)
      off += 4
      const f = fields[i]!
      if (len < 0) {
        row[f.name] = null
        continue
      }
      if (off + len > payload.length) throw new PgProtocolError('truncated DataRow')
      const text = payload.toString('utf8', off, off + len)
      off += len
      const parse = this.#types.get(f.typeOid)
      row[f.name] = parse ? parse(text) : text
    }
    return row
  }

  /** The connection is unusable: reject everything pending, close the socket. */
  #fail(err: Error): void {
    if (this.#closed) return
    this.#closed = err instanceof PgConnectionError || err instanceof PgProtocolError ? err : new PgConnectionError(err.message, (err as { code?: string }).code)
    const pending = this.#queue.slice(this.#head)
    this.#queue = []
    this.#head = 0
    for (const e of pending) {
      if (e.kind === 'statement') e.waiter?.reject(this.#closed)
      else if (e.kind === 'sync') for (const w of e.waiters) w.reject(this.#closed)
      else for (const w of [e.waiter, ...e.waiters]) w.reject(this.#closed)
    }
    if (!(err instanceof PgConnectionError && err.code === 'ECONNCLOSED')) this.#socket.destroy()
  }
}

/** A parameter in the text format. */
export function toText(v: PgParam): TextParam {
  if (v === null || v === undefined) return null
  switch (typeof v) {
    case 'string':
      return v
    case 'number':
    case 'bigint':
      return String(v)
    case 'boolean':
      return v ? 'true' : 'false'
  }
  if (v instanceof Date) return v.toISOString()
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`
  if (Array.isArray(v)) throw new TypeError('array parameters are not supported')
  return JSON.stringify(v)
}

/** The startup phase: authentication requests until the first ReadyForQuery. */
class StartupHandler {
  #scram?: ScramClient
  /**
   * ParameterStatus values sent before the first ReadyForQuery (server_version, TimeZone,
   * standard_conforming_strings…). They used to be dropped, so PgConnection.parameters held
   * only what changed later.
   */
  readonly parameters = new Map<string, string>()

  constructor(
    private readonly opts: PgConnectionOptions,
    private readonly socket: Socket | TLSSocket,
    private readonly resolve: (c: PgConnection) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  params(): Record<string, string> {
    return { user: this.opts.user, database: this.opts.database, application_name: this.opts.applicationName, client_encoding: 'UTF8' }
  }

  #password(): string {
    if (this.opts.password === undefined) throw new PgConnectionError('the server asked for a password and none was given', 'EAUTH')
    return this.opts.password
  }

  onMessage(type: number, payload: Buffer, becomeReady: () => PgConnection): void {
    try {
      if (type === 0x52) return this.#auth(payload)
      if (type === 0x45) return this.reject(new PgError(parseErrorFields(payload)))
      if (type === 0x53) {
        const r = new PayloadReader(payload)
        this.parameters.set(r.cstring(), r.cstring())
        return
      }
      if (type === 0x4b || type === 0x4e) return // BackendKeyData, NoticeResponse
      if (type === 0x5a) return this.resolve(becomeReady())
      throw new PgProtocolError(`unexpected message type 0x${type.toString(16)} during startup`)
    } catch (e) {
      this.reject(e as Error)
    }
  }

  #auth(payload: Buffer): void {
    const r = new PayloadReader(payload)
    const code = r.int32()
    switch (code) {
      case 0: // AuthenticationOk
        return
      case 3: // cleartext
        this.socket.write(passwordMessage(this.#password()))
        return
      case 5: {
        // MD5: "md5" + md5(md5(password + user) + salt)
        const salt = r.bytes(4)
        const inner = createHash('md5').update(this.#password() + this.opts.user).digest('hex')
        const outer = createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex')
        this.socket.write(passwordMessage(`md5${outer}`))
        return
      }
      case 10: {
        // SASL: NUL-terminated mechanism names
        const mechs: string[] = []
        for (let m = r.cstring(); m !== ''; m = r.cstring()) mechs.push(m)
        if (!mechs.includes(SCRAM_SHA_256)) throw new PgConnectionError(`no supported SASL mechanism (server offers ${mechs.join(', ')})`, 'EAUTH')
        this.#scram = new ScramClient(this.#password())
        this.socket.write(saslInitialResponse(SCRAM_SHA_256, this.#scram.clientFirst()))
        return
      }
      case 11: // SASLContinue
        if (!this.#scram) throw new PgProtocolError('SASLContinue without SASL')
        this.socket.write(saslResponse(this.#scram.clientFinal(r.rest().toString('utf8'))))
        return
      case 12: // SASLFinal
        if (!this.#scram) throw new PgProtocolError('SASLFinal without SASL')
        this.#scram.verifyServerFinal(r.rest().toString('utf8'))
        return
      default:
        throw new PgConnectionError(`unsupported authentication method (code ${code})`, 'EAUTH')
    }
  }
}

/**
 * TCP or unix socket, upgraded to TLS when the sslmode asks and the server agrees. `onSocket`
 * sees each socket as it is opened, so the caller can destroy them (timeout, failure).
 */
async function openSocket(opts: PgConnectOptions, onSocket: (s: Socket) => void): Promise<Socket | TLSSocket> {
  const unix = opts.host.startsWith('/')
  const socket = unix ? netConnect({ path: `${opts.host}/.s.PGSQL.${opts.port}` }) : netConnect({ host: opts.host, port: opts.port })
  onSocket(socket)
  socket.setNoDelay(true)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', (e) => reject(new PgConnectionError(`cannot connect to PostgreSQL at ${unix ? opts.host : `${opts.host}:${opts.port}`}: ${e.message}`, (e as { code?: string }).code)))
  })
  // libpq does not use TLS on unix sockets, whatever the sslmode.
  if (unix || opts.sslmode === 'disable' || opts.sslmode === 'allow') return socket
  const answer = await new Promise<number>((resolve, reject) => {
    socket.once('data', (d: Buffer) => (d.length === 1 ? resolve(d[0]!) : reject(new PgProtocolError('unexpected answer to SSLRequest'))))
    socket.once('error', reject)
    // (Without this a server that closed instead of answering left the caller waiting forever.)
    socket.once('close', () => reject(new PgConnectionError('the PostgreSQL server closed the connection during SSL negotiation')))
    socket.write(sslRequest())
  })
  if (answer === 0x4e) {
    // 'N': no TLS on this server
    if (opts.sslmode === 'prefer') return socket
    throw new PgConnectionError(`the server does not support SSL, and sslmode is ${opts.sslmode}`, 'ESSL')
  }
  if (answer !== 0x53) throw new PgProtocolError(`unexpected answer 0x${answer.toString(16)} to SSLRequest`)
  const verify = opts.sslmode === 'verify-ca' || opts.sslmode === 'verify-full'
  // SNI takes host names only (RFC 6066); net.isIP, since an IPv6 address may have letters.
  const tlsOpts: ConnectionOptions = { socket, host: opts.host, rejectUnauthorized: verify, servername: isIP(opts.host) ? undefined : opts.host }
  if (opts.sslrootcert) tlsOpts.ca = readFileSync(opts.sslrootcert)
  // verify-ca checks the chain only, not the host name.
  if (opts.sslmode === 'verify-ca') tlsOpts.checkServerIdentity = () => undefined
  const tls = tlsConnect(tlsOpts)
  onSocket(tls)
  await new Promise<void>((resolve, reject) => {
    tls.once('secureConnect', resolve)
    tls.once('error', (e) => reject(new PgConnectionError(`TLS with PostgreSQL failed: ${e.message}`, 'ESSL')))
  })
  return tls
}
