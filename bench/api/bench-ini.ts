/** Server config: every tenant network is vxlan with a large pool; no mechanism drivers, no quotas. */
export const BENCH_INI = `
[DEFAULT]
debug = false
api_workers = 1
[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers =
[ml2_type_flat]
flat_networks = *
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:199
[ml2_type_vxlan]
vni_ranges = 1:100000
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
`
