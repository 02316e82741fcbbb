/**
 * Building blocks for router and floating IP tests, over any client with Neutrino's `call`
 * (in-process TestServer or a server process): an external network with a subnet, project
 * networks with subnets, members' headers. Addresses only from the documentation ranges.
 */
import assert from 'node:assert/strict'

export type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }>

/** A noauth non-admin of `project` (creates must name tenant_id in the body). */
export const member = (project: string) => ({ 'X-Project-Id': project, 'X-Roles': 'member' })

export async function ok(call: Call, method: string, path: string, body?: unknown, headers?: Record<string, string>, status?: number): Promise<any> {
  const r = await call(method, path, body, headers)
  const want = status ?? (method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200)
  assert.equal(r.status, want, `${method} ${path}: ${JSON.stringify(r.body)}`)
  return r.body
}

/** An admin-owned external network (router:external) with one IPv4 subnet. */
export async function externalNetwork(call: Call, cidr = '203.0.113.0/24', extra: Record<string, unknown> = {}): Promise<{ net: any; subnet: any }> {
  const net = (await ok(call, 'POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true, ...extra } })).network
  const subnet = (await ok(call, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr, name: 'public-sub' } })).subnet
  return { net, subnet }
}

/** A network with one subnet, for `headers`' project (admin's default project when none). */
export async function privateNetwork(
  call: Call,
  cidr: string,
  o: { headers?: Record<string, string>; project?: string; subnet?: Record<string, unknown> } = {},
): Promise<{ net: any; subnet: any }> {
  const tenant = o.project ? { tenant_id: o.project } : {}
  const net = (await ok(call, 'POST', '/v2.0/networks', { network: { name: 'private', ...tenant } }, o.headers)).network
  const version = cidr.includes(':') ? 6 : 4
  const subnet = (await ok(call, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: version, cidr, ...tenant, ...o.subnet } }, o.headers)).subnet
  return { net, subnet }
}

export async function router(call: Call, body: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<any> {
  return (await ok(call, 'POST', '/v2.0/routers', { router: { name: 'r', ...body } }, headers)).router
}

export function neutronError(r: { status: number; body: any }, status: number, type: string, message?: string | RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body))
  assert.equal(r.body?.NeutronError?.type, type, JSON.stringify(r.body))
  assert.equal(r.body.NeutronError.detail, '')
  if (typeof message === 'string') assert.equal(r.body.NeutronError.message, message)
  else if (message) assert.match(r.body.NeutronError.message, message)
}
