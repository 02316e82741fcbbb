/** Shared configuration of the ML2 type concurrency tests (test file and worker process). */
import { TypeManager } from '../../../../src/ml2/type-manager.js'
import { createTypeDrivers } from '../../../../src/ml2/types/registry.js'

export const VNIS: [number, number] = [10001, 10300]
export const VLANS: [number, number] = [1001, 1300]
export const POOL = 600

export function manager(): TypeManager {
  const registry = createTypeDrivers(['flat', 'vlan', 'vxlan'], {
    networkVlanRanges: new Map([['physnet1', [VLANS]]]),
    vniRanges: [VNIS],
  })
  return new TypeManager({ typeDrivers: ['flat', 'vlan', 'vxlan'], registry, tenantNetworkTypes: ['vxlan', 'vlan'] })
}
