/**
 * What a vswitch replica monitors, declared once: every column of the tables the helpers and a
 * controller read, except counters that ovs-vswitchd rewrites every few seconds
 * (`other_config:stats-update-interval`, 5 s by default) — replicating those would turn each
 * idle hypervisor into a steady stream of update2 notifications.
 *
 * The row types follow from the same declaration (`VswitchReplicaTables`): a column that is not
 * monitored is not in the type, so the typed model never promises a value the replica does not
 * hold (`test/unit/ovsdb/vswitch-tables.test.ts` checks the runtime lists against the schema).
 */
import { TABLE_COLUMNS, type VswitchTables } from './model.js'

/** Columns deliberately left out of the replica (periodic counters), per replicated table. */
export const VSWITCH_UNREPLICATED = {
  Open_vSwitch: ['statistics'],
  Bridge: [],
  Port: ['statistics', 'rstp_statistics'],
  Interface: ['statistics'],
  Controller: [],
  Manager: [],
} as const satisfies Record<string, readonly string[]>

type ReplicatedTable = keyof typeof VSWITCH_UNREPLICATED
type Unreplicated<K extends ReplicatedTable> = (typeof VSWITCH_UNREPLICATED)[K][number]

/** Row types of a vswitch replica: the generated model minus the unreplicated columns. */
export type VswitchReplicaTables = { [K in ReplicatedTable]: Omit<VswitchTables[K], Unreplicated<K>> }

function replicated<K extends ReplicatedTable>(table: K): readonly string[] {
  const skip = new Set<string>(VSWITCH_UNREPLICATED[table])
  return TABLE_COLUMNS[table].filter((c) => !skip.has(c))
}

/** Tables and columns a vswitch replica monitors (the helpers need these; see above). */
export const VSWITCH_TABLES: { readonly [K in ReplicatedTable]: readonly string[] } = {
  Open_vSwitch: replicated('Open_vSwitch'),
  Bridge: replicated('Bridge'),
  Port: replicated('Port'),
  Interface: replicated('Interface'),
  Controller: replicated('Controller'),
  Manager: replicated('Manager'),
}
