/**
 * The PostgreSQL client against a scripted fake backend (net.createServer on 127.0.0.1, an
 * ephemeral port): whatever a broken or hostile server sends, the client must not crash the
 * process. Every pending promise rejects with a PgProtocolError or PgConnectionError, the
 * connection is left with `closedWith` set, and no rejection goes unhandled. Also: the startup
 * phase (authentication requests, SSLRequest answers, connect timeout) and pool behaviours that
 * need answers split across reads.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { PgConnection } from '../../../src/db/pg/connection.js'
import { PgConnectionError, PgError, PgProtocolError } from '../../../src/db/pg/errors.js'
import { PgPool } from '../../../src/db/pg/pool.js'
import { parsePgUrl } from '../../../src/db/pg/url.js'
import { cstr, i16, i32 } from '../../helpers/pg-bytes.js'

// ---- backend messages ----------------------------------------------------------------------------

function msg(type: string, ...parts: Array<Buffer | string>): Buffer {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
  return Buffer.concat([Buffer.from(type), i32(body.length + 4), body])
}
const authOk = () => msg('R', i32(0))
const ready = (status = 'I') => msg('Z', status)
const parseComplete = () => msg('1')
const bindComplete = () => msg('2')
const noParams = () => msg('t', i16(0))
const noData = () => msg('n')
function rowDescription(...cols: string[]): Buffer {
  const parts = [i16(cols.length)]
  for (const name of cols) parts.push(cstr(name), i32(0), i16(0), i32(25), i16(-1), i32(-1), i16(0))
  return msg('T', ...parts)
}
function dataRow(...values: Array<string | null>): Buffer {
  const parts = [i16(values.length)]
  for (const v of values) parts.push(v === null ? i32(-1) : Buffer.concat([i32(Buffer.byteLength(v)), Buffer.from(v)]))
  return msg('D', ...parts)
}
const commandComplete = (tag: string) => msg('C', cstr(tag))
function errorResponse(code: string, message: string, severity = 'ERROR'): Buffer {
  return msg('E', 'S', cstr(severity), 'V', cstr(severity), 'C', cstr(code), 'M', cstr(message), Buffer.from([0]))
}

// ---- the fake backend ----------------------------------------------------------------------------

type Message = [type: string, payload: Buffer]

interface Script {
  /** The SSLRequest; default: answer 'N'. */
  onSslRequest?(c: FakeClient): void
  /** The StartupMessage; default: AuthenticationOk, ReadyForQuery. */
  onStartup?(c: FakeClient, params: Map<string, string>): void
  onPassword?(c: FakeClient, payload: Buffer): void
  /** A Sync, with the extended-protocol messages since the last one; default: answerAll. */
  onSync?(c: FakeClient, batch: Message[]): void
  onQuery?(c: FakeClient, text: string): void
}

class FakeClient {
  #buf = Buffer.alloc(0)
  #started = false
  #batch: Message[] = []
  readonly received: Message[] = []

  constructor(
    readonly socket: Socket,
    readonly script: Script,
  ) {
    socket.on('data', (d) => this.#onData(d))
    socket.on('error', () => {})
  }

  send(...parts: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(parts))
  }

