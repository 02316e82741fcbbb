/**
 * /metrics with api_workers > 1: each worker has its own registry, and a scrape reaches one
 * worker (the kernel balances connections). So the worker that gets the scrape asks the primary,
 * which gathers every worker's metrics over the cluster IPC channel and merges them with
 * prom-client's `AggregatorRegistry.aggregate` (counters and histograms summed, process gauges by
 * their own aggregator) — the figures of the whole server, whichever worker answers.
 * Messages carry a `neutrinoMetrics` tag so they never mix with anything else on the channel.
 */
import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry, type Registry } from 'prom-client'

type Msg =
  | { neutrinoMetrics: 'request'; id: number }
  | { neutrinoMetrics: 'collect'; id: number }
  | { neutrinoMetrics: 'collected'; id: number; metrics: object[] }
  | { neutrinoMetrics: 'aggregated'; id: number; text?: string; error?: string }

const isMsg = (m: unknown): m is Msg => typeof m === 'object' && m !== null && 'neutrinoMetrics' in m

/** Primary: answers the workers' scrape requests with the merged metrics of all live workers. */
export function serveClusterMetrics(timeoutMs = 5000): void {
  let next = 0
  const pending = new Map<number, { want: number; got: object[][]; done(): void }>()
  cluster.on('message', (worker: Worker, m: unknown) => {
    if (!isMsg(m)) return
    if (m.neutrinoMetrics === 'collected') {
      const p = pending.get(m.id)
      if (!p) return
      p.got.push(m.metrics)
      if (p.got.length === p.want) p.done()
      return
    }
    if (m.neutrinoMetrics !== 'request') return
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected())
    const id = ++next
    const entry = { want: workers.length, got: [] as object[][], done: () => {} }
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      entry.done = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    pending.set(id, entry)
    for (const w of workers) w.send({ neutrinoMetrics: 'collect', id } satisfies Msg)
    void finished
      .then(() => AggregatorRegistry.aggregate(entry.got).metrics())
      .then(
        (text) => reply(worker, { neutrinoMetrics: 'aggregated', id: m.id, text }),
        (e) => reply(worker, { neutrinoMetrics: 'aggregated', id: m.id, error: String((e as Error)?.message ?? e) }),
      )
      .finally(() => pending.delete(id))
  })
}

function reply(w: Worker, m: Msg): void {
  if (w.isConnected()) w.send(m)
}

/**
 * Worker: sends its registry when the primary collects, and returns the function /metrics uses
 * to get the merged text.
 */
export function workerMetrics(registry: Registry, timeoutMs = 10_000): () => Promise<string> {
  let next = 0
  const waiting = new Map<number, { resolve(t: string): void; reject(e: Error): void }>()
  process.on('message', (m: unknown) => {
    if (!isMsg(m)) return
    if (m.neutrinoMetrics === 'collect') {
      void registry.getMetricsAsJSON().then((metrics) => process.send?.({ neutrinoMetrics: 'collected', id: m.id, metrics } satisfies Msg))
    } else if (m.neutrinoMetrics === 'aggregated') {
      const w = waiting.get(m.id)
      waiting.delete(m.id)
      if (m.text !== undefined) w?.resolve(m.text)
      else w?.reject(new Error(m.error ?? 'metrics aggregation failed'))
    }
  })
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = ++next
      const timer = setTimeout(() => {
        waiting.delete(id)
        reject(new Error('the primary did not answer'))
      }, timeoutMs)
      waiting.set(id, {
        resolve: (t) => (clearTimeout(timer), resolve(t)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
      process.send?.({ neutrinoMetrics: 'request', id } satisfies Msg)
    })
}
