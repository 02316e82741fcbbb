/**
 * `neutrino node join` against a real ovsdb-server: sets the manager, local_ip, provider
 * mappings and the host id in one transaction; a second run writes nothing; bad arguments get
 * one line and exit 2 and change nothing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Writable } from 'node:stream'
import { runNodeJoin } from '../../../src/cli/node-join.js'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])

function sink(): Writable & { text: string } {
  const w = new Writable({ write(chunk, _e, cb) { w.text += String(chunk); cb() } }) as Writable & { text: string }
  w.text = ''
  return w
}

async function join(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = sink()
  const stderr = sink()
  const code = await runNodeJoin(args, { stdout, stderr })
  return { code, out: stdout.text, err: stderr.text }
}

describe('neutrino node join', { skip }, () => {
  let sb: OvsdbSandbox
  before(async () => { sb = await OvsdbSandbox.start() })
  after(async () => { await sb?.kill('SIGTERM') })

  it('does what the article did with ovs-vsctl, once', async () => {
    const args = ['join', '--manager', 'tcp:192.0.2.1:6640', '--local-ip', '192.0.2.21', '--bridge-mappings', 'physnet1:br-phys', '--host-id', 'hv21', '--db', sb.endpoint]
    const r = await join(args)
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /joined hv21 to tcp:192\.0\.2\.1:6640 .*change/)
    assert.equal(sb.vsctl('get-manager'), 'tcp:192.0.2.1:6640')
    assert.equal(sb.vsctl('get', 'open_vswitch', '.', 'other_config:local_ip'), '"192.0.2.21"')
    assert.equal(sb.vsctl('get', 'open_vswitch', '.', 'other_config:provider_mappings'), '"physnet1:br-phys"')
    assert.equal(sb.vsctl('get', 'open_vswitch', '.', 'external_ids:system-id'), 'hv21')
    const again = await join(args)
    assert.equal(again.code, 0, again.err)
    assert.match(again.out, /already so, nothing written/)
    assert.equal(sb.vsctl('--columns=target', '--bare', 'list', 'manager').split('\n').filter(Boolean).length, 1, 'the Manager row is reused')
  })

  it('refuses bad arguments with one line, exit 2, and changes nothing', async () => {
    const before = sb.vsctl('get', 'open_vswitch', '.', 'other_config')
    for (const [args, msg] of [
      [['join', '--local-ip', '192.0.2.21'], /--manager is required/],
      [['join', '--manager', 'tcp:6640', '--local-ip', '192.0.2.21'], /--manager 'tcp:6640' is not/],
      [['join', '--manager', 'tcp:192.0.2.1:6640', '--local-ip', 'nope'], /--local-ip 'nope' is not an IPv4 address/],
      [['join', '--manager', 'tcp:192.0.2.1:6640', '--local-ip', '192.0.2.21', '--bridge-mappings', 'physnet1'], /'physnet1' is not physnet:bridge/],
      [['join', '--manager', 'tcp:192.0.2.1:6640', '--local-ip', '192.0.2.21', '--bogus'], /Unknown option '--bogus'/],
      [['leave'], /unknown subcommand 'leave'/],
    ] as const) {
      const r = await join(args[0] === 'leave' ? [...args] : [...args, '--db', sb.endpoint])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`)
      assert.match(r.err, msg)
      assert.equal(r.err.trim().split('\n').length, 1)
    }
    assert.equal(sb.vsctl('get', 'open_vswitch', '.', 'other_config'), before)
    const help = await join(['join', '--help'])
    assert.equal(help.code, 0)
    assert.match(help.out, /usage: neutrino node join --manager/)
  })

  it('reports an unreachable database without a stack trace (exit 1)', async () => {
    const r = await join(['join', '--manager', 'tcp:192.0.2.1:6640', '--local-ip', '192.0.2.21', '--db', `unix:${sb.dir}/nothing.sock`])
    assert.equal(r.code, 1)
    assert.match(r.err, /cannot reach ovsdb-server at unix:.*nothing\.sock/)
  })
})
