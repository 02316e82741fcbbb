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

// ---- L3: routers and floating IPs (neutron_lib/exceptions/l3.py, extraroute.py, external_net.py,
// neutron_lib/exceptions/__init__.py) ------------------------------------------------------------
export class RouterNotFound extends NotFound {
  override readonly type = 'RouterNotFound'
  constructor(routerId: string) { super(`Router ${routerId} could not be found`) }
}
export class FloatingIPNotFound extends NotFound {
  override readonly type = 'FloatingIPNotFound'
  constructor(fipId: string) { super(`Floating IP ${fipId} could not be found`) }
}
export class RouterInterfaceNotFound extends NotFound {
  override readonly type = 'RouterInterfaceNotFound'
  constructor(routerId: string, portId: string) { super(`Router ${routerId} does not have an interface with id ${portId}`) }
}
export class RouterInterfaceNotFoundForSubnet extends NotFound {
  override readonly type = 'RouterInterfaceNotFoundForSubnet'
  constructor(routerId: string, subnetId: string) { super(`Router ${routerId} has no interface on subnet ${subnetId}`) }
}
export class ExternalGatewayForFloatingIPNotFound extends NotFound {
  override readonly type = 'ExternalGatewayForFloatingIPNotFound'
  constructor(externalNetworkId: string, subnetId: string, portId: string) {
    super(`External network ${externalNetworkId} is not reachable from subnet ${subnetId}.  Therefore, cannot associate Port ${portId} with a Floating IP.`)
  }
}
/** `reason` defaults to Neutron's "still has ports". */
export class RouterInUse extends InUse {
  override readonly type = 'RouterInUse'
  constructor(routerId: string, reason = 'still has ports') { super(`Router ${routerId} ${reason}`) }
}
export class RouterInterfaceInUseByFloatingIP extends InUse {
  override readonly type = 'RouterInterfaceInUseByFloatingIP'
  constructor(routerId: string, subnetId: string) {
    super(`Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`)
  }
}
export class RouterInterfaceInUseByRoute extends InUse {
  override readonly type = 'RouterInterfaceInUseByRoute'
  constructor(routerId: string, subnetId: string) {
    super(`Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more routes.`)
  }
}
export class RouterExternalGatewayInUseByFloatingIp extends InUse {
  override readonly type = 'RouterExternalGatewayInUseByFloatingIp'
  constructor(routerId: string, netId: string) {
    super(`Gateway cannot be updated for router ${routerId}, since a gateway to external network ${netId} is required by one or more floating IPs.`)
  }
}
export class FloatingIPPortAlreadyAssociated extends InUse {
  override readonly type = 'FloatingIPPortAlreadyAssociated'
  constructor(fipAddress: string, fipId: string, portId: string, fixedIp: string, netId: string) {
    super(`Cannot associate floating IP ${fipAddress} (${fipId}) with port ${portId} using fixed IP ${fixedIp}, as that fixed IP already has a floating IP on external network ${netId}.`)
  }
}
/** neutron/db/l3_db.py FipAssociated: a non-admin deleting a port another project's floating IP uses. */
export class FipAssociated extends InUse {
  override readonly type = 'FipAssociated'
  constructor(portId: string) {
    super(`Unable to complete the operation on port "${portId}" because the port still has an associated floating IP.`)
  }
}
export class PortInUse extends InUse {
  override readonly type = 'PortInUse'
  constructor(netId: string, portId: string, deviceId: string) {
    super(`Unable to complete operation on port ${portId} for network ${netId}. Port already has an attached device ${deviceId}.`)
  }
}
/** Router and floating IP ports are deleted through their own resources, never DELETE /ports. */
export class ServicePortInUse extends InUse {
  override readonly type = 'ServicePortInUse'
  constructor(portId: string, reason: string) { super(`Port ${portId} cannot be deleted directly via the port API: ${reason}.`) }
}
export class ExternalNetworkInUse extends InUse {
  override readonly type = 'ExternalNetworkInUse'
  constructor(netId: string) {
    super(`External network ${netId} cannot be updated to be made non-external, since it has existing gateway ports.`)
  }
}
export class SubnetMismatchForPort extends NeutronException {
  readonly type = 'SubnetMismatchForPort'
  constructor(portId: string, subnetId: string) { super(`Subnet on port ${portId} does not match the requested subnet ${subnetId}.`) }
}
export class ExternalIpAddressExhausted extends NeutronException {
  readonly type = 'ExternalIpAddressExhausted'
  constructor(netId: string) { super(`Unable to find any IP address on external network ${netId}.`) }
}
/** extraroute InvalidRoutes (an InvalidInput with its own text); `routes` is shown as Python prints it. */
export class InvalidRoutes extends InvalidInput {
  override readonly type = 'InvalidRoutes'
  constructor(routes: string, reason: string) {
    super('')
    this.message = `Invalid format for routes: ${routes}, ${reason}`
  }
}
/** neutron_lib allowedaddresspairs: more pairs than [DEFAULT] max_allowed_address_pair. */
export class AllowedAddressPairExhausted extends NeutronException {
  readonly type = 'AllowedAddressPairExhausted'
  constructor(quota: number) {
    super(`The number of allowed address pair exceeds the maximum ${quota}.`)
  }
}
/** neutron_lib extra_dhcp_opt ExtraDhcpOptBadData (an InvalidInput). */
export class ExtraDhcpOptBadData extends InvalidInput {
  override readonly type = 'ExtraDhcpOptBadData'
  constructor(data: string) {
    super(`Invalid data format for extra-dhcp-opt: ${data}`)
  }
}
/** Neutrino only: more tags on one resource than [DEFAULT] max_tags_per_resource. */
export class TagsExhausted extends NeutronException {
  readonly type = 'TagsExhausted'
  constructor(resourceId: string, quota: number) {
    super(`Unable to complete operation for ${resourceId}. The number of tags exceeds the maximum ${quota}.`)
  }
}
export class RoutesExhausted extends NeutronException {
  readonly type = 'RoutesExhausted'
  constructor(routerId: string, quota: number) {
    super(`Unable to complete operation for ${routerId}. The number of routes exceeds the maximum ${quota}.`)
  }
}

