/**
 * Issue 15's fuzz pass, seeded and bounded: REQUESTS generated requests per engine (SQLite and
 * PostgreSQL), at most TIME_CAP_MS each, against one in-process server. The generator mutates valid
 * requests the way an untrusted tenant and a careless client do: malformed percent-escapes,
 * names from Object.prototype, NUL characters, deep JSON, bytes that are no UTF-8, strings past
 * every column length, oversized lists, wrong types, odd Host headers and request targets, empty
 * or foreign projects. It asserts, for every answer:
 *  - no 5xx (client input never causes one; 503 only if the database went away — it does not here);
 *  - every 4xx is a Neutron error body ({NeutronError: {type, message, detail}});
 *  - a 2xx create or update never holds an attribute the map does not declare, a replacement
 *    character, more address pairs than the limit, or an extra_dhcp_opts value that is no string;
 *  - a refused POST created nothing (the collection's size as the admin sees it is unchanged);
 * and at the end: the server still answers, nothing logged an internal error, and every seed
 * resource no 2xx DELETE named is still there (nothing lost).
 * FUZZ_SEED=<n> replays another sequence; a failure message names the seed and the request.
 */
import assert from 'node:assert/strict'
import { before, it } from 'node:test'
import { describeOnEngines } from '../../helpers/api-engines.js'
import { mulberry32 } from '../../helpers/prng.js'
import { rawCall } from '../../helpers/raw-http.js'
import { NETWORK_ATTRS } from '../../../src/api/definitions/network.js'
import { SUBNET_ATTRS } from '../../../src/api/definitions/subnet.js'
import { PORT_ATTRS } from '../../../src/api/definitions/port.js'
import { ROUTER_ATTRS } from '../../../src/api/definitions/router.js'
import { SECURITY_GROUP_ATTRS, SECURITY_GROUP_RULE_ATTRS } from '../../../src/api/definitions/securitygroup.js'
import { SUBNETPOOL_ATTRS } from '../../../src/api/definitions/subnetpool.js'
import { FLOATINGIP_ATTRS } from '../../../src/api/definitions/floatingip.js'
import { AGENT_ATTRS } from '../../../src/api/definitions/agent.js'
import type { AttrMap } from '../../../src/api/attributes.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20261207)
const REQUESTS = 1500
const TIME_CAP_MS = 25_000
/** Fewer than this many requests in the time cap: the pass proved too little to count. */
const MIN_REQUESTS = 300

