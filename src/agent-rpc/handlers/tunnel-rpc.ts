/**
 * tunnel_sync (neutron/plugins/ml2/drivers/type_tunnel.py TunnelRpcCallbackMixin): an agent
 * registers its tunnel endpoint and learns every endpoint of that type; the others hear about it
 * by tunnel_update. Checks in Neutron's order (the failure messages are its texts; recorded:
 * failure-replies.jsonl): tunnel_ip, its IP version vs [ml2] overlay_ip_version, tunnel_type,
 * a type driver for it. Endpoint moves follow the five cases of the Zed comment.
 */
import type { Logger } from '../../common/log.js'
import type { AgentCasts } from '../agent-casts.js'
import type { Ml2Backend } from '../ml2-backend.js'
import { invalidInput } from '../rpc-failures.js'

type Args = Record<string, unknown>

export class TunnelRpc {
  constructor(
    private readonly backend: Ml2Backend,
    private readonly casts: AgentCasts,
    private readonly log: Logger,
    private readonly overlayIpVersion: 4 | 6 = 4,
  ) {}

  async tunnelSync(a: Args): Promise<{ tunnels: Array<Record<string, unknown>> }> {
    const ip = a.tunnel_ip
    if (typeof ip !== 'string' || !ip) throw invalidInput('Tunnel IP value needed by the ML2 plugin')
    const host = typeof a.host === 'string' && a.host ? a.host : null
    const version = ipVersion(ip)
    if (version === null) throw invalidInput(`Invalid tunnel IP ${ip}`)
    if (version !== this.overlayIpVersion) {
      throw invalidInput(`Tunnel IP version does not match ML2 overlay_ip_version, host: ${host}, tunnel_ip_version: ${version}, overlay: ${this.overlayIpVersion}`)
    }
    const type = a.tunnel_type
    if (typeof type !== 'string' || !type) throw invalidInput('Network type value needed by the ML2 plugin')
    if (!this.backend.hasTunnelTypeDriver(type)) throw invalidInput(`Network type value '${type}' not supported`)
    if (host) {
      const [byHost, byIp] = await Promise.all([this.backend.endpointByHost(type, host), this.backend.endpointByIp(type, ip)])
      if (byIp && byIp.host === null && !byHost) {
        await this.backend.deleteEndpoint(type, ip)
      } else if (byIp && byIp.host !== host) {
        this.log.info(`Tunnel IP ${ip} was used by host ${byIp.host} and will be assigned to ${host}`)
        await this.backend.deleteEndpointByHostOrIp(type, byIp.host, ip)
      } else if (byHost && byHost.ip_address !== ip) {
        await this.casts.tunnelDelete(byHost.ip_address, type)
        await this.backend.deleteEndpoint(type, byHost.ip_address)
      }
    }
    await this.backend.addEndpoint(type, ip, host)
    const tunnels = (await this.backend.endpoints(type)).map((e) =>
      type === 'vxlan' ? { ip_address: e.ip_address, udp_port: e.udp_port, host: e.host } : { ip_address: e.ip_address, host: e.host },
    )
    await this.casts.tunnelUpdate(ip, type)
    return { tunnels }
  }
}

function ipVersion(ip: string): 4 | 6 | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && ip.split('.').every((o) => Number(o) <= 255)) return 4
  if (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip)) return 6
  return null
}
