/**
 * SQL for tunnel endpoints (neutron/plugins/ml2/drivers/type_tunnel.py, ml2_<type>_endpoints):
 * one row per (tunnel type, IP) with the host that reported it.
 */
import type { Queryable } from '../engine.js'

export interface TunnelEndpoint {
  ip_address: string
  udp_port: number | null
  host: string | null
}

export async function listTunnelEndpoints(q: Queryable, tunnelType: string): Promise<TunnelEndpoint[]> {
  return q.all<TunnelEndpoint>(
    'SELECT ip_address, udp_port, host FROM ml2_tunnel_endpoints WHERE tunnel_type = ? ORDER BY ip_address',
    [tunnelType],
  )
}

export async function getTunnelEndpointByIp(q: Queryable, tunnelType: string, ip: string): Promise<TunnelEndpoint | undefined> {
  return q.get<TunnelEndpoint>('SELECT ip_address, udp_port, host FROM ml2_tunnel_endpoints WHERE tunnel_type = ? AND ip_address = ?', [tunnelType, ip])
}

export async function getTunnelEndpointByHost(q: Queryable, tunnelType: string, host: string): Promise<TunnelEndpoint | undefined> {
  return q.get<TunnelEndpoint>('SELECT ip_address, udp_port, host FROM ml2_tunnel_endpoints WHERE tunnel_type = ? AND host = ?', [tunnelType, host])
}

export async function insertTunnelEndpoint(q: Queryable, tunnelType: string, e: TunnelEndpoint): Promise<void> {
  await q.run('INSERT INTO ml2_tunnel_endpoints (tunnel_type, ip_address, udp_port, host) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
    tunnelType, e.ip_address, e.udp_port, e.host,
  ])
}

export async function deleteTunnelEndpoint(q: Queryable, tunnelType: string, ip: string): Promise<void> {
  await q.run('DELETE FROM ml2_tunnel_endpoints WHERE tunnel_type = ? AND ip_address = ?', [tunnelType, ip])
}

export async function setTunnelEndpointHost(q: Queryable, tunnelType: string, ip: string, host: string): Promise<void> {
  await q.run('UPDATE ml2_tunnel_endpoints SET host = ? WHERE tunnel_type = ? AND ip_address = ?', [host, tunnelType, ip])
}

/** type_tunnel delete_endpoint_by_host_or_ip: the rows of that host, and the row of that IP. */
export async function deleteTunnelEndpointByHostOrIp(q: Queryable, tunnelType: string, host: string | null, ip: string): Promise<void> {
  await q.run('DELETE FROM ml2_tunnel_endpoints WHERE tunnel_type = ? AND (host = ? OR ip_address = ?)', [tunnelType, host, ip])
}
