/**
 * The ML2 core plugin: orchestration of every network/subnet/port call (neutron/plugins/ml2/plugin.py).
 *
 *   create:  [txn: write rows → type manager / IPAM → build context → *_precommit] → commit
 *            → *_postcommit (failure: delete the resource again, return the error)
 *   update:  [txn: write → *_precommit] → commit → *_postcommit (failure: error, change kept)
 *   delete:  [txn: *_precommit (reverse order) → delete rows → release segments] → commit
 *            → *_postcommit (reverse order; failures logged only)
 *
 * Around those calls each part publishes the resource's events on the callbacks registry
 * (callbacks/registry.ts): before_* first, precommit_* in the transaction, after_* after the commit
 * and before the postcommit (docs/architecture.md#the-callbacks-registry).
 *
 * Whole operations are retried on lost races (RetryRequest) by withRetries, like Neutron's
 * retry_db_errors. Resources are returned as full dicts; the API layer applies policy and fields.
 * Callers outside src/ml2 see this class only as Ml2Service (service.ts).
 */
import { NetworkOps } from './network-ops.js'
import { SubnetOps } from './subnet-ops.js'
import { SubnetpoolOps } from './subnetpool-ops.js'
import { PortOps } from './port-ops.js'
import { AgentOps } from './agent-ops.js'
import { AgentLiveness } from './agent-liveness.js'
import { SecurityGroupOps } from './securitygroup-ops.js'
import { SecurityGroupRuleOps } from './securitygroup-rule-ops.js'
import { PluginCore, type PluginDeps } from './plugin-core.js'
import type { CallbacksRegistry } from './callbacks/registry.js'
import { publishing } from './callbacks/publishing.js'
import type { Ml2Runtime, Ml2Service, TagService, TagSpec } from './service.js'
import { TagOps } from './tag-ops.js'

export type { Dict, PluginDeps, PluginOptions } from './plugin-core.js'

/**
 * Every part gets its collaborators at construction. The one true circle — deleting a network
 * deletes its ports and subnets, which need the network — is closed by the two cascade functions
 * handed to NetworkOps: they call the port and subnet parts built right after it.
 */
export class Ml2Plugin implements Ml2Service {
  readonly core: PluginCore
  readonly networks: NetworkOps
  readonly subnets: SubnetOps
  readonly subnetpools: SubnetpoolOps
  readonly ports: PortOps
  readonly agents: AgentOps
  readonly securityGroups: SecurityGroupOps
  readonly securityGroupRules: SecurityGroupRuleOps

  constructor(deps: PluginDeps) {
    this.core = new PluginCore(deps)
    const securityGroups = new SecurityGroupOps(this.core)
    const reg = this.core.registry
    this.networks = new NetworkOps(this.core, securityGroups, {
      deletePort: (id, ctx) => this.ports.deleteInternal(id, ctx),
      deleteSubnet: (id, ctx) => this.subnets.deleteInternal(id, ctx),
    })
    const subnetpools = new SubnetpoolOps(this.core)
    this.subnets = new SubnetOps(this.core, this.networks, subnetpools)
    const liveness = new AgentLiveness(this.core.now, deps.options.agentDownTime)
    this.ports = new PortOps(this.core, this.networks, securityGroups, liveness)
    // Collections without driver hooks publish their after_* events through a wrapper; ML2's own
    // parts keep the unwrapped objects (a port's default group is not an API create).
    this.securityGroups = publishing(reg, 'security_group', securityGroups)
    this.securityGroupRules = publishing(reg, 'security_group_rule', new SecurityGroupRuleOps(this.core, securityGroups))
    this.subnetpools = publishing(reg, 'subnetpool', subnetpools)
    this.agents = publishing(reg, 'agent', new AgentOps(this.core, liveness, deps.options.enableNewAgents ?? true))
  }

  get runtime(): Ml2Runtime {
    return this.core
  }

  get registry(): CallbacksRegistry {
    return this.core.registry
  }

  tagsFor(spec: TagSpec): TagService {
    return new TagOps(this.core, spec)
  }

  async initialize(): Promise<void> {
    await this.core.typeManager.initialize(this.core.db)
    await this.core.mech.initialize()
  }
}