  #onData(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d])
    for (;;) {
      if (!this.#started) {
        // Startup packets have no type byte.
        if (this.#buf.length < 8 || this.#buf.length < this.#buf.readInt32BE(0)) return
        const len = this.#buf.readInt32BE(0)
        const code = this.#buf.readInt32BE(4)
        const body = this.#buf.subarray(8, len)
        this.#buf = this.#buf.subarray(len)
        if (code === 80877103) {
          if (this.script.onSslRequest) this.script.onSslRequest(this)
          else this.send(Buffer.from('N'))
          continue
        }
        this.#started = true
        const parts = body.toString().split('\0')
        const params = new Map<string, string>()
        for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i]) params.set(parts[i]!, parts[i + 1]!)
        if (this.script.onStartup) this.script.onStartup(this, params)
        else this.send(authOk(), ready())
        continue
      }
      if (this.#buf.length < 5 || this.#buf.length < 1 + this.#buf.readInt32BE(1)) return
      const len = this.#buf.readInt32BE(1)
      const m: Message = [String.fromCharCode(this.#buf[0]!), Buffer.from(this.#buf.subarray(5, 1 + len))]
      this.#buf = this.#buf.subarray(1 + len)
      this.received.push(m)
      if (m[0] === 'p') this.script.onPassword?.(this, m[1])
      else if (m[0] === 'Q') this.script.onQuery?.(this, m[1].toString('utf8', 0, m[1].length - 1))
      else if (m[0] === 'S') {
        const batch = this.#batch
        this.#batch = []
        if (this.script.onSync) this.script.onSync(this, batch)
        else this.send(answerAll(batch), ready())
      } else if (m[0] !== 'X') this.#batch.push(m)
    }
  }
}

/** Well-formed answers to a batch: every statement returns one row, column `n` = its index. */
function answerAll(batch: Message[]): Buffer {
  const out: Buffer[] = []
  let i = 0
  for (const [type, payload] of batch) {
    if (type === 'P') out.push(parseComplete())
    else if (type === 'B') out.push(bindComplete())
    else if (type === 'D' && payload[0] === 0x53) out.push(noParams(), rowDescription('n'))
    else if (type === 'D') out.push(rowDescription('n'))
    else if (type === 'E') out.push(dataRow(String(i++)), commandComplete('SELECT 1'))
  }
  return Buffer.concat(out)
}

interface Fake {
  url(params?: string): string
  clients: FakeClient[]
  close(): Promise<void>
}

const servers: Server[] = []

async function fake(script: Script = {}): Promise<Fake> {
  const clients: FakeClient[] = []
  const server = createServer((s) => clients.push(new FakeClient(s, script)))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: (params = 'sslmode=disable&connect_timeout=5') => `postgresql://tester:pw@127.0.0.1:${port}/db?${params}`,
    clients,
    close: () => {
      for (const c of clients) c.socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

const connect = (f: Fake, params?: string) => PgConnection.connect(parsePgUrl(f.url(params)))

/** A promise's settlement, without leaving a rejection unhandled while the test waits. */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error }),
  )
}

/** Every promise rejected with `cls` (matching `pattern`), and the connection is closed with one. */
async function assertBroken(c: PgConnection, pending: Array<Promise<unknown>>, cls: typeof PgProtocolError | typeof PgConnectionError, pattern: RegExp): Promise<void> {
  const results = await Promise.all(pending.map(settle))
  for (const [i, r] of results.entries()) {
    assert.equal(r.ok, false, `promise ${i} rejected`)
    if (!r.ok) {
      assert.ok(r.error instanceof cls, `promise ${i}: ${r.error} is a ${cls.name}`)
      assert.match(r.error.message, pattern)
    }
  }
  assert.ok(c.closedWith instanceof PgProtocolError || c.closedWith instanceof PgConnectionError, `closedWith: ${c.closedWith}`)
  // Later calls fail at once with the same error, and nothing is left in flight.
  await assert.rejects(c.query('SELECT 1'), (e) => e === c.closedWith)
  await assert.rejects(c.flush(), (e) => e === c.closedWith)
  await assert.rejects(c.simpleQuery('SELECT 1'), (e) => e === c.closedWith)
  assert.throws(() => c.defer('SELECT 1'), (e) => e === c.closedWith)
  assert.equal(c.inFlight, false)
}

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)

after(async () => {
  process.off('unhandledRejection', onUnhandled)
  for (const s of servers) s.close()
  // Give late socket events (close, error) a turn to surface anything unhandled.
  await new Promise((r) => setTimeout(r, 50))
  assert.deepEqual(unhandled, [], 'no unhandled rejections')
})

/** A hang is a failure, not a stuck run. */
const T = { timeout: 10_000 }

