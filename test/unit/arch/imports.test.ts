/**
 * The house layering, checked on every import of src/ (type-only imports included):
 *
 * - each folder imports only itself and the folders LAYERS allows it (a new layer is one line);
 *   the libraries (ovsdb, openflow, db/pg, messaging) import nothing outside themselves;
 * - no import circle inside src/ml2 or src/api;
 * - outside src/ml2 (composition roots in src/apps aside) nobody imports a concrete class from it:
 *   they get ML2 as `Ml2Service` (src/ml2/service.ts); folders in ML2_SERVICE_ONLY may import only
 *   ML2's public modules.
 *
 * The checks run on the real tree and, first, on small made-up graphs, to show each one can fail.
 */
import assert from 'node:assert/strict'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { circles, exportedClasses, folderOf, importEdges, readSources, type ImportEdge } from './import-graph.js'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src')

/** Folder (under src/) → the other folders it may import. '*' = anything (composition roots). */
const LAYERS: Readonly<Record<string, readonly string[] | '*'>> = {
  // Libraries with no Neutrino imports: usable (and testable) on their own.
  ovsdb: [],
  openflow: [],
  'db/pg': [],
  messaging: [],
  // Leaves.
  common: [],
  ipam: [],
  // conf validates transport_url with the messaging library's own parser (a standalone library).
  conf: ['messaging'],
  policy: ['common'],
  auth: ['common'],
  quota: ['common', 'db'],
  db: ['common', 'db/pg'],
  // The Neutron server: api → l3 → ml2 → db.
  ml2: ['common', 'db', 'ipam', 'quota'],
  l3: ['ml2', 'common', 'db', 'ipam'],
  api: ['l3', 'ml2', 'common', 'db', 'ipam', 'policy', 'quota', 'auth'],
  // db: ml2-backend.ts reads the tables only the agents' RPC uses (tunnel endpoints, provisioning blocks).
  'agent-rpc': ['ml2', 'messaging', 'common', 'conf', 'db'],
  // The SDN controller: controller → dataplane → openflow, ovsdb. Never ml2/api/l3.
  dataplane: ['openflow', 'ovsdb'],
  controller: ['dataplane', 'openflow', 'ovsdb', 'conf', 'common', 'db'],
  migration: ['common', 'db', 'db/pg', 'ml2'],
  cli: ['apps', 'common', 'conf', 'db', 'migration', 'policy', 'ovsdb'],
  // One composition root per process: wires everything.
  apps: '*',
}

/** Folders whose files must not import from each other in a circle. */
const NO_CIRCLES = ['ml2', 'api']

/** ML2's public surface; folders listed in ML2_SERVICE_ONLY may import nothing else of ML2. */
// mech-l2population.ts: its FDB types are what agent-rpc casts (the class itself stays private).
const ML2_PUBLIC = ['ml2/service.ts', 'ml2/resource-types.ts', 'ml2/driver-api.ts', 'ml2/callbacks/', 'ml2/mech/mech-l2population.ts']
const ML2_SERVICE_ONLY = ['agent-rpc', 'l3']

function layerViolations(edges: readonly ImportEdge[], files: Iterable<string>): string[] {
  const folders = Object.keys(LAYERS)
  const out: string[] = []
  for (const f of files) if (!folderOf(f, folders)) out.push(`${f}: in no folder of LAYERS (add its folder)`)
  for (const e of edges) {
    const [from, to] = [folderOf(e.from, folders), folderOf(e.to, folders)]
    if (!from || !to || from === to) continue
    const allowed = LAYERS[from]!
    if (allowed !== '*' && !allowed.includes(to)) out.push(`${e.from} → ${e.to}: ${from} may not import ${to}`)
  }
  return out
}

function circleViolations(edges: readonly ImportEdge[]): string[] {
  const inside = (f: string) => NO_CIRCLES.some((d) => f.startsWith(d + '/'))
  return circles(edges.filter((e) => inside(e.from) && inside(e.to))).map((c) => c.join(' ↔ '))
}

