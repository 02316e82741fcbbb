/**
 * Runs the Usage block of docs/ovsdb.md as it stands, against a private ovsdb-server: only the
 * endpoints (socket, listen address, dial target) and the import path are swapped. The doc's
 * example used to fail (two replicas on one client shared a monitor id); now it is checked.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { needComponent } from '../../helpers/components.js'
import { OvsdbSandbox } from '../../helpers/ovs-sandbox.js'

const skip = needComponent('ovsdb-server', ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl'])
const root = new URL('../../../', import.meta.url)

/** The first ```ts block after "## Usage". */
function usageBlock(): string {
  const md = readFileSync(new URL('docs/ovsdb.md', root), 'utf8')
  const m = /## Usage[\s\S]*?```ts\n([\s\S]*?)```/.exec(md)
  if (!m) throw new Error('docs/ovsdb.md has no ```ts block under ## Usage')
  return m[1]!
}

describe('docs/ovsdb.md Usage example', { skip, timeout: 60_000 }, () => {
  let sb: OvsdbSandbox
  const dir = mkdtempSync(join(tmpdir(), 'nod-ovsdb-doc-'))
  before(async () => {
    sb = await OvsdbSandbox.start()
  })
  after(async () => {
    await sb?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs as written and does what it says', async () => {
    const code = usageBlock()
    const swaps: [string, string][] = [
      ["'./ovsdb/index.js'", JSON.stringify(new URL('src/ovsdb/index.ts', root).href)],
      ["'unix:/run/openvswitch/db.sock'", JSON.stringify(sb.endpoint)],
      ["'ptcp:6640:0.0.0.0'", "'ptcp:0:127.0.0.1'"],
      ["'tcp:192.0.2.13:6640'", JSON.stringify(sb.endpoint)],
    ]
    let runnable = code
    for (const [from, to] of swaps) {
      assert.ok(runnable.includes(from), `the example no longer contains ${from}`)
      runnable = runnable.replaceAll(from, to)
    }
    const file = join(dir, 'usage-example.mts')
    writeFileSync(file, runnable)
    await import(pathToFileURL(file).href)
    assert.equal(sb.vsctl('list-br'), 'br-ex\nbr-int')
    assert.equal(sb.vsctl('list-ports', 'br-int'), 'tap0\nvxlan-c0000202')
    assert.equal(sb.vsctl('get', 'Bridge', 'br-int', 'external_ids:gen'), '"1"')
    assert.equal(sb.vsctl('get-controller', 'br-int'), 'tcp:127.0.0.1:6653')
    assert.equal(sb.vsctl('get', 'Interface', 'vxlan-c0000202', 'options:key'), 'flow')
  })
})
