/**
 * "Ensure" commands: bring a bridge, port or the Open_vSwitch row to a desired state, writing
 * only what differs — and nothing at all when the switch already is in that state. They are
 * ordinary `Command`s (vswitch-api.ts), so several run in ONE transaction, `VswitchApi.plan()`
 * returns the operations they would send (compute), `run()` sends them (apply), and
 * `wouldWrite()` answers "is this switch already right?".
 *
 * Desired-state rules, per kind of column:
 * - scalars and sets (`fail_mode`, `protocols`, `datapath_type`, `type`, `tag`): set when
 *   different (sets compare as sets); `undefined` leaves the column alone.
 * - `options` of an interface: exactly the given map (a stale `remote_ip` would misroute).
 * - `other_config` / `external_ids`: the given keys get the given values, `null` removes a key,
 *   keys not mentioned are left alone (OVS and other tools keep their own keys there).
 * - controllers / managers: exactly the given targets; existing Controller/Manager rows whose
 *   target is wanted are REUSED (and their settings corrected in place), only missing targets
 *   get new rows, so connections of ovs-vswitchd to a still-wanted controller are not reset.
 */
import { plainEqual } from '../row-diff.js'
import { VswitchError, type Command, type CommandContext } from './command-context.js'
import type { VswitchReplicaTables } from './vswitch-tables.js'

type Bridge = VswitchReplicaTables['Bridge']
type Controller = VswitchReplicaTables['Controller']
type Manager = VswitchReplicaTables['Manager']

/** Keys to set (string) or remove (null); other keys are left alone. */
export type MapPatch = Record<string, string | null>

export interface ControllerSpec {
  target: string
  /** 'out-of-band' disables in-band control for this controller (null = OVS default). */
  connectionMode?: Controller['connection_mode']
  /** ms; null = OVS default (5000). */
  inactivityProbe?: number | null
  /** ms; null = OVS default (8000). */
  maxBackoff?: number | null
}

export interface BridgeSpec {
  datapathType?: string
  failMode?: Bridge['fail_mode']
  protocols?: Bridge['protocols']
  /** Exactly these controllers (targets as strings or with settings); [] removes all. */
  controllers?: readonly (string | ControllerSpec)[]
  otherConfig?: MapPatch
  externalIds?: MapPatch
}

export interface PortSpec {
  /** Interface type ('' = system device, 'internal', 'vxlan', 'gre', 'geneve', 'patch', …). */
  type?: string
  /** Exactly these Interface.options (e.g. { remote_ip, key: 'flow', local_ip } or { peer }). */
  options?: Record<string, string>
  /** Port.tag (access VLAN); null removes it. */
  tag?: number | null
  externalIds?: MapPatch
  ifaceExternalIds?: MapPatch
  ifaceOtherConfig?: MapPatch
  ofportRequest?: number | null
}

export interface OpenVSwitchSpec {
  otherConfig?: MapPatch
  externalIds?: MapPatch
  /** Exactly these manager targets (rows reused as for controllers). */
  managers?: readonly (string | { target: string; inactivityProbe?: number | null })[]
}

function patchMap(ctx: CommandContext, table: string, uuid: string, column: string, current: Record<string, string>, patch: MapPatch | undefined): void {
  if (!patch) return
  const set: Record<string, string> = {}
  const del: string[] = []
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      if (Object.prototype.hasOwnProperty.call(current, k)) del.push(k)
    } else if (current[k] !== v) set[k] = v
  }
  if (Object.keys(set).length) ctx.txn.setMapKeys(table, uuid, column, set)
  if (del.length) ctx.txn.removeMapKeys(table, uuid, column, del)
}

/** Columns of `row` that differ from `want` (undefined entries of `want` are ignored). */
function diff(row: Record<string, unknown> | undefined, want: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [c, v] of Object.entries(want)) if (v !== undefined && (!row || !plainEqual(row[c], v))) out[c] = v
  return out
}

function noUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}

function mapFromPatch(p: MapPatch | undefined): Record<string, string> | undefined {
  if (!p) return undefined
  return Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => e[1] !== null))
}

