/**
 * The controller's one loop (issue 13, "Compute, then apply"): on every store change or node
 * change (debounced, one run in flight, a change during a run triggers one more), compute the
 * desired state from the store and the nodes, then per node apply the OVSDB rows (ensure: no
 * write when right) and the flows (diff against the dump: no flow mod when right), then report
 * the node's live ports ACTIVE. Reconciliation after a restart is the same computation; it only
 * starts once every node ever programmed is connected with its switch (or `startupGraceMs` has
 * passed), so a partial view never deletes what is right. Counters go to the log.
 */
import type { Logger } from '../../common/log.js'
import { nodeFlows } from '../../dataplane/node-flows.js'
import { nodeOvsdbRows } from '../../dataplane/ovsdb-rows.js'
import type { PortStatusBook } from '../port-status.js'
import { desiredFromStore, indexDesired, type StoreView } from '../state/desired-from-store.js'
import type { KnownNodes } from '../state/known-nodes.js'
import type { NetworkTags } from '../state/network-tags.js'
import type { FlowSync } from './flow-sync.js'
import type { OvsdbSouthbound } from './ovsdb-southbound.js'

export interface ReconcilerOptions {
  readonly store: StoreView & { on(e: 'change', f: () => void): unknown }
  readonly tags: NetworkTags
  readonly known: KnownNodes
  readonly ovsdb: OvsdbSouthbound
  readonly flows: FlowSync
  readonly portStatus: PortStatusBook
  readonly integrationBridge: string
  readonly openflowListen: string
  readonly log: Logger
  readonly debounceMs?: number
  readonly startupGraceMs?: number
  readonly now?: () => number
}

export class Reconciler {
  readonly #o: ReconcilerOptions
  readonly #startedAt: number
  #timer: NodeJS.Timeout | undefined
  #running = false
  #again = false
  #closed = false
  #gateOpen = false
  /** port id → host id of every port we reported ACTIVE. */
  readonly #active = new Map<string, string>()
  runs = 0
  #lastSkipped = ''

  constructor(o: ReconcilerOptions) {
    this.#o = o
    this.#startedAt = (o.now ?? Date.now)()
    o.store.on('change', () => this.schedule())
    o.ovsdb.on('change', () => this.schedule())
    o.ovsdb.on('node_down', (host) => this.#nodeGone(host))
    o.flows.listener.on('switch', () => this.schedule())
    o.flows.listener.on('switch_disconnected', () => this.schedule())
    // the grace period ends even if nothing else happens
    const grace = o.startupGraceMs ?? 30_000
    if (grace > 0) setTimeout(() => this.schedule(), grace + 10).unref()
    this.schedule()
  }

  schedule(): void {
    if (this.#closed) return
    if (this.#running) { this.#again = true; return }
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#run()
    }, this.#o.debounceMs ?? 50)
  }

  async #run(): Promise<void> {
    this.#running = true
    try {
      await this.#once()
    } catch (e) {
      this.#o.log.error(`reconcile failed: ${(e as Error).message}`)
      // retry later: a node may have dropped mid-apply
      setTimeout(() => this.schedule(), 1000).unref()
    } finally {
      this.#running = false
      if (this.#again) { this.#again = false; this.schedule() }
    }
  }

  /** Every known node connected (OVSDB up and switch connected), or the grace period is over. */
  #complete(): boolean {
    if (this.#gateOpen) return true
    const up = new Set(this.#o.ovsdb.hostIds())
    const ready = (h: string): boolean => {
      const dp = this.#o.ovsdb.datapathId(h)
      return up.has(h) && dp !== undefined && this.#o.flows.switchOf(dp) !== undefined
    }
    const all = this.#o.known.ids().every(ready)
    const late = (this.#o.now ?? Date.now)() - this.#startedAt >= (this.#o.startupGraceMs ?? 30_000)
    if (all || late) {
      this.#gateOpen = true
      this.#o.log.info(`complete view of the nodes (${all ? 'all known nodes connected' : 'startup grace period over'}): reconciling`)
    }
    return this.#gateOpen
  }

  async #once(): Promise<void> {
    const o = this.#o
    if (!this.#complete()) return
    this.runs++
    await o.tags.sync(o.store.list('networks').map((n) => n.id))
    const views = o.ovsdb.views()
    const desired = desiredFromStore(o.store, views, o.tags.snapshot())
    const { index, skipped } = indexDesired(desired)
    const notProgrammed = skipped.join('\n')
    // said once per change, not on every run
    if (notProgrammed !== this.#lastSkipped) for (const s of skipped) o.log.warn(`not programmed: ${s}`)
    this.#lastSkipped = notProgrammed
    const inStore = new Set(o.store.list('ports').map((p) => p.id))
    for (const v of views) {
      const target = o.ovsdb.controllerTarget(v.id, o.openflowListen, o.flows.port)
      const rows = nodeOvsdbRows(index, v.id, { integrationBridge: o.integrationBridge, controllerTargets: target ? [target] : [] })
      const ops = await o.ovsdb.apply(v.id, rows)
      const dp = o.ovsdb.datapathId(v.id)
      const conn = dp === undefined ? undefined : o.flows.switchOf(dp)
      if (!conn) {
        if (ops) o.log.info(`node ${v.id}: ovsdb_ops=${ops} (switch not connected yet)`)
        continue
      }
      const r = await o.flows.sync(conn, nodeFlows(index, v.id))
      await o.known.add(v.id)
      o.log.info(`node ${v.id}: flow_mods=${r.sent} ovsdb_ops=${ops} flows=${r.installed}; totals flow_mods=${o.flows.modsSent} ovsdb_ops=${o.ovsdb.opsSent}`)
      const live = new Set(index.livePorts.filter((p) => p.node.id === v.id).map((p) => p.port.id))
      for (const id of live) { o.portStatus.set(id, 'ACTIVE'); this.#active.set(id, v.id) }
      for (const [id, host] of this.#active) {
        if (host !== v.id || live.has(id)) continue
        this.#active.delete(id)
        // a deleted port is forgotten; one that is only unplugged or admin-down is DOWN
        if (inStore.has(id)) o.portStatus.set(id, 'DOWN')
        else o.portStatus.forget(id)
      }
    }
  }

  #nodeGone(host: string): void {
    for (const [id, h] of this.#active) {
      if (h === host) { this.#active.delete(id); this.#o.portStatus.set(id, 'DOWN') }
    }
  }

  close(): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
  }
}
