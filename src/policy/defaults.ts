/**
 * Neutron Zed's default policies for the core resources (neutron/conf/policies/base.py, network.py,
 * subnet.py, port.py at 21.x): each rule's new (secure-RBAC) check string and, where Zed still
 * carried one, its deprecated check string. With `enforce_new_defaults = false` (Zed's default)
 * the effective rule is `new or deprecated` (oslo.policy Enforcer._handle_deprecated_rule).
 */

export interface PolicyDefault {
  readonly name: string
  readonly checkStr: string
  readonly deprecatedCheckStr?: string
}

const ADMIN = 'rule:admin_only'

// neutron/conf/policies/base.py, composed as there (neutron_lib policy_or joins with ' or ').
const PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
const PROJECT_READER = 'role:reader and project_id:%(project_id)s'
const ADMIN_OR_PROJECT_MEMBER = `(${ADMIN}) or (${PROJECT_MEMBER})`
const ADMIN_OR_PROJECT_READER = `(${ADMIN}) or (${PROJECT_READER})`
const ADMIN_OR_NET_OWNER_MEMBER = `(${ADMIN}) or (role:member and rule:network_owner)`
const ADMIN_OR_NET_OWNER_READER = `(${ADMIN}) or (role:reader and rule:network_owner)`

/**
 * The tags sub-resource (standard-attr-tag). Zed has no rule for it: its TaggingController calls
 * the tag plugin directly, so anyone who could see a resource could change its tags (bug 2037002).
 * These are the rules Neutron added for that in 2024.1 (commit f9b91289a5, "Add policy enforcer
 * for "tags" service plugin"): `get_/update_/delete_<collection>_tags`, new-style check strings
 * only, verbatim (`rule:external_network` was undefined there, so it evaluates the default rule).
 * 2025.1 renamed them `<verb>_<resource>:tags` and added `create_…` for POST, which Neutrino does
 * not offer. Neutron 2024.1 enforced only the new defaults; for `enforce_new_defaults = false`
 * each rule here also carries, as its deprecated alternative, the same rule without the
 * reader/member roles in Zed's terms (Neutrino's choice, not Neutron's): the resource's owner, or
 * whom the new rule names besides (network owner, shared, advsvc), so that owners without a
 * member role keep the tag rights they had.
 */