function ml2BoundaryViolations(edges: readonly ImportEdge[], sources: ReadonlyMap<string, string>): string[] {
  const out: string[] = []
  for (const e of edges) {
    if (e.from.startsWith('ml2/') || e.from.startsWith('apps/') || !e.to.startsWith('ml2/')) continue
    const classes = exportedClasses(sources.get(e.to) ?? '')
    for (const n of e.names) if (classes.has(n)) out.push(`${e.from} imports the class ${n} from ${e.to}`)
    const folder = folderOf(e.from, ML2_SERVICE_ONLY)
    if (folder && !ML2_PUBLIC.some((p) => e.to === p || (p.endsWith('/') && e.to.startsWith(p)))) {
      out.push(`${e.from} → ${e.to}: ${folder} may use only ML2's public modules (${ML2_PUBLIC.join(', ')})`)
    }
  }
  return out
}

const edge = (from: string, to: string, names: string[] = []): ImportEdge => ({ from, to, names })

describe('import rules', () => {
  describe('catch what they are written for (made-up graphs)', () => {
    it('a library importing outside itself', () => {
      const v = layerViolations([edge('ovsdb/client.ts', 'common/log.ts'), edge('db/pg/conn.ts', 'db/engine.ts')], [])
      assert.equal(v.length, 2, v.join('\n'))
    })
    it('a lower layer importing a higher one; the controller importing ml2', () => {
      const v = layerViolations(
        [edge('ml2/port-ops.ts', 'l3/plugin.ts'), edge('db/engine.ts', 'ml2/x.ts'), edge('controller/c.ts', 'ml2/service.ts'), edge('dataplane/d.ts', 'conf/index.ts')],
        [],
      )
      assert.equal(v.length, 4, v.join('\n'))
      assert.deepEqual(layerViolations([edge('l3/a.ts', 'ml2/service.ts'), edge('controller/c.ts', 'dataplane/d.ts')], []), [])
    })
    it('a file in a folder the rules do not know', () => {
      assert.equal(layerViolations([], ['newlayer/x.ts']).length, 1)
    })
    it('a circle in ml2 or api, type imports included', () => {
      assert.equal(circleViolations([edge('ml2/a.ts', 'ml2/b.ts'), edge('ml2/b.ts', 'ml2/c.ts'), edge('ml2/c.ts', 'ml2/a.ts')]).length, 1)
      assert.equal(circleViolations([edge('api/server.ts', 'api/resources.ts'), edge('api/resources.ts', 'api/server.ts')]).length, 1)
      assert.deepEqual(circleViolations([edge('ml2/a.ts', 'ml2/b.ts'), edge('ml2/b.ts', 'ml2/c.ts')]), [])
    })
    it('a concrete ML2 class imported from outside, or a private ML2 module from l3 / agent-rpc', () => {
      const sources = new Map([['ml2/binding.ts', 'export class PortContextImpl {}\nexport interface BindingResult {}']])
      const v = ml2BoundaryViolations(
        [edge('api/x.ts', 'ml2/binding.ts', ['PortContextImpl', 'BindingResult']), edge('agent-rpc/n.ts', 'ml2/port-ops.ts'), edge('apps/server/app.ts', 'ml2/binding.ts', ['PortContextImpl'])],
        sources,
      )
      assert.equal(v.length, 2, v.join('\n'))
      assert.deepEqual(ml2BoundaryViolations([edge('agent-rpc/n.ts', 'ml2/callbacks/registry.ts', ['CallbacksRegistry'])], new Map()), [])
    })
  })

  describe('hold on src/', () => {
    const sources = readSources(SRC)
    const edges = importEdges(sources)
    it('reads the tree', () => {
      assert.ok(sources.size > 100 && edges.length > 300, `${sources.size} files, ${edges.length} imports`)
    })
    it('every folder imports only what LAYERS allows', () => {
      assert.deepEqual(layerViolations(edges, sources.keys()), [])
    })
    it('no import circle in src/ml2 or src/api', () => {
      assert.deepEqual(circleViolations(edges), [])
    })
    it('outside src/ml2, ML2 is used through its service interface', () => {
      assert.deepEqual(ml2BoundaryViolations(edges, sources), [])
    })
  })
})
