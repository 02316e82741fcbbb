/**
 * q-plugin device methods (neutron/plugins/ml2/rpc.py RpcCallbacks, target 1.9): what the L2
 * agents call to wire a port and to say it is up or down (spec §3, §4).
 *
 * - get_device_details: the port's wiring (bottom bound segment, MTU, addresses) and, as a side
 *   effect, status BUILD (DOWN when admin-down). Unknown/unbound device → `{device}` only.
 * - update_device_up: the L2 provisioning block completes → ACTIVE (when no other block).
 * - update_device_down: status DOWN; `exists` false only when the port is gone.
 * - update_device_list: both, per device, failures listed instead of raised.
 */
import type { Logger } from '../../common/log.js'
import type { RpcEndpoint } from '../../messaging/types.js'
import type { BoundPort, Ml2Backend } from '../ml2-backend.js'
import type { PortStatusFlow } from '../port-status.js'
import { notFound, optStr, str, strList } from '../rpc-failures.js'
import { endpoint } from './endpoint.js'
import type { TunnelRpc } from './tunnel-rpc.js'

type Dict = Record<string, any>
type Args = Record<string, unknown>

export class DeviceRpc {
  constructor(
    private readonly backend: Ml2Backend,
    private readonly status: PortStatusFlow,
    private readonly tunnels: TunnelRpc,
    private readonly log: Logger,
  ) {}

  endpoint(): RpcEndpoint {
    return endpoint('1.9', {
      get_device_details: (_c, a) => this.getDeviceDetails(a),
      get_devices_details_list: (_c, a) => this.getDevicesDetailsList(a),
      update_device_up: (_c, a) => this.updateDeviceUp(a),
      update_device_down: (_c, a) => this.updateDeviceDown(a),
      update_device_list: (_c, a) => this.updateDeviceList(a),
      get_network_details: (_c, a) => this.getNetworkDetails(a),
      tunnel_sync: (_c, a) => this.tunnels.tunnelSync(a),
    }, this.log)
  }

  async getDevicesDetailsList(a: Args): Promise<Dict[]> {
    const devices = strList(a, 'devices', 'get_devices_details_list', [])
    const host = optStr(a, 'host', 'get_devices_details_list')
    const agentId = optStr(a, 'agent_id', 'get_devices_details_list')
    // Devices are independent: their reads go out together (one round trip per step on
    // PostgreSQL instead of one per device and step); replies keep the request's order.
    return Promise.all(devices.map((device) => this.details(device, agentId, host)))
  }

  getDeviceDetails(a: Args): Promise<Dict> {
    return this.details(str(a, 'device', 'get_device_details'), optStr(a, 'agent_id', 'get_device_details'), optStr(a, 'host', 'get_device_details'))
  }

