/**
 * Which OVO versions to push (neutron/api/rpc/callbacks/version_manager.py): the versions this
 * server produces plus those the agents reported in `resource_versions` (report_state with
 * start_flag, or another server's `report_agent_resource_versions` fanout). A push goes out once
 * per version in that set that Neutrino can build; a reported version it cannot build (an older
 * agent's Port 1.6) is logged once and skipped: that agent keeps pulling.
 */
import type { Logger } from '../common/log.js'

/** The versions Neutrino builds (objects/*.ts), as Zed's server does. */
export const LOCAL_RESOURCE_VERSIONS: Readonly<Record<string, string>> = {
  Port: '1.7',
  Network: '1.1',
  Subnet: '1.1',
  SecurityGroup: '1.5',
  SecurityGroupRule: '1.2',
}

export class ResourceVersions {
  /** consumer ("<agent_type>@<host>") → resource type → version. */
  private readonly consumers = new Map<string, Record<string, string>>()
  private readonly warned = new Set<string>()

  constructor(private readonly log: Logger) {}

  update(agentType: string, host: string, versions: Record<string, unknown>): void {
    const clean: Record<string, string> = {}
    for (const [k, v] of Object.entries(versions)) if (typeof v === 'string') clean[k] = v
    this.consumers.set(`${agentType}@${host}`, clean)
  }

  /** What agents reported, per consumer (a copy). */
  reported(): Record<string, Record<string, string>> {
    return Object.fromEntries([...this.consumers].map(([k, v]) => [k, { ...v }]))
  }

  /** Versions to push for a resource type, sorted. */
  versionsFor(type: string): string[] {
    const local = LOCAL_RESOURCE_VERSIONS[type]
    const out = new Set<string>(local ? [local] : [])
    for (const [consumer, v] of this.consumers) {
      const want = v[type]
      if (!want || want === local) continue
      const key = `${consumer}/${type}/${want}`
      if (!this.warned.has(key)) {
        this.warned.add(key)
        this.log.warn(`${consumer} consumes ${type} ${want}, which this server does not build (it pushes ${local ?? 'none'}); that agent must pull`)
      }
    }
    return [...out].sort()
  }
}
