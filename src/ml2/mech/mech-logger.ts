/** The `logger` mechanism driver: logs every call with the resource it saw (Neutron's mech_logger). */
import type { Logger } from '../../common/log.js'
import type { MechanismDriver, NetworkContext, PortContext, SubnetContext } from '../driver-api.js'

type Ctx = NetworkContext | SubnetContext | PortContext

export class LoggerMechanismDriver implements MechanismDriver {
  readonly name = 'logger'
  constructor(private readonly log: Logger) {}

  initialize(): void {
    this.log.info('logger mechanism driver initialized')
  }

  private record(method: string, ctx: Ctx): void {
    const c = ctx.current
    const o = ctx.original
    this.log.info(`${method} called with ${c.id} (${JSON.stringify(c.name ?? '')})${o ? ` original revision ${o.revision_number}` : ''}`)
  }

  createNetworkPrecommit(c: NetworkContext) { this.record('create_network_precommit', c) }
  createNetworkPostcommit(c: NetworkContext) { this.record('create_network_postcommit', c) }
  updateNetworkPrecommit(c: NetworkContext) { this.record('update_network_precommit', c) }
  updateNetworkPostcommit(c: NetworkContext) { this.record('update_network_postcommit', c) }
  deleteNetworkPrecommit(c: NetworkContext) { this.record('delete_network_precommit', c) }
  deleteNetworkPostcommit(c: NetworkContext) { this.record('delete_network_postcommit', c) }
  createSubnetPrecommit(c: SubnetContext) { this.record('create_subnet_precommit', c) }
  createSubnetPostcommit(c: SubnetContext) { this.record('create_subnet_postcommit', c) }
  updateSubnetPrecommit(c: SubnetContext) { this.record('update_subnet_precommit', c) }
  updateSubnetPostcommit(c: SubnetContext) { this.record('update_subnet_postcommit', c) }
  deleteSubnetPrecommit(c: SubnetContext) { this.record('delete_subnet_precommit', c) }
  deleteSubnetPostcommit(c: SubnetContext) { this.record('delete_subnet_postcommit', c) }
  createPortPrecommit(c: PortContext) { this.record('create_port_precommit', c) }
  createPortPostcommit(c: PortContext) { this.record('create_port_postcommit', c) }
  updatePortPrecommit(c: PortContext) { this.record('update_port_precommit', c) }
  updatePortPostcommit(c: PortContext) { this.record('update_port_postcommit', c) }
  deletePortPrecommit(c: PortContext) { this.record('delete_port_precommit', c) }
  deletePortPostcommit(c: PortContext) { this.record('delete_port_postcommit', c) }
}