// ---- Subnet pools (neutron_lib/exceptions/__init__.py, address_scope.py) -----------------------
// The pool checks themselves (prefix bounds, allocation, quota) are IpamValidationErrors (ipam/errors.ts).
export class SubnetPoolNotFound extends NotFound {
  override readonly type = 'SubnetPoolNotFound'
  constructor(subnetpoolId: string) { super(`Subnet pool ${subnetpoolId} could not be found.`) }
}
/** A pool with subnets allocated from it cannot be deleted (a 400, as in Neutron Zed). */
export class SubnetPoolDeleteError extends NeutronException {
  readonly type = 'SubnetPoolDeleteError'
  constructor(reason: string) { super(`Unable to delete subnet pool: ${reason}.`) }
}
/** What a subnet allocation that kept losing the pool's compare-and-swap finally reports. */
export class SubnetPoolInUse extends InUse {
  override readonly type = 'SubnetPoolInUse'
  constructor(subnetpoolId: string, reason = 'Two or more concurrent subnets allocated') {
    super(`Unable to complete operation on subnet pool ${subnetpoolId}. ${reason}.`)
  }
}
export class NetworkSubnetPoolAffinityError extends NeutronException {
  readonly type = 'NetworkSubnetPoolAffinityError'
  constructor() { super('Subnets hosted on the same network must be allocated from the same subnet pool.') }
}
/** address_scope_id names a scope; Neutrino has none (the address-scope extension is not offered). */
export class AddressScopeNotFound extends NotFound {
  override readonly type = 'AddressScopeNotFound'
  constructor(addressScopeId: string) { super(`Address scope ${addressScopeId} could not be found.`) }
}

