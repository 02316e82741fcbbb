/**
 * The callbacks registry's guarantees (src/ml2/callbacks/registry.ts): order, priority, vetoes,
 * after-failure isolation, payload types. The precommit rollback through a real transaction is in
 * test/unit/ml2/callbacks-lifecycle.test.ts.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { adminContext } from '../../../src/common/context.js'
import { Conflict } from '../../../src/common/exceptions.js'
import { memoryLogger } from '../../../src/common/log.js'
import { Registry } from '../../../src/ml2/callbacks/registry.js'
import type { EventPayload } from '../../../src/ml2/callbacks/payload.js'
import { PRIORITY_DEFAULT } from '../../../src/ml2/callbacks/priorities.js'

const ctx = adminContext()
const payload = (id = 'p1'): EventPayload<'port'> => ({ context: ctx, resourceId: id })

describe('callbacks registry', () => {
  it('runs subscribers by priority, equal priorities in subscription order', async () => {
    const r = new Registry(memoryLogger())
    const seen: string[] = []
    r.subscribe(async function late() { seen.push('late') }, 'port', 'after_create', PRIORITY_DEFAULT + 1)
    r.subscribe(async function first() { seen.push('first') }, 'port', 'after_create')
    r.subscribe(async function second() { seen.push('second') }, 'port', 'after_create')
    r.subscribe(async function early() { seen.push('early') }, 'port', 'after_create', 10)
    r.subscribe(async function other() { seen.push('other') }, 'network', 'after_create')
    await r.publish('port', 'after_create', null, payload())
    assert.deepEqual(seen, ['early', 'first', 'second', 'late'])
  })

  it('awaits each subscriber before the next', async () => {
    const r = new Registry(memoryLogger())
    const seen: string[] = []
    r.subscribe(async () => { await new Promise((res) => setTimeout(res, 20)); seen.push('slow') }, 'port', 'after_update')
    r.subscribe(() => { seen.push('fast') }, 'port', 'after_update')
    await r.publish('port', 'after_update', null, payload())
    assert.deepEqual(seen, ['slow', 'fast'])
  })

  it('subscribing the same callback twice is a no-op; unsubscribe removes it', async () => {
    const r = new Registry(memoryLogger())
    let n = 0
    const cb = () => { n++ }
    r.subscribe(cb, 'subnet', 'after_delete')
    r.subscribe(cb, 'subnet', 'after_delete')
    await r.publish('subnet', 'after_delete', null, { context: ctx, resourceId: 's' })
    assert.equal(n, 1)
    assert.equal(r.has('subnet', 'after_delete'), true)
    r.unsubscribe(cb, 'subnet', 'after_delete')
    assert.equal(r.has('subnet', 'after_delete'), false)
    await r.publish('subnet', 'after_delete', null, { context: ctx, resourceId: 's' })
    assert.equal(n, 1)
  })

  for (const event of ['before_delete', 'precommit_create', 'precommit_update', 'before_create'] as const) {
    it(`${event}: the first failing subscriber stops the loop with its own error`, async () => {
      const r = new Registry(memoryLogger())
      const seen: string[] = []
      const refusal = new Conflict('refused by the test')
      r.subscribe(() => { seen.push('a') }, 'port', event)
      r.subscribe(() => { throw refusal }, 'port', event)
      r.subscribe(() => { seen.push('c') }, 'port', event)
      await assert.rejects(r.publish('port', event, null, payload()), (e) => e === refusal)
      assert.deepEqual(seen, ['a'])
    })
  }

  for (const event of ['after_create', 'after_update', 'after_delete', 'after_bind'] as const) {
    it(`${event}: a failing subscriber is logged by name and the others still run`, async () => {
      const log = memoryLogger()
      const r = new Registry(log)
      const seen: string[] = []
      r.subscribe(function notifyAgents() { throw new Error('agent queue gone') }, 'port', event, 1)
      r.subscribe(async function journal() { seen.push('journal') }, 'port', event)
      await r.publish('port', event, null, payload('port-9'))
      assert.deepEqual(seen, ['journal'])
      const line = log.lines.find((l) => l.includes('notifyAgents'))
      assert.ok(line, log.lines.join('\n'))
      assert.match(line, /ERROR .*notifyAgents port\.\w+ \(port-9\): Error: agent queue gone/)
    })
  }

  it('a publish in flight keeps the subscribers it started with', async () => {
    const r = new Registry(memoryLogger())
    const seen: string[] = []
    const late = () => { seen.push('late') }
    r.subscribe(() => { seen.push('first'); r.subscribe(late, 'port', 'after_create') }, 'port', 'after_create')
    await r.publish('port', 'after_create', null, payload())
    assert.deepEqual(seen, ['first'])
  })

  it('rejects a callback that is not a function', () => {
    const r = new Registry(memoryLogger())
    assert.throws(() => r.subscribe(undefined as never, 'port', 'after_create'), /not a function/)
  })

  it('payloads are typed per resource (checked by tsc)', async () => {
    const r = new Registry(memoryLogger())
    let mac = ''
    r.subscribe((_res, _ev, _trigger, p) => {
      // A port payload's `current` is a Port: its fields are known to the compiler.
      mac = p.current?.mac_address ?? ''
      // @ts-expect-error a Port has no `cidr`
      void p.current?.cidr
      // @ts-expect-error portCheck is a port extra, not a network one
      void (null as unknown as EventPayload<'network'>).portCheck
    }, 'port', 'after_create')
    const current = { mac_address: 'fa:16:3e:00:00:01' } as EventPayload<'port'>['current']
    await r.publish('port', 'after_create', null, { ...payload(), current })
    assert.equal(mac, 'fa:16:3e:00:00:01')
    // @ts-expect-error 'volume' is not a resource of the registry
    r.subscribe(() => {}, 'volume', 'after_create')
    // @ts-expect-error 'after_frobnicate' is not an event
    r.subscribe(() => {}, 'port', 'after_frobnicate')
  })
})
