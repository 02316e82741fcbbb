/**
 * The one error class of the IPAM library. `type` is the NeutronError wire name of the
 * exception Neutron raises in the same situation and `message` its full text, formatted with the
 * neutron-lib / neutron templates (neutron_lib/exceptions/__init__.py, neutron/ipam/exceptions.py
 * at Zed), so the API layer can send `{"NeutronError": {type, message, detail: ""}}` as is.
 * `status` is the HTTP status of the exception's family (BadRequest 400, Conflict/InUse 409).
 */

export type IpamErrorType =
  | 'InvalidInput'
  | 'BadRequest'
  | 'InvalidAllocationPool'
  | 'OutOfBoundsAllocationPool'
  | 'OverlappingAllocationPools'
  | 'GatewayConflictWithAllocationPools'
  | 'InvalidIpForSubnet'
  | 'InvalidIpForNetwork'
  | 'IpAddressAlreadyAllocated'
  | 'IpAddressGenerationFailure'
  | 'DNSNameServersExhausted'
  | 'HostRoutesExhausted'
  | 'AddressCalculationFailure'
  | 'EmptySubnetPoolPrefixList'
  | 'PrefixVersionMismatch'
  | 'IllegalSubnetPoolPrefixBounds'
  | 'IllegalSubnetPoolPrefixUpdate'
  | 'MinPrefixSubnetAllocationError'
  | 'MaxPrefixSubnetAllocationError'
  | 'SubnetAllocationError'
  | 'SubnetPoolQuotaExceeded'
  | 'IpamValueInvalid'

/** HTTP status per type: neutron's FAULT_MAP maps BadRequest→400, Conflict and InUse→409. */
export const IPAM_ERROR_STATUS: Readonly<Record<IpamErrorType, number>> = {
  InvalidInput: 400,
  BadRequest: 400,
  InvalidAllocationPool: 400,
  OutOfBoundsAllocationPool: 400,
  OverlappingAllocationPools: 409, // Conflict
  GatewayConflictWithAllocationPools: 409, // InUse
  InvalidIpForSubnet: 400,
  InvalidIpForNetwork: 400,
  IpAddressAlreadyAllocated: 409, // Conflict
  IpAddressGenerationFailure: 409, // Conflict
  DNSNameServersExhausted: 400,
  HostRoutesExhausted: 400,
  AddressCalculationFailure: 500, // NeutronException, no family
  EmptySubnetPoolPrefixList: 400,
  PrefixVersionMismatch: 400,
  IllegalSubnetPoolPrefixBounds: 400,
  IllegalSubnetPoolPrefixUpdate: 400,
  MinPrefixSubnetAllocationError: 400,
  MaxPrefixSubnetAllocationError: 400,
  // A NeutronException without family (Neutron answers 500), but caused by the client asking for
  // more than the pool holds: a conflict with the pool's state, so 409 (issue 15).
  SubnetAllocationError: 409,
  SubnetPoolQuotaExceeded: 409, // OverQuota (Conflict)
  IpamValueInvalid: 409, // neutron.ipam.exceptions: a Conflict
}

export class IpamValidationError extends Error {
  override readonly name = 'IpamValidationError'
  readonly status: number
  /**
   * For InvalidInput: the bare `error_message` (without the "Invalid input for operation: …."
   * wrapper), for callers that build their own InvalidInput from it. Otherwise equal to message.
   */
  readonly errorMessage: string
  constructor(readonly type: IpamErrorType, message: string, errorMessage?: string) {
    super(message)
    this.status = IPAM_ERROR_STATUS[type]
    this.errorMessage = errorMessage ?? message
  }
  toNeutronError(): { NeutronError: { type: string; message: string; detail: string } } {
    return { NeutronError: { type: this.type, message: this.message, detail: '' } }
  }
}

/** neutron_lib InvalidInput: "Invalid input for operation: %(error_message)s." */
export function invalidInput(errorMessage: string): IpamValidationError {
  return new IpamValidationError('InvalidInput', `Invalid input for operation: ${errorMessage}.`, errorMessage)
}

