/**
 * Version negotiation and dispatch as oslo_messaging/rpc/dispatcher.py, and failure serialisation
 * checked against the real neutron-server's failure replies (test/fixtures/agents-rpc/failure-replies.jsonl).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { dispatch, versionIsCompatible } from '../../../src/messaging/dispatcher.js'
import { deserializeFailure, serializeFailure, type FailureDict } from '../../../src/messaging/failure.js'
import type { RpcEndpoint, RpcHandler } from '../../../src/messaging/types.js'

const ep = (version: string, names: string[], namespace: string | null = null): RpcEndpoint => ({
  namespace, version, methods: new Map(names.map((n): [string, RpcHandler] => [n, () => `${version}:${n}`])),
})

describe('versionIsCompatible (endpoint version, message version)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['1.4', '1.0', true], ['1.4', '1.4', true], ['1.4', '1.5', false], ['1.4', '2.0', false], ['2.0', '1.9', false],
    ['1.4', '1.4.1', false], ['1.4.2', '1.4.1', true], ['1.10', '1.9', true], ['1.4', 'x', false], ['1.4', '1', false],
  ]
  for (const [imp, v, ok] of cases) it(`${imp} vs ${v} → ${ok}`, () => assert.equal(versionIsCompatible(imp, v), ok))
})

describe('dispatch', () => {
  const endpoints = [ep('1.2', ['a']), ep('1.5', ['a', 'b']), ep('2.0', ['c'], 'ns')]
  it('invokes the first compatible endpoint that has the method', () => {
    const d = dispatch({ method: 'a', args: {}, version: '1.1' }, endpoints)
    assert.equal(d.kind, 'invoke')
    assert.equal(d.kind === 'invoke' && d.handler({}, {}), '1.2:a')
    const d2 = dispatch({ method: 'a', args: {}, version: '1.4' }, endpoints)
    assert.equal(d2.kind === 'invoke' && d2.handler({}, {}), '1.5:a')
  })
  it('defaults a missing version to 1.0 and matches namespaces exactly', () => {
    assert.equal(dispatch({ method: 'b', args: {} }, endpoints).kind, 'invoke')
    assert.equal(dispatch({ method: 'c', args: {}, version: '2.0', namespace: 'ns' }, endpoints).kind, 'invoke')
    const d = dispatch({ method: 'c', args: {}, version: '2.0' }, endpoints)
    assert.equal(d.kind === 'fail' && d.failure.class, 'UnsupportedVersion')
  })
  it('answers NoSuchMethod / UnsupportedVersion exactly as the real server', () => {
    const recorded = readFileSync(join(import.meta.dirname, '../../fixtures/agents-rpc/failure-replies.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const pairs: Array<[Record<string, unknown>, FailureDict]> = []
    for (let i = 0; i + 1 < recorded.length; i += 2) pairs.push([recorded[i].msg, JSON.parse(recorded[i + 1].msg.failure)])
    const checked = new Set<string>()
    const tunnel = [ep('1.4', ['tunnel_sync'])]
    for (const [req, real] of pairs) {
      if (real.module !== 'oslo_messaging.rpc.dispatcher') continue
      const d = dispatch(req, tunnel)
      assert.equal(d.kind, 'fail')
      if (d.kind !== 'fail') continue
      for (const k of ['class', 'module', 'message', 'args', 'kwargs'] as const) assert.deepEqual(d.failure[k], real[k], `${real.class}.${k}`)
      assert.match(d.failure.tb.at(-1)!, new RegExp(`${real.class}: `))
      checked.add(real.class)
    }
    assert.deepEqual([...checked].sort(), ['NoSuchMethod', 'UnsupportedVersion'])
  })
  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['missing method', { args: {} }, 'TypeError', /'method' must be a non-empty string, got nothing/],
    ['method not a string', { method: 7, args: {} }, 'TypeError', /'method' must be a non-empty string, got 7/],
    ['missing args', { method: 'a' }, 'TypeError', /for a: 'args' must be an object, got nothing/],
    ['args a list', { method: 'a', args: [1] }, 'TypeError', /'args' must be an object, got \[1\]/],
    ['version garbage', { method: 'a', args: {}, version: 'one' }, 'ValueError', /'version' must be 'X\.Y', got "one"/],
    ['version a number', { method: 'a', args: {}, version: 1.2 }, 'ValueError', /'version' must be 'X\.Y', got 1\.2/],
    ['namespace a number', { method: 'a', args: {}, namespace: 3 }, 'TypeError', /'namespace' must be a string or null/],
  ]
  for (const [name, msg, cls, re] of bad) {
    it(`refuses ${name} with builtins.${cls}`, () => {
      const d = dispatch(msg, endpoints)
      assert.equal(d.kind, 'fail')
      if (d.kind !== 'fail') return
      assert.equal(d.failure.class, cls)
      assert.equal(d.failure.module, 'builtins')
      assert.match(d.failure.message, re)
    })
  }
})

describe('failure serialisation', () => {
  it('re-serialises the recorded failure strings byte for byte', () => {
    const recorded = readFileSync(join(import.meta.dirname, '../../fixtures/agents-rpc/failure-replies.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const failures = recorded.map((r) => r.msg.failure).filter((f): f is string => typeof f === 'string')
    assert.equal(failures.length, 3)
    for (const f of failures) assert.equal(serializeFailure(JSON.parse(f)), f)
  })
  it('rebuilds a RemoteError from a failure, and survives a malformed one', () => {
    const e = deserializeFailure('{"class": "InvalidInput", "module": "neutron_lib.exceptions", "message": "m", "tb": ["x\\n"], "args": ["m"], "kwargs": {}}')
    assert.deepEqual([e.excClass, e.excModule, e.remoteMessage, e.tb, e.excArgs], ['InvalidInput', 'neutron_lib.exceptions', 'm', ['x\n'], ['m']])
    assert.equal(deserializeFailure('{oops').excClass, 'RemoteError')
    assert.equal(deserializeFailure('[1]').excClass, 'RemoteError')
  })
})

describe('UniqueIdCache', () => {
  it('remembers ids up to its capacity, forgetting the oldest first', async () => {
    const { UniqueIdCache } = await import('../../../src/messaging/unique-id-cache.js')
    const c = new UniqueIdCache(3)
    assert.deepEqual(['a', 'b', 'c', 'a'].map((x) => c.seen(x)), [false, false, false, true])
    assert.equal(c.seen('d'), false) // evicts a
    assert.deepEqual([c.seen('b'), c.seen('a')], [true, false])
  })
})
