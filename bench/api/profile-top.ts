/**
 * The functions a V8 CPU profile (`--cpu-prof`, e.g. from run.ts or cpu-split.ts --cpu-prof DIR)
 * spent most samples in: self time, and total time (self + callees) per function, as shares of
 * the profile. Enough to see where a request's CPU goes without opening DevTools.
 *
 *   node --import tsx bench/api/profile-top.ts FILE.cpuprofile [--top N=25] [--match TEXT]
 *
 * --match keeps only the samples whose stack contains a function or file matching TEXT (e.g.
 * `show` or `resources.ts`), so one request path can be read on its own.
 */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}

const argv = process.argv.slice(2)
const file = argv.find((a) => !a.startsWith('--') && argv[argv.indexOf(a) - 1] !== '--top' && argv[argv.indexOf(a) - 1] !== '--match')
if (!file) throw new Error('usage: profile-top.ts FILE.cpuprofile [--top N] [--match TEXT]')
const top = argv.includes('--top') ? Number(argv[argv.indexOf('--top') + 1]) : 25
const match = argv.includes('--match') ? argv[argv.indexOf('--match') + 1] : undefined
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile

const byId = new Map(p.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(src|dist|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`

const self = new Map<string, number>()
const total = new Map<string, number>()
let all = 0
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i] ?? 0
  const stack: string[] = []
  for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) stack.push(label(byId.get(id)!))
  if (match && !stack.some((s) => s.includes(match))) continue
  if (stack[0]?.startsWith('(idle)')) continue
  all += dt
  self.set(stack[0]!, (self.get(stack[0]!) ?? 0) + dt)
  for (const s of new Set(stack)) total.set(s, (total.get(s) ?? 0) + dt)
}
const pct = (t: number) => `${((100 * t) / all).toFixed(1).padStart(5)} %`
console.log(`${(all / 1000).toFixed(0)} ms of non-idle samples${match ? ` under "${match}"` : ''}`)
console.log('self:')
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(t)}  ${k}`)
console.log('total (self + callees):')
for (const [k, t] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(t)}  ${k}`)
