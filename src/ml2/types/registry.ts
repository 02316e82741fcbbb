/**
 * The built-in type drivers by entry-point name (`[ml2] type_drivers`), built from one plain
 * options object so wiring from the parsed config is a single call.
 */
import type { TypeDriver } from '../driver-api.js'
import type { MtuOptions } from './mtu.js'
import type { IdRange } from './ranges.js'
import type { TypeLogger } from './segment-allocator.js'
import { FlatTypeDriver } from './type-flat.js'
import { GreTypeDriver } from './type-gre.js'
import { LocalTypeDriver } from './type-local.js'
import { VlanTypeDriver } from './type-vlan.js'
import { VxlanTypeDriver } from './type-vxlan.js'

export interface TypeDriversConfig {
  /** `[ml2_type_flat] flat_networks` (Zed default `['*']`). */
  flatNetworks?: readonly string[]
  networkVlanRanges?: ReadonlyMap<string, readonly IdRange[]>
  tunnelIdRanges?: readonly IdRange[]
  vniRanges?: readonly IdRange[]
  /** `[DEFAULT] global_physnet_mtu` (1500), `[ml2] path_mtu` (0), `[ml2] physical_network_mtus`. */
  mtu?: MtuOptions
  overlayIpVersion?: 4 | 6
  log?: TypeLogger
}

export const BUILTIN_TYPE_DRIVERS = ['local', 'flat', 'vlan', 'gre', 'vxlan'] as const

/** Builds the named drivers; an unknown name throws (the caller can catch and log instead). */
export function createTypeDrivers(names: readonly string[], cfg: TypeDriversConfig = {}): Map<string, TypeDriver> {
  const out = new Map<string, TypeDriver>()
  const common = { mtu: cfg.mtu, log: cfg.log }
  for (const name of names) {
    if (out.has(name)) continue
    switch (name) {
      case 'local':
        out.set(name, new LocalTypeDriver())
        break
      case 'flat':
        out.set(name, new FlatTypeDriver({ ...common, flatNetworks: cfg.flatNetworks ?? ['*'] }))
        break
      case 'vlan':
        out.set(name, new VlanTypeDriver({ ...common, networkVlanRanges: cfg.networkVlanRanges ?? new Map() }))
        break
      case 'gre':
        out.set(name, new GreTypeDriver({ ...common, tunnelIdRanges: cfg.tunnelIdRanges ?? [], overlayIpVersion: cfg.overlayIpVersion }))
        break
      case 'vxlan':
        out.set(name, new VxlanTypeDriver({ ...common, vniRanges: cfg.vniRanges ?? [], overlayIpVersion: cfg.overlayIpVersion }))
        break
      default:
        throw new Error(`Unknown type driver '${name}' (known: ${BUILTIN_TYPE_DRIVERS.join(', ')})`)
    }
  }
  return out
}