// ---- Security groups (neutron/extensions/securitygroup.py, neutron_lib/exceptions/port_security.py) --
// The InvalidInput subclasses carry their own template (neutron-lib's `message`), not
// "Invalid input for operation: …".
/** An InvalidInput whose whole text is `message`. */
abstract class SecurityGroupInvalidInput extends InvalidInput {
  constructor(message: string) {
    super('')
    this.message = message
  }
}
export class SecurityGroupInvalidPortRange extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupInvalidPortRange'
  constructor() { super('For TCP/UDP protocols, port_range_min must be <= port_range_max') }
}
export class SecurityGroupInvalidProtocolForPort extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupInvalidProtocolForPort'
  constructor(protocol: string, validPortProtocols: string) {
    super(`Ports cannot be specified for protocol ${protocol}. Ports are only supported for ${validPortProtocols}.`)
  }
}
export class SecurityGroupInvalidPortValue extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupInvalidPortValue'
  constructor(port: string) { super(`Invalid value for port ${port}`) }
}
export class SecurityGroupInvalidIcmpValue extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupInvalidIcmpValue'
  constructor(field: string, attr: string, value: string) {
    super(`Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`)
  }
}
export class SecurityGroupEthertypeConflictWithProtocol extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupEthertypeConflictWithProtocol'
  constructor(ethertype: string, protocol: string) { super(`Invalid ethertype ${ethertype} for protocol ${protocol}.`) }
}
export class SecurityGroupMissingIcmpType extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupMissingIcmpType'
  constructor(value: string) {
    super(`ICMP code (port-range-max) ${value} is provided but ICMP type (port-range-min) is missing.`)
  }
}
export class SecurityGroupRuleInvalidProtocol extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupRuleInvalidProtocol'
  constructor(protocol: string, values: string) {
    super(`Security group rule protocol ${protocol} not supported. Only protocol values ${values} and integer representations [0 to 255] are supported.`)
  }
}
export class SecurityGroupRulesNotSingleTenant extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupRulesNotSingleTenant'
  constructor() { super('Multiple tenant_ids in bulk security group rule create not allowed') }
}
export class SecurityGroupMultipleRemoteEntites extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupMultipleRemoteEntites'
  constructor() { super('Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.') }
}
export class SecurityGroupProtocolRequiredWithPorts extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupProtocolRequiredWithPorts'
  constructor() { super('Must also specify protocol if port range is given.') }
}
export class SecurityGroupNotSingleGroupRules extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupNotSingleGroupRules'
  constructor() { super('Only allowed to update rules for one security profile at a time') }
}
export class SecurityGroupRuleParameterConflict extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupRuleParameterConflict'
  constructor(ethertype: string, cidr: string) { super(`Conflicting value ethertype ${ethertype} for CIDR ${cidr}`) }
}
export class SecurityGroupRuleInvalidEtherType extends SecurityGroupInvalidInput {
  override readonly type = 'SecurityGroupRuleInvalidEtherType'
  constructor(ethertype: string, values: string) {
    super(`Security group rule for ethertype '${ethertype}' not supported. Allowed values are ${values}.`)
  }
}
export class PortSecurityAndIPRequiredForSecurityGroups extends SecurityGroupInvalidInput {
  override readonly type = 'PortSecurityAndIPRequiredForSecurityGroups'
  constructor() { super('Port security must be enabled and port must have an IP address in order to use security groups.') }
}
/** neutron_lib.exceptions.InvalidCIDR (a BadRequest): a remote_ip_prefix netaddr cannot read. */
export class InvalidCIDR extends NeutronException {
  readonly type = 'InvalidCIDR'
  constructor(input: string) { super(`Invalid CIDR ${input} given as IP prefix.`) }
}
export class SecurityGroupNotFound extends NotFound {
  override readonly type = 'SecurityGroupNotFound'
  constructor(id: string) { super(`Security group ${id} does not exist`) }
}
export class SecurityGroupRuleNotFound extends NotFound {
  override readonly type = 'SecurityGroupRuleNotFound'
  constructor(id: string) { super(`Security group rule ${id} does not exist`) }
}
export class SecurityGroupInUse extends InUse {
  override readonly type = 'SecurityGroupInUse'
  constructor(id: string, reason = 'in use') { super(`Security Group ${id} ${reason}.`) }
}
export class SecurityGroupCannotRemoveDefault extends InUse {
  override readonly type = 'SecurityGroupCannotRemoveDefault'
  constructor() { super('Insufficient rights for removing default security group.') }
}
export class SecurityGroupCannotUpdateDefault extends InUse {
  override readonly type = 'SecurityGroupCannotUpdateDefault'
  constructor() { super('Updating default security group not allowed.') }
}
export class SecurityGroupDefaultAlreadyExists extends InUse {
  override readonly type = 'SecurityGroupDefaultAlreadyExists'
  constructor() { super('Default security group already exists.') }
}
export class DuplicateSecurityGroupRuleInPost extends InUse {
  override readonly type = 'DuplicateSecurityGroupRuleInPost'
  constructor() { super('Duplicate Security Group Rule in POST.') }
}
export class SecurityGroupRuleExists extends InUse {
  override readonly type = 'SecurityGroupRuleExists'
  constructor(ruleId: string) { super(`Security group rule already exists. Rule id is ${ruleId}.`) }
}
export class SecurityGroupConflict extends Conflict {
  override readonly type = 'SecurityGroupConflict'
  constructor(reason: string) { super(`Error ${reason} while attempting the operation.`) }
}
export class PortSecurityPortHasSecurityGroup extends InUse {
  override readonly type = 'PortSecurityPortHasSecurityGroup'
  constructor() {
    super('Port has security group associated. Cannot disable port security or IP address until security group is removed.')
  }
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
/** The database server cannot be reached (down, restarting, connection lost): try again later. */
export class DatabaseUnavailable extends ServiceUnavailable {
  constructor(outcomeUnknown = false) {
    super(
      outcomeUnknown
        ? 'The connection to the database was lost while the change was being committed; it may or may not have been applied.'
        : 'The database is not reachable at the moment; retry the request.',
    )
  }
}

export class NoNetworkAvailable extends ServiceUnavailable {
  override readonly type = 'NoNetworkAvailable'
  constructor() { super('Unable to create the network. No tenant network is available for allocation.') }
}

/**
 * Raised inside a transaction when a concurrent writer won a compare-and-swap (segment id, IP, MAC).
 * The plugin's retry loop re-runs the whole operation (Neutron's RetryRequest / db_api.retry_db_errors).
 */
export class RetryRequest extends Error {
  /** `inner` is what the client gets once the retries are exhausted (oslo.db raises inner_exc). */
  constructor(readonly reason: string, readonly inner?: NeutronException) { super(`retry: ${reason}`) }
}
