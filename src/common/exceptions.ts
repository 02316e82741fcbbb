/**
 * The API error catalogue. Each class carries an explicit wire name (`type`) that appears in
 * `{"NeutronError": {"type", "message", "detail"}}` — never `constructor.name`, which bundlers mangle.
 * Messages follow neutron-lib's exception templates (neutron_lib/exceptions/__init__.py) so clients
 * that match on text keep working. The HTTP status of each family lives in api/faults.ts (FAULT_MAP).
 * Every class here is listed in docs/errors.md; test/unit/api/errors-doc.test.ts checks for drift.
 */
export abstract class NeutronException extends Error {
  abstract readonly type: string
  /** Optional machine-readable detail, sent as NeutronError.detail ('' when absent). */
  detail = ''
}

// ---- families (status comes from these) -----------------------------------------------------
export class BadRequest extends NeutronException {
  readonly type: string = 'BadRequest'
  constructor(resource: string, msg: string) {
    super(`Bad ${resource} request: ${msg}.`)
  }
}
export class NotFound extends NeutronException { readonly type: string = 'NotFound' }
export class Conflict extends NeutronException { readonly type: string = 'Conflict' }
export class InUse extends NeutronException { readonly type: string = 'InUse' }
export class NotAuthorized extends NeutronException { readonly type: string = 'NotAuthorized' }
export class ServiceUnavailable extends NeutronException { readonly type: string = 'ServiceUnavailable' }

/** Neutron's webob-level errors keep the HTTP class name as type (e.g. HTTPBadRequest). */
export class HTTPError extends NeutronException {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message)
  }
}
export const httpBadRequest = (m: string) => new HTTPError(400, 'HTTPBadRequest', m)
export const httpNotFound = (m = 'The resource could not be found.') => new HTTPError(404, 'HTTPNotFound', m)
export const httpForbidden = (m: string) => new HTTPError(403, 'HTTPForbidden', m)
export const httpUnauthorized = (m = 'Authentication required') => new HTTPError(401, 'HTTPUnauthorized', m)
export const httpMethodNotAllowed = (m: string) => new HTTPError(405, 'HTTPMethodNotAllowed', m)
export const httpEntityTooLarge = (m = 'Request is too large.') => new HTTPError(413, 'HTTPRequestEntityTooLarge', m)
export const httpUnsupportedMediaType = (m: string) => new HTTPError(415, 'HTTPUnsupportedMediaType', m)
export const httpConflict = (m: string) => new HTTPError(409, 'HTTPConflict', m)
export const httpServiceUnavailable = (m: string) => new HTTPError(503, 'HTTPServiceUnavailable', m)

// ---- 400 -------------------------------------------------------------------------------------
export class InvalidInput extends NeutronException {
  readonly type: string = 'InvalidInput'
  constructor(errorMessage: string) {
    super(`Invalid input for operation: ${errorMessage}.`)
  }
}
export class InvalidAllocationPool extends NeutronException {
  readonly type = 'InvalidAllocationPool'
  constructor(pool: string) { super(`The allocation pool ${pool} is not valid.`) }
}
export class OverlappingAllocationPools extends Conflict {
  override readonly type = 'OverlappingAllocationPools'
  constructor(pool1: string, pool2: string, subnetCidr: string) {
    super(`Found overlapping allocation pools: ${pool1} ${pool2} for subnet ${subnetCidr}.`)
  }
}
export class OutOfBoundsAllocationPool extends NeutronException {
  readonly type = 'OutOfBoundsAllocationPool'
  constructor(pool: string, subnetCidr: string) {
    super(`The allocation pool ${pool} spans beyond the subnet cidr ${subnetCidr}.`)
  }
}
export class GatewayConflictWithAllocationPools extends InUse {
  override readonly type = 'GatewayConflictWithAllocationPools'
  constructor(ip: string, pool: string) { super(`Gateway ip ${ip} conflicts with allocation pool ${pool}.`) }
}
export class InvalidIpForSubnet extends NeutronException {
  readonly type = 'InvalidIpForSubnet'
  constructor(ip: string) { super(`IP address ${ip} is not a valid IP for the specified subnet.`) }
}
export class InvalidIpForNetwork extends NeutronException {
  readonly type = 'InvalidIpForNetwork'
  constructor(ip: string) { super(`IP address ${ip} is not a valid IP for any of the subnets on the specified network.`) }
}
export class MechanismDriverError extends NeutronException {
  readonly type = 'MechanismDriverError'
  constructor(method: string, readonly errors: unknown[] = []) { super(`${method} failed.`) }
}

