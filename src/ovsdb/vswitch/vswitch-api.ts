/**
 * Typed Open_vSwitch helpers, one transaction per call as ovs-vsctl does (ovsdbapp's
 * `schema/open_vswitch/api.py` shape). Every mutator is idempotent on request: `mayExist` for
 * adds, `ifExists` for deletes.
 *
 * Only Open_vSwitch, QoS, Queue and Flow_Sample_Collector_Set are root tables, so a port is
 * added as Interface + Port + a mutation of Bridge.ports in one transaction (unreferenced
 * non-root rows are garbage-collected, RFC 7047 §3.2), and deleting a bridge or port only has
 * to drop the reference.
 *
 * Commands are functions run inside one `Replica.transact()`: `api.run(cmd1, cmd2…)` batches
 * several in one transaction; they see each other's effects (a port added to a bridge created
 * earlier in the same batch). Set mutations on one row are merged into one `mutate`, so adding
 * 10,000 ports costs 20,001 operations, not 30,000.
 */
import type { OvsdbClient } from '../client.js'
import { Replica, type TxnResult } from '../replica.js'
import type { Operation } from '../operations.js'
import { ReplicaTxn } from '../replica-txn.js'
import { VSWITCH_TABLES, type VswitchReplicaTables } from './vswitch-tables.js'
import { CommandContext, VswitchError, type Command } from './command-context.js'
import { ensure, type BridgeSpec, type PortSpec } from './ensure.js'

type Bridge = VswitchReplicaTables['Bridge']
type Interface = VswitchReplicaTables['Interface']
type OpenVSwitch = VswitchReplicaTables['Open_vSwitch']
type Port = VswitchReplicaTables['Port']

export const VSWITCH_DB = 'Open_vSwitch'

export { VSWITCH_TABLES, VSWITCH_UNREPLICATED, type VswitchReplicaTables } from './vswitch-tables.js'
export { CommandContext, VswitchError, type Command } from './command-context.js'
export { ensure, type BridgeSpec, type PortSpec, type OpenVSwitchSpec, type ControllerSpec, type MapPatch } from './ensure.js'

export interface AddBridgeOptions {
  mayExist?: boolean
  datapathType?: string
  failMode?: 'standalone' | 'secure'
  protocols?: Bridge['protocols']
  externalIds?: Record<string, string>
}
export interface AddPortOptions {
  mayExist?: boolean
  /** Interface type, e.g. "internal", "vxlan" (default: system). */
  type?: string
  options?: Record<string, string>
  externalIds?: Record<string, string>
  ifaceExternalIds?: Record<string, string>
  tag?: number
}

