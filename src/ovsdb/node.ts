/**
 * One "node" abstraction for both connection directions: a switch whose ovsdb-server dialed us
 * (passive, `OvsdbManager`) or one we dialed (active, `OvsdbDialer`). Both emit the same events
 * (`OvsdbNodeEvents`) with the same `OvsdbNode` objects, so a controller handles a hypervisor the
 * same way whichever side opened the connection.
 *
 * A node is one connection: when it drops, `down` fires and the next connection from (or to) the
 * same switch is a new node object with a fresh replica. The node's identity is its
 * `Open_vSwitch` row uuid and `external_ids:system-id`, read as soon as it connects, and — over
 * TLS — the peer certificate (the production answer to "who is this?": the CA vouches for it).
 */
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import type { OvsdbClient, ClientOptions } from './client.js'
import type { Logger } from './logger.js'
import { isUuidString } from './notation.js'
import { Replica, type ReplicaOptions, type Row } from './replica.js'
import type { TlsOptions } from './transport.js'

/** Who the TLS peer is, from its certificate (verified against our CA before we get here). */
export interface PeerCertificate {
  /** Subject common name (ovs-pki puts the switch name there). */
  subjectCN: string | undefined
  /** SHA-256 fingerprint, colon-separated hex (as `openssl x509 -fingerprint -sha256`). */
  fingerprint256: string
}

export interface OvsdbNode<T extends Record<string, Row> = Record<string, Row>> {
  /** Open_vSwitch row uuid. */
  id: string
  /** external_ids:system-id, when set. */
  systemId: string | undefined
  /** How the connection was made. */
  mode: 'passive' | 'active'
  /** Peer address (ip:port, or "unix") for passive nodes; the dialed target for active ones. */
  remote: string
  /** The peer's certificate over TLS (pssl:/ssl:), else undefined. */
  peerCertificate: PeerCertificate | undefined
  client: OvsdbClient
  /** Present when the options asked for a replica. */
  replica: Replica<T> | undefined
}

export interface OvsdbNodeEvents<T extends Record<string, Row> = Record<string, Row>> {
  /** A node connected and identified itself (its replica, if any, is synced). */
  up: [node: OvsdbNode<T>]
  /** A node's connection ended. */
  down: [node: OvsdbNode<T>, reason: string]
  /** A connection was refused: it claimed the identity of a node that is still connected. */
  rejected: [remote: string, reason: string]
  error: [err: Error]
}

/** Common to OvsdbManager and OvsdbDialer. */
export interface NodeOptions extends ClientOptions {
  tls?: TlsOptions
  /** Build a replica of each node (e.g. `{ tables: VSWITCH_TABLES }`) before announcing it. */
  replica?: Omit<ReplicaOptions, 'db'> & { db?: string }
  /** Time allowed for a new connection to identify itself (default 10 s). */
  identifyTimeoutMs?: number
  /**
   * A new connection claiming the Open_vSwitch uuid or system-id of a node that is connected:
   * - 'reject' (default): the existing node is probed with an echo; if it answers, the new
   *   connection is refused (`rejected` event, warning logged); if it does not, it is dead
   *   (half-open) and the new one takes its place.
   * - 'replace': the new connection always replaces the existing one (trusting every peer: use
   *   only with TLS client certificates or on a trusted network).
   */
  duplicates?: 'reject' | 'replace'
  /**
   * Decides whether an identified node may join: return a reason to refuse it (`rejected`
   * event), or undefined to admit it. The place to tie identities together, e.g. require the
   * TLS certificate's CN to equal the claimed system-id so one switch cannot pose as another.
   */
  authorize?: (node: OvsdbNode<any>) => string | undefined
  /** How long the existing node has to answer that echo (default 2000 ms). */
  duplicateProbeMs?: number
  /**
   * Inactivity probe: echo after this long without traffic, drop after as long again without
   * an answer. Default 5000 ms (OVS's default) for nodes; 0 disables it.
   */
  probeIntervalMs?: number
}

/** OVS's default inactivity probe (ovsdb-server(1), Manager inactivity_probe). */
export const DEFAULT_NODE_PROBE_MS = 5000

export function peerCertificate(stream: Duplex): PeerCertificate | undefined {
  const t = stream as Partial<TLSSocket>
  if (typeof t.getPeerCertificate !== 'function' || !t.encrypted) return undefined
  const c = t.getPeerCertificate()
  if (!c || !c.fingerprint256) return undefined
  const cn = c.subject?.CN
  return { subjectCN: Array.isArray(cn) ? cn[0] : cn, fingerprint256: c.fingerprint256 }
}

/**
 * Reads who the peer is and builds its replica: the steps before a node is announced. The
 * whole of it is bounded by identifyTimeoutMs (default 10 s): a peer that answers echoes but
 * never finishes (say, never answers get_schema) is closed rather than held forever.
 */
