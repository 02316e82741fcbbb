/**
 * Unit-test fixture: the in-process OVSDB server (src/ovsdb/testing) serving the committed
 * Open_vSwitch schema, with the root Open_vSwitch row created (as `ovs-vsctl init` does).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MemoryOvsdbServer, type MemoryServerOptions } from '../../src/ovsdb/testing/memory-server.js'

export const VSWITCH_SCHEMA: unknown = JSON.parse(readFileSync(fileURLToPath(new URL('../../src/ovsdb/vswitch/vswitch.ovsschema', import.meta.url)), 'utf8'))

export interface FakeVswitch {
  server: MemoryOvsdbServer
  /** Active endpoint to dial (tcp:127.0.0.1:PORT or unix:PATH). */
  endpoint: string
  close(): Promise<void>
}

export async function startFakeVswitch(options: Partial<MemoryServerOptions> & { unix?: boolean } = {}): Promise<FakeVswitch> {
  const server = new MemoryOvsdbServer({ schemas: [VSWITCH_SCHEMA], ...options })
  const dir = options.unix ? mkdtempSync(join(tmpdir(), 'ovsdb-fake-')) : undefined
  const endpoint = await server.listen(dir ? `punix:${join(dir, 'db.sock')}` : 'ptcp:0:127.0.0.1')
  const r = server.db('Open_vSwitch').execute([{ op: 'insert', table: 'Open_vSwitch', row: {} }], { ownsLock: () => false })
  if (!r.changes) throw new Error(`fake init failed: ${JSON.stringify(r.results)}`)
  return {
    server,
    endpoint,
    async close() {
      await server.close()
      if (dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