type Dict = Record<string, any>
interface Res { path: string; key: string; map: AttrMap; plural: string }
const RES: Res[] = [
  { path: 'networks', key: 'network', plural: 'networks', map: NETWORK_ATTRS },
  { path: 'subnets', key: 'subnet', plural: 'subnets', map: SUBNET_ATTRS },
  { path: 'ports', key: 'port', plural: 'ports', map: PORT_ATTRS },
  { path: 'routers', key: 'router', plural: 'routers', map: ROUTER_ATTRS },
  { path: 'security-groups', key: 'security_group', plural: 'security_groups', map: SECURITY_GROUP_ATTRS },
  { path: 'security-group-rules', key: 'security_group_rule', plural: 'security_group_rules', map: SECURITY_GROUP_RULE_ATTRS },
  { path: 'subnetpools', key: 'subnetpool', plural: 'subnetpools', map: SUBNETPOOL_ATTRS },
  { path: 'floatingips', key: 'floatingip', plural: 'floatingips', map: FLOATINGIP_ATTRS },
  { path: 'agents', key: 'agent', plural: 'agents', map: AGENT_ATTRS },
  // Quotas have their own routing (src/api/quotas.ts); their "attributes" are the resource names.
  { path: 'quotas', key: 'quota', plural: 'quotas', map: Object.fromEntries(['network', 'subnet', 'port', 'router', 'floatingip', 'subnetpool', 'security_group', 'security_group_rule'].map((k) => [k, { allowPost: false, allowPut: true, isVisible: true }])) },
]
/** Attributes a response shows that are not in the map (extensions the plugin adds). */
const SHOWN_EXTRA = new Set(['status', 'tags', 'subnets', 'mtu', 'ipv4_address_scope', 'ipv6_address_scope', 'availability_zones', 'availability_zone_hints', 'port_security_enabled', 'security_group_rules', 'l2_adjacency', 'dns_domain', 'qos_policy_id', 'is_default', 'stateful', 'normalized_cidr', 'remote_address_group_id', 'belongs_to_default_sg', 'port_id', 'fixed_ip_address', 'router_id', 'floating_ip_address', 'ip_allocation', 'propagate_uplink_status', 'resource_request', 'segments', 'shared', 'address_scope_id', 'default_quota', 'ipv6_address_mode', 'ipv6_ra_mode', 'revision_number', 'created_at', 'updated_at', 'project_id', 'tenant_id', 'id', 'subnet_status', 'dns_publish_fixed_ip', 'flavor_id', 'ha', 'distributed', 'enable_default_route_bfd', 'enable_default_route_ecmp', 'external_gateways', 'router:external', 'vlan_transparent', 'port_forwardings', 'description', 'binding:vif_details'])
const PROTO = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf', '__defineGetter__', 'propertyIsEnumerable', 'toLocaleString']
const ACTIONS = ['add_router_interface', 'remove_router_interface', 'add_extraroutes', 'remove_extraroutes', ...PROTO]
const IDENTITIES: Array<Record<string, string>> = [
  {},
  { 'X-Project-Id': 'pa', 'X-Roles': 'member' },
  { 'X-Project-Id': 'pb', 'X-Roles': 'member' },
  { 'X-Project-Id': '', 'X-Roles': 'member' },
  { 'X-Tenant-Id': 'pa', 'X-Roles': 'reader' },
]
const MAX_PAIRS = 10