export async function identifyNode<T extends Record<string, Row>>(
  client: OvsdbClient,
  options: NodeOptions,
): Promise<{ id: string; systemId: string | undefined; replica: Replica<T> | undefined }> {
  const timeoutMs = options.identifyTimeoutMs ?? 10_000
  const timer = setTimeout(() => client.rpc?.close(`did not identify itself within ${timeoutMs} ms`), timeoutMs)
  try {
    const [res] = (await client.transact('Open_vSwitch', [{ op: 'select', table: 'Open_vSwitch', where: [], columns: ['_uuid', 'external_ids'] }])) as [
      { rows?: { _uuid?: unknown; external_ids?: unknown }[] },
    ]
    const rows = res?.rows
    if (!Array.isArray(rows) || rows.length !== 1) throw new Error(`expected one Open_vSwitch row, got ${Array.isArray(rows) ? rows.length : 'none'}`)
    const row = rows[0]!
    const uuid = row._uuid
    if (!Array.isArray(uuid) || uuid[0] !== 'uuid' || !isUuidString(uuid[1])) throw new Error('Open_vSwitch row has no valid _uuid')
    const ext = row.external_ids
    const pairs = Array.isArray(ext) && ext[0] === 'map' && Array.isArray(ext[1]) ? (ext[1] as unknown[]) : []
    const sid = pairs.find((p): p is [string, string] => Array.isArray(p) && p[0] === 'system-id' && typeof p[1] === 'string')?.[1]
    const replica = options.replica ? await Replica.create<T>(client, { db: 'Open_vSwitch', ...options.replica }) : undefined
    if (client.rpc?.closed) throw new Error(client.rpc.closeReason)
    return { id: uuid[1], systemId: sid, replica }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The connected nodes of one manager or dialer, and the duplicate-identity rule (see
 * NodeOptions.duplicates). Shared so both directions judge a claimed identity the same way.
 */
export class NodeTable<T extends Record<string, Row>> {
  readonly #nodes = new Map<string, OvsdbNode<T>>()
  readonly #logger: Logger
  readonly #options: NodeOptions

  constructor(options: NodeOptions, logger: Logger) {
    this.#options = options
    this.#logger = logger
  }

  get map(): ReadonlyMap<string, OvsdbNode<T>> {
    return this.#nodes
  }

  bySystemId(systemId: string): OvsdbNode<T> | undefined {
    for (const n of this.#nodes.values()) if (n.systemId === systemId) return n
    return undefined
  }

  /** Nodes the candidate's identity collides with (same uuid or same system-id). */
  conflicts(candidate: { id: string; systemId: string | undefined }): OvsdbNode<T>[] {
    const out = new Set<OvsdbNode<T>>()
    const byId = this.#nodes.get(candidate.id)
    if (byId) out.add(byId)
    if (candidate.systemId !== undefined) {
      for (const n of this.#nodes.values()) if (n.systemId === candidate.systemId) out.add(n)
    }
    return [...out]
  }

  /**
   * Admits a new node or says why not. Existing nodes it displaces are closed here (their
   * `down` follows from the close handler).
   */
  async admit(candidate: OvsdbNode<T>): Promise<{ ok: true } | { ok: false; reason: string }> {
    const refusal = this.#options.authorize?.(candidate)
    if (refusal !== undefined) return { ok: false, reason: `not authorized: ${refusal}` }
    // Re-check after every wait: another newcomer with the same identity may have been
    // admitted meanwhile (the loop ends: each pass removes a conflict or returns).
    for (;;) {
      if (candidate.client.rpc?.closed) return { ok: false, reason: 'connection closed while identifying' }
      const [old] = this.conflicts(candidate)
      if (!old) break
      if (this.#options.duplicates !== 'replace' && old.client.connected) {
        const alive = await old.client.request('echo', ['duplicate-check'], { timeoutMs: this.#options.duplicateProbeMs ?? 2000 }).then(
          () => true,
          () => false,
        )
        if (alive && old.client.connected) {
          const what = old.id === candidate.id ? `Open_vSwitch ${old.id}` : `system-id ${candidate.systemId}`
          return { ok: false, reason: `${what} is already connected from ${old.remote}` }
        }
      }
      if (this.#nodes.get(old.id) !== old) continue
      this.#logger.warn(`ovsdb node ${old.systemId ?? old.id} (${old.remote}) replaced by a new connection from ${candidate.remote}`)
      this.#nodes.delete(old.id)
      old.client.close()
    }
    this.#nodes.set(candidate.id, candidate)
    return { ok: true }
  }

  /** Forgets a node whose connection ended (only if it is still the registered one). */
  remove(node: OvsdbNode<T>): void {
    if (this.#nodes.get(node.id) === node) this.#nodes.delete(node.id)
  }

  closeAll(): void {
    for (const n of this.#nodes.values()) n.client.close()
    this.#nodes.clear()
  }
}

/** waitForNode for anything that emits `up` (the manager and the dialer). */
export function waitForNode<T extends Record<string, Row>>(
  emitter: { on(e: 'up', f: (n: OvsdbNode<T>) => void): unknown; off(e: 'up', f: (n: OvsdbNode<T>) => void): unknown },
  current: ReadonlyMap<string, OvsdbNode<T>>,
  pred: (n: OvsdbNode<T>) => boolean,
  timeoutMs: number,
): Promise<OvsdbNode<T>> {
  for (const n of current.values()) if (pred(n)) return Promise.resolve(n)
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      emitter.off('up', on)
      reject(new Error(`no matching node connected within ${timeoutMs} ms`))
    }, timeoutMs)
    const on = (n: OvsdbNode<T>): void => {
      if (!pred(n)) return
      clearTimeout(t)
      emitter.off('up', on)
      resolve(n)
    }
    emitter.on('up', on)
  })
}