/**
 * Reuses rows of `table` referenced by `current` whose target is wanted, corrects their
 * settings, inserts the missing ones; returns the refs the owner column must hold, or
 * undefined when the set of rows is already right.
 */
function ensureTargets(ctx: CommandContext, table: 'Controller' | 'Manager', current: readonly string[], specs: readonly { target: string; row: Record<string, unknown> }[]): string[] | undefined {
  const seen = new Set<string>()
  for (const s of specs) {
    if (seen.has(s.target)) throw new VswitchError(`${table.toLowerCase()} target ${s.target} given twice`)
    seen.add(s.target)
  }
  const byTarget = new Map<string, Controller | Manager>()
  for (const u of current) {
    const row = ctx.replica.get(table, u)
    if (row && !byTarget.has(row.target)) byTarget.set(row.target, row)
  }
  const refs: string[] = []
  for (const s of specs) {
    const existing = byTarget.get(s.target)
    if (existing) {
      const d = diff(existing, s.row)
      if (Object.keys(d).length) ctx.txn.update(table, existing._uuid, d)
      refs.push(existing._uuid)
    } else refs.push(ctx.txn.insert(table, { target: s.target, ...noUndefined(s.row) }))
  }
  return plainEqual(refs, [...current]) ? undefined : refs
}

function controllerRow(c: string | ControllerSpec): { target: string; row: Record<string, unknown> } {
  if (typeof c === 'string') return { target: c, row: {} }
  return { target: c.target, row: { connection_mode: c.connectionMode, inactivity_probe: c.inactivityProbe, max_backoff: c.maxBackoff } }
}

