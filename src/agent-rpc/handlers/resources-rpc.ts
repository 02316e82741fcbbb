/**
 * q-plugin resources pull (neutron/api/rpc/handlers/resources_rpc.py ResourcesPullRpcCallback,
 * target 1.1): bulk_pull (a list of primitives by filter_kwargs) and pull (one or null). Only
 * the types and versions this server builds; anything else is refused with InvalidInput before
 * a query runs (Neutron raises InvalidVersion / its resource registry's KeyError).
 */
import type { Logger } from '../../common/log.js'
import type { RpcEndpoint } from '../../messaging/types.js'
import type { Ml2Backend } from '../ml2-backend.js'
import { type Filters, OBJECT_TYPES } from '../object-loader.js'
import type { Primitive } from '../objects/primitive.js'
import { LOCAL_RESOURCE_VERSIONS } from '../resource-versions.js'
import { invalidInput, str } from '../rpc-failures.js'
import { endpoint } from './endpoint.js'

type Args = Record<string, unknown>

export class ResourcesRpc {
  constructor(
    private readonly backend: Ml2Backend,
    private readonly log: Logger,
  ) {}

  endpoint(): RpcEndpoint {
    return endpoint('1.1', {
      bulk_pull: (_c, a) => this.bulkPull(a),
      pull: (_c, a) => this.pull(a),
    }, this.log)
  }

  private type(a: Args, method: string) {
    const type = str(a, 'resource_type', method)
    const version = str(a, 'version', method)
    const t = OBJECT_TYPES[type]
    if (!t) throw invalidInput(`${method}: unknown resource_type '${type}' (served: ${Object.keys(OBJECT_TYPES).join(', ')})`)
    if (LOCAL_RESOURCE_VERSIONS[type] !== version) throw invalidInput(`${method}: ${type} version ${version} is not served (this server builds ${LOCAL_RESOURCE_VERSIONS[type]})`)
    return { type, t }
  }

  async bulkPull(a: Args): Promise<Primitive[]> {
    const { type, t } = this.type(a, 'bulk_pull')
    const raw = a.filter_kwargs ?? {}
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidInput('bulk_pull: filter_kwargs must be a dict')
    const filters: Filters = {}
    for (const [k, v] of Object.entries(raw)) {
      if (!t.filters.includes(k)) throw invalidInput(`bulk_pull: ${type} cannot be filtered by '${k}' (known: ${t.filters.join(', ')})`)
      const list = Array.isArray(v) ? v : [v]
      if (list.some((x) => typeof x !== 'string')) throw invalidInput(`bulk_pull: filter '${k}' must be strings`)
      filters[k] = list as string[]
    }
    return t.load(this.backend, filters)
  }

  async pull(a: Args): Promise<Primitive | null> {
    const { t } = this.type(a, 'pull')
    const id = str(a, 'resource_id', 'pull')
    const [obj] = await t.load(this.backend, { id: [id] })
    return obj ?? null
  }
}