/** Command builders; each returns a Command for `VswitchApi.run()`. */
export const cmd = {
  addBridge(name: string, o: AddBridgeOptions = {}): Command {
    return (ctx) => {
      if (ctx.bridge(name) || ctx.newBridges.has(name)) {
        if (o.mayExist) return
        throw new VswitchError(`cannot create a bridge named ${name} because a bridge named ${name} already exists`)
      }
      const t = ctx.txn
      const iface = t.insert('Interface', { name, type: 'internal' })
      const port = t.insert('Port', { name, interfaces: [iface] })
      const br = t.insert('Bridge', {
        name,
        ports: [port],
        ...(o.datapathType !== undefined ? { datapath_type: o.datapathType } : {}),
        ...(o.failMode !== undefined ? { fail_mode: o.failMode } : {}),
        ...(o.protocols !== undefined ? { protocols: o.protocols } : {}),
        ...(o.externalIds !== undefined ? { external_ids: o.externalIds } : {}),
      })
      ctx.newBridges.set(name, br)
      ctx.newPorts.set(name, { bridge: name, ref: port })
      ctx.addToSet('Open_vSwitch', ctx.root()._uuid, 'bridges', [br])
    }
  },

  delBridge(name: string, o: { ifExists?: boolean } = {}): Command {
    return (ctx) => {
      const br = ctx.bridge(name)
      if (!br) {
        if (o.ifExists) return
        throw new VswitchError(`no bridge named ${name}`)
      }
      // Ports, interfaces and controllers go with it: they are no longer referenced.
      ctx.txn.removeFromSet('Open_vSwitch', ctx.root()._uuid, 'bridges', [br._uuid])
    }
  },

  addPort(bridge: string, name: string, o: AddPortOptions = {}): Command {
    return (ctx) => {
      const br = ctx.bridge(bridge)
      const brRef = br?._uuid ?? ctx.newBridges.get(bridge)
      if (!brRef) throw new VswitchError(`no bridge named ${bridge}`)
      const existing = ctx.port(name)
      if (existing || ctx.newPorts.has(name)) {
        const onBridge = existing ? !!br && br.ports.includes(existing._uuid) : ctx.newPorts.get(name)!.bridge === bridge
        if (o.mayExist && onBridge) return
        if (o.mayExist) throw new VswitchError(`"--may-exist add-port ${bridge} ${name}" but ${name} is on another bridge`)
        throw new VswitchError(`cannot create a port named ${name} because a port named ${name} already exists on bridge ${bridge}`)
      }
      const t = ctx.txn
      const iface = t.insert('Interface', {
        name,
        ...(o.type !== undefined ? { type: o.type } : {}),
        ...(o.options !== undefined ? { options: o.options } : {}),
        ...(o.ifaceExternalIds !== undefined ? { external_ids: o.ifaceExternalIds } : {}),
      })
      const port = t.insert('Port', {
        name,
        interfaces: [iface],
        ...(o.tag !== undefined ? { tag: o.tag } : {}),
        ...(o.externalIds !== undefined ? { external_ids: o.externalIds } : {}),
      })
      ctx.newPorts.set(name, { bridge, ref: port })
      // A bridge created earlier in this transaction is addressed by its uuid-name.
      ctx.addToSet('Bridge', brRef, 'ports', [port])
    }
  },

  delPort(name: string, o: { bridge?: string; ifExists?: boolean } = {}): Command {
    return (ctx) => {
      const port = ctx.port(name)
      const br = port && [...ctx.replica.rows('Bridge').values()].find((b) => (o.bridge === undefined || b.name === o.bridge) && b.ports.includes(port._uuid))
      if (!port || !br) {
        if (o.ifExists) return
        throw new VswitchError(o.bridge ? `bridge ${o.bridge} does not have a port ${name}` : `no port named ${name}`)
      }
      ctx.deletedPorts.add(name)
      ctx.txn.removeFromSet('Bridge', br._uuid, 'ports', [port._uuid])
    }
  },

  /**
   * Replaces the bridge's controllers (ovs-vsctl set-controller), reusing the Controller rows
   * of targets it already has: calling it again with the same targets writes nothing.
   */
  setController(bridge: string, targets: string[]): Command {
    const e = ensure.bridge(bridge, { controllers: targets })
    return (ctx) => {
      mustBridge(ctx, bridge)
      e(ctx)
    }
  },
  delController(bridge: string): Command {
    return (ctx) => ctx.txn.update('Bridge', mustBridge(ctx, bridge)._uuid, { controller: [] })
  },
  /**
   * Replaces the managers (ovs-vsctl set-manager), reusing rows of targets already present;
   * ovsdb-server dials them when configured with db:Open_vSwitch,Open_vSwitch,manager_options.
   */
  setManager(targets: string[]): Command {
    return ensure.openVSwitch({ managers: targets })
  },
  delManager(): Command {
    return (ctx) => ctx.txn.update('Open_vSwitch', ctx.root()._uuid, { manager_options: [] })
  },
  setFailMode(bridge: string, mode: 'standalone' | 'secure' | null): Command {
    return (ctx) => ctx.txn.update('Bridge', mustBridge(ctx, bridge)._uuid, { fail_mode: mode })
  },
  setProtocols(bridge: string, protocols: Bridge['protocols']): Command {
    return (ctx) => ctx.txn.update('Bridge', mustBridge(ctx, bridge)._uuid, { protocols })
  },
  /** Sets keys of Interface.options, keeping the others (ovs-vsctl set interface X options:k=v). */
  setInterfaceOptions(iface: string, options: Record<string, string>): Command {
    return (ctx) => ctx.txn.setMapKeys('Interface', mustIface(ctx, iface)._uuid, 'options', options)
  },
  setInterfaceExternalIds(iface: string, ids: Record<string, string>): Command {
    return (ctx) => ctx.txn.setMapKeys('Interface', mustIface(ctx, iface)._uuid, 'external_ids', ids)
  },
  setBridgeExternalIds(bridge: string, ids: Record<string, string>): Command {
    return (ctx) => ctx.txn.setMapKeys('Bridge', mustBridge(ctx, bridge)._uuid, 'external_ids', ids)
  },
}

function mustBridge(ctx: CommandContext, name: string): Bridge {
  const b = ctx.bridge(name)
  if (!b) throw new VswitchError(`no bridge named ${name}`)
  return b
}
function mustIface(ctx: CommandContext, name: string): Interface {
  const i = ctx.replica.lookup('Interface', 'name', name)
  if (!i) throw new VswitchError(`no interface named ${name}`)
  return i
}

