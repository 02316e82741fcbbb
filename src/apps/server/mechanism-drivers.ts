/** Mechanism drivers by `[ml2] mechanism_drivers` name (Neutron's entry points). */
import type { Logger } from '../../common/log.js'
import type { AgentMechConfig } from '../../conf/agent-mech-config.js'
import type { Db } from '../../db/engine.js'
import { createOpendaylight, type Ml2OdlOptions } from '../../ml2/mech/opendaylight/create-opendaylight.js'
import type { MechanismDriver } from '../../ml2/driver-api.js'
import { LoggerMechanismDriver } from '../../ml2/mech/mech-logger.js'
import { TestMechanismDriver, type FailRule } from '../../ml2/mech/mech-test.js'
import { OpenvswitchMechanismDriver } from '../../ml2/mech/mech-openvswitch.js'
import { LinuxbridgeMechanismDriver } from '../../ml2/mech/mech-linuxbridge.js'
import { HypervMechanismDriver } from '../../ml2/mech/mech-hyperv.js'
import { L2populationMechanismDriver } from '../../ml2/mech/mech-l2population.js'

export interface MechDriverDeps {
  log: Logger
  failOn: readonly FailRule[]
  /** [securitygroup] and [ovs_driver] (defaults when absent). */
  agentMech?: AgentMechConfig
  db?: Db
  odl?: Ml2OdlOptions
}

export const MECHANISM_DRIVERS: Record<string, (d: MechDriverDeps) => MechanismDriver> = {
  logger: (d) => new LoggerMechanismDriver(d.log.child('mech.logger')),
  test: (d) => new TestMechanismDriver(d.failOn, 'test'),
  opendaylight: (d) => {
    if (!d.db || !d.odl) throw new Error('the opendaylight mechanism driver needs the database and [ml2_odl]')
    return createOpendaylight({ db: d.db, log: d.log.child('mech.opendaylight'), options: d.odl }).driver
  },
  test_lower: (d) => new TestMechanismDriver(d.failOn.filter(() => false), 'test_lower'),
  openvswitch: (d) => new OpenvswitchMechanismDriver({
    securityGroupsEnabled: d.agentMech?.securitygroup.enable_security_group,
    firewallDriver: d.agentMech?.securitygroup.firewall_driver,
    prohibitedVnicTypes: d.agentMech?.ovs_driver.vnic_type_prohibit_list,
  }),
  linuxbridge: (d) => new LinuxbridgeMechanismDriver({ securityGroupsEnabled: d.agentMech?.securitygroup.enable_security_group }),
  hyperv: () => new HypervMechanismDriver(),
  l2population: () => new L2populationMechanismDriver(),
}

export function createMechanismDrivers(names: readonly string[], deps: MechDriverDeps): MechanismDriver[] {
  return names.map((n) => {
    const make = MECHANISM_DRIVERS[n]
    if (!make) throw new Error(`Unknown mechanism driver '${n}' in [ml2] mechanism_drivers (known: ${Object.keys(MECHANISM_DRIVERS).join(', ')})`)
    return make(deps)
  })
}