describe('PgConnection against a fake backend: the happy path', T, () => {
  it('pipelines three statements as one batch with one Sync, answered in order', async () => {
    const f = await fake()
    const c = await connect(f)
    const rs = await Promise.all([c.query('SELECT a'), c.query('SELECT b', [1, null]), c.query('SELECT a')])
    assert.deepEqual(rs.map((r) => r.rows), [[{ n: '0' }], [{ n: '1' }], [{ n: '2' }]])
    const types = f.clients[0]!.received.map(([t]) => t).join('')
    // Parse+Describe+Bind+Execute, again, then only Bind+Describe(portal)+Execute for the text
    // whose Parse is in the same batch, then one Sync.
    assert.equal(types, 'PDBEPDBEBDES')
    await c.close()
    await f.close()
  })
})

describe('PgConnection against a fake backend: bad input after startup', T, () => {
  const cases: Array<{ name: string; reply: (batch: Message[]) => Buffer; cls: typeof PgProtocolError | typeof PgConnectionError; pattern: RegExp }> = [
    { name: 'garbage bytes', reply: () => Buffer.from('hello, this is not a message'), cls: PgProtocolError, pattern: /invalid message length/ },
    { name: 'a negative length', reply: () => Buffer.concat([Buffer.from('D'), i32(-5)]), cls: PgProtocolError, pattern: /invalid message length -5/ },
    { name: 'a length below 4', reply: () => Buffer.concat([Buffer.from('1'), i32(3)]), cls: PgProtocolError, pattern: /invalid message length 3/ },
    { name: 'a huge length', reply: () => Buffer.concat([Buffer.from('D'), i32(0x7fffffff), Buffer.alloc(100)]), cls: PgProtocolError, pattern: /invalid message length 2147483647/ },
    { name: 'an unexpected message type', reply: () => Buffer.concat([parseComplete(), msg('!', 'x')]), cls: PgProtocolError, pattern: /unexpected message type 0x21/ },
    { name: 'a startup-only message (BackendKeyData)', reply: () => msg('K', i32(1), i32(2)), cls: PgProtocolError, pattern: /unexpected message type 0x4b/ },
    { name: 'DataRow before RowDescription', reply: () => Buffer.concat([parseComplete(), bindComplete(), dataRow('1')]), cls: PgProtocolError, pattern: /DataRow before its RowDescription/ },
    { name: 'DataRow with the wrong column count', reply: () => Buffer.concat([parseComplete(), noParams(), rowDescription('a'), bindComplete(), dataRow('1', '2')]), cls: PgProtocolError, pattern: /DataRow has 2 columns, RowDescription 1/ },
    { name: 'a DataRow shorter than its column count field', reply: () => Buffer.concat([parseComplete(), noParams(), rowDescription('a'), bindComplete(), msg('D', Buffer.from([0]))]), cls: PgProtocolError, pattern: /truncated DataRow/ },
    { name: 'a DataRow value longer than the message', reply: () => Buffer.concat([parseComplete(), noParams(), rowDescription('a'), bindComplete(), msg('D', i16(1), i32(10), 'abc')]), cls: PgProtocolError, pattern: /truncated DataRow/ },
    { name: 'a DataRow missing a column', reply: () => Buffer.concat([parseComplete(), noParams(), rowDescription('a', 'b'), bindComplete(), msg('D', i16(2), i32(1), 'x')]), cls: PgProtocolError, pattern: /truncated DataRow/ },
    { name: 'a truncated RowDescription', reply: () => Buffer.concat([parseComplete(), noParams(), msg('T', i16(1), 'abc')]), cls: PgProtocolError, pattern: /unterminated string/ },
    { name: 'a RowDescription in binary format', reply: () => Buffer.concat([parseComplete(), noParams(), msg('T', i16(1), cstr('a'), i32(0), i16(0), i32(23), i16(4), i32(-1), i16(1))]), cls: PgProtocolError, pattern: /binary format/ },
    { name: 'a CommandComplete without its terminator', reply: () => Buffer.concat([parseComplete(), noParams(), noData(), bindComplete(), msg('C', 'INSERT 0 1')]), cls: PgProtocolError, pattern: /unterminated string/ },
    { name: 'a truncated ErrorResponse', reply: () => Buffer.concat([parseComplete(), msg('E', 'S', cstr('ERROR'), 'C', '2350')]), cls: PgProtocolError, pattern: /unterminated string|truncated/ },
    { name: 'a truncated ParameterStatus', reply: () => msg('S', cstr('TimeZone')), cls: PgProtocolError, pattern: /unterminated string/ },
    { name: 'ReadyForQuery with statements unanswered', reply: () => Buffer.concat([parseComplete(), noParams(), rowDescription('n'), bindComplete(), ready()]), cls: PgProtocolError, pattern: /ReadyForQuery with statements still unanswered/ },
    { name: 'a message cut short by the server closing', reply: () => Buffer.concat([parseComplete(), msg('T', Buffer.alloc(100)).subarray(0, 40)]), cls: PgConnectionError, pattern: /server closed the connection/ },
  ]

  for (const { name, reply, cls, pattern } of cases) {
    it(`${name}: pending statements reject, the connection closes`, async () => {
      const closeAfter = cls === PgConnectionError
      const f = await fake({
        onSync: (client, batch) => {
          client.send(reply(batch))
          if (closeAfter) client.socket.end()
        },
      })
      const c = await connect(f)
      const pending = [c.query('SELECT 1'), c.query('SELECT 2', ['x']), c.flush()]
      c.defer('UPDATE t SET x = 1')
      pending.push(c.query('SELECT 3'))
      await assertBroken(c, pending, cls, pattern)
      await f.close()
    })
  }

  it('an answer to a statement never sent: answered ones resolve, the batch rejects', async () => {
    const f = await fake({ onSync: (client, batch) => client.send(answerAll(batch), commandComplete('SELECT 1'), ready()) })
    const c = await connect(f)
    const first = await settle(c.query('SELECT 1'))
    assert.ok(first.ok)
    await assertBroken(c, [c.flush()], PgProtocolError, /CommandComplete with no statement waiting/)
    await f.close()
  })

  it('ReadyForQuery with nothing pending', async () => {
    const f = await fake()
    const c = await connect(f)
    assert.deepEqual((await c.query('SELECT 1')).rows, [{ n: '0' }])
    f.clients[0]!.send(ready())
    const p = c.query('SELECT 2')
    await assertBroken(c, [p], PgProtocolError, /ReadyForQuery with nothing waiting|ReadyForQuery with statements still unanswered/)
    await f.close()
  })

  it('the server closing mid-batch: answered statements resolve, the rest reject', async () => {
    const f = await fake({
      onSync: (client, batch) => {
        // Answer the first statement only (its Parse, Describe, Bind, Execute), then hang up.
        client.send(answerAll(batch.slice(0, 4)))
        client.socket.end()
      },
    })
    const c = await connect(f)
    const first = settle(c.query('SELECT 1'))
    const rest = [c.query('SELECT 2'), c.query('SELECT 3'), c.flush()]
    const r = await first
    assert.ok(r.ok)
    assert.deepEqual(r.value.rows, [{ n: '0' }])
    await assertBroken(c, rest, PgConnectionError, /the PostgreSQL server closed the connection/)
    assert.equal((c.closedWith as PgConnectionError).code, 'ECONNRESET')
    await f.close()
  })

  it('the server resetting the connection mid-batch', async () => {
    const f = await fake({ onSync: (client) => client.socket.resetAndDestroy() })
    const c = await connect(f)
    await assertBroken(c, [c.query('SELECT 1'), c.query('SELECT 2')], PgConnectionError, /ECONNRESET|closed the connection/)
    await f.close()
  })

  it('a FATAL error while idle (administrator shutdown) closes the connection with its code', async () => {
    const f = await fake()
    const c = await connect(f)
    f.clients[0]!.send(errorResponse('57P01', 'terminating connection due to administrator command', 'FATAL'))
    f.clients[0]!.socket.end()
    for (let i = 0; i < 100 && !c.closedWith; i++) await new Promise((r) => setTimeout(r, 5))
    assert.ok(c.closedWith instanceof PgConnectionError)
    assert.equal((c.closedWith as PgConnectionError).code, '57P01')
    await assertBroken(c, [], PgConnectionError, /./)
    await f.close()
  })

  it('statements after a protocol error in the same read see closedWith at once', async () => {
    const f = await fake({ onSync: (client, batch) => client.send(answerAll(batch.slice(0, 4)), msg('!', 'x')) })
    const c = await connect(f)
    const later = c.query('SELECT 1').then(() => {
      // Runs after the whole read was handled: the connection is already marked failed.
      assert.ok(c.closedWith instanceof PgProtocolError)
      return c.query('SELECT 2')
    })
    await assertBroken(c, [later, c.query('SELECT x')], PgProtocolError, /unexpected message type 0x21/)
    await f.close()
  })

  it('a statement error skips to the Sync; the connection stays usable', async () => {
    const f = await fake({
      onSync: (client, batch) => {
        if (client.received.filter(([t]) => t === 'S').length === 1) {
          client.send(answerAll(batch.slice(0, 4)), errorResponse('23505', 'duplicate key value violates unique constraint "t_pkey"'), ready('I'))
        } else client.send(answerAll(batch), ready())
      },
    })
    const c = await connect(f)
    const [a, b, d, fl] = await Promise.all([c.query('SELECT 1'), c.query('INSERT 2'), c.query('SELECT 3'), c.flush()].map((p) => settle<unknown>(p)))
    assert.ok(a!.ok)
    for (const r of [b, d, fl]) {
      assert.ok(!r!.ok && r!.error instanceof PgError && r!.error.code === '23505')
    }
    assert.equal((b as { error: Error }).error, (d as { error: Error }).error, 'the same error object')
    assert.equal(c.closedWith, undefined)
    assert.deepEqual((await c.query('SELECT 4')).rows, [{ n: '0' }])
    await c.close()
    await f.close()
  })
})

