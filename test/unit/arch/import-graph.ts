/**
 * The import graph of src/: every relative `import`/`export … from`/`import()` of every .ts file,
 * type-only imports included (a type import couples two modules as much as a value import does).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

export interface ImportEdge {
  /** Importing file, relative to src/ (e.g. 'ml2/port-ops.ts'). */
  readonly from: string
  /** Imported file, relative to src/. */
  readonly to: string
  /** Named imports (`import { A, type B }` → ['A', 'B']); empty for namespace/side-effect imports. */
  readonly names: readonly string[]
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g

export function readSources(srcDir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) walk(p)
      else if (p.endsWith('.ts')) out.set(relative(srcDir, p), readFileSync(p, 'utf8'))
    }
  }
  walk(srcDir)
  return out
}

export function importEdges(sources: ReadonlyMap<string, string>): ImportEdge[] {
  const edges: ImportEdge[] = []
  for (const [file, text] of sources) {
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4]!
      const to = relative('/', resolve('/', dirname(file), spec)).replace(/\.js$/, '.ts')
      const clause = m[2] ?? ''
      const names = [...(clause.match(/\{([^}]*)\}/)?.[1] ?? '').split(',')]
        .map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim())
        .filter(Boolean)
      edges.push({ from: file, to, names })
    }
  }
  return edges
}

/** The folder a file belongs to for the layer rules: the longest key of `folders` that is a prefix. */
export function folderOf(file: string, folders: readonly string[]): string | undefined {
  let best: string | undefined
  for (const f of folders) if ((file === f || file.startsWith(f + '/')) && (!best || f.length > best.length)) best = f
  return best
}

/** Strongly connected components with more than one file (Tarjan): the import circles. */
export function circles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>()
  for (const e of edges) if (e.from !== e.to) next.set(e.from, [...(next.get(e.from) ?? []), e.to])
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: string[][] = []
  let i = 0
  const visit = (v: string) => {
    index.set(v, i)
    low.set(v, i++)
    stack.push(v)
    onStack.add(v)
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1) out.push(scc.sort())
    }
  }
  for (const v of next.keys()) if (!index.has(v)) visit(v)
  return out
}

/** Names a file declares as `export class` (concrete classes). */
export function exportedClasses(text: string): Set<string> {
  return new Set([...text.matchAll(/export\s+(?:abstract\s+)?class\s+(\w+)/g)].map((m) => m[1]!))
}
