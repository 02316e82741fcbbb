/**
 * Builds versioned-object primitives from the database (through the backend) for bulk_pull,
 * pull and pushes. One function per resource type the agents ask for (spec §3); filters are
 * the `filter_kwargs` the agents send: lists of values per field.
 */
import type { Ml2Backend } from './ml2-backend.js'
import { networkPrimitive } from './objects/network.js'
import { portPrimitive } from './objects/port.js'
import type { Primitive } from './objects/primitive.js'
import { securityGroupPrimitive, securityGroupRulePrimitive } from './objects/security-group.js'
import { subnetPrimitive } from './objects/subnet.js'

export type Filters = Record<string, string[]>

export interface ObjectType {
  /** filter_kwargs keys this type understands (others are refused: nothing is guessed). */
  readonly filters: readonly string[]
  load(b: Ml2Backend, f: Filters): Promise<Primitive[]>
}

export const OBJECT_TYPES: Readonly<Record<string, ObjectType>> = {
  Port: {
    filters: ['id', 'network_id', 'security_group_ids'],
    async load(b, f) {
      const ports = await b.ports(await b.portIds(f))
      const netIds = [...new Set(ports.map((p) => p.network_id as string))]
      const [segs, levels, nets] = await Promise.all([b.segments(netIds), b.bindingLevels(ports.map((p) => p.id)), b.networks(netIds)])
      return ports.map((port) => {
        const byId = new Map((segs.get(port.network_id) ?? []).map((s) => [s.id, s]))
        return portPrimitive({
          port,
          networkCreatedAt: nets.find((n) => n.id === port.network_id)?.created_at ?? null,
          levels: (levels.get(port.id) ?? []).map((l) => ({ ...l, segment: l.segment_id ? byId.get(l.segment_id) ?? null : null })),
        })
      })
    },
  },
  Network: {
    filters: ['id'],
    async load(b, f) {
      const nets = await b.networks(f.id ?? null)
      const segs = await b.segments(nets.map((n) => n.id))
      return nets.map((n) => networkPrimitive(n, segs.get(n.id) ?? []))
    },
  },
  Subnet: {
    filters: ['id', 'network_id'],
    async load(b, f) {
      return (await b.subnets(f)).map((s) => subnetPrimitive(s.subnet, s.pools))
    },
  },
  SecurityGroup: {
    filters: ['id'],
    async load(b, f) {
      return (await b.securityGroups(f.id ?? null)).map((g) => securityGroupPrimitive(g.group, g.isDefault))
    },
  },
  SecurityGroupRule: {
    filters: ['id', 'security_group_id'],
    async load(b, f) {
      return (await b.securityGroupRules(f)).map(securityGroupRulePrimitive)
    },
  },
}
