/**
 * The nodes (hypervisors) the controller manages, as the OVSDB southbound reports them: one entry
 * per connected `Open_vSwitch` database, whatever the connection mode (passive or active). The
 * northbound's hostconfigs are derived from it (odl-northbound.md §4), so networking-odl's
 * pseudo-agent binding sees exactly the hypervisors that are connected now.
 */
import { EventEmitter } from 'node:events'
import { type Hostconfig, type HostconfigOptions, hostconfigOf, type NodeFacts } from '../hostconfig.js'

export interface NodeRegistryEvents {
  node_up: [NodeFacts]
  node_down: [NodeFacts]
}

export class NodeRegistry extends EventEmitter<NodeRegistryEvents> {
  readonly #nodes = new Map<string, NodeFacts>()
  readonly #o: HostconfigOptions

  constructor(o: HostconfigOptions) {
    super()
    this.#o = o
  }

  /** A node connected or its facts changed (keyed by its Open_vSwitch uuid). */
  upsert(n: NodeFacts): void {
    const known = this.#nodes.has(n.uuid)
    this.#nodes.set(n.uuid, n)
    if (!known) this.emit('node_up', n)
  }

  remove(uuid: string): void {
    const n = this.#nodes.get(uuid)
    if (!n) return
    this.#nodes.delete(uuid)
    this.emit('node_down', n)
  }

  nodes(): NodeFacts[] {
    return [...this.#nodes.values()]
  }

  hostconfigs(): Hostconfig[] {
    const out: Hostconfig[] = []
    for (const n of this.#nodes.values()) {
      const h = hostconfigOf(n, this.#o)
      if (h) out.push(h)
    }
    return out.sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0))
  }
}
