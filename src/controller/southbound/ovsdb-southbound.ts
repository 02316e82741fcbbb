/**
 * The controller's OVSDB southbound (issue 13, "Southbound"): every hypervisor's Open_vSwitch
 * database, whether it dialed us (`[controller] ovsdb_listen`, nodes that ran
 * `ovs-vsctl set-manager` / `neutrino node join`) or we dial it (`ovsdb_nodes`), through the one
 * node abstraction of src/ovsdb. Per node a replica of Open_vSwitch/Bridge/Port/Interface/
 * Controller/Manager (VSWITCH_TABLES); from it the node's facts (→ NodeRegistry, hostconfigs),
 * the ofports of tunnel/patch ports and of `iface-id` interfaces, the integration bridge's
 * datapath id; and `apply()` brings the node to the dataplane's rows with the ensure helpers,
 * writing nothing when the node is already right (docs/controller.md "Southbound").
 */
import { EventEmitter } from 'node:events'
import { rmSync } from 'node:fs'
import type { AddressInfo, Socket } from 'node:net'
import type { Logger } from '../../common/log.js'
import type { BridgeRow } from '../../dataplane/ovsdb-rows.js'
import { OWNER_EXTERNAL_IDS } from '../../dataplane/ovsdb-rows.js'
import {
  cmd, ensure, OvsdbDialer, OvsdbManager, VSWITCH_TABLES, VswitchApi,
  type Command, type OvsdbNode, type VswitchReplicaTables,
} from '../../ovsdb/index.js'
import { hostIdOf, type NodeFacts, parseMappings } from '../hostconfig.js'
import { isDeepStrictEqual } from 'node:util'
import type { NodeView } from '../state/desired-from-store.js'
import type { NodeRegistry } from './node-registry.js'

type VNode = OvsdbNode<VswitchReplicaTables>

/** Columns the desired-state computation and the ensure helpers read, per table. */
const RELEVANT: Record<string, readonly string[]> = {
  Open_vSwitch: ['external_ids', 'other_config', 'bridges', 'manager_options', 'datapath_types', 'iface_types'],
  Bridge: ['name', 'ports', 'datapath_id', 'datapath_type', 'controller', 'fail_mode', 'protocols', 'other_config', 'external_ids'],
  Port: ['name', 'interfaces', 'tag', 'external_ids'],
  Interface: ['name', 'type', 'options', 'ofport', 'external_ids', 'other_config'],
  Controller: ['target', 'connection_mode', 'inactivity_probe', 'max_backoff'],
  Manager: ['target', 'inactivity_probe'],
}

export interface OvsdbSouthboundOptions {
  /** `ptcp:PORT[:IP]`, `pssl:…`, `punix:PATH`, or '' for none. */
  readonly listen: string
  readonly targets: readonly string[]
  readonly integrationBridge: string
  readonly datapathType: 'system' | 'netdev'
  /** Default physnet:bridge mappings for nodes that declare none. */
  readonly bridgeMappings: readonly string[]
  readonly registry: NodeRegistry
  readonly log: Logger
}

export interface OvsdbSouthboundEvents {
  /** Something a computation reads changed (a node came or went, a replica changed). */
  change: []
  node_down: [hostId: string]
}

interface Live {
  readonly node: VNode
  readonly api: VswitchApi
  readonly hostId: string
}

export class OvsdbSouthbound extends EventEmitter<OvsdbSouthboundEvents> {
  readonly #o: OvsdbSouthboundOptions
  readonly #live = new Map<string, Live>()
  #manager: OvsdbManager<VswitchReplicaTables> | undefined
  #dialer: OvsdbDialer<VswitchReplicaTables> | undefined
  /** OVSDB operations sent since start (the reconciliation proof counts them). */
  opsSent = 0

  constructor(o: OvsdbSouthboundOptions) {
    super()
    this.#o = o
  }