  private async details(device: string, agentId: string | null, host: string | null): Promise<Dict> {
    const portId = await this.backend.resolveDevice(device)
    const bound = portId ? await this.backend.boundPort(portId) : null
    if (!bound) {
      this.log.debug(`Device ${device} requested by agent ${agentId} not found in database`)
      return { device }
    }
    const port = bound.port
    const seg = bound.bottomSegment
    if (!seg) {
      this.log.warn(`Device ${device} requested by agent ${agentId} on network ${port.network_id} not bound, vif_type: ${port['binding:vif_type']}`)
      return { device }
    }
    if (String(port.device_owner).startsWith('compute:') && host !== null && port['binding:host_id'] !== host) {
      this.log.debug(`Device ${device} has no active binding in host ${host}`)
      return { device, no_active_binding: true }
    }
    const entry = {
      device,
      network_id: port.network_id,
      port_id: port.id,
      mac_address: port.mac_address,
      admin_state_up: port.admin_state_up,
      network_type: seg.network_type,
      segmentation_id: seg.segmentation_id,
      physical_network: seg.physical_network,
      mtu: bound.network.mtu,
      fixed_ips: (port.fixed_ips ?? []).map((f: Dict) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
      device_owner: port.device_owner,
      allowed_address_pairs: port.allowed_address_pairs ?? [],
      port_security_enabled: port.port_security_enabled ?? true,
      qos_policy_id: null,
      qos_network_policy_id: null,
      profile: port['binding:profile'] ?? {},
      propagate_uplink_status: false,
    }
    // rpc.py: the agent is wiring it now: BUILD, or DOWN when admin-down.
    const next = port.admin_state_up ? 'BUILD' : 'DOWN'
    if (port.status !== next) await this.setStatus(bound, next)
    return entry
  }

  /** false when the port is gone. Notifies only the server whose write changed the status. */
  private async setStatus(bound: BoundPort, status: string): Promise<boolean> {
    const r = await this.backend.setPortStatus(bound.port.id, status)
    if (!r) return false
    if (r.changed) await this.status.statusChanged({ ...bound, port: r.port }, r.from)
    return true
  }

  async updateDeviceUp(a: Args, refresh = false): Promise<null> {
    const device = str(a, 'device', 'update_device_up')
    const host = optStr(a, 'host', 'update_device_up')
    const portId = await this.backend.resolveDevice(device)
    const bound = portId ? await this.backend.boundPort(portId) : null
    if (!bound || (host && bound.port['binding:host_id'] !== host)) {
      this.log.debug(`Device ${device} not bound to the agent host ${host}`)
      return null
    }
    const r = await this.backend.completeL2Provisioning(bound.port.id)
    const port = r?.port ?? bound.port
    // Also on an unchanged ACTIVE port: the agent restarted (refresh) and needs l2pop's full view.
    if (r?.changed || refresh) await this.status.statusChanged({ ...bound, port }, r?.changed ? r.from : (port.status as string), refresh)
    return null
  }

  async updateDeviceDown(a: Args): Promise<{ device: string; exists: boolean }> {
    const device = str(a, 'device', 'update_device_down')
    const host = optStr(a, 'host', 'update_device_down')
    const portId = await this.backend.resolveDevice(device)
    const bound = portId ? await this.backend.boundPort(portId) : null
    if (host && (!bound || bound.port['binding:host_id'] !== host)) {
      // Neutron answers exists: true here (recorded, seq 27): it never looked.
      this.log.debug(`Device ${device} not bound to the agent host ${host}`)
      return { device, exists: true }
    }
    const exists = bound ? await this.setStatus(bound, 'DOWN') : false
    if (!exists) this.log.debug(`Device ${device} not found in database`)
    return { device, exists }
  }

  async updateDeviceList(a: Args): Promise<Dict> {
    const up = strList(a, 'devices_up', 'update_device_list', [])
    const down = strList(a, 'devices_down', 'update_device_list', [])
    const host = optStr(a, 'host', 'update_device_list')
    const agentId = optStr(a, 'agent_id', 'update_device_list')
    const refresh = a.refresh_tunnels === true
    const devicesUp: string[] = []
    const failedUp: string[] = []
    const devicesDown: Dict[] = []
    const failedDown: string[] = []
    for (const device of up) {
      try {
        await this.updateDeviceUp({ device, host, agent_id: agentId }, refresh)
        devicesUp.push(device)
      } catch (e) {
        this.log.error(`Failed to update device ${device} up: ${(e as Error).message}`)
        failedUp.push(device)
      }
    }
    for (const device of down) {
      try {
        devicesDown.push(await this.updateDeviceDown({ device, host, agent_id: agentId }))
      } catch (e) {
        this.log.error(`Failed to update device ${device} down: ${(e as Error).message}`)
        failedDown.push(device)
      }
    }
    return { devices_up: devicesUp, failed_devices_up: failedUp, devices_down: devicesDown, failed_devices_down: failedDown }
  }

  async getNetworkDetails(a: Args): Promise<Dict> {
    const id = str(a, 'network', 'get_network_details')
    try {
      return await this.backend.network(id)
    } catch (e) {
      if ((e as { type?: string }).type === 'NetworkNotFound') throw notFound('NetworkNotFound', `Network ${id} could not be found.`)
      throw e
    }
  }
}