describeOnEngines((e) => `fuzz (seed ${SEED}), ${e}`, {}, (s, engine) => {
  /** Seed resources and the seeds whose deletion takes them along (a network its subnets, ports, floating IPs). */
  const seeds: Array<{ path: string; id: string; parent?: string }> = []
  const ids: string[] = []
  let pool: Dict

  before(async () => {
    const ok = async (m: string, p: string, b: unknown, h: Dict = {}) => {
      const r = await s.call(m, p, b, h)
      assert.ok(r.status < 300, `${p}: ${JSON.stringify(r.body)}`)
      return r.body
    }
    const ext = (await ok('POST', '/v2.0/networks', { network: { name: 'ext', 'router:external': true } })).network
    await ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: '203.0.113.0/24' } })
    pool = (await ok('POST', '/v2.0/subnetpools', { subnetpool: { name: 'tiny', prefixes: ['198.51.100.0/26'], min_prefixlen: 27, default_prefixlen: 27, shared: true } })).subnetpool
    const net = (await ok('POST', '/v2.0/networks', { network: { name: 'seed', project_id: 'pa' } })).network
    const sub = (await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.0.2.0/24', project_id: 'pa' } })).subnet
    const port = (await ok('POST', '/v2.0/ports', { port: { network_id: net.id, project_id: 'pa' } })).port
    const router = (await ok('POST', '/v2.0/routers', { router: { name: 'seed', project_id: 'pa', external_gateway_info: { network_id: ext.id } } })).router
    const sg = (await ok('POST', '/v2.0/security-groups', { security_group: { name: 'seed', project_id: 'pa' } })).security_group
    const fip = (await ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, project_id: 'pa' } })).floatingip
    for (const [path, id, parent] of [['networks', ext.id], ['networks', net.id], ['subnets', sub.id, net.id], ['ports', port.id, net.id], ['routers', router.id], ['security-groups', sg.id], ['subnetpools', pool.id], ['floatingips', fip.id, ext.id]] as const) {
      seeds.push({ path, id, parent })
      ids.push(id)
    }
  })

  it(`${REQUESTS} generated requests: no 5xx, Neutron error bodies, nothing created by a 4xx, nothing lost`, async () => {
    const rng = mulberry32(SEED + (engine.name === 'postgres' ? 1 : 0))
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!
    const chance = (p: number) => rng() < p
    const randomUuid = () => 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => Math.floor(rng() * 16).toString(16))
    const longText = (n: number) => 'x'.repeat(n)
    const nasty = (): unknown => {
      switch (Math.floor(rng() * 16)) {
        case 0: return 'a\u0000b'
        case 1: return longText(pick([64, 65, 255, 256, 300, 5000]))
        case 2: return JSON.parse('['.repeat(200) + ']'.repeat(200))
        case 3: return { a: 1 }
        case 4: return [1, 'x', null]
        case 5: return null
        case 6: return pick([true, false, 0, -1, 1e308, 4.5, 2 ** 53])
        case 7: return pick(['', ' ', 'None', 'True', '%zz', '\u{1F600}', 'é'])
        case 8: return randomUuid()
        case 9: return pick(ids)
        case 10: return Array.from({ length: pick([11, 100, 3000]) }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`)
        case 11: return Array.from({ length: pick([11, 40, 500]) }, (_, i) => ({ ip_address: `192.0.2.${i & 255}`, destination: `10.${i & 255}.0.0/16`, nexthop: '192.0.2.1' }))
        case 12: return [{ opt_name: pick(['tftp-server', longText(65), '']), opt_value: pick([longText(256), { a: 1 }, 'v', null, 'v']) }, { opt_name: 'tftp-server', opt_value: 'w' }]
        case 13: return { [pick(PROTO)]: 1 }
        case 14: return pick(['192.0.2.0/24', '198.51.100.0/28', '::/0', '300.1.1.1', '10/8'])
        default: return Math.floor(rng() * 5000)
      }
    }
    const validBody = (r: Res): Dict => {
      const project = { project_id: 'pa' }
      switch (r.path) {
        case 'networks': return { name: 'f', ...project }
        case 'subnets': return chance(0.5)
          ? { network_id: ids[1], ip_version: 4, subnetpool_id: pool.id, ...project }
          : { network_id: ids[1], ip_version: 4, cidr: `10.${Math.floor(rng() * 250)}.0.0/24`, ...project }
        case 'ports': return { network_id: ids[1], ...project }
        case 'routers': return { name: 'f', ...project }
        case 'security-groups': return { name: 'f', ...project }
        case 'security-group-rules': return { security_group_id: ids[5], direction: 'ingress', ...project }
        case 'subnetpools': return { name: 'f', prefixes: ['10.200.0.0/16'], min_prefixlen: 24, ...project }
        case 'floatingips': return { floating_network_id: ids[0], ...project }
        default: return { description: 'f' }
      }
    }
    /** Values aimed at one list attribute: too many items, too long, wrong types, repeated. */
    const listValue = (attr: string): unknown => {
      const n = pick([1, 2, 11, 60, 2000])
      switch (attr) {
        case 'extra_dhcp_opts': return Array.from({ length: Math.min(n, 40) }, (_, i) => ({
          opt_name: pick(['tftp-server', `opt-${i}`, longText(64), longText(65)]),
          opt_value: pick(['v', longText(255), longText(256), { a: 1 }, [1], null, 7]),
          ...(chance(0.3) ? { ip_version: pick([4, 6, '6', 5, 'x']) } : {}),
        }))
        case 'allowed_address_pairs': return Array.from({ length: n }, (_, i) => (chance(0.9) ? { ip_address: `192.0.2.${i & 255}` } : { mac_address: 'fa:16:3e:00:00:01' }))
        case 'fixed_ips': return [{ subnet_id: pick(ids) }, ...(chance(0.5) ? [{ ip_address: pick(['192.0.2.77', '10.0.0.1', 'x']) }] : [])]
        case 'dns_nameservers': return Array.from({ length: n }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`)
        default: return Array.from({ length: n }, (_, i) => ({ destination: `10.${(i >> 8) & 255}.${i & 255}.0/24`, nexthop: '192.0.2.1' }))
      }
    }
    const LISTS: Record<string, string[]> = {
      ports: ['extra_dhcp_opts', 'allowed_address_pairs', 'fixed_ips'],
      subnets: ['dns_nameservers', 'host_routes'],
      routers: ['routes'],
    }
    const mutate = (r: Res, b: Dict): Dict => {
      const n = Math.floor(rng() * 3)
      const names = [...Object.keys(r.map), ...PROTO, 'bogus']
      for (let i = 0; i < n; i++) {
        const lists = LISTS[r.path]
        if (lists && chance(0.5)) {
          const a = pick(lists)
          b[a] = listValue(a)
        } else b[pick(names)] = nasty()
      }
      return b
    }
    const segment = (): string => (chance(0.4) ? pick(ids) : pick(['%zz', '%', '%E0%A4%A', '%00', encodeURIComponent(pick(PROTO)), randomUuid(), longText(300), '..', 'a%2Fb']))
    const query = (r: Res): string => {
      const parts: string[] = []
      for (let i = Math.floor(rng() * 4); i > 0; i--) {
        const k = pick([...Object.keys(r.map), ...PROTO, 'fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse', 'tags', 'not-tags-any', 'fixed_ips'])
        const v = pick(['%zz', '%00', 'asc', 'desc', '1', '-1', 'x', pick(ids), pick(PROTO), 'binding:host_id', 'provider:segmentation_id', 'True', ''])
        parts.push(`${encodeURIComponent(k)}=${v}`)
      }
      return parts.length ? `?${parts.join('&')}` : ''
    }

    const countOf = async (r: Res) => ((await s.call('GET', `/v2.0/${r.path}?fields=id`)).body[r.plural] as Dict[]).length
    const deleted = new Set<string>()
    const changes: string[] = []
    const started = Date.now()
    let done = 0
    const statuses = new Map<number, number>()
    const failures: string[] = []
    const tallies = new Map<string, number>()
    const kinds = new Map<string, number>()
    const check = (ok: boolean, msg: string) => {
      if (ok) return
      const kind = msg.replace(/^.*? → /s, '').slice(0, 40)
      const n = (kinds.get(kind) ?? 0) + 1
      kinds.set(kind, n)
      if (n <= 3 && failures.length < 60) failures.push(msg)
    }
    for (; done < REQUESTS && Date.now() - started < TIME_CAP_MS; done++) {
      const r = pick(RES)
      const method = pick(['GET', 'GET', 'POST', 'POST', 'PUT', 'PUT', 'DELETE'])
      // Mostly identities that may do it, so requests get past policy into validation and SQL.
      const headers: Record<string, string> = { ...(chance(0.6) ? pick(IDENTITIES.slice(0, 2)) : pick(IDENTITIES)) }
      if (chance(0.05)) headers.Host = pick(['a b', '[', 'x:y:z', ''])
      let target = `/v2.0/${r.path}`
      const shape = method === 'POST' && chance(0.75) ? 0 : Math.floor(rng() * 6)
      if (shape >= 2) target += `/${segment()}`
      if (shape === 4) target += `/${pick(['tags', `tags/${segment()}`, pick(ACTIONS)])}`
      if (shape === 5 && r.path === 'routers') target += `/${pick(ACTIONS)}`
      if (chance(0.05)) target = target.replace('/v2.0/', pick(['//v2.0//', '/v2.0//']))
      target += query(r)
      let body: Buffer | undefined
      let sent: Dict | undefined
      if (method === 'POST' || method === 'PUT') {
        const k = Math.floor(rng() * 20)
        if (k === 0) body = Buffer.concat([Buffer.from(`{"${r.key}": {"name": "`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')])
        else if (k === 1) body = Buffer.from(`{"${r.key}": {"name": ${'['.repeat(5000)}${']'.repeat(5000)}}}`)
        else if (k === 2) body = Buffer.from(`{"${r.key}": {"name": "x"`)
        else if (k === 3 && target.includes('/tags')) body = Buffer.from(JSON.stringify({ tags: pick([['a', 'a'], Array.from({ length: 60 }, (_, i) => `t${i}`), 'x', [longText(300)], ['ok']]) }))
        else {
          sent = mutate(r, method === 'POST' ? validBody(r) : r.path === 'quotas' ? { network: pick([1, -1, 50, '7', 'x']) } : { description: 'u' })
          body = Buffer.from(JSON.stringify(chance(0.1) ? { [r.plural]: [sent, sent] } : { [r.key]: sent }))
        }
      }
      const before = method === 'POST' && shape < 2 ? await countOf(r) : undefined
      const what = `seed ${SEED} request ${done}: ${method} ${target} ${JSON.stringify(headers)} ${body ? body.toString('utf8').slice(0, 300) : ''}`
      const res = await rawCall(s.url, method, target, { headers, body })
      const tally = `${method} ${r.path}${shape >= 2 ? "/x" : ""} ${res.status} ${res.status >= 400 ? String(res.body?.NeutronError?.message).slice(0, 60) : ""}`
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      tallies.set(tally, (tallies.get(tally) ?? 0) + 1)
      check(res.status < 500, `${what} → ${res.status} ${res.text.slice(0, 300)}`)
      if (res.status >= 400) {
        const e = res.body?.NeutronError
        check(e && typeof e.type === 'string' && typeof e.message === 'string' && typeof e.detail === 'string', `${what} → ${res.status} without a Neutron error body: ${res.text.slice(0, 300)}`)
        if (before !== undefined) check(await countOf(r) === before, `${what} → ${res.status} created something`)
      } else {
        check(!res.text.includes('\uFFFD'), `${what} → stored a replacement character`)
        check(headers['X-Project-Id'] !== '', `${what} → an empty project was accepted`)
        // A declared attribute only: one the map does not have must have been refused.
        const plain = shape < 4 || (shape === 5 && r.path !== 'routers') // the resource itself, not tags or an action
        if (sent && plain && method !== 'GET') for (const k of Object.keys(sent)) check(Object.hasOwn(r.map, k), `${what} → accepted undeclared attribute ${k}`)
        for (const item of [res.body?.[r.key], ...(res.body?.[r.plural] && method !== 'GET' ? res.body[r.plural] : [])]) {
          if (!item || typeof item !== 'object' || method === 'GET' || method === 'DELETE') continue
          for (const k of Object.keys(item)) check(Object.hasOwn(r.map, k) || SHOWN_EXTRA.has(k), `${what} → shows undeclared attribute ${k}`)
          if (item.allowed_address_pairs) check(item.allowed_address_pairs.length <= MAX_PAIRS, `${what} → ${item.allowed_address_pairs.length} pairs`)
          for (const o of item.extra_dhcp_opts ?? []) check(typeof o.opt_value === 'string', `${what} → opt_value ${JSON.stringify(o.opt_value)}`)
          if (method === 'POST' && typeof item.id === 'string') ids.push(item.id)
        }
        if (method === 'DELETE' || r.path === 'floatingips') changes.push(`${what} → ${res.status}`)
        if (method === 'DELETE') deleted.add(decodeURIComponent(target.split('?')[0]!.split('/').filter((x) => x)[2] ?? ''))
      }
    }
    if (process.env.FUZZ_VERBOSE) console.log(`${done} requests in ${Date.now() - started} ms\n${[...tallies].sort().map(([k, n]) => `${n} ${k}`).join("\n")}`)
    // Every failure of the pass at once (the first few of each kind), not just the first.
    assert.deepEqual(failures, [], `${failures.length} failures, seed ${SEED}`)
    assert.ok(done >= MIN_REQUESTS, `only ${done} requests in ${TIME_CAP_MS} ms`)
    // Still answering; nothing internal logged; the seeds no 2xx DELETE named are all there.
    assert.equal((await s.call('GET', '/v2.0/networks?limit=1')).status, 200)
    assert.deepEqual(s.log.lines.filter((l) => /failed: /.test(l) && /ERROR/i.test(l)), [])
    for (const seed of seeds) {
      if (deleted.has(seed.id) || (seed.parent !== undefined && deleted.has(seed.parent))) continue
      assert.equal((await s.call('GET', `/v2.0/${seed.path}/${seed.id}`)).status, 200, `seed ${seed.path}/${seed.id} lost; 2xx deletes:\n${changes.join('\n')}`)
    }
    // The pass must have exercised both sides: refusals and successes.
    assert.ok([...statuses].some(([st]) => st >= 400) && [...statuses].some(([st]) => st < 300), JSON.stringify([...statuses]))
  })
})