  async start(): Promise<void> {
    const log = this.#o.log
    const opts = { replica: { tables: VSWITCH_TABLES }, logger: log }
    if (this.#o.listen !== '') {
      // a socket file left by a killed controller would make the listen fail
      if (this.#o.listen.startsWith('punix:')) rmSync(this.#o.listen.slice(6), { force: true })
      this.#manager = await OvsdbManager.listen<VswitchReplicaTables>(this.#o.listen, opts)
      this.#wire(this.#manager)
      log.info(`ovsdb listening on ${this.#describeListen()}`)
    }
    if (this.#o.targets.length) {
      this.#dialer = new OvsdbDialer<VswitchReplicaTables>(this.#o.targets, opts)
      this.#wire(this.#dialer)
    }
  }

  #describeListen(): string {
    const a = this.#manager?.server.address()
    return a && typeof a === 'object' ? `${(a as AddressInfo).address}:${(a as AddressInfo).port}` : String(a)
  }

  /** Bound TCP port of the passive listener (ptcp:0 picks one). */
  get listenPort(): number {
    return this.#manager?.port ?? 0
  }

  #wire(src: OvsdbManager<VswitchReplicaTables> | OvsdbDialer<VswitchReplicaTables>): void {
    src.on('up', (node) => this.#up(node))
    src.on('down', (node, reason) => this.#down(node, reason))
    src.on('rejected', (remote, reason) => this.#o.log.warn(`ovsdb node ${remote} refused: ${reason}`))
    src.on('error', (e) => this.#o.log.warn(`ovsdb: ${e.message}`))
  }

  #up(node: VNode): void {
    if (!node.replica) return
    const api = new VswitchApi(node.replica)
    const facts = this.#facts(api, node.id)
    const hostId = hostIdOf(facts)
    if (!hostId) {
      this.#o.log.warn(`ovsdb node ${node.remote} (${node.id}) has no external_ids:system-id or hostname; ignored until it names itself`)
    }
    const live: Live = { node, api, hostId: hostId ?? '' }
    this.#live.set(node.id, live)
    this.#o.registry.upsert(facts)
    // only changes the computation reads schedule a run: ovs-vswitchd rewrites status columns
    // (Controller.status, Interface.link_state …) on its own, and each would cost every node a dump
    let relevant = false
    node.replica.on('insert', () => { relevant = true })
    node.replica.on('delete', () => { relevant = true })
    node.replica.on('update', (table, row, old) => {
      if (!relevant && RELEVANT[table]?.some((c) => !isDeepStrictEqual(row[c], old[c]))) relevant = true
    })
    node.replica.on('change', () => {
      if (this.#live.get(node.id) !== live || !relevant) return
      relevant = false
      const f = this.#facts(api, node.id)
      this.#o.registry.upsert(f)
      const h = hostIdOf(f) ?? ''
      if (h !== live.hostId) this.#live.set(node.id, { ...live, hostId: h })
      this.emit('change')
    })
    this.#o.log.info(`ovsdb node ${hostId ?? node.id} up (${node.mode}, ${node.remote})`)
    this.emit('change')
  }

  #down(node: VNode, reason: string): void {
    const live = this.#live.get(node.id)
    if (!live || live.node !== node) return
    this.#live.delete(node.id)
    this.#o.registry.remove(node.id)
    this.#o.log.info(`ovsdb node ${live.hostId || node.id} down: ${reason}`)
    if (live.hostId) this.emit('node_down', live.hostId)
    this.emit('change')
  }

  #facts(api: VswitchApi, uuid: string): NodeFacts {
    const root = [...api.replica.rows('Open_vSwitch').values()][0]
    return {
      uuid,
      externalIds: { ...(root?.external_ids ?? {}) },
      otherConfig: { ...(root?.other_config ?? {}) },
      datapathTypes: [...(root?.datapath_types ?? [])],
      ifaceTypes: [...(root?.iface_types ?? [])],
    }
  }

  #byHost(hostId: string): Live | undefined {
    for (const l of this.#live.values()) if (l.hostId === hostId) return l
    return undefined
  }

  /** Host ids of the connected nodes that named themselves. */
  hostIds(): string[] {
    return [...this.#live.values()].map((l) => l.hostId).filter((h) => h !== '').sort()
  }

  /** What the desired-state computation needs of every connected node. */
  views(): NodeView[] {
    const out: NodeView[] = []
    for (const l of this.#live.values()) {
      if (!l.hostId) continue
      const root = [...l.api.replica.rows('Open_vSwitch').values()][0]
      const oc = root?.other_config ?? {}
      const mappings = oc['provider_mappings'] ?? oc['bridge_mappings'] ?? this.#o.bridgeMappings.join(',')
      const ofports: Record<string, number> = {}
      const vifs = new Map<string, number>()
      const br = l.api.bridge(this.#o.integrationBridge)
      for (const pu of br?.ports ?? []) {
        const port = l.api.replica.get('Port', pu)
        for (const iu of port?.interfaces ?? []) {
          const i = l.api.replica.get('Interface', iu)
          const of = i?.ofport
          if (!i || typeof of !== 'number' || of < 1 || of > 0xfeff) continue
          const ifaceId = i.external_ids['iface-id']
          if (ifaceId) vifs.set(ifaceId, of)
          else ofports[i.name] = of
        }
      }
      const localIp = oc['local_ip']
      out.push({
        id: l.hostId, bridgeMappings: parseMappings(mappings), datapathType: this.#o.datapathType, ofports, vifs,
        ...(localIp ? { localIp } : {}),
      })
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : 1))
  }

  /** The integration bridge's datapath id on a node, once ovs-vswitchd has written it. */
  datapathId(hostId: string): bigint | undefined {
    const dp = this.#byHost(hostId)?.api.bridge(this.#o.integrationBridge)?.datapath_id
    return typeof dp === 'string' && /^[0-9a-f]{1,16}$/i.test(dp) ? BigInt('0x' + dp) : undefined
  }

  /**
   * The OpenFlow target a node's br-int must dial for a `ptcp:`/`punix:` listener: the address the
   * node reached us on (the local end of its OVSDB connection) — a wildcard listen address is no
   * destination — or the listener's own address when it names one.
   */
  controllerTarget(hostId: string, openflowListen: string, boundPort: number): string | undefined {
    const m = /^(ptcp|pssl):(\d+)(?::(.+))?$/.exec(openflowListen)
    if (!m) {
      const u = /^punix:(.+)$/.exec(openflowListen)
      return u ? `unix:${u[1]}` : undefined
    }
    const proto = m[1] === 'pssl' ? 'ssl' : 'tcp'
    let ip = m[3]
    if (ip === undefined || ip === '0.0.0.0' || ip === '::' || ip === '[::]') {
      const sock = this.#byHost(hostId)?.node.client.rpc?.stream as Socket | undefined
      ip = sock?.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'
    }
    return `${proto}:${ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip}:${boundPort}`
  }

  /**
   * Brings the node's bridges and owned ports to `rows` in one transaction; removes ports we own
   * (external_ids neutrino-owned) that are no longer wanted. Returns the number of operations
   * sent — 0 when the node already was right (nothing is sent at all then).
   */
  async apply(hostId: string, rows: readonly BridgeRow[]): Promise<number> {
    const l = this.#byHost(hostId)
    if (!l) return 0
    const commands: Command[] = []
    const wanted = new Set<string>()
    for (const br of rows) {
      commands.push(ensure.bridge(br.name, {
        datapathType: br.datapathType,
        ...(br.failMode ? { failMode: br.failMode } : {}),
        ...(br.protocols ? { protocols: [...br.protocols] as never } : {}),
        ...(br.failMode ? { controllers: br.controllers.map((target) => ({ target, connectionMode: 'out-of-band' as const })) } : {}),
        otherConfig: { ...br.otherConfig },
      }))
      for (const p of br.ports) {
        wanted.add(p.name)
        const i = p.interfaces[0]!
        commands.push(ensure.port(br.name, p.name, { type: i.type, options: { ...i.options }, ifaceExternalIds: { ...i.externalIds } }))
      }
    }
    const ownerKey = Object.keys(OWNER_EXTERNAL_IDS)[0]!
    for (const br of rows) {
      for (const pu of l.api.bridge(br.name)?.ports ?? []) {
        const port = l.api.replica.get('Port', pu)
        if (!port || wanted.has(port.name)) continue
        const owned = port.interfaces.some((iu) => l.api.replica.get('Interface', iu)?.external_ids[ownerKey] === 'true')
        if (owned) commands.push(cmd.delPort(port.name, { bridge: br.name, ifExists: true }))
      }
    }
    const ops = l.api.plan(...commands)
    if (ops.length === 0) return 0
    await l.api.run(...commands)
    this.opsSent += ops.length
    return ops.length
  }

  async close(): Promise<void> {
    this.#dialer?.close()
    await this.#manager?.close()
  }
}