describe('PgConnection against a fake backend: startup', T, () => {
  const failsToConnect = async (f: Fake, cls: new (...a: any[]) => Error, pattern: RegExp, params?: string) => {
    await assert.rejects(connect(f, params), (e: Error) => {
      assert.ok(e instanceof cls, `${e} is a ${cls.name}`)
      assert.match(e.message, pattern)
      return true
    })
  }

  it('an unsupported authentication method (GSSAPI) fails with EAUTH', async () => {
    const f = await fake({ onStartup: (c) => c.send(msg('R', i32(7))) })
    await failsToConnect(f, PgConnectionError, /unsupported authentication method \(code 7\)/)
    await f.close()
  })

  it('SASL without SCRAM-SHA-256 fails with EAUTH and names what the server offers', async () => {
    const f = await fake({ onStartup: (c) => c.send(msg('R', i32(10), cstr('SCRAM-SHA-256-PLUS'), cstr('OAUTHBEARER'), Buffer.from([0]))) })
    await assert.rejects(connect(f), { name: 'PgConnectionError', code: 'EAUTH', message: /no supported SASL mechanism \(server offers SCRAM-SHA-256-PLUS, OAUTHBEARER\)/ })
    await f.close()
  })

  it('a password request without a password fails with EAUTH', async () => {
    const f = await fake({ onStartup: (c) => c.send(msg('R', i32(3))) })
    await assert.rejects(PgConnection.connect({ ...parsePgUrl(f.url()), password: undefined }), { code: 'EAUTH', message: /asked for a password and none was given/ })
    await f.close()
  })

  it('answers a cleartext password request', async () => {
    let got = ''
    const f = await fake({
      onStartup: (c) => c.send(msg('R', i32(3))),
      onPassword: (c, p) => {
        got = p.toString()
        c.send(authOk(), ready())
      },
    })
    const c = await connect(f)
    assert.equal(got, 'pw\0')
    await c.close()
    await f.close()
  })

  it('answers an MD5 request with md5(md5(password + user) + salt)', async () => {
    const salt = Buffer.from([1, 2, 0xfe, 0xff])
    let got = ''
    const f = await fake({
      onStartup: (c) => c.send(msg('R', i32(5), salt)),
      onPassword: (c, p) => {
        got = p.toString('utf8', 0, p.length - 1)
        c.send(authOk(), msg('S', cstr('server_version'), cstr('15.0')), msg('K', i32(1), i32(2)), msg('N', 'S', cstr('NOTICE'), Buffer.from([0])), ready())
      },
    })
    const c = await connect(f)
    const inner = createHash('md5').update('pwtester').digest('hex')
    assert.equal(got, 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex'))
    assert.equal(c.parameters.get('server_version'), '15.0')
    await c.close()
    await f.close()
  })

  it('sends the startup parameters', async () => {
    let params = new Map<string, string>()
    const f = await fake({ onStartup: (c, p) => ((params = p), c.send(authOk(), ready())) })
    const c = await connect(f, 'sslmode=disable&application_name=probe')
    assert.deepEqual(Object.fromEntries(params), { user: 'tester', database: 'db', application_name: 'probe', client_encoding: 'UTF8' })
    await c.close()
    await f.close()
  })

  it('an ErrorResponse during startup rejects with the PgError (28P01)', async () => {
    const f = await fake({ onStartup: (c) => c.send(errorResponse('28P01', 'password authentication failed for user "tester"', 'FATAL')) })
    await assert.rejects(connect(f), (e: Error) => e instanceof PgError && e.code === '28P01' && e.severity === 'FATAL')
    await f.close()
  })

  it('garbage, an unexpected message or SASL messages out of order during startup', async () => {
    for (const [reply, pattern] of [
      [Buffer.from('this is no PostgreSQL server\r\n'), /invalid message length/],
      [Buffer.concat([authOk(), parseComplete()]), /unexpected message type 0x31 during startup/],
      [msg('R', i32(11), 'r=abc'), /SASLContinue without SASL/],
      [msg('R', i32(12), 'v=abc'), /SASLFinal without SASL/],
      [msg('R', Buffer.from([0, 0])), /truncated int32/],
      [msg('R', i32(5), Buffer.from([1, 2])), /truncated bytes/],
    ] as const) {
      const f = await fake({ onStartup: (c) => c.send(reply) })
      await failsToConnect(f, PgProtocolError, pattern)
      await f.close()
    }
  })

  it('a bad SCRAM server-first (nonce not extending ours) fails the connection', async () => {
    const f = await fake({
      onStartup: (c) => c.send(msg('R', i32(10), cstr('SCRAM-SHA-256'), Buffer.from([0]))),
      onPassword: (c) => c.send(msg('R', i32(11), 'r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096')),
    })
    await failsToConnect(f, PgProtocolError, /nonce does not extend/)
    await f.close()
  })

  it('the server closing during startup', async () => {
    const f = await fake({ onStartup: (c) => c.socket.end() })
    await failsToConnect(f, PgConnectionError, /server closed the connection/)
    await f.close()
  })

  it('connect timeout: a server that never answers the startup message', async () => {
    const f = await fake({ onStartup: () => {} })
    const t0 = Date.now()
    await assert.rejects(connect(f, 'sslmode=disable&connect_timeout=0.3'), { name: 'PgConnectionError', code: 'ETIMEDOUT', message: /timed out after 300 ms/ })
    assert.ok(Date.now() - t0 < 3000)
    await f.close()
  })

  it('connect timeout: a server that never answers the SSLRequest (sslmode=prefer)', async () => {
    const f = await fake({ onSslRequest: () => {} })
    await assert.rejects(connect(f, 'sslmode=prefer&connect_timeout=0.3'), { code: 'ETIMEDOUT' })
    await f.close()
  })

  it('connect timeout: a server that never finishes the TLS handshake', async () => {
    const f = await fake({ onSslRequest: (c) => c.send(Buffer.from('S')) })
    await assert.rejects(connect(f, 'sslmode=require&connect_timeout=0.3'), { code: 'ETIMEDOUT' })
    await f.close()
  })

  it('a server closing instead of answering the SSLRequest fails at once, even without a timeout', async () => {
    const f = await fake({ onSslRequest: (c) => c.socket.end() })
    await assert.rejects(connect(f, 'sslmode=prefer&connect_timeout=0'), { name: 'PgConnectionError', message: /closed the connection during SSL negotiation/ })
    await f.close()
  })

  it('SSLRequest answers: N with sslmode=require, garbage, or more than one byte', async () => {
    const cases: Array<[Buffer, RegExp, string]> = [
      [Buffer.from('N'), /does not support SSL, and sslmode is require/, 'ESSL'],
      [Buffer.from('X'), /unexpected answer 0x58 to SSLRequest/, 'EPROTO'],
      // More than the one byte: bytes a man in the middle could inject before TLS (CVE-2021-23222).
      [Buffer.concat([Buffer.from('S'), authOk()]), /unexpected answer to SSLRequest/, 'EPROTO'],
    ]
    for (const [answer, pattern, code] of cases) {
      const f = await fake({ onSslRequest: (c) => c.send(answer) })
      await assert.rejects(connect(f, 'sslmode=require&connect_timeout=2'), { message: pattern, code })
      await f.close()
    }
  })

  it('sslmode=prefer goes on without TLS when the server answers N', async () => {
    const f = await fake()
    const c = await connect(f, 'sslmode=prefer')
    assert.deepEqual((await c.query('SELECT 1')).rows, [{ n: '0' }])
    await c.close()
    await f.close()
  })

  it('a refused TCP connection names the address', async () => {
    const f = await fake()
    const url = f.url('sslmode=disable')
    await f.close()
    await assert.rejects(PgConnection.connect(parsePgUrl(url)), { name: 'PgConnectionError', code: 'ECONNREFUSED', message: /cannot connect to PostgreSQL at 127\.0\.0\.1:\d+/ })
  })
})

describe('flush(), simple queries and the pool against a fake backend', T, () => {
  it('flush() waits for a simple query in flight', async () => {
    const f = await fake({ onQuery: (c) => setTimeout(() => c.send(commandComplete('SELECT 1'), ready()), 50) })
    const c = await connect(f)
    let done = false
    const q = c.simpleQuery('SELECT pg_sleep(0.05)').then(() => (done = true))
    assert.equal(c.inFlight, true)
    await c.flush()
    assert.equal(done, true, 'flush resolved after the simple query')
    assert.equal(c.inFlight, false)
    await q
    await c.close()
    await f.close()
  })

  it('the pool takes back a connection with a simple query in flight once it completes', async () => {
    const f = await fake({ onQuery: (c) => setTimeout(() => c.send(rowDescription('x'), dataRow('1'), commandComplete('SELECT 1'), ready()), 50) })
    const pool = new PgPool({ ...parsePgUrl(f.url()), max: 1 })
    const c = await pool.acquire()
    const q = c.simpleQuery('SELECT 1')
    pool.release(c)
    const again = await pool.acquire()
    assert.equal(again, c)
    await q
    pool.release(again)
    await pool.end()
    await f.close()
  })

  it('a statement error whose ReadyForQuery comes in a later read does not make the pool drop the connection', async () => {
    const f = await fake({
      onSync: (client, batch) => {
        if (client.received.filter(([t]) => t === 'S').length === 1) {
          client.send(parseComplete(), errorResponse('22012', 'division by zero'))
          setTimeout(() => client.send(ready('I')), 30)
        } else client.send(answerAll(batch), ready())
      },
    })
    const pool = new PgPool({ ...parsePgUrl(f.url()), max: 1 })
    await assert.rejects(pool.query('SELECT 1/0'), { code: '22012' })
    // The next caller waits for the connection to come back (after its ReadyForQuery).
    assert.deepEqual((await pool.query('SELECT 1')).rows, [{ n: '0' }])
    assert.equal(pool.size, 1)
    assert.equal(f.clients.length, 1, 'one connection served both')
    await pool.end()
    await f.close()
  })

  it('pool.query rejects when the batch fails after the statement completed (implicit commit)', async () => {
    const f = await fake({
      onSync: (client, batch) =>
        client.send(answerAll(batch), errorResponse('40001', 'could not serialize access due to read/write dependencies among transactions'), ready('I')),
    })
    const pool = new PgPool({ ...parsePgUrl(f.url()), max: 1 })
    await assert.rejects(pool.query('INSERT INTO t VALUES (1)'), { code: '40001' })
    await pool.end()
    await f.close()
  })
})
