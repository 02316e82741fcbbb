/**
 * The attributes whose presence in a create/update body adds an attribute rule to the check
 * (`enforce_policy: True` in neutron-lib's API definitions, neutron_lib/api/definitions/*.py),
 * with the defaults Neutron compares against: on create an attribute equal to its default is not
 * "explicitly set" (neutron/policy.py _is_attribute_explicitly_set), so `shared: false` needs no
 * admin. Order is core attributes first, then extensions, as Neutron's attribute map iterates.
 * Subnet `service_types` has no enforce_policy in neutron-lib, so create_subnet:service_types is
 * defined but never consulted (as in Neutron).
 */
import { NOT_SPECIFIED } from '../common/not-specified.js'

export interface EnforcedAttribute {
  readonly name: string
  /** NOT_SPECIFIED when the attribute has no real default. */
  readonly default: unknown
  /**
   * For a dict-valued attribute whose neutron-lib validator declares its keys (`type:dict` with a
   * schema, e.g. a router's external_gateway_info): those keys. Each one present in the value adds
   * `rule:<action>:<attr>:<key>` (neutron/policy.py _build_subattr_match_rule).
   */
  readonly subAttributes?: readonly string[]
}

const attrs = (list: Array<[string, unknown]>): readonly EnforcedAttribute[] => list.map(([name, d]) => ({ name, default: d }))

export const ENFORCED_ATTRIBUTES: Readonly<Record<string, readonly EnforcedAttribute[]>> = {
  networks: attrs([
    ['shared', false],
    ['provider:network_type', NOT_SPECIFIED],
    ['provider:physical_network', NOT_SPECIFIED],
    ['provider:segmentation_id', NOT_SPECIFIED],
    ['segments', NOT_SPECIFIED],
    ['router:external', false],
    ['is_default', false],
    ['port_security_enabled', true],
    ['mtu', 0],
  ]),
  subnets: attrs([
    ['shared', false],
    ['segment_id', null],
  ]),
  ports: attrs([
    ['mac_address', NOT_SPECIFIED],
    ['fixed_ips', NOT_SPECIFIED],
    ['device_owner', ''],
    ['binding:vif_type', NOT_SPECIFIED],
    ['binding:vif_details', NOT_SPECIFIED],
    ['binding:vnic_type', 'normal'],
    ['binding:host_id', NOT_SPECIFIED],
    ['binding:profile', NOT_SPECIFIED],
    ['port_security_enabled', NOT_SPECIFIED],
    ['allowed_address_pairs', NOT_SPECIFIED],
    ['data_plane_status', NOT_SPECIFIED],
  ]),
}
