import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DatabaseUnavailable, RetryRequest } from '../../../src/common/exceptions.js'
import { isUnreachable, withStartupRetries } from '../../../src/db/connect.js'
import { statementLogger } from '../../../src/apps/server/app.js'

const coded = (code: string) => Object.assign(new Error(`boom ${code}`), { code })

function attempts(failures: Error[]) {
  let n = 0
  const slept: number[] = []
  const retried: number[] = []
  const first = async () => {
    const e = failures[n++]
    if (e) throw e
    return 'ok'
  }
  return { first, slept, retried, calls: () => n, sleep: async (ms: number) => void slept.push(ms) }
}

test('waits while the database is unreachable, then goes on', async () => {
  const a = attempts([coded('ECONNREFUSED'), coded('ENOENT'), coded('57P03')])
  const r = await withStartupRetries(a.first, { maxRetries: 5, intervalSeconds: 2, onRetry: (_e, n) => a.retried.push(n), sleep: a.sleep })
  assert.equal(r, 'ok')
  assert.equal(a.calls(), 4)
  assert.deepEqual(a.retried, [1, 2, 3])
  assert.deepEqual(a.slept, [2000, 2000, 2000])
})

test('gives up after max_retries retries with the last error', async () => {
  const a = attempts([coded('ECONNREFUSED'), coded('ECONNREFUSED'), coded('ECONNREFUSED'), coded('ECONNREFUSED')])
  await assert.rejects(withStartupRetries(a.first, { maxRetries: 2, intervalSeconds: 0, onRetry: () => {}, sleep: a.sleep }), /database not reachable after 3 attempts: boom ECONNREFUSED/)
  assert.equal(a.calls(), 3) // the first attempt and two retries
})

test('max_retries = -1 retries until the database answers', async () => {
  const a = attempts(Array.from({ length: 30 }, () => coded('ETIMEDOUT')))
  assert.equal(await withStartupRetries(a.first, { maxRetries: -1, intervalSeconds: 0, onRetry: () => {}, sleep: a.sleep }), 'ok')
  assert.equal(a.calls(), 31)
})

test('a wrong password or a missing database fails at once', async () => {
  for (const code of ['28P01', '3D000', undefined]) {
    const a = attempts([code ? coded(code) : new Error('no code')])
    await assert.rejects(withStartupRetries(a.first, { maxRetries: 10, intervalSeconds: 0, onRetry: () => {}, sleep: a.sleep }))
    assert.equal(a.calls(), 1, String(code))
  }
  assert.equal(isUnreachable(coded('EPROTO')), false)
})

test("the PostgreSQL engine's lost-connection retry counts as unreachable; other retries do not", () => {
  assert.equal(isUnreachable(new RetryRequest('database connection lost: ENOENT', new DatabaseUnavailable())), true)
  assert.equal(isUnreachable(new RetryRequest('duplicate key')), false)
})

test('connection_debug: nothing below 50, statements from 50, parameters at 100', () => {
  const lines: string[] = []
  const log = { info: (m: string) => lines.push(m) } as any
  assert.equal(statementLogger(0, log), undefined)
  assert.equal(statementLogger(49, log), undefined)
  statementLogger(50, log)!('SELECT 1 WHERE x = ?', ['secret-ish'])
  statementLogger(100, log)!('SELECT 1 WHERE x = ?', ['v'])
  statementLogger(100, log)!('COMMIT', [])
  assert.deepEqual(lines, ['SELECT 1 WHERE x = ?', 'SELECT 1 WHERE x = ? ["v"]', 'COMMIT'])
})
