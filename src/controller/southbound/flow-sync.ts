/**
 * OpenFlow side of the southbound (issue 13, "Compute, then apply"): a `SwitchListener` on
 * `[controller] openflow_listen` that every node's integration bridge dials, and `sync()`, which
 * turns a node's desired flows into flow mods (the dataplane's ovs-ofctl text through the
 * openflow parser), dumps the switch's installed flows in our cookie space (a FLOW multipart
 * request with cookie/mask), sends only the difference (`diffFlows`: ADD missing, MODIFY_STRICT
 * changed, DELETE_STRICT ours that nobody wants — never a re-add of an identical flow, which
 * would reset its counters) and confirms with a barrier.
 */
import { rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { COOKIE_OWNER, OWNER_MASK } from '../../dataplane/cookie.js'
import { type Flow, renderFlow } from '../../dataplane/flow.js'
import { diffFlows, parseFlowMod, type FlowMod, SwitchListener, type SwitchConnection } from '../../openflow/index.js'
import type { Logger } from '../../common/log.js'

const OWNER = { cookie: COOKIE_OWNER << 56n, cookieMask: OWNER_MASK }
const TABLE_ALL = 0xff
const ANY = 0xffffffff

export interface SyncResult {
  readonly sent: number
  readonly installed: number
}

export class FlowSync {
  readonly listener: SwitchListener
  readonly #log: Logger
  /** Flow mods sent since start (the reconciliation proof counts them). */
  modsSent = 0
  #bound: AddressInfo | string | undefined

  constructor(log: Logger) {
    this.#log = log
    this.listener = new SwitchListener()
    this.listener.on('handshake_failed', (e, remote) => log.warn(`openflow: handshake with ${remote} failed: ${e.message}`))
  }

  /** `ptcp:PORT[:IP]` or `punix:PATH`. */
  async listen(endpoint: string): Promise<AddressInfo | string> {
    const u = /^punix:(.+)$/.exec(endpoint)
    const t = /^ptcp:(\d+)(?::(.+))?$/.exec(endpoint)
    if (u) {
      // a socket file left by a killed controller would make the listen fail (ovs does the same)
      rmSync(u[1]!, { force: true })
      this.#bound = await this.listener.listen({ path: u[1]! })
    }
    else if (t) this.#bound = await this.listener.listen({ port: Number(t[1]), host: (t[2] ?? '0.0.0.0').replace(/^\[|\]$/g, '') })
    else throw new Error(`openflow_listen ${endpoint}: only ptcp:PORT[:IP] and punix:PATH are supported`)
    this.#log.info(`openflow listening on ${typeof this.#bound === 'string' ? this.#bound : `${this.#bound.address}:${this.#bound.port}`}`)
    return this.#bound
  }

  get port(): number {
    return typeof this.#bound === 'object' ? this.#bound.port : 0
  }

  switchOf(dpid: bigint): SwitchConnection | undefined {
    const c = this.listener.switches.get(dpid)
    return c && c.state === 'ready' ? c : undefined
  }

  /**
   * Brings the switch's flows in our cookie space to `flows`. Resolves with how many flow mods
   * were sent (0 when the switch already was right) after the switch confirmed them (barrier).
   */
  async sync(conn: SwitchConnection, flows: readonly Flow[]): Promise<SyncResult> {
    const desired: FlowMod[] = flows.map((f) => parseFlowMod(renderFlow(f)))
    const installed = await conn.flowStats({ table: TABLE_ALL, outPort: ANY, outGroup: ANY, cookie: OWNER.cookie, cookieMask: OWNER.cookieMask, match: {} })
    const diff = diffFlows(desired, installed, OWNER)
    if (diff.mods.length === 0) return { sent: 0, installed: installed.length }
    await conn.apply(diff.mods)
    this.modsSent += diff.mods.length
    return { sent: diff.mods.length, installed: installed.length }
  }

  close(): Promise<void> {
    return this.listener.close()
  }
}