export const ensure = {
  /** Creates the bridge if missing, else brings it to `spec` (see the rules above). */
  bridge(name: string, spec: BridgeSpec = {}): Command {
    return (ctx) => {
      const scalars = { datapath_type: spec.datapathType, fail_mode: spec.failMode, protocols: spec.protocols }
      const br = ctx.bridge(name)
      if (!br) {
        if (ctx.newBridges.has(name)) throw new VswitchError(`bridge ${name} is created twice in one transaction`)
        const controller = spec.controllers ? ensureTargets(ctx, 'Controller', [], spec.controllers.map(controllerRow)) : undefined
        const iface = ctx.txn.insert('Interface', { name, type: 'internal' })
        const port = ctx.txn.insert('Port', { name, interfaces: [iface] })
        const ref = ctx.txn.insert('Bridge', {
          name,
          ports: [port],
          ...noUndefined(scalars),
          ...(controller ? { controller } : {}),
          ...(spec.otherConfig ? { other_config: mapFromPatch(spec.otherConfig) } : {}),
          ...(spec.externalIds ? { external_ids: mapFromPatch(spec.externalIds) } : {}),
        })
        ctx.newBridges.set(name, ref)
        ctx.newPorts.set(name, { bridge: name, ref: port })
        ctx.addToSet('Open_vSwitch', ctx.root()._uuid, 'bridges', [ref])
        return
      }
      const upd = diff(br, scalars)
      if (spec.controllers) {
        const refs = ensureTargets(ctx, 'Controller', br.controller, spec.controllers.map(controllerRow))
        if (refs) {
          // Rows we reuse must still exist when we commit (else: referential integrity error).
          ctx.txn.verify('Bridge', br._uuid, ['controller'])
          upd.controller = refs
        }
      }
      if (Object.keys(upd).length) ctx.txn.update('Bridge', br._uuid, upd)
      patchMap(ctx, 'Bridge', br._uuid, 'other_config', br.other_config, spec.otherConfig)
      patchMap(ctx, 'Bridge', br._uuid, 'external_ids', br.external_ids, spec.externalIds)
    }
  },

  /**
   * Creates the port (with one interface of the same name) on `bridge` if missing, else brings
   * it and its interface to `spec`. A port of that name on another bridge is an error.
   */
  port(bridge: string, name: string, spec: PortSpec = {}): Command {
    return (ctx) => {
      const br = ctx.bridge(bridge)
      const brRef = br?._uuid ?? ctx.newBridges.get(bridge)
      if (!brRef) throw new VswitchError(`no bridge named ${bridge}`)
      const ifaceCols = { type: spec.type, options: spec.options, ofport_request: spec.ofportRequest }
      const port = ctx.port(name)
      if (!port) {
        if (ctx.newPorts.has(name)) throw new VswitchError(`port ${name} is created twice in one transaction`)
        const iface = ctx.txn.insert('Interface', {
          name,
          ...noUndefined(ifaceCols),
          ...(spec.ifaceExternalIds ? { external_ids: mapFromPatch(spec.ifaceExternalIds) } : {}),
          ...(spec.ifaceOtherConfig ? { other_config: mapFromPatch(spec.ifaceOtherConfig) } : {}),
        })
        const ref = ctx.txn.insert('Port', {
          name,
          interfaces: [iface],
          ...(spec.tag !== undefined ? { tag: spec.tag } : {}),
          ...(spec.externalIds ? { external_ids: mapFromPatch(spec.externalIds) } : {}),
        })
        ctx.newPorts.set(name, { bridge, ref })
        ctx.addToSet('Bridge', brRef, 'ports', [ref])
        return
      }
      if (!br || !br.ports.includes(port._uuid)) {
        const owner = [...ctx.replica.rows('Bridge').values()].find((b) => b.ports.includes(port._uuid))
        throw new VswitchError(`port ${name} is on bridge ${owner?.name ?? '(none)'}, not on ${bridge}`)
      }
      if (spec.tag !== undefined && !plainEqual(port.tag, spec.tag)) ctx.txn.update('Port', port._uuid, { tag: spec.tag })
      patchMap(ctx, 'Port', port._uuid, 'external_ids', port.external_ids, spec.externalIds)
      const iface = port.interfaces.map((u) => ctx.replica.get('Interface', u)).find((i) => i?.name === name)
      if (!iface) throw new VswitchError(`port ${name} has no interface named ${name}`)
      const upd = diff(iface, ifaceCols)
      if (Object.keys(upd).length) ctx.txn.update('Interface', iface._uuid, upd)
      patchMap(ctx, 'Interface', iface._uuid, 'external_ids', iface.external_ids, spec.ifaceExternalIds)
      patchMap(ctx, 'Interface', iface._uuid, 'other_config', iface.other_config, spec.ifaceOtherConfig)
    }
  },

  /** Both ends of a patch link between two bridges (e.g. br-int ↔ br-phys). */
  patch(bridgeA: string, portA: string, bridgeB: string, portB: string, spec: Omit<PortSpec, 'type' | 'options'> = {}): Command {
    const a = ensure.port(bridgeA, portA, { ...spec, type: 'patch', options: { peer: portB } })
    const b = ensure.port(bridgeB, portB, { ...spec, type: 'patch', options: { peer: portA } })
    return (ctx) => {
      a(ctx)
      b(ctx)
    }
  },

  /** The Open_vSwitch row: other_config (e.g. local_ip), external_ids (system-id…), managers. */
  openVSwitch(spec: OpenVSwitchSpec): Command {
    return (ctx) => {
      const root = ctx.root()
      patchMap(ctx, 'Open_vSwitch', root._uuid, 'other_config', root.other_config, spec.otherConfig)
      patchMap(ctx, 'Open_vSwitch', root._uuid, 'external_ids', root.external_ids, spec.externalIds)
      if (spec.managers) {
        const rows = spec.managers.map((m) => (typeof m === 'string' ? { target: m, row: {} } : { target: m.target, row: { inactivity_probe: m.inactivityProbe } }))
        const refs = ensureTargets(ctx, 'Manager', root.manager_options, rows)
        if (refs) {
          ctx.txn.verify('Open_vSwitch', root._uuid, ['manager_options'])
          ctx.txn.update('Open_vSwitch', root._uuid, { manager_options: refs })
        }
      }
    }
  },
}
