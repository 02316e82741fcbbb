/**
 * List-size bounds of list-valued attributes (issue 15). Neutron checks these counts in the plugin,
 * after the API layer validated every item; validating 10,000 items first blocks the event loop,
 * so the count is checked before any conversion or per-item validation, with Neutron's error for
 * that limit. The bound and the [DEFAULT] option that sets it are declared once, on the attribute
 * in src/api/definitions/*; the option values are injected (ControllerOptions.listLimits).
 */
import { AllowedAddressPairExhausted, InvalidInput, RoutesExhausted } from '../common/exceptions.js'
import { IpamValidationError, messages } from '../ipam/index.js'

/** The [DEFAULT] options that bound a list attribute (src/conf/neutron-opts.ts). */
export type ListBoundOption =
  | 'max_dns_nameservers'
  | 'max_subnet_host_routes'
  | 'max_routes'
  | 'max_allowed_address_pair'
  | 'max_fixed_ips_per_port'

/** The configured value of each bound. */
export type ListLimits = Readonly<Record<ListBoundOption, number>>

/** Neutron's defaults of those options (neutron/conf/common.py, extraroute, allowedaddresspairs). */
export const DEFAULT_LIST_LIMITS: ListLimits = {
  max_dns_nameservers: 5,
  max_subnet_host_routes: 20,
  max_routes: 30,
  max_allowed_address_pair: 10,
  max_fixed_ips_per_port: 5,
}

export interface ListBound {
  option: ListBoundOption
  /** Neutron's error for too many items; `id` is the resource's on update, undefined on create. */
  exhausted(max: number, id: string | undefined): Error
}

/** neutron db_base_plugin_v2._validate_subnet: DNSNameServersExhausted(subnet_id=s.get('id', 'new subnet')). */
export const DNS_NAMESERVERS_BOUND: ListBound = {
  option: 'max_dns_nameservers',
  exhausted: (max, id) => new IpamValidationError('DNSNameServersExhausted', messages.dnsNameServersExhausted(id ?? 'new subnet', max)),
}

/** neutron db_base_plugin_v2._validate_subnet: HostRoutesExhausted. */
export const HOST_ROUTES_BOUND: ListBound = {
  option: 'max_subnet_host_routes',
  exhausted: (max, id) => new IpamValidationError('HostRoutesExhausted', messages.hostRoutesExhausted(id ?? 'new subnet', max)),
}

/** neutron extraroute_db._validate_routes: RoutesExhausted(router_id, quota). Routes are PUT only. */
export const ROUTES_BOUND: ListBound = {
  option: 'max_routes',
  exhausted: (max, id) => new RoutesExhausted(id ?? '', max),
}

/** neutron_lib allowedaddresspairs: AllowedAddressPairExhausted(quota). */
export const ALLOWED_ADDRESS_PAIRS_BOUND: ListBound = {
  option: 'max_allowed_address_pair',
  exhausted: (max) => new AllowedAddressPairExhausted(max),
}

/** neutron ipam_backend_mixin._validate_max_ips_per_port: InvalidInput. */
export const FIXED_IPS_BOUND: ListBound = {
  option: 'max_fixed_ips_per_port',
  exhausted: () => new InvalidInput('Exceeded maximum amount of fixed ips per port.'),
}

/** Throws the bound's error when `value` is a list longer than its configured limit. */
export function checkListBound(bound: ListBound, value: unknown, limits: ListLimits, id: string | undefined): void {
  if (!Array.isArray(value)) return
  const max = limits[bound.option]
  if (value.length > max) throw bound.exhausted(max, id)
}
