/**
 * Interop with the real oslo.messaging 14 (Debian python3-oslo.messaging, /usr/bin/python3) over a
 * private RabbitMQ: an oslo RPC client calls our RpcServer (results, NoSuchMethod and
 * UnsupportedVersion rebuilt as the dispatcher's classes, a RemoteFailure as RemoteError), an
 * oslo RPC server answers our calls, and a fanout cast from each side reaches the other.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { RemoteError, RemoteFailure, type AmqpTransport } from '../../../src/messaging/index.js'
import { needComponent } from '../../helpers/components.js'
import { rabbitSkipReason, startRabbit, type RabbitNode } from '../../helpers/rabbitmq.js'
import { endpoint, transportFor, until, type MemLog } from './helpers.js'

const PY = '/usr/bin/python3'
const PEER = join(import.meta.dirname, 'oslo_peer.py')

function osloSkipReason(): string | undefined {
  const missing = needComponent('python3', [PY])
  if (missing) return missing
  if (spawnSync(PY, ['-c', 'import oslo_messaging, kombu'], { stdio: 'ignore' }).status === 0) return undefined
  const msg = 'python3-oslo.messaging missing; run scripts/install-test-deps.sh'
  if (process.env.CI === 'true') throw new Error(msg)
  return msg
}

const skip = rabbitSkipReason() ?? osloSkipReason()

/** Runs the peer and collects its JSON lines. */
function peer(args: string[]): { p: ChildProcessWithoutNullStreams; lines: Array<Record<string, unknown>>; stderr: () => string; exited: Promise<number | null> } {
  const p = spawn(PY, [PEER, ...args], { stdio: 'pipe' })
  const lines: Array<Record<string, unknown>> = []
  let buf = ''
  let err = ''
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString()
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      try { lines.push(JSON.parse(line)) } catch { err += `non-JSON stdout: ${line}\n` }
    }
  })
  p.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8000) })
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)))
  return { p, lines, stderr: () => err, exited }
}

describe('interop with the real oslo.messaging', { skip, timeout: 240_000 }, () => {
  let node: RabbitNode
  let ours: { t: AmqpTransport; log: MemLog }
  const notes: string[] = []
  let pyServer: ReturnType<typeof peer> | undefined

  before(async () => {
    node = await startRabbit()
    ours = transportFor(node.url)
    const server = ours.t.rpcServer({
      target: { topic: 'nmq-interop', server: 'ours' },
      fanout: true,
      endpoints: [endpoint('1.3', {
        echo: (ctx, args) => ({ args, request_id: ctx.request_id }),
        note: (_ctx, args) => { notes.push(String(args.k)) },
        refuse: () => { throw new RemoteFailure('InvalidInput', 'neutron_lib.exceptions', 'Invalid input for operation: no.') },
        crash: () => { throw new Error('internal detail') },
      })],
    })
    await ours.t.waitConnected()
    await server.start()
  })

  after(async () => {
    if (pyServer && pyServer.p.exitCode === null) {
      pyServer.p.stdin.end()
      const t = setTimeout(() => pyServer?.p.kill('SIGKILL'), 20_000)
      await pyServer.exited
      clearTimeout(t)
    }
    await ours?.t.close()
    await node?.stop()
  })

  it('an oslo.messaging client calls our RPC server and fanout-casts to it', async () => {
    const c = peer(['client', node.url, 'nmq-interop', 'ours'])
    const code = await c.exited
    assert.equal(code, 0, c.stderr())
    const step = (s: string) => c.lines.find((l) => l.step === s)
    assert.deepEqual(step('echo'), { step: 'echo', result: { args: { n: 1, s: 'é' }, request_id: 'req-oslo' } })
    assert.deepEqual(step('no_such_method'), { step: 'no_such_method', exception: 'NoSuchMethod', module: 'oslo_messaging.rpc.dispatcher', message: 'Endpoint does not support RPC method no_such_method' })
    assert.deepEqual(step('unsupported_version'), { step: 'unsupported_version', exception: 'UnsupportedVersion', module: 'oslo_messaging.rpc.dispatcher', message: 'Endpoint does not support RPC version 9.0. Attempted method: echo' })
    assert.deepEqual(step('refuse'), { step: 'refuse', remote_error: 'InvalidInput', value: 'Invalid input for operation: no.' })
    assert.deepEqual(step('crash'), { step: 'crash', exception: 'Exception', module: 'builtins', message: 'Unexpected error in RPC method crash (request req-oslo); see the server log' })
    await until('the fanout cast from python', () => notes.includes('from-python'))
  })

  it('an oslo.messaging server answers our calls and receives our fanout cast', async () => {
    pyServer = peer(['server', node.url, 'nmq-interop-py', 'py'])
    await until('the python server ready', () => pyServer!.lines.some((l) => l.ready === true) || (pyServer!.p.exitCode !== null && assert.fail(pyServer!.stderr())), 60_000)
    const target = { topic: 'nmq-interop-py', version: '1.1' }
    assert.deepEqual(await ours.t.call(target, 'add', { a: 2, b: 3 }, { ctx: { request_id: 'req-ts' }, timeoutMs: 30_000 }), { sum: 5, request_id: 'req-ts' })
    assert.deepEqual(await ours.t.call({ ...target, server: 'py' }, 'add', { a: 40, b: 2 }, { timeoutMs: 30_000 }), { sum: 42, request_id: null })
    await assert.rejects(ours.t.call(target, 'fail', {}, { timeoutMs: 30_000 }), (e: unknown) => e instanceof RemoteError && e.excClass === 'ValueError' && e.excModule === 'builtins' && e.remoteMessage === 'python says no')
    await assert.rejects(ours.t.call({ ...target, version: '1.2' }, 'add', { a: 1, b: 1 }, { timeoutMs: 30_000 }), (e: unknown) => e instanceof RemoteError && e.excClass === 'UnsupportedVersion')
    await ours.t.cast({ topic: 'nmq-interop-py', fanout: true, version: '1.0' }, 'note', { k: 'from-ts' })
    await until('python got the fanout cast', () => pyServer!.lines.some((l) => l.note === 'from-ts'))
  })
})
