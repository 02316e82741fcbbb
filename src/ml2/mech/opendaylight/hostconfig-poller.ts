/**
 * Pseudo-agent hostconfigs (networking-odl ml2/pseudo_agentdb_binding.py; odl-northbound.md §4):
 * every restconf_poll_interval, GET the controller's hostconfigs and report each as an "ODL L2"
 * agent (its heartbeat). Unlike networking-odl, ports that wait on a host seen for the first time
 * (left `binding_failed` or `unbound` with a host) are bound again at once, instead of staying
 * failed until someone updates them.
 */
import { adminContext } from '../../../common/context.js'
import type { Logger } from '../../../common/log.js'
import type { Ml2Service } from '../../service.js'
import { ConnectionFailure, type OdlClient } from './odl-client.js'
import { ODL_AGENT_BINARY, ODL_AGENT_TYPE } from './pseudo-agent-binding.js'

export interface HostconfigEntry {
  host: string
  type: string
  config: Record<string, unknown>
}

/** The hostconfigs of a RESTCONF answer; malformed entries are skipped (a controller's bad entry must not stop the others). */
export function parseHostconfigs(body: unknown): HostconfigEntry[] {
  const list = (body as { hostconfigs?: { hostconfig?: unknown } } | null)?.hostconfigs?.hostconfig
  if (!Array.isArray(list)) return []
  const out: HostconfigEntry[] = []
  for (const h of list) {
    if (typeof h !== 'object' || h === null) continue
    const host = (h as Record<string, unknown>)['host-id']
    const type = (h as Record<string, unknown>)['host-type']
    const raw = (h as Record<string, unknown>).config
    if (typeof host !== 'string' || !host || typeof type !== 'string') continue
    let config: unknown = raw
    if (typeof raw === 'string') {
      try {
        config = JSON.parse(raw)
      } catch {
        continue
      }
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) continue
    out.push({ host, type, config: config as Record<string, unknown> })
  }
  return out
}

export class HostconfigPoller {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<unknown> | undefined
  constructor(private readonly o: { client: OdlClient; log: Logger; intervalSec: number; service: () => Ml2Service | undefined }) {}

  start(): void {
    const tick = () => {
      this.#running = this.pollOnce().catch((e) => this.o.log.warn(`hostconfig poll: ${(e as Error).message}`))
    }
    this.#timer = setInterval(tick, this.o.intervalSec * 1000)
    setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#running
  }

  /** One poll; returns the hosts reported. */
  async pollOnce(): Promise<string[]> {
    const service = this.o.service()
    if (!service) return []
    let res
    try {
      res = await this.o.client.restconf('GET', 'operational/neutron:neutron/hostconfigs/')
    } catch (e) {
      if (e instanceof ConnectionFailure) return []
      throw e
    }
    if (res.status === 404) return []
    if (res.status < 200 || res.status >= 300) throw new Error(`GET hostconfigs: HTTP ${res.status}`)
    const hosts: string[] = []
    for (const h of parseHostconfigs(res.body)) {
      if (h.type !== ODL_AGENT_TYPE) continue
      const result = await service.agents.reportState({ agent_type: ODL_AGENT_TYPE, binary: ODL_AGENT_BINARY, host: h.host, topic: 'N/A', configurations: h.config, start_flag: false })
      hosts.push(h.host)
      if (result !== 'alive') await this.#rebind(service, h.host)
    }
    return hosts
  }

  /** Ports waiting on `host` get bound now (a change of binding:host_id is what triggers binding). */
  async #rebind(service: Ml2Service, host: string): Promise<void> {
    const ctx = adminContext()
    const ports = await service.ports.list(ctx, new Map([['binding:host_id', [host]]]))
    for (const p of ports) {
      if (p['binding:host_id'] !== host || (p['binding:vif_type'] !== 'binding_failed' && p['binding:vif_type'] !== 'unbound')) continue
      try {
        await service.ports.update(ctx, p.id, { 'binding:host_id': '' })
        await service.ports.update(ctx, p.id, { 'binding:host_id': host })
        this.o.log.info(`port ${p.id} bound again now that host ${host} has a hostconfig`)
      } catch (e) {
        this.o.log.warn(`rebinding port ${p.id} on ${host}: ${(e as Error).message}`)
      }
    }
  }
}
