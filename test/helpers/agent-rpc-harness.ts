/**
 * A Neutrino server (in-process, SQLite or PostgreSQL) with the agent RPC endpoints started on
 * the in-memory FakeTransport, and helpers to recreate the recorded lab's objects (network n1,
 * its subnet, port 1 on hv1 behind OVS, port 2 on hv2 behind LB) with the recorded MACs, IPs and
 * segment. Ids differ (Neutrino draws its own): `ids` maps recorded id → ours, and `mapIds`
 * rewrites recorded messages (ids, and LB device names tap<id[:11]>) for comparison.
 */
import { buildAgentRpc, startAgentRpc, TOPIC_PLUGIN, type AgentRpc } from '../../src/agent-rpc/agent-rpc-server.js'
import { L2populationMechanismDriver } from '../../src/ml2/mech/mech-l2population.js'
import { startNeutrino, type TestServer } from './neutrino.js'
import { FakeTransport } from '../fakes/fake-transport.js'
import type { RecordedMessage } from './agent-rpc-recorded.js'

export const REC = {
  network: 'a1c8d457-9b78-476a-bc51-f80f7cc28a8b',
  segment: 'a93aa2c9-172e-4f26-9701-297a7c1c7d95',
  subnet: '09961780-9bbd-4665-9999-1d02173aeeaa',
  pool: 'f28e4886-8b07-41a0-90e1-12115a782e5c',
  port1: 'a80f25fe-0e5c-469c-8a5b-e2df510df85d',
  port2: '2d1f5588-dc16-40f2-9951-399339467914',
  sg: 'ddb3fdeb-ba2c-4541-8f85-2e40cca183e4',
  /** default group rules by (direction, ethertype). */
  rules: { 'ingress/IPv4': 'e7be614c-f146-46c4-89ed-dbce040a51c6', 'egress/IPv4': 'a0b3164b-36d9-4a7a-bf3d-58a8d6d57b2a', 'ingress/IPv6': '955c1811-eaa0-4f8b-af68-f958350b0500', 'egress/IPv6': '35d0e0c0-3e16-4eb7-b2da-943980628b12' },
}

export const P1 = { 'X-Project-Id': 'p1', 'X-Roles': 'admin' }
export const INI = `[ml2]
mechanism_drivers = openvswitch,linuxbridge,hyperv,l2population
tenant_network_types = vxlan
[ml2_type_vxlan]
vni_ranges = 1000:2000
`

export interface Harness {
  s: TestServer
  t: FakeTransport
  rpc: AgentRpc
  ids: Map<string, string>
  call(topic: string, method: string, version: string, args: any): Promise<any>
  mapIds<T>(v: T): T
  close(): Promise<void>
}

export async function startHarness(dbUrl?: string): Promise<Harness> {
  const s = await startNeutrino({ ini: INI, dbUrl })
  const t = new FakeTransport()
  const l2pop = s.app.mechanismDrivers.find((d): d is L2populationMechanismDriver => d instanceof L2populationMechanismDriver) ?? null
  const rpc = buildAgentRpc({ plugin: s.app.plugin, tunnelTypes: new Set(s.app.plugin.core.typeManager.drivers.keys()), transport: t, log: s.log.child('agent-rpc'), l2pop })
  await startAgentRpc(rpc, t, 'ctl')
  const ids = new Map<string, string>()
  const mapIds = <T>(v: T): T => {
    let text = JSON.stringify(v)
    for (const [from, to] of ids) {
      text = text.split(from).join(to)
      text = text.split(`tap${from.slice(0, 11)}`).join(`tap${to.slice(0, 11)}`)
    }
    return JSON.parse(text)
  }
  return {
    s, t, rpc, ids, mapIds,
    call: (topic, method, version, args) => t.call({ topic, version }, method, mapIds(args)),
    close: async () => {
      await t.close()
      await s.close()
    },
  }
}

/** Network n1 (vxlan 1612), its subnet, and the default group of p1, with the ids mapped. */
export async function createLabNetwork(h: Harness): Promise<void> {
  const net = (await h.s.call('POST', '/v2.0/networks', { network: { name: 'n1', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 1612 } }, P1)).body.network
  h.ids.set(REC.network, net.id)
  const seg = await h.s.app.db.get('SELECT id FROM ml2_network_segments WHERE network_id = ?', [net.id])
  h.ids.set(REC.segment, seg!.id)
  const sub = (await h.s.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '203.0.113.0/24', enable_dhcp: false } }, P1)).body.subnet
  h.ids.set(REC.subnet, sub.id)
  const pool = await h.s.app.db.get('SELECT id FROM ipallocationpools WHERE subnet_id = ?', [sub.id])
  h.ids.set(REC.pool, pool!.id)
  const sg = await h.s.app.db.get('SELECT security_group_id AS id FROM default_security_group WHERE project_id = ?', ['p1'])
  h.ids.set(REC.sg, sg!.id)
  for (const [key, rec] of Object.entries(REC.rules)) {
    const [direction, ethertype] = key.split('/')
    const r = await h.s.app.db.get('SELECT id FROM securitygrouprules WHERE security_group_id = ? AND direction = ? AND ethertype = ?', [sg!.id, direction, ethertype])
    h.ids.set(rec, r!.id)
  }
}

export async function createLabPort(h: Harness, which: 1 | 2): Promise<any> {
  const spec = which === 1
    ? { rec: REC.port1, mac: 'fa:16:3e:c9:3a:d1', ip: '203.0.113.80', host: 'hv1', device: 'vm1' }
    : { rec: REC.port2, mac: 'fa:16:3e:65:a6:28', ip: '203.0.113.135', host: 'hv2', device: 'vm2' }
  const r = await h.s.call('POST', '/v2.0/ports', { port: {
    network_id: h.ids.get(REC.network), mac_address: spec.mac, fixed_ips: [{ subnet_id: h.ids.get(REC.subnet), ip_address: spec.ip }],
    device_id: spec.device, device_owner: 'compute:nova', 'binding:host_id': spec.host,
  } }, P1)
  if (r.status !== 201) throw new Error(`port create: ${r.status} ${JSON.stringify(r.body)}`)
  h.ids.set(spec.rec, r.body.port.id)
  return r.body.port
}

/** Replays a recorded call against the harness (ids mapped); returns our result. */
export function replay(h: Harness, m: RecordedMessage): Promise<any> {
  const topic = m.routingKey.split('.')[0]!
  return h.call(topic === 'neutron' ? TOPIC_PLUGIN : topic, m.method, m.version, m.args)
}

/**
 * Field-by-field comparison input: values at `ignored` keys replaced by a marker (the key must be
 * present on both sides, or absent on both), keys in `absent` dropped (what Neutrino does not
 * have at all), and security group rule lists sorted (rules of one group are created in the same
 * second; Neutron lists them in insertion order, which no column of Neutrino's records) and
 * lists of objects with ids (ports of a group: Neutrino's ids are random) — the agents key both
 * by id, so their order means nothing.
 */
export function masked(v: unknown, ignored: ReadonlySet<string>, absent: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(v)) {
    const out = v.map((x) => masked(x, ignored, absent))
    const isRule = (x: any) => x && typeof x === 'object' && ('direction' in x || x['versioned_object.name'] === 'SecurityGroupRule')
    const byId = (x: any) => typeof x?.['versioned_object.data']?.id === 'string'
    return out.length && (out.every(isRule) || out.every(byId)) ? out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : out
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).filter(([k]) => !absent.has(k)).map(([k, x]) => [k, ignored.has(k) ? '<ignored>' : masked(x, ignored, absent)]),
    )
  }
  return v
}
