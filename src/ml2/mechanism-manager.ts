/**
 * Calls the mechanism drivers (neutron/plugins/ml2/managers.py MechanismManager, facts §1.4).
 * One helper makes every call: drivers in configured order (reverse for deletes), the first failure
 * stops the loop unless `continueOnFailure` (delete postcommit), and failures are gathered into one
 * MechanismDriverError carrying the inner errors, which api/faults.ts unwraps.
 */
import { MechanismDriverError, RetryRequest } from '../common/exceptions.js'
import type { Logger } from '../common/log.js'
import type { MechanismDriver, NetworkContext, PortContext, SubnetContext } from './driver-api.js'

type Hook = Exclude<keyof MechanismDriver, 'name' | 'initialize' | 'bindPort'>

/** snake_case phase names, as Neutron logs them and as the test driver's `fail_on` uses them. */
export function phaseName(hook: Hook): string {
  return hook.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())
}

export class MechanismManager {
  constructor(
    readonly drivers: readonly MechanismDriver[],
    private readonly log: Logger,
  ) {}

  async initialize(): Promise<void> {
    for (const d of this.drivers) await d.initialize()
  }

  get names(): string[] {
    return this.drivers.map((d) => d.name)
  }

  private async call(hook: Hook, ctx: unknown, opts: { reverse?: boolean; continueOnFailure?: boolean } = {}) {
    const order = opts.reverse ? [...this.drivers].reverse() : this.drivers
    const errors: unknown[] = []
    for (const d of order) {
      const fn = d[hook] as ((c: unknown) => Promise<void> | void) | undefined
      if (!fn) continue
      try {
        await fn.call(d, ctx)
      } catch (e) {
        // A lost database race is retried by the API layer, not reported as a driver failure.
        if (e instanceof RetryRequest) throw e
        this.log.error(`Mechanism driver '${d.name}' failed in ${phaseName(hook)}: ${describe(e)}`)
        errors.push(e)
        if (!opts.continueOnFailure) break
      }
    }
    if (errors.length) throw new MechanismDriverError(phaseName(hook), errors)
  }

  createNetworkPrecommit = (c: NetworkContext) => this.call('createNetworkPrecommit', c)
  createNetworkPostcommit = (c: NetworkContext) => this.call('createNetworkPostcommit', c)
  updateNetworkPrecommit = (c: NetworkContext) => this.call('updateNetworkPrecommit', c)
  updateNetworkPostcommit = (c: NetworkContext) => this.call('updateNetworkPostcommit', c)
  deleteNetworkPrecommit = (c: NetworkContext) => this.call('deleteNetworkPrecommit', c, { reverse: true })
  deleteNetworkPostcommit = (c: NetworkContext) =>
    this.call('deleteNetworkPostcommit', c, { reverse: true, continueOnFailure: true })
  createSubnetPrecommit = (c: SubnetContext) => this.call('createSubnetPrecommit', c)
  createSubnetPostcommit = (c: SubnetContext) => this.call('createSubnetPostcommit', c)
  updateSubnetPrecommit = (c: SubnetContext) => this.call('updateSubnetPrecommit', c)
  updateSubnetPostcommit = (c: SubnetContext) => this.call('updateSubnetPostcommit', c)
  deleteSubnetPrecommit = (c: SubnetContext) => this.call('deleteSubnetPrecommit', c, { reverse: true })
  deleteSubnetPostcommit = (c: SubnetContext) =>
    this.call('deleteSubnetPostcommit', c, { reverse: true, continueOnFailure: true })
  createPortPrecommit = (c: PortContext) => this.call('createPortPrecommit', c)
  createPortPostcommit = (c: PortContext) => this.call('createPortPostcommit', c)
  updatePortPrecommit = (c: PortContext) => this.call('updatePortPrecommit', c)
  updatePortPostcommit = (c: PortContext) => this.call('updatePortPostcommit', c)
  deletePortPrecommit = (c: PortContext) => this.call('deletePortPrecommit', c, { reverse: true })
  deletePortPostcommit = (c: PortContext) =>
    this.call('deletePortPostcommit', c, { reverse: true, continueOnFailure: true })
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)
}