/** neutron_lib BadRequest: "Bad %(resource)s request: %(msg)s." */
export function badRequest(resource: string, msg: string): IpamValidationError {
  return new IpamValidationError('BadRequest', `Bad ${resource} request: ${msg}.`, msg)
}

/** Templates of the exceptions this library raises, for callers that raise them themselves. */
export const messages = {
  invalidAllocationPool: (pool: string) => `The allocation pool ${pool} is not valid.`,
  outOfBoundsAllocationPool: (pool: string, cidr: string) =>
    `The allocation pool ${pool} spans beyond the subnet cidr ${cidr}.`,
  // neutron-lib Zed has no "and" between the two pools.
  overlappingAllocationPools: (p1: string, p2: string, cidr: string) =>
    `Found overlapping allocation pools: ${p1} ${p2} for subnet ${cidr}.`,
  gatewayConflictWithAllocationPools: (ip: string, pool: string) =>
    `Gateway ip ${ip} conflicts with allocation pool ${pool}.`,
  /** neutron_lib.exceptions.InvalidIpForSubnet (port fixed_ips check). */
  invalidIpForSubnet: (ip: string) => `IP address ${ip} is not a valid IP for the specified subnet.`,
  /** neutron.ipam.exceptions.InvalidIpForSubnet (IPAM driver _verify_ip). */
  ipamInvalidIpForSubnet: (ip: string, subnetId: string) => `IP address ${ip} does not belong to subnet ${subnetId}`,
  invalidIpForNetwork: (ip: string) =>
    `IP address ${ip} is not a valid IP for any of the subnets on the specified network.`,
  ipAddressAlreadyAllocated: (ip: string, subnetId: string) => `IP address ${ip} already allocated in subnet ${subnetId}`,
  /** neutron.ipam.exceptions.IpAddressGenerationFailure */
  ipAddressGenerationFailure: (subnetId: string) => `No more IP addresses available for subnet ${subnetId}.`,
  dnsNameServersExhausted: (subnetId: string, quota: number) =>
    `Unable to complete operation for ${subnetId}. The number of DNS nameservers exceeds the limit ${quota}.`,
  hostRoutesExhausted: (subnetId: string, quota: number) =>
    `Unable to complete operation for ${subnetId}. The number of host routes exceeds the limit ${quota}.`,
  subnetOverlap: (cidr: string, networkId: string) =>
    `Requested subnet with cidr: ${cidr} for network: ${networkId} overlaps with another subnet`,
  zeroPrefixLength: () => '0 is not allowed as CIDR prefix length',
  // Subnet pools (neutron_lib/exceptions/__init__.py).
  emptySubnetPoolPrefixList: () => 'Empty subnet pool prefix list.',
  prefixVersionMismatch: () => 'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.',
  illegalSubnetPoolPrefixBounds: (prefixType: string, prefixlen: number, baseType: string, baseLen: number) =>
    `Illegal prefix bounds: ${prefixType}=${prefixlen}, ${baseType}=${baseLen}.`,
  illegalSubnetPoolPrefixUpdate: (msg: string) => `Illegal update to prefixes: ${msg}.`,
  minPrefixSubnetAllocationError: (prefixlen: number, min: number) =>
    `Unable to allocate subnet with prefix length ${prefixlen}, minimum allowed prefix is ${min}.`,
  maxPrefixSubnetAllocationError: (prefixlen: number, max: number) =>
    `Unable to allocate subnet with prefix length ${prefixlen}, maximum allowed prefix is ${max}.`,
  subnetAllocationError: (reason: string) => `Failed to allocate subnet: ${reason}.`,
  subnetPoolQuotaExceeded: () => 'Per-tenant subnet pool prefix quota exceeded.',
  /** neutron.ipam.requests SpecificSubnetRequest._validate_gateway_ip_in_subnet */
  gatewayCannotBeAllocated: (gw: string, cidr: string) => `Gateway IP ${gw} cannot be allocated in CIDR ${cidr}`,
} as const