const TAG_POLICIES: readonly PolicyDefault[] = [
  { name: 'get_networks_tags', checkStr: `${ADMIN_OR_PROJECT_READER} or rule:shared or rule:external or rule:context_is_advsvc`, deprecatedCheckStr: 'rule:admin_or_owner or rule:shared or rule:external or rule:context_is_advsvc' },
  { name: 'update_networks_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'delete_networks_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'get_subnets_tags', checkStr: `${PROJECT_READER} or rule:shared or rule:external_network or ${ADMIN_OR_NET_OWNER_READER}`, deprecatedCheckStr: 'rule:admin_owner_or_network_owner or rule:shared' },
  { name: 'update_subnets_tags', checkStr: `${PROJECT_MEMBER} or ${ADMIN_OR_NET_OWNER_MEMBER}`, deprecatedCheckStr: 'rule:admin_owner_or_network_owner' },
  { name: 'delete_subnets_tags', checkStr: `${PROJECT_MEMBER} or ${ADMIN_OR_NET_OWNER_MEMBER}`, deprecatedCheckStr: 'rule:admin_owner_or_network_owner' },
  { name: 'get_ports_tags', checkStr: `rule:context_is_advsvc or ${ADMIN_OR_NET_OWNER_READER} or ${PROJECT_READER}`, deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_owner_or_network_owner' },
  { name: 'update_ports_tags', checkStr: `${ADMIN_OR_PROJECT_MEMBER} or rule:context_is_advsvc`, deprecatedCheckStr: 'rule:admin_or_owner or rule:context_is_advsvc' },
  { name: 'delete_ports_tags', checkStr: `rule:context_is_advsvc or ${PROJECT_MEMBER} or ${ADMIN_OR_NET_OWNER_MEMBER}`, deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_owner_or_network_owner' },
  { name: 'get_subnetpools_tags', checkStr: `${ADMIN_OR_PROJECT_READER} or rule:shared_subnetpools`, deprecatedCheckStr: 'rule:admin_or_owner or rule:shared_subnetpools' },
  { name: 'update_subnetpools_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'delete_subnetpools_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'get_security_groups_tags', checkStr: `${ADMIN_OR_PROJECT_READER} or rule:shared_security_group`, deprecatedCheckStr: 'rule:admin_or_owner or rule:shared_security_group' },
  { name: 'update_security_groups_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'delete_security_groups_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'get_routers_tags', checkStr: ADMIN_OR_PROJECT_READER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'update_routers_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'delete_routers_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'get_floatingips_tags', checkStr: ADMIN_OR_PROJECT_READER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'update_floatingips_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'delete_floatingips_tags', checkStr: ADMIN_OR_PROJECT_MEMBER, deprecatedCheckStr: 'rule:admin_or_owner' },
]

export const NEUTRON_DEFAULT_POLICIES: readonly PolicyDefault[] = [
  { name: 'context_is_admin', checkStr: 'role:admin' },
  { name: 'owner', checkStr: 'tenant_id:%(tenant_id)s' },
  { name: 'admin_or_owner', checkStr: 'rule:context_is_admin or rule:owner' },
  { name: 'context_is_advsvc', checkStr: 'role:advsvc' },
  { name: 'admin_or_network_owner', checkStr: 'rule:context_is_admin or tenant_id:%(network:tenant_id)s' },
  { name: 'admin_owner_or_network_owner', checkStr: 'rule:owner or rule:admin_or_network_owner' },
  { name: 'network_owner', checkStr: 'tenant_id:%(network:tenant_id)s' },
  { name: 'admin_only', checkStr: 'rule:context_is_admin' },
  { name: 'regular_user', checkStr: '' },
  { name: 'shared', checkStr: 'field:networks:shared=True' },
  { name: 'default', checkStr: 'rule:admin_or_owner' },
  { name: 'admin_or_ext_parent_owner', checkStr: 'rule:context_is_admin or tenant_id:%(ext_parent:tenant_id)s' },
  { name: 'ext_parent_owner', checkStr: 'tenant_id:%(ext_parent:tenant_id)s' },
  { name: 'sg_owner', checkStr: 'tenant_id:%(security_group:tenant_id)s' },
  { name: 'external', checkStr: 'field:networks:router:external=True' },
  { name: 'create_network', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:regular_user' },
  { name: 'create_network:shared', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_network:router:external', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_network:is_default', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_network:port_security_enabled', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:regular_user' },
  { name: 'create_network:segments', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_network:provider:network_type', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_network:provider:physical_network', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_network:provider:segmentation_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_network', checkStr: '(rule:admin_only) or (role:reader and project_id:%(project_id)s) or rule:shared or rule:external or rule:context_is_advsvc', deprecatedCheckStr: 'rule:admin_or_owner or rule:shared or rule:external or rule:context_is_advsvc' },
  { name: 'get_network:segments', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_network:provider:network_type', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_network:provider:physical_network', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_network:provider:segmentation_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_network', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'update_network:segments', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_network:shared', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_network:provider:network_type', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_network:provider:physical_network', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_network:provider:segmentation_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_network:router:external', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_network:is_default', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_network:port_security_enabled', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'delete_network', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'create_subnet', checkStr: 'rule:admin_only or role:member and rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'create_subnet:segment_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_subnet:service_types', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_subnet', checkStr: '(rule:admin_only) or (role:reader and project_id:%(project_id)s) or rule:shared', deprecatedCheckStr: 'rule:admin_or_owner or rule:shared' },
  { name: 'get_subnet:segment_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_subnet', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s) or role:member and rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'update_subnet:segment_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_subnet:service_types', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'delete_subnet', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s) or role:member and rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'network_device', checkStr: 'field:port:device_owner=~^network:' },
  { name: 'admin_or_data_plane_int', checkStr: 'rule:context_is_admin or role:data_plane_integrator' },
  { name: 'create_port', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:regular_user' },
  { name: 'create_port:device_owner', checkStr: 'not rule:network_device or rule:admin_only or rule:context_is_advsvc or rule:network_owner', deprecatedCheckStr: 'not rule:network_device or rule:context_is_advsvc or rule:admin_or_network_owner' },
  { name: 'create_port:mac_address', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner' },
  { name: 'create_port:fixed_ips', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only or rule:shared', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner or rule:shared' },
  { name: 'create_port:fixed_ips:ip_address', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner' },
  { name: 'create_port:fixed_ips:subnet_id', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only or rule:shared', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner or rule:shared' },
  { name: 'create_port:port_security_enabled', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner' },
  { name: 'create_port:binding:host_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_port:binding:profile', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_port:binding:vnic_type', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:regular_user' },
  { name: 'create_port:allowed_address_pairs', checkStr: 'rule:admin_only or rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'create_port:allowed_address_pairs:mac_address', checkStr: 'rule:admin_only or rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'create_port:allowed_address_pairs:ip_address', checkStr: 'rule:admin_only or rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'get_port', checkStr: 'rule:admin_only or rule:context_is_advsvc or rule:network_owner or role:reader and project_id:%(project_id)s', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_owner_or_network_owner' },
  { name: 'get_port:binding:vif_type', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_port:binding:vif_details', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_port:binding:host_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_port:binding:profile', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_port:resource_request', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_port', checkStr: 'rule:admin_only or role:member and project_id:%(project_id)s or rule:context_is_advsvc', deprecatedCheckStr: 'rule:admin_or_owner or rule:context_is_advsvc' },
  { name: 'update_port:device_owner', checkStr: 'not rule:network_device or rule:context_is_advsvc or rule:network_owner or rule:admin_only', deprecatedCheckStr: 'not rule:network_device or rule:context_is_advsvc or rule:admin_or_network_owner' },
  { name: 'update_port:mac_address', checkStr: 'rule:admin_only or rule:context_is_advsvc', deprecatedCheckStr: 'rule:admin_only or rule:context_is_advsvc' },
  { name: 'update_port:fixed_ips', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner' },
  { name: 'update_port:fixed_ips:ip_address', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner' },
  { name: 'update_port:fixed_ips:subnet_id', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only or rule:shared', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner or rule:shared' },
  { name: 'update_port:port_security_enabled', checkStr: 'rule:context_is_advsvc or rule:network_owner or rule:admin_only', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_or_network_owner' },
  { name: 'update_port:binding:host_id', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_port:binding:profile', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_port:binding:vnic_type', checkStr: 'rule:admin_only or role:member and project_id:%(project_id)s or rule:context_is_advsvc', deprecatedCheckStr: 'rule:admin_or_owner or rule:context_is_advsvc' },
  { name: 'update_port:allowed_address_pairs', checkStr: 'rule:admin_only or rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'update_port:allowed_address_pairs:mac_address', checkStr: 'rule:admin_only or rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'update_port:allowed_address_pairs:ip_address', checkStr: 'rule:admin_only or rule:network_owner', deprecatedCheckStr: 'rule:admin_or_network_owner' },
  { name: 'update_port:data_plane_status', checkStr: 'rule:admin_only or role:data_plane_integrator', deprecatedCheckStr: 'rule:admin_or_data_plane_int' },
  { name: 'delete_port', checkStr: 'rule:admin_only or rule:context_is_advsvc or role:member and project_id:%(project_id)s or rule:network_owner', deprecatedCheckStr: 'rule:context_is_advsvc or rule:admin_owner_or_network_owner' },

  // ---- subnet pools (neutron/conf/policies/subnetpool.py at Zed) ----
  { name: 'shared_subnetpools', checkStr: 'field:subnetpools:shared=True' },
  { name: 'create_subnetpool', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:regular_user' },
  { name: 'create_subnetpool:shared', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_subnetpool:is_default', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_subnetpool', checkStr: '(rule:admin_only) or (role:reader and project_id:%(project_id)s) or rule:shared_subnetpools', deprecatedCheckStr: 'rule:admin_or_owner or rule:shared_subnetpools' },
  { name: 'update_subnetpool', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'update_subnetpool:is_default', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'delete_subnetpool', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'onboard_network_subnets', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'add_prefixes', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'remove_prefixes', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  // ---- L3: routers and floating IPs (neutron/conf/policies/router.py, floatingip.py at Zed) ----
  { name: 'create_router', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:regular_user' },
  { name: 'create_router:distributed', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_router:ha', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_router:external_gateway_info', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'create_router:external_gateway_info:network_id', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'create_router:external_gateway_info:enable_snat', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'create_router:external_gateway_info:external_fixed_ips', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_router', checkStr: '(rule:admin_only) or (role:reader and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'get_router:distributed', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_router:ha', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_router', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'update_router:distributed', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_router:ha', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_router:external_gateway_info', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'update_router:external_gateway_info:network_id', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'update_router:external_gateway_info:enable_snat', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'update_router:external_gateway_info:external_fixed_ips', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'delete_router', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'add_router_interface', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'remove_router_interface', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'add_extraroutes', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'remove_extraroutes', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'create_floatingip', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:regular_user' },
  { name: 'create_floatingip:floating_ip_address', checkStr: ADMIN, deprecatedCheckStr: ADMIN },
  { name: 'get_floatingip', checkStr: '(rule:admin_only) or (role:reader and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'update_floatingip', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'delete_floatingip', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },

  // ---- security groups (neutron/conf/policies/security_group.py at Zed) ----
  { name: 'admin_or_sg_owner', checkStr: 'rule:context_is_admin or tenant_id:%(security_group:tenant_id)s' },
  { name: 'admin_owner_or_sg_owner', checkStr: 'rule:owner or rule:admin_or_sg_owner' },
  { name: 'shared_security_group', checkStr: 'field:security_groups:shared=True' },
  { name: 'create_security_group', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'get_security_group', checkStr: '(rule:admin_only) or (role:reader and project_id:%(project_id)s) or rule:shared_security_group', deprecatedCheckStr: 'rule:regular_user' },
  { name: 'update_security_group', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'delete_security_group', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'create_security_group_rule', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },
  { name: 'get_security_group_rule', checkStr: '(rule:admin_only) or (role:reader and project_id:%(project_id)s) or rule:sg_owner', deprecatedCheckStr: 'rule:admin_owner_or_sg_owner' },
  { name: 'delete_security_group_rule', checkStr: '(rule:admin_only) or (role:member and project_id:%(project_id)s)', deprecatedCheckStr: 'rule:admin_or_owner' },

  ...TAG_POLICIES,
]
