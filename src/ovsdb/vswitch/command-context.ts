/**
 * What the vswitch commands share: a `Command` is a function of the `CommandContext` of one
 * transaction, which knows the replica, the txn and what earlier commands of the same batch
 * created or deleted (so they see each other's effects).
 */
import { OvsdbError } from '../errors.js'
import type { Replica } from '../replica.js'
import type { ReplicaTxn } from '../replica-txn.js'
import type { VswitchReplicaTables } from './vswitch-tables.js'

type Bridge = VswitchReplicaTables['Bridge']
type OpenVSwitch = VswitchReplicaTables['Open_vSwitch']
type Port = VswitchReplicaTables['Port']

/** An ovs-vsctl-style usage error ("no bridge named br0"). */
export class VswitchError extends OvsdbError {
  override readonly name = 'VswitchError'
}

/** Shared state of the commands of one transaction. */
export class CommandContext {
  readonly txn: ReplicaTxn
  readonly replica: Replica<VswitchReplicaTables>
  /** name → uuid or uuid-name of bridges/ports created in this transaction. */
  readonly newBridges = new Map<string, string>()
  readonly newPorts = new Map<string, { bridge: string; ref: string }>()
  readonly deletedPorts = new Set<string>()
  #setAdds = new Map<string, { table: string; uuid: string; column: string; values: string[] }>()

  constructor(txn: ReplicaTxn, replica: Replica<VswitchReplicaTables>) {
    this.txn = txn
    this.replica = replica
  }
  root(): OpenVSwitch {
    const r = this.replica.rows('Open_vSwitch').values().next().value as OpenVSwitch | undefined
    if (!r) throw new VswitchError('database has no Open_vSwitch row (run ovs-vsctl init)')
    return r
  }
  bridge(name: string): Bridge | undefined {
    return this.replica.lookup('Bridge', 'name', name)
  }
  port(name: string): Port | undefined {
    return this.deletedPorts.has(name) ? undefined : this.replica.lookup('Port', 'name', name)
  }
  /** Queues elements to add to a set column; flushed as one mutate per row. */
  addToSet(table: string, uuid: string, column: string, values: string[]): void {
    const k = `${table}\0${uuid}\0${column}`
    const e = this.#setAdds.get(k)
    if (e) e.values.push(...values)
    else this.#setAdds.set(k, { table, uuid, column, values: [...values] })
  }
  flush(): void {
    for (const e of this.#setAdds.values()) this.txn.addToSet(e.table, e.uuid, e.column, e.values)
    this.#setAdds.clear()
  }
}

export type Command<R = void> = (ctx: CommandContext) => R

