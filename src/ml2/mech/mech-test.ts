/**
 * The `test` mechanism driver: fault injection for end-to-end tests of ML2's failure semantics.
 * `[ml2_mech_test] fail_on = create_network_postcommit:boom-net` makes that call fail for the
 * resource named `boom-net`. It also binds ports on hosts named `test-host*` (any segment, vif_type
 * `test`), and `test-hier-host*` hierarchically: it binds level 0 and continues, so a
 * second instance (`test_lower`) must bind level 1 — binding levels and loop prevention are exercised. Everything it sees is recorded in `calls` (phase, resource id) for tests.
 */
import { InvalidInput } from '../../common/exceptions.js'
import type { MechanismDriver, NetworkContext, PortContext, SubnetContext } from '../driver-api.js'

export interface FailRule {
  phase: string
  name: string
}

export class TestInjectedFailure extends InvalidInput {
  override readonly type = 'TestInjectedFailure'
}

type Ctx = NetworkContext | SubnetContext | PortContext

export class TestMechanismDriver implements MechanismDriver {
  readonly calls: Array<{ phase: string; id: string; name: string }> = []

  constructor(
    private readonly failOn: readonly FailRule[],
    readonly name = 'test',
  ) {}

  initialize(): void {}

  private hit(phase: string, ctx: Ctx): void {
    const c = ctx.current as { id: string; name?: string }
    this.calls.push({ phase, id: c.id, name: c.name ?? '' })
    if (this.failOn.some((r) => r.phase === phase && r.name === c.name)) {
      // A plain Error for postcommit shows the 500 path; precommit raises a 400-class error so the
      // rollback is visible to the client with its own message.
      if (phase.endsWith('postcommit')) throw new Error(`injected failure in ${phase} for ${c.name}`)
      throw new TestInjectedFailure(`injected failure in ${phase} for ${c.name}`)
    }
  }

  createNetworkPrecommit(c: NetworkContext) { this.hit('create_network_precommit', c) }
  createNetworkPostcommit(c: NetworkContext) { this.hit('create_network_postcommit', c) }
  updateNetworkPrecommit(c: NetworkContext) { this.hit('update_network_precommit', c) }
  updateNetworkPostcommit(c: NetworkContext) { this.hit('update_network_postcommit', c) }
  deleteNetworkPrecommit(c: NetworkContext) { this.hit('delete_network_precommit', c) }
  deleteNetworkPostcommit(c: NetworkContext) { this.hit('delete_network_postcommit', c) }
  createSubnetPrecommit(c: SubnetContext) { this.hit('create_subnet_precommit', c) }
  createSubnetPostcommit(c: SubnetContext) { this.hit('create_subnet_postcommit', c) }
  updateSubnetPrecommit(c: SubnetContext) { this.hit('update_subnet_precommit', c) }
  updateSubnetPostcommit(c: SubnetContext) { this.hit('update_subnet_postcommit', c) }
  deleteSubnetPrecommit(c: SubnetContext) { this.hit('delete_subnet_precommit', c) }
  deleteSubnetPostcommit(c: SubnetContext) { this.hit('delete_subnet_postcommit', c) }
  createPortPrecommit(c: PortContext) { this.hit('create_port_precommit', c) }
  createPortPostcommit(c: PortContext) { this.hit('create_port_postcommit', c) }
  updatePortPrecommit(c: PortContext) { this.hit('update_port_precommit', c) }
  updatePortPostcommit(c: PortContext) { this.hit('update_port_postcommit', c) }
  deletePortPrecommit(c: PortContext) { this.hit('delete_port_precommit', c) }
  deletePortPostcommit(c: PortContext) { this.hit('delete_port_postcommit', c) }

  bindPort(ctx: PortContext): void {
    const seg = ctx.segmentsToBind[0]
    if (!seg?.id) return
    if (ctx.host.startsWith('test-hier-host') && ctx.level === 0) {
      // Hierarchical: bind level 0 here and offer the same segment to the next level, where
      // another driver (e.g. a second instance named `test_lower`) must complete it.
      ctx.continueBinding(seg.id, [seg])
      return
    }
    if (ctx.host.startsWith('test-host') || ctx.host.startsWith('test-hier-host')) {
      ctx.setBinding(seg.id, 'test', { port_filter: false, segment: seg.network_type })
    }
  }
}
