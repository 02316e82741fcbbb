/**
 * The collections of OpenDaylight's Neutron northbound, declared once: URL path under
 * `/controller/nb/v2/neutron/`, the body keys, and the parents a create needs (ODL answers 442
 * when one is missing). Paths and keys as networking-odl builds them (`utils.make_url_object`,
 * odl-northbound.md §2) and as opendaylight/neutron's `*Northbound.java` `@Path`s serve them.
 */

export interface ParentRef {
  /** Attribute of the child holding the parent's id (a list of `{[key]: id}` when `listKey` is set). */
  readonly attr: string
  readonly listKey?: string
  readonly collection: string
}

export interface CollectionDef {
  /** Path under the northbound root, e.g. `security-groups`, `qos/policies`. */
  readonly path: string
  /** Key of a single object's body: `{"security_group": {...}}`. */
  readonly singular: string
  /** Key of a list body: `{"security_groups": [...]}`. */
  readonly plural: string
  readonly parents: readonly ParentRef[]
}

function def(path: string, singular: string, parents: readonly ParentRef[] = []): CollectionDef {
  const last = path.split('/').at(-1)!
  return Object.freeze({ path, singular, plural: last.replace(/-/g, '_'), parents })
}

export const COLLECTIONS: readonly CollectionDef[] = Object.freeze([
  def('networks', 'network'),
  def('subnets', 'subnet', [{ attr: 'network_id', collection: 'networks' }]),
  def('ports', 'port', [
    { attr: 'network_id', collection: 'networks' },
    { attr: 'fixed_ips', listKey: 'subnet_id', collection: 'subnets' },
  ]),
  def('security-groups', 'security_group'),
  def('security-group-rules', 'security_group_rule', [{ attr: 'security_group_id', collection: 'security-groups' }]),
  def('routers', 'router'),
  def('floatingips', 'floatingip', [{ attr: 'floating_network_id', collection: 'networks' }]),
  def('trunks', 'trunk', [{ attr: 'port_id', collection: 'ports' }]),
  def('qos/policies', 'policy'),
  def('sfc/flowclassifiers', 'flowclassifier'),
  def('sfc/portpairs', 'portpair'),
  def('sfc/portpairgroups', 'portpairgroup'),
  def('sfc/portchains', 'portchain'),
  def('bgpvpns', 'bgpvpn'),
  def('l2-gateways', 'l2_gateway'),
  def('l2gateway-connections', 'l2gateway_connection'),
])

const BY_PATH: ReadonlyMap<string, CollectionDef> = new Map(COLLECTIONS.map((c) => [c.path, c]))

/** The collection a path names, by exact match only (client input never walks a prototype). */
export function collectionByPath(path: string): CollectionDef | undefined {
  return BY_PATH.get(path)
}

/** Ids of the parents `obj` names in `c` that `exists` says are missing. */
export function missingParents(c: CollectionDef, obj: Record<string, unknown>, exists: (collection: string, id: string) => boolean): string[] {
  const missing: string[] = []
  for (const p of c.parents) {
    const v = obj[p.attr]
    const ids: unknown[] = p.listKey === undefined ? [v] : Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[p.listKey!] : undefined)) : []
    for (const id of ids) {
      if (typeof id === 'string' && id !== '' && !exists(p.collection, id)) missing.push(`${p.collection}/${id}`)
    }
  }
  return missing
}
