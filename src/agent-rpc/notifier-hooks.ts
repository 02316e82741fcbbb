/**
 * Today's way to hear ML2 changes: a mechanism driver whose postcommits hand each network,
 * subnet and port change to the AgentNotifier (Neutron's AgentNotifierApi and ovo_rpc are
 * likewise called after the commit). Appended LAST to the mechanism drivers by the process that
 * runs agent RPC; after the ML2 restructuring (issue 11) the notifier is subscribed to the
 * callbacks registry instead and this file goes. A failed cast never fails the API call (the
 * transport buffers while disconnected; anything else is logged).
 */
import type { Logger } from '../common/log.js'
import type { MechanismDriver, NetworkContext, PortContext, SubnetContext } from '../ml2/driver-api.js'
import type { AgentNotifier } from './agent-notifier.js'

export class AgentNotifierHooks implements MechanismDriver {
  readonly name = 'agent_notifier'
  private notifier: AgentNotifier | null = null

  constructor(private readonly log: Logger) {}

  /** The notifier exists only once the plugin (built after its drivers) does. */
  attach(n: AgentNotifier): void {
    this.notifier = n
  }

  initialize(): void {}

  private async send(what: string, f: (n: AgentNotifier) => Promise<void>): Promise<void> {
    if (!this.notifier) return
    try {
      await f(this.notifier)
    } catch (e) {
      this.log.error(`Agent notification for ${what} failed: ${(e as Error)?.message ?? e}`)
    }
  }

  createNetworkPostcommit(c: NetworkContext) {
    return this.send(`network ${c.current.id}`, (n) => n.networkCreated(c.current))
  }

  updateNetworkPostcommit(c: NetworkContext) {
    return this.send(`network ${c.current.id}`, (n) => n.networkUpdated(c.current))
  }

  deleteNetworkPostcommit(c: NetworkContext) {
    return this.send(`network ${c.current.id}`, (n) => n.networkDeleted(c.current.id))
  }

  createSubnetPostcommit(c: SubnetContext) {
    return this.send(`subnet ${c.current.id}`, (n) => n.subnetChanged(c.current))
  }

  updateSubnetPostcommit(c: SubnetContext) {
    return this.send(`subnet ${c.current.id}`, (n) => n.subnetChanged(c.current))
  }

  deleteSubnetPostcommit(c: SubnetContext) {
    return this.send(`subnet ${c.current.id}`, (n) => n.subnetDeleted(c.current.id))
  }

  createPortPostcommit(c: PortContext) {
    return this.send(`port ${c.current.id}`, (n) => n.portCreated(c.current))
  }

  updatePortPostcommit(c: PortContext) {
    return this.send(`port ${c.current.id}`, (n) => n.portUpdated(c.current, c.original ?? c.current))
  }

  deletePortPostcommit(c: PortContext) {
    return this.send(`port ${c.current.id}`, (n) => n.portDeleted(c.current))
  }
}