export class VswitchApi {
  readonly replica: Replica<VswitchReplicaTables>

  constructor(replica: Replica<VswitchReplicaTables>) {
    this.replica = replica
  }

  /** Builds the replica the helpers need on an open client. */
  static async create(client: OvsdbClient, extraTables: Record<string, readonly string[] | true> = {}): Promise<VswitchApi> {
    return new VswitchApi(await Replica.create<VswitchReplicaTables>(client, { db: VSWITCH_DB, tables: { ...VSWITCH_TABLES, ...extraTables } }))
  }

  /**
   * Runs commands in one transaction (retried on TRY_AGAIN); returns what each command returned.
   * Commands that find nothing to change add no operation, and a transaction without operations
   * is not sent at all: running `ensure*` commands on a switch in the desired state writes nothing.
   */
  run(...commands: Command<unknown>[]): Promise<TxnResult<unknown[]>> {
    return this.replica.transact((txn) => {
      const ctx = new CommandContext(txn, this.replica)
      const out = commands.map((c) => c(ctx))
      ctx.flush()
      return out
    })
  }

  /**
   * Compute, without applying: the operations `run(...commands)` would send now, as data (empty
   * when the switch is already in the state the commands describe). Throws the commands' usage
   * errors (VswitchError, ValidationError) like `run` would.
   */
  plan(...commands: Command<unknown>[]): Operation[] {
    if (!this.replica.synced) throw new VswitchError('replica not synced yet')
    const txn = new ReplicaTxn(this.replica)
    const ctx = new CommandContext(txn, this.replica)
    for (const c of commands) c(ctx)
    ctx.flush()
    return txn.operations
  }

  /** Would `run(...commands)` write anything now? */
  wouldWrite(...commands: Command<unknown>[]): boolean {
    return this.plan(...commands).length > 0
  }

  /** Brings a bridge to `spec` in one transaction (created if missing); writes nothing if it already is. */
  async ensureBridge(name: string, spec?: BridgeSpec): Promise<void> {
    await this.run(ensure.bridge(name, spec))
  }
  /** Brings a port and its interface to `spec` in one transaction (created if missing). */
  async ensurePort(bridge: string, name: string, spec?: PortSpec): Promise<void> {
    await this.run(ensure.port(bridge, name, spec))
  }

  bridge(name: string): Bridge | undefined {
    return this.replica.lookup('Bridge', 'name', name)
  }
  port(name: string): Port | undefined {
    return this.replica.lookup('Port', 'name', name)
  }
  iface(name: string): Interface | undefined {
    return this.replica.lookup('Interface', 'name', name)
  }
  /** Port names of a bridge. */
  listPorts(bridge: string): string[] {
    const b = this.bridge(bridge)
    if (!b) throw new VswitchError(`no bridge named ${bridge}`)
    return b.ports.map((u) => this.replica.get('Port', u)?.name).filter((n): n is string => !!n && n !== bridge).sort()
  }

  async addBridge(name: string, o?: AddBridgeOptions): Promise<void> {
    await this.run(cmd.addBridge(name, o))
  }
  async delBridge(name: string, o?: { ifExists?: boolean }): Promise<void> {
    await this.run(cmd.delBridge(name, o))
  }
  async addPort(bridge: string, name: string, o?: AddPortOptions): Promise<void> {
    await this.run(cmd.addPort(bridge, name, o))
  }
  async delPort(name: string, o?: { bridge?: string; ifExists?: boolean }): Promise<void> {
    await this.run(cmd.delPort(name, o))
  }
  async setController(bridge: string, targets: string[]): Promise<void> {
    await this.run(cmd.setController(bridge, targets))
  }
  async delController(bridge: string): Promise<void> {
    await this.run(cmd.delController(bridge))
  }
  async setManager(targets: string[]): Promise<void> {
    await this.run(cmd.setManager(targets))
  }
  async delManager(): Promise<void> {
    await this.run(cmd.delManager())
  }
  async setFailMode(bridge: string, mode: 'standalone' | 'secure' | null): Promise<void> {
    await this.run(cmd.setFailMode(bridge, mode))
  }
  async setProtocols(bridge: string, protocols: Bridge['protocols']): Promise<void> {
    await this.run(cmd.setProtocols(bridge, protocols))
  }
  async setInterfaceOptions(iface: string, options: Record<string, string>): Promise<void> {
    await this.run(cmd.setInterfaceOptions(iface, options))
  }
  async setInterfaceExternalIds(iface: string, ids: Record<string, string>): Promise<void> {
    await this.run(cmd.setInterfaceExternalIds(iface, ids))
  }
}