// ---- 404 -------------------------------------------------------------------------------------
export class NetworkNotFound extends NotFound {
  override readonly type = 'NetworkNotFound'
  constructor(readonly netId: string) { super(`Network ${netId} could not be found.`) }
}
export class SubnetNotFound extends NotFound {
  override readonly type = 'SubnetNotFound'
  constructor(readonly subnetId: string) { super(`Subnet ${subnetId} could not be found.`) }
}
export class PortNotFound extends NotFound {
  override readonly type = 'PortNotFound'
  constructor(readonly portId: string) { super(`Port ${portId} could not be found.`) }
}
export class ExtensionNotFound extends NotFound {
  override readonly type = 'ExtensionNotFound'
  constructor(alias: string) { super(`Extension with alias ${alias} does not exist`) }
}
/** neutron/extensions/tagging.py TagNotFound. */
export class TagNotFound extends NotFound {
  override readonly type = 'TagNotFound'
  constructor(tag: string) {
    super(`Tag ${tag} could not be found.`)
  }
}

/** neutron_lib/exceptions/agent.py AgentNotFound. */
export class AgentNotFound extends NotFound {
  override readonly type = 'AgentNotFound'
  constructor(id: string) { super(`Agent ${id} could not be found.`) }
}

// ---- 409 -------------------------------------------------------------------------------------
export class NetworkInUse extends InUse {
  override readonly type = 'NetworkInUse'
  constructor(netId: string, portIds: string[]) {
    super(`Unable to complete operation on network ${netId}. There are one or more ports still in use on the network, id for these ports is: ${portIds.join(',')}.`)
  }
}
export class SubnetInUse extends InUse {
  override readonly type = 'SubnetInUse'
  readonly portIds: string[]
  constructor(subnetId: string, portIds: string[]) {
    super(`Unable to complete operation on subnet ${subnetId}: One or more ports have an IP allocation from this subnet.`)
    this.portIds = portIds
  }
}
export class MacAddressInUse extends InUse {
  override readonly type = 'MacAddressInUse'
  constructor(netId: string, mac: string) {
    super(`Unable to complete operation for network ${netId}. The mac address ${mac} is in use.`)
  }
}
export class IpAddressInUse extends InUse {
  override readonly type = 'IpAddressInUse'
  constructor(netId: string, ip: string) {
    super(`Unable to complete operation for network ${netId}. The IP address ${ip} is in use.`)
  }
}
export class IpAddressAlreadyAllocated extends Conflict {
  override readonly type = 'IpAddressAlreadyAllocated'
  constructor(ip: string, subnetId: string) { super(`IP address ${ip} already allocated in subnet ${subnetId}`) }
}
export class IpAddressGenerationFailure extends Conflict {
  override readonly type = 'IpAddressGenerationFailure'
  constructor(netId: string) { super(`No more IP addresses available on network ${netId}.`) }
}
export class MacAddressGenerationFailure extends ServiceUnavailable {
  override readonly type = 'MacAddressGenerationFailure'
  constructor(netId: string) { super(`Unable to generate unique mac on network ${netId}.`) }
}
export class VlanIdInUse extends InUse {
  override readonly type = 'VlanIdInUse'
  constructor(vlanId: number, physnet: string) {
    super(`Unable to create the network. The VLAN ${vlanId} on physical network ${physnet} is in use.`)
  }
}
export class TunnelIdInUse extends InUse {
  override readonly type = 'TunnelIdInUse'
  constructor(tunnelId: number) { super(`Unable to create the network. The tunnel ID ${tunnelId} is in use.`) }
}
export class FlatNetworkInUse extends InUse {
  override readonly type = 'FlatNetworkInUse'
  constructor(physnet: string) {
    super(`Unable to create the flat network. Physical network ${physnet} is in use.`)
  }
}
export class OverQuota extends Conflict {
  override readonly type = 'OverQuota'
  constructor(overs: string) { super(`Quota exceeded for resources: ${overs}.`) }
}

// ---- 403 -------------------------------------------------------------------------------------
/**
 * oslo.policy's PolicyNotAuthorized as Neutron raises it: the text is the str() of the rule that
 * failed. Neutron builds it as rule:<action>, AND-ed (nested, in attribute-map order) with
 * rule:<action>:<attribute> for each policy-enforced attribute the request sets
 * (neutron/policy.py _build_match_rule), e.g.
 * "(rule:create_network and rule:create_network:provider:network_type) is disallowed by policy".
 */
export class PolicyNotAuthorized extends NotAuthorized {
  override readonly type = 'PolicyNotAuthorized'
  constructor(action: string, attributes: readonly string[] = []) {
    let rule = `rule:${action}`
    for (const a of attributes) rule = `(${rule} and rule:${action}:${a})`
    super(`${rule} is disallowed by policy`)
  }
}

// ---- 503 -------------------------------------------------------------------------------------
export class NoNetworkAvailable extends ServiceUnavailable {
  override readonly type = 'NoNetworkAvailable'
  constructor() { super('Unable to create the network. No tenant network is available for allocation.') }
}

/**
 * Raised inside a transaction when a concurrent writer won a compare-and-swap (segment id, IP, MAC).
 * The plugin's retry loop re-runs the whole operation (Neutron's RetryRequest / db_api.retry_db_errors).
 */
export class RetryRequest extends Error {
  constructor(readonly reason: string) { super(`retry: ${reason}`) }
}
